"""Who a drafted source is: an actor already known, or a new one with guessed details.

The drafter finds mentions ("Kremlin spokesman Dmitry Peskov", "he", "three people
familiar with the matter"); an article file needs actors (a key, a name, a kind, how
identified). ``Cast`` turns one into the other for a whole article:

- an actor already stored (``KnownActor``, plain data the API reads from the
  database) is reused when its key, name or an alias matches, so a draft never
  redefines "bloomberg";
- a pronoun stands for its antecedent's actor (the mention stays as written);
- "Peskov" after "Dmitry Peskov" is the same person (the surname becomes an alias);
- anything else becomes a new actor: a name taken from the mention, a kind guessed
  from its words (``actor_kinds.yaml``), ``identified`` from the drafter's source
  type. What is guessed without a clue is said, so the reviewer checks it.

Pure: no database; everything it knows is handed in.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources

import yaml

from claimsdb.draft import keys
from claimsdb.draft.lexicon import Lexicon
from claimsdb.draft.results import DraftHop

KIND_ORDER = ("group", "person", "outlet", "government", "organization")
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_EDGE = "\"'“”‘’«»„,.;:!?—–-() \t\n"
_WORD = re.compile(r"[\w’'.-]+", re.UNICODE)
_CONNECTORS = frozenset({"of", "for", "and", "de", "du", "des", "von", "van", "al", "bin",
                         "la", "le", "del", "di"})
_LEADING = frozenset({"a", "an", "the"})


@dataclass(frozen=True)
class KnownActor:
    """An actor the database already holds, as the draft may reuse it."""

    key: str
    name: str
    kind: str
    identified: str = "named"
    aliases: tuple[str, ...] = ()


@dataclass
class NewActor:
    """An actor the draft defines, with what the reviewer should check about it."""

    key: str
    name: str
    kind: str
    identified: str
    aliases: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Casting:
    """Which actor a hop names, and what to tell the reviewer about the choice."""

    key: str
    identified: str | None  # set when the hop names it less (or more) than the actor is
    checks: tuple[str, ...] = ()


@functools.lru_cache(maxsize=1)
def _kind_words() -> dict[str, tuple[str, ...]]:
    path = resources.files("claimsdb.draft") / "actor_kinds.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {kind: tuple(str(w).lower() for w in data.get(kind, ())) for kind in KIND_ORDER}


@functools.lru_cache(maxsize=1)
def _date_words() -> frozenset[str]:
    path = resources.files("claimsdb.draft") / "actor_kinds.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return frozenset(str(w).lower() for w in data.get("dates", ()))


def guess_kind(words_of: str) -> str | None:
    """The kind the words of a name or mention point to, or None without a clue."""
    lowered = " ".join(w.strip(".").lower() for w in _WORD.findall(words_of))
    words = lowered.split()
    for kind, entries in _kind_words().items():
        for entry in entries:
            if " " in entry:
                if f" {entry} " in f" {lowered} ":
                    return kind
            elif entry.endswith("*"):
                if any(w.startswith(entry[:-1]) for w in words):
                    return kind
            elif entry in words:
                return kind
    return None


def normal(name: str) -> str:
    """A name as compared: case, spacing, apostrophes and a leading article ignored."""
    text = " ".join(name.replace("’", "'").strip(_EDGE).casefold().split())
    first, _, rest = text.partition(" ")
    return rest if first in _LEADING and rest else text


def name_of(mention: str, source_type: str, lexicon: Lexicon) -> str:
    """The actor's name a mention gives: for a named source the last run of
    capitalised words that are not roles or titles ("Kremlin spokesman Dmitry
    Peskov" -> "Dmitry Peskov"); otherwise, or when the mention ends in a common noun
    ("The Indonesian health ministry"), the mention without its article and without a
    clause describing it ("a senior official who asked not to be named" -> "Senior
    official")."""
    cleaned = _PARENTHESES.sub("", mention).strip(_EDGE) or mention.strip()
    if source_type == "named":
        cleaned = _POSSESSIVE.sub("", cleaned) or cleaned  # "the Kremlin’s" demands
    words = cleaned.split()
    last = words[-1].strip(_EDGE) if words else ""
    if source_type == "named" and not last[:1].isupper():
        # "Песков журналистам": words after the name that name no kind of actor are
        # not part of it; "The Indonesian health ministry" ends in what it is.
        tail = []
        while words and not words[-1][:1].isupper():
            tail.insert(0, words.pop())
        if words and guess_kind(" ".join(tail)) is None and guess_kind(" ".join(words)) is None:
            cleaned = " ".join(words)
            last = words[-1].strip(_EDGE)
        else:
            words = cleaned.split()
    if source_type == "named" and last[:1].isupper():
        bare = [w.strip(_EDGE) for w in words]
        if all(w[:1].isupper() or w.lower() in _CONNECTORS for w in bare):
            # A name in title case ("Ministry of Defence", "White House"), but for a
            # title before it ("President Vladimir Putin", "Secretary of State Antony
            # J. Blinken").
            titled = False
            while len(bare) > 1 and (bare[0].lower().rstrip(".") in lexicon.titles
                                     or (titled and bare[0].lower() in _CONNECTORS)):
                titled = True
                bare, words = bare[1:], words[1:]
            if titled and len(bare) > 2:
                return " ".join(_personal_name([w.strip(_EDGE.replace(".", ""))
                                                for w in words]))
            return " ".join(bare)
        if words[0][:1].isupper() and guess_kind(cleaned) in _INSTITUTIONS:
            return cleaned  # "Служба безопасности Украины" is its whole name
        run = _last_capitalised_run(words, lexicon)
        if run and len(run) > 2 and guess_kind(cleaned[:cleaned.find(run[0])]) == "person":
            run = _personal_name(run)  # "представитель МИД Украины Георгий Тихий"
        if run:
            start = cleaned.find(run[0])
            if start > 0 and cleaned[:start].strip().lower() == "the":
                run = ["The", *run]  # "The Washington Post" is the paper's name
            return " ".join(run)
        return cleaned
    described = _DESCRIBING_CLAUSE.split(cleaned, maxsplit=1)[0].strip(_EDGE) or cleaned
    first, _, rest = described.partition(" ")
    following = rest.split(" ", 1)[0].lower() if rest else ""
    if rest and following not in ("of", "из") and (
            first.lower() in _LEADING or first.lower() in lexicon.determiners):
        described = rest
    return described[:1].upper() + described[1:]


# ", who spoke on condition of anonymity", " who asked not to be named": what a source
# said about itself, not its name.
_DESCRIBING_CLAUSE = re.compile(
    r",|\s(?:who|which|that|whom|whose|который|которая|которое|которые|кто)\s",
    re.IGNORECASE)


_INSTITUTIONS = ("outlet", "government", "organization")
_POSSESSIVE = re.compile(r"(?<=\w)['’]s?$")
_PATRONYMIC = re.compile(r"(?:вич|вна|ична|ич)$|^\w\.?$", re.IGNORECASE)


def _personal_name(run: list[str]) -> list[str]:
    """The last two words of a run after a person's role ("... Украины Георгий Тихий"
    -> "Георгий Тихий"), three with a patronymic or an initial in the middle."""
    if len(run) >= 3 and _PATRONYMIC.search(run[-2]):
        return run[-3:]
    return run[-2:]


def _last_capitalised_run(words: list[str], lexicon: Lexicon) -> list[str]:
    runs: list[list[str]] = []
    current: list[str] = []
    for number, word in enumerate(words):
        bare = word.strip(_EDGE)
        lower = bare.lower()
        capital = bare[:1].isupper() or bare[:1].isdigit()
        if (capital and lower not in lexicon.roles and lower.rstrip(".") not in
                lexicon.titles and not (number == 0 and lower in _LEADING)):
            current.append(bare)
            continue
        if current and lower in _CONNECTORS and number + 1 < len(words) \
                and words[number + 1][:1].isupper():
            current.append(bare)
            continue
        if current:
            runs.append(current)
        current = []
    if current:
        runs.append(current)
    return runs[-1] if runs else []


class Cast:
    """The actors of one draft: known ones reused, new ones defined once."""

    def __init__(self, known: Iterable[KnownActor], lexicon: Lexicon, *,
                 taken: Iterable[str] = ()):
        self.lexicon = lexicon
        self.known = {actor.key: actor for actor in known}
        self._by_name: dict[str, str] = {}
        for actor in self.known.values():
            for name in (actor.name, *actor.aliases):
                self._by_name.setdefault(normal(name), actor.key)
        self.new: dict[str, NewActor] = {}
        self.reused: dict[str, KnownActor] = {}  # known actors this draft uses
        self._taken = set(self.known) | set(taken)

    def identified_of(self, key: str) -> str:
        if key in self.new:
            return self.new[key].identified
        return self.known[key].identified

    def find(self, name: str) -> str | None:
        """The key of a known or already drafted actor with this key, name or alias."""
        wanted = normal(name)
        if not wanted:
            return None
        if wanted in self._by_name:
            return self._by_name[wanted]
        if wanted in self.known:
            return wanted
        slugged = keys.slug(name, max_words=12, max_length=200)
        return slugged if slugged in self.known else None

    def use(self, key: str) -> str:
        if key in self.known:
            self.reused[key] = self.known[key]
        return key

    def define(self, name: str, kind: str, identified: str, checks: Iterable[str] = ()
               ) -> str:
        key = keys.unique(keys.slug(name, max_words=5, max_length=50), self._taken,
                          fallback="actor")
        self._taken.add(key)
        self.new[key] = NewActor(key, name, kind, identified, checks=list(checks))
        self._by_name.setdefault(normal(name), key)
        return key

    def outlet(self, given: str, name: str | None = None) -> str:
        """The article's outlet: a known actor by key, name or alias; else a new
        outlet, keyed ``given`` when that is a key (``--outlet reuters``)."""
        found = self.find(given) or (self.find(name) if name else None)
        if found:
            return self.use(found)
        if keys.is_key(given) and given not in self._taken:
            shown = name or given.replace("-", " ").title()
            self._taken.add(given)
            self.new[given] = NewActor(given, shown, "outlet", "named", checks=[
                "the article's outlet: check its name" if name else
                f"the name '{shown}' is made from the key: write the outlet's real name"])
            self._by_name.setdefault(normal(shown), given)
            return given
        return self.define(name or given, "outlet", "named",
                           ["the article's outlet, as the page names it: check"])

    def cast(self, hop: DraftHop) -> Casting:
        """The actor a hop names (a pronoun: its antecedent's)."""
        source_type = hop.source_type
        if hop.antecedent is not None:
            written = hop.antecedent.text
        elif _pronoun_class(hop.mention, self.lexicon) not in (None, "role"):
            return self._unresolved(hop)
        else:
            written = hop.mention
        name = name_of(written, source_type, self.lexicon)
        checks: list[str] = []
        key = self.find(name) or (self.find(written) if written != name else None)
        if key is None and source_type == "named" and len(name.split()) == 1:
            key = self._by_surname(name)
            if key is not None:
                checks.append(f"'{name}' taken as {self._name(key)} by the surname")
        if normal(name) in _date_words():
            checks.append(f"«{written}» looks like a date, not a source: set the actor")
        if key is None:
            kind, kind_checks = self._guess_kind(name, written, source_type)
            checks_new = list(kind_checks)
            if name != written.strip():
                checks_new.append(f"name taken from «{written}»")
            if self.lexicon.language != "en" and source_type != "named":
                checks_new.append("the name is as the text inflects it")
            key = self.define(name, kind, source_type, checks_new)
        else:
            self.use(key)
        identified = source_type if source_type != self.identified_of(key) else None
        return Casting(key, identified, tuple(checks))

    def _by_surname(self, name: str) -> str | None:
        """A person already cast or known whose name ends with this one word."""
        wanted = normal(name)
        matches = set()
        for key, actor in [*self.new.items(), *self.known.items()]:
            if actor.kind == "person" and normal(actor.name).split()[-1:] == [wanted] \
                    and len(actor.name.split()) > 1:
                matches.add(key)
        if len(matches) != 1:
            return None
        key = matches.pop()
        if key in self.new and name not in self.new[key].aliases:
            self.new[key].aliases.append(name)
        return key

    def _name(self, key: str) -> str:
        return self.new[key].name if key in self.new else self.known[key].name

    def _guess_kind(self, name: str, written: str, source_type: str
                    ) -> tuple[str, list[str]]:
        kind = guess_kind(name if source_type == "named" else written)
        if kind is not None:
            return kind, []
        if source_type != "named" and _looks_plural(written):
            return "group", [f"kind 'group' guessed from «{written}»: check"]
        return "person", ["kind 'person' guessed: check (organization, outlet, "
                          "government or group?)"]

    def _unresolved(self, hop: DraftHop) -> Casting:
        pronoun_class = _pronoun_class(hop.mention, self.lexicon) or "person"
        kind = "group" if pronoun_class == "group" else (
            "organization" if pronoun_class == "organisation" else "person")
        name = f"Unresolved «{hop.mention.strip()}»"
        key = self.find(name)
        if key is None:
            key = self.define(name, kind, "role", [
                f"the pronoun «{hop.mention}» was not resolved: replace this actor by "
                "the one it stands for"])
        return Casting(key, None, (f"«{hop.mention}» not resolved: set the actor",))


def _pronoun_class(mention: str, lexicon: Lexicon) -> str | None:
    words = tuple(w.lower() for w in _WORD.findall(mention))
    return lexicon.pronouns.get(words)


def _looks_plural(mention: str) -> bool:
    """English plurals ("two diplomats"), Russian ones in -ы/-и."""
    words = [w.lower() for w in _WORD.findall(mention)]
    if not words:
        return False
    head = words[0] if words[0][:1].isalpha() and not words[0].isascii() else words[-1]
    if words[0].isdigit() or words[0] in {"two", "three", "four", "several", "some", "many",
                                          "несколько", "два", "две", "три"}:
        return True
    return head.endswith("s") if head.isascii() else head.endswith(("ы", "и"))

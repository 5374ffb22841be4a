"""Per-language cue lexicons: data files read once, compiled for the extractor.

The words of attribution (cue verbs and their forms, quotation marks, anonymity
patterns, pronouns, denial phrases) are knowledge, not logic: they live in
``lexicons/LANG.yaml`` inside the package so that a new language or a missed cue
verb is a data change a reviewer can read, not a code change.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import yaml

from claimsdb.errors import ClaimsError


class UnknownLanguage(ClaimsError):
    """No lexicon ships for the language asked for."""


@dataclass(frozen=True)
class Cue:
    words: tuple[str, ...]  # lower-case, one or more words
    kind: str  # speech | belief | denial
    takes_object: bool = False
    needs_complementizer: bool = False
    only_before_quote: bool = False
    needs_denial_phrase: bool = False  # "called it false" is a denial, "called him" not
    particles: tuple[str, ...] = ()  # "called for", "pointed out": part of the cue
    needs_particle: bool = False  # "pointed" alone is no cue, "pointed out" is
    infinitive: bool = False  # "wants to leave": the content may be an infinitive
    needs_infinitive: bool = False  # "plans to", not "plans" the noun


@dataclass(frozen=True)
class Lexicon:
    language: str
    quotes: tuple[tuple[str, str], ...]
    speech_dashes: frozenset[str]
    auxiliaries: frozenset[str]
    verb_cues: dict[str, Cue]  # a form -> its cue (one-word forms)
    source_after_cues: tuple[Cue, ...]  # "according to": the source follows
    citing_cues: tuple[tuple[str, ...], ...]
    quoted_as: frozenset[str]
    complementizers: frozenset[str]
    coordinators: frozenset[str]  # "said X and said Y": a second statement, same source
    infinitive_markers: frozenset[str]
    subject_stops: frozenset[str]
    inverted_starts: frozenset[str]
    anonymous: tuple[re.Pattern[str], ...]
    roles: frozenset[str]
    titles: frozenset[str]
    pronouns: dict[tuple[str, ...], str]  # words -> what they may stand for
    denial_cues: frozenset[str]
    denial_phrases: tuple[re.Pattern[str], ...]
    source_tails: tuple[re.Pattern[str], ...] = ()  # clauses that end a source
    content_stops: frozenset[str] = frozenset()  # "said on Monday": no content follows
    quote_digraphs: tuple[tuple[str, str], ...] = ()  # '' written for a quotation mark
    determiners: frozenset[str] = frozenset()  # "a claim": a noun, not a cue
    participle_endings: tuple[str, ...] = ()  # ", saying that ...": the main subject speaks
    relative_pronouns: frozenset[str] = frozenset()  # "voters who say": the noun speaks
    content_ends: frozenset[str] = frozenset()  # ", compared with ...": content ends at the comma
    refusals: tuple[re.Pattern[str], ...] = ()  # "declined to comment": a refusal
    refusal_topics: frozenset[str] = frozenset()  # "declined to comment on ...": on what
    listeners: frozenset[str] = frozenset()  # «журналистам»: a hearer, never the source
    time_phrase: re.Pattern[str] | None = None  # "on Monday", "last week": never a source


def is_time_phrase(words: str, lexicon: Lexicon) -> bool:
    """"Monday", "on Tuesday", "last week", «в понедельник»: a time, not a speaker."""
    words = " ".join(words.split()).strip(" ,.")
    return bool(words) and lexicon.time_phrase is not None and (
        lexicon.time_phrase.fullmatch(words) is not None)


def languages() -> list[str]:
    """The languages a lexicon ships for."""
    folder = resources.files("claimsdb.draft") / "lexicons"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def primary_language(tag: str | None) -> str:
    """'en' for 'en-GB', 'ru' for 'ru_RU'; English when no tag is given."""
    return ((tag or "en").split("-")[0].split("_")[0].strip().lower()) or "en"


@functools.lru_cache(maxsize=16)
def load(tag: str | None) -> Lexicon:
    """The compiled lexicon of a language tag; cached, since articles are drafted
    by the thousand and the lexicon never changes during a run."""
    language = primary_language(tag)
    if language not in languages():
        raise UnknownLanguage(
            f"no drafting lexicon for language '{tag}'; known: {', '.join(languages())} "
            "(add src/claimsdb/draft/lexicons/LANG.yaml to teach the drafter a language)")
    path = resources.files("claimsdb.draft") / "lexicons" / f"{language}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return _compile(language, data)


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(phrase.lower().split())


def _compile(language: str, data: dict) -> Lexicon:
    verb_cues: dict[str, Cue] = {}
    for entry in data.get("cues", []):
        for form in entry["forms"]:
            verb_cues[str(form).lower()] = Cue(
                words=(str(form).lower(),), kind=entry.get("kind", "speech"),
                takes_object=bool(entry.get("takes_object")),
                needs_complementizer=bool(entry.get("needs_complementizer")),
                only_before_quote=bool(entry.get("only_before_quote")),
                needs_denial_phrase=bool(entry.get("needs_denial_phrase")),
                particles=tuple(str(p).lower() for p in entry.get("particles", [])),
                needs_particle=bool(entry.get("needs_particle")),
                infinitive=bool(entry.get("infinitive")),
                needs_infinitive=bool(entry.get("needs_infinitive")))
    flags = re.IGNORECASE | re.UNICODE
    return Lexicon(
        language=language,
        quotes=tuple((o, c) for o, c in data.get("quotes", [])),
        speech_dashes=frozenset(data.get("speech_dashes", [])),
        auxiliaries=frozenset(str(w).lower() for w in data.get("cue_auxiliaries", [])),
        verb_cues=verb_cues,
        source_after_cues=tuple(
            Cue(words=tuple(w.lower() for w in e["words"]), kind=e.get("kind", "speech"))
            for e in data.get("source_after_cues", [])),
        citing_cues=tuple(_words(p) for p in data.get("citing_cues", [])),
        quoted_as=frozenset(str(w).lower() for w in data.get("quoted_as", [])),
        complementizers=frozenset(str(w).lower() for w in data.get("complementizers", [])),
        coordinators=frozenset(str(w).lower() for w in data.get("coordinators", [])),
        infinitive_markers=frozenset(str(w).lower() for w in data.get("infinitive_markers", [])),
        subject_stops=frozenset(str(w).lower() for w in data.get("subject_stops", [])),
        inverted_starts=frozenset(str(w).lower() for w in data.get("inverted_starts", [])),
        anonymous=tuple(re.compile(p, flags) for p in data.get("anonymous_patterns", [])),
        roles=frozenset(str(w).lower() for w in data.get("roles", [])),
        titles=frozenset(str(w).lower().rstrip(".") for w in data.get("titles", [])),
        pronouns={_words(k): v for k, v in (data.get("pronouns") or {}).items()},
        denial_cues=frozenset(str(w).lower() for w in data.get("denial_cues", [])),
        denial_phrases=tuple(re.compile(p, flags) for p in data.get("denial_phrases", [])),
        determiners=frozenset(str(w).lower() for w in data.get("determiners", [])),
        participle_endings=tuple(str(w) for w in data.get("participle_endings", [])),
        relative_pronouns=frozenset(str(w).lower() for w in data.get("relative_pronouns", [])),
        refusals=tuple(re.compile(p, flags) for p in data.get("refusals", [])),
        refusal_topics=frozenset(str(w).lower() for w in data.get("refusal_topics", [])),
        listeners=frozenset(str(w).lower() for w in data.get("listeners", [])),
        content_ends=frozenset(str(w).lower() for w in data.get("content_ends", [])),
        content_stops=frozenset(str(w).lower() for w in data.get("content_stops", [])),
        quote_digraphs=tuple((str(k), str(v)) for k, v in
                             (data.get("quote_digraphs") or {}).items()),
        time_phrase=re.compile("|".join(f"(?:{p})" for p in data["time_phrases"]), flags)
        if data.get("time_phrases") else None,
        source_tails=tuple(re.compile(rf",?\s*(?:{p})\s*,?\s*$", flags)
                           for p in data.get("source_tails", [])),
    )

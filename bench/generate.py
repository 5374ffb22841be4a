"""A deterministic synthetic corpus in the article format, for benchmarks.

Every figure in docs/performance.md comes from corpora written by this script, so the
same seed and size always give byte-identical files. The mix is chosen to look like a
newsroom's annotated archive rather than to flatter the database:

- about 20 statements per article (5 to 35), so 1M statements are 50,000 files;
- chain depth 0-4 (mean about 2: 1M statements carry about 2M hops), 15% of
  statements with an anonymous origin ("sources close to ..."), 3% denials (of an
  earlier statement in the same or an earlier article), 5% cross-article repeats
  (pointing upstream, to an earlier article), a few supports and contradictions;
- UTF-8 text: curly quotes, em dashes, guillemets, and one article in five in
  Ukrainian or Russian with Cyrillic quotes; some short stock quotes ("does not
  reflect reality") that occur twice in a text and so carry ``occurrence``;
- every file defines the actors it uses (outlets, people with aliases and roles,
  governments, anonymous groups), as self-contained files from many annotators do.

Files are named so that sorted order is publication order: every cross-article
reference points to a file that sorts (and so imports) earlier.

``--shape trace`` writes the tracing stress corpus instead: a claim relayed through a
chain of 50 articles (each repeating the previous) and one report repeated by 10,000
statements (fan-out), for ``claimsdb trace`` and its recursive queries.

Usage:
    python bench/generate.py --statements 100000 --out bench/corpus/100k
    python bench/generate.py --shape trace --out bench/corpus/trace
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]

FORMAT = "claimsdb/article@1"
DEFAULT_SEED = 20260101
FILES_PER_FOLDER = 5000  # one folder per 5,000 files keeps directory listings quick

# -- the cast ---------------------------------------------------------------------------------

OUTLET_NAMES = [
    "Northgate Wire", "The Harbour Courier", "Eastern Ledger", "Daily Meridian",
    "Vorsk Herald", "Lakeside Observer", "Continental Post", "The Morning Compass",
    "Granite Times", "Signal Press", "Киевский вестник", "Громадське Радіо Півночі",
    "Baltic Dispatch", "Riverside Gazette", "The Atlas Review", "Pinewood Bulletin",
    "Стрічка новин", "Metro Chronicle", "Coastal Standard", "Bridgeport Journal",
]
FIRST = [("anna", "Anna"), ("olena", "Олена"), ("dmitry", "Дмитрий"), ("marco", "Marco"),
         ("ivan", "Іван"), ("sofia", "Sofia"), ("taras", "Тарас"), ("maria", "María"),
         ("jonas", "Jonas"), ("yulia", "Юлія"), ("pavel", "Павел"), ("claire", "Claire"),
         ("andriy", "Андрій"), ("elena", "Elena"), ("viktor", "Віктор"), ("nadia", "Nadia")]
LAST = [("kovalenko", "Коваленко"), ("petrov", "Петров"), ("smith", "Smith"),
        ("novak", "Novák"), ("shevchenko", "Шевченко"), ("ortega", "Ortega"),
        ("bondar", "Бондар"), ("moreau", "Moreau"), ("ivanova", "Иванова"),
        ("keller", "Keller"), ("melnyk", "Мельник"), ("o-brien", "O’Brien"),
        ("sokolov", "Соколов"), ("lindqvist", "Lindqvist"), ("tkachenko", "Ткаченко")]
ORGANIZATIONS = [
    "Ministry of Energy", "State Grid Operator", "Міністерство оборони", "Port Authority",
    "Central Election Commission", "Kremlin", "Verkhovna Rada", "European Commission",
    "Red Cross Mission", "Національний банк", "Harbour Workers’ Union", "Federal Audit Office",
]
GOVERNMENTS = ["Ukraine", "Russia", "United States", "Poland", "Moldova", "Georgia",
               "Lithuania", "Україна", "Kazakhstan", "Romania"]
ANONYMOUS = [
    "Western officials", "Sources close to the Russian authorities",
    "People familiar with the situation", "Two senior diplomats", "A person briefed on the talks",
    "Джерела в уряді", "Officials who asked not to be named", "Источники в администрации",
    "Intelligence officials", "Sources in the delegation", "Insiders at the ministry",
    "A government official speaking on condition of anonymity",
]
ROLE_ONLY = ["A senior US official", "A European diplomat", "A Ukrainian commander",
             "A Kremlin aide", "Високопосадовець міністерства", "A NATO official"]
TITLES = ["spokesperson", "minister", "deputy minister", "press secretary", "adviser",
          "ambassador", "речник", "chief negotiator"]

CUES = ["according to", "said", "citing", "told", "quoted by", "stated", "reported",
        "as reported by", "заявив", "сообщил", "за словами", "claimed"]
SUBJECTS = ["the talks", "the ceasefire plan", "the grain corridor", "the power grid",
            "the prisoner exchange", "the border crossing", "the budget vote",
            "the sanctions package", "the reactor inspection", "the pipeline deal"]
VERBS = ["had stalled", "would resume", "was never agreed", "had been sabotaged",
         "was close to collapse", "remained on track", "faced new delays",
         "had won broad support", "was being rewritten", "would cost more than planned"]
CYR_SUBJECTS = ["переговори", "план перемир’я", "зерновий коридор", "енергосистема",
                "обмін полоненими", "прикордонний пункт", "голосування за бюджет"]
CYR_VERBS = ["зайшли в глухий кут", "відновляться", "так і не погоджено", "зірвано",
             "на межі провалу", "йдуть за планом", "знову відкладено"]
PLACES = ["Zaporizhzhia", "Odesa", "Kharkiv", "the Donbas", "Vilnius", "Chișinău",
          "the Black Sea", "Lviv", "Kherson", "Geneva"]
STOCK_DENIALS = ["does not reflect reality", "не відповідає дійсності",
                 "is completely false", "не соответствует действительности"]
FILLER = [
    "The statement came as negotiators gathered for a third round of meetings.",
    "Reporters were not allowed into the building — a break with earlier practice.",
    "Прес-служба відмовилася від подальших коментарів.",
    "The figures could not be independently verified.",
    "Officials have given conflicting accounts of the timeline since March.",
    "Ранее стороны обменялись взаимными обвинениями.",
    "Analysts say the outcome will shape the region’s economy for years.",
]


@dataclass
class Actor:
    key: str
    name: str
    kind: str
    identified: str = "named"
    aliases: list[str] = field(default_factory=list)
    roles: list[dict[str, str]] = field(default_factory=list)
    description: str | None = None
    wikidata: str | None = None

    def definition(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "name": self.name, "kind": self.kind}
        if self.identified != "named":
            out["identified"] = self.identified
        if self.aliases:
            out["aliases"] = list(self.aliases)
        if self.wikidata:
            out["wikidata"] = self.wikidata
        if self.description:
            out["description"] = self.description
        if self.roles:
            out["roles"] = [dict(r) for r in self.roles]
        return out


def _slug(text: str) -> str:
    out = "".join(c if c.isascii() and c.isalnum() else "-" for c in text.lower())
    return "-".join(p for p in out.split("-") if p) or "x"


class Cast:
    """The shared actors: outlets, people, institutions, governments, anonymous groups."""

    def __init__(self, rng: random.Random, people: int = 400):
        self.outlets = [Actor(f"outlet-{i:02d}-{_slug(n) if n.isascii() else 'cyr'}", n, "outlet",
                              aliases=[n.upper()] if i % 5 == 0 else [])
                        for i, n in enumerate(OUTLET_NAMES)]
        self.governments = [Actor(f"gov-{i:02d}", n, "government") for i, n in
                            enumerate(GOVERNMENTS)]
        self.organizations = []
        for i, n in enumerate(ORGANIZATIONS):
            self.organizations.append(Actor(
                f"org-{i:02d}-{_slug(n) if n.isascii() else 'cyr'}", n, "organization",
                description="Institution named in the synthetic corpus." if i % 3 == 0 else None,
                roles=[{"of": self.governments[i % len(self.governments)].key,
                        "title": "agency"}] if i % 4 == 0 else []))
        self.people = []
        for i in range(people):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            name = f"{first[1]} {last[1]}"
            employer = rng.choice(self.organizations + self.governments)
            self.people.append(Actor(
                f"{first[0]}-{last[0]}-{i}", name, "person",
                aliases=[last[1]] if i % 3 == 0 else [],
                wikidata=f"Q{100000 + i * 7}" if i % 10 == 0 else None,
                roles=[{"of": employer.key, "title": rng.choice(TITLES)}] if i % 2 == 0 else []))
        self.anonymous = [Actor(f"anon-{i:02d}-{_slug(n) if n.isascii() else 'cyr'}", n, "group",
                                identified="anonymous",
                                description="Unnamed sources." if i % 2 else None)
                          for i, n in enumerate(ANONYMOUS)]
        self.role_only = [Actor(f"role-{i:02d}", n, "person", identified="role")
                          for i, n in enumerate(ROLE_ONLY)]
        self.by_key = {a.key: a for a in (self.outlets + self.governments + self.organizations
                                          + self.people + self.anonymous + self.role_only)}

    def named_origin(self, rng: random.Random) -> Actor:
        roll = rng.random()
        if roll < 0.6:
            return rng.choice(self.people)
        if roll < 0.8:
            return rng.choice(self.organizations)
        if roll < 0.9:
            return rng.choice(self.governments)
        return rng.choice(self.role_only)

    def relay(self, rng: random.Random) -> Actor:
        roll = rng.random()
        if roll < 0.55:
            return rng.choice(self.outlets)
        if roll < 0.85:
            return rng.choice(self.people)
        return rng.choice(self.organizations)


# -- articles ---------------------------------------------------------------------------------

DEPTHS = (0, 1, 2, 3, 4)
DEPTH_WEIGHTS = (0.10, 0.25, 0.30, 0.20, 0.15)  # mean 2.05 hops per statement
ANONYMOUS_SHARE = 0.15
DENIAL_SHARE = 0.03
REPEAT_SHARE = 0.05
OTHER_RELATION_SHARE = 0.01  # supports / contradicts
STOCK_SHARE = 0.02  # short stock quotes, which may occur twice in a text
RECENT = 2000  # earlier articles whose statements later ones may repeat or deny


@dataclass
class Planned:
    key: str
    quote: str
    sentence: str
    kind: str = "indirect"
    chain: list[tuple[str, str | None]] = field(default_factory=list)
    denies: list[str] = field(default_factory=list)
    repeats: list[str] = field(default_factory=list)
    supports: list[str] = field(default_factory=list)
    contradicts: list[str] = field(default_factory=list)
    about: list[str] = field(default_factory=list)
    stated_on: str | None = None


class Generator:
    def __init__(self, seed: int, statements: int):
        self.rng = random.Random(seed)
        self.target = statements
        self.cast = Cast(self.rng)
        # (article key, statement key, quote) of recent articles' statements
        self.recent: list[list[tuple[str, str, str]]] = []
        self.serial = 0
        self.stats = {"articles": 0, "statements": 0, "hops": 0, "denies": 0, "repeats": 0,
                      "supports": 0, "contradicts": 0, "anonymous_origins": 0, "about": 0,
                      "occurrence": 0, "cyrillic_articles": 0, "own_voice": 0}

    def _quote(self, cyrillic: bool) -> str:
        self.serial += 1
        n = f"{self.serial:,}".replace(",", "\u202f" if cyrillic else ",")
        if cyrillic:
            return (f"{self.rng.choice(CYR_SUBJECTS)} у справі №{n} "
                    f"{self.rng.choice(CYR_VERBS)}")
        return (f"{self.rng.choice(SUBJECTS)} over {self.rng.choice(PLACES)} "
                f"(file {n}) {self.rng.choice(VERBS)}")

    def _chain(self, outlet: Actor, depth: int, anonymous: bool) -> list[tuple[str, str | None]]:
        rng = self.rng
        origin = rng.choice(self.cast.anonymous) if anonymous else self.cast.named_origin(rng)
        actors = [self.cast.relay(rng) for _ in range(depth - 1)] + [origin]
        hops: list[tuple[str, str | None]] = []
        previous = outlet.key
        for actor in actors:
            while actor.key == previous:
                actor = self.cast.relay(rng)
            hops.append((actor.key, rng.choice(CUES) if rng.random() < 0.8 else None))
            previous = actor.key
        return hops

    def article(self, index: int, statements: int) -> tuple[str, dict[str, Any]]:
        rng = self.rng
        cyrillic = rng.random() < 0.2
        language = rng.choice(["uk", "ru"]) if cyrillic else "en"
        outlet = rng.choice(self.cast.outlets)
        day = dt.datetime(2024, 1, 1, 6, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=37 * index)
        key = f"a{index:07d}-{_slug(outlet.name) if outlet.name.isascii() else 'stream'}"
        planned: list[Planned] = []
        local: list[tuple[str, str, str]] = []
        for number in range(statements):
            skey = f"s{number:02d}"
            roll = rng.random()
            quote = rng.choice(STOCK_DENIALS) if roll < STOCK_SHARE else self._quote(cyrillic)
            depth = rng.choices(DEPTHS, DEPTH_WEIGHTS)[0]
            # Denials (named speakers) take a share of the chained statements: compensate.
            anonymous = depth > 0 and rng.random() < ANONYMOUS_SHARE / (
                (1 - DEPTH_WEIGHTS[0]) * (1 - DENIAL_SHARE))
            p = Planned(skey, quote, "")
            p.chain = self._chain(outlet, depth, anonymous) if depth else []
            older = self.recent[-RECENT:]
            relation = rng.random()
            if relation < DENIAL_SHARE and (local or older):
                p.kind = "direct"
                p.chain = [(rng.choice(self.cast.people).key, "said")]
                if local and (not older or rng.random() < 0.5):
                    p.denies = [rng.choice(local)[1]]
                else:
                    a, s, _ = rng.choice(rng.choice(older))
                    p.denies = [f"{a}#{s}"]
                anonymous = False
            elif relation < DENIAL_SHARE + REPEAT_SHARE and older:
                a, s, q = rng.choice(rng.choice(older))
                p.repeats = [f"{a}#{s}"]
                if q not in STOCK_DENIALS:
                    p.quote = quote = q  # the same claim in the same words
            elif relation < DENIAL_SHARE + REPEAT_SHARE + OTHER_RELATION_SHARE and local:
                target = rng.choice(local)[1]
                (p.supports if rng.random() < 0.5 else p.contradicts).append(target)
            if p.chain and self.cast.by_key[p.chain[-1][0]].identified == "anonymous":
                self.stats["anonymous_origins"] += 1
            if not p.chain:
                self.stats["own_voice"] += 1
            if rng.random() < 0.2:
                p.about = sorted({rng.choice(self.cast.governments).key,
                                  rng.choice(self.cast.people + self.cast.organizations).key})
            if rng.random() < 0.05:
                p.stated_on = (day - dt.timedelta(days=rng.randint(1, 30))).date().isoformat()
            if p.kind != "direct" and rng.random() < 0.3:
                p.kind = "direct"
            p.sentence = self._sentence(p, cyrillic)
            planned.append(p)
            local.append((key, skey, quote))
        text = self._text(planned)
        doc = self._document(key, index, outlet, day, language, text, planned, cyrillic)
        self.recent.append(local)
        if len(self.recent) > RECENT * 2:
            del self.recent[:RECENT]
        self.stats["articles"] += 1
        self.stats["cyrillic_articles"] += cyrillic
        return key, doc

    def _sentence(self, p: Planned, cyrillic: bool) -> str:
        names = [self.cast.by_key[a].name for a, _ in p.chain]
        words = f"«{p.quote}»" if cyrillic else f"“{p.quote}”"
        if not names:
            return f"The outlet has learned that {p.quote}."
        cue = p.chain[0][1] or "said"
        if cyrillic:
            return f"{', '.join(names)} — {cue}: {words}."
        rest = "".join(f", citing {name}" for name in names[1:])
        if cue in ("according to", "as reported by", "quoted by"):
            return f"{cue[0].upper()}{cue[1:]} {names[0]}{rest}, {words}."
        return f"{names[0]}{rest} {cue} {words} — a claim the outlet could not verify."

    def _text(self, planned: list[Planned]) -> str:
        rng = self.rng
        paragraphs: list[str] = []
        paragraph: list[str] = []
        for p in planned:
            if rng.random() < 0.3:
                paragraph.append(rng.choice(FILLER))
            paragraph.append(p.sentence)
            if len(paragraph) >= 3 and rng.random() < 0.5:
                paragraphs.append(" ".join(paragraph))
                paragraph = []
        if paragraph:
            paragraphs.append(" ".join(paragraph))
        return "\n\n".join(paragraphs) + "\n"

    def _document(self, key: str, index: int, outlet: Actor, day: dt.datetime, language: str,
                  text: str, planned: list[Planned], cyrillic: bool) -> dict[str, Any]:
        used: dict[str, Actor] = {outlet.key: outlet}
        statements = []
        for p in planned:
            entry: dict[str, Any] = {"key": p.key, "quote": p.quote}
            first = text.find(p.quote)
            if text.find(p.quote, first + 1) >= 0:
                # The quote's own sentence is the one to point at: count matches up to it.
                own = text.find(p.sentence) + p.sentence.find(p.quote)
                occurrence, start = 0, -1
                while start < own:
                    start = text.find(p.quote, start + 1)
                    occurrence += 1
                entry["occurrence"] = occurrence
                self.stats["occurrence"] += 1
            if p.kind != "indirect":
                entry["kind"] = p.kind
            if p.chain:
                entry["chain"] = [{"actor": a, "cue": c} if c else a for a, c in p.chain]
                for a, _ in p.chain:
                    used[a] = self.cast.by_key[a]
            for name in ("denies", "repeats", "supports", "contradicts"):
                refs = getattr(p, name)
                if refs:
                    entry[name] = refs
                    self.stats[name] += len(refs)
            if p.about:
                entry["about"] = p.about
                for a in p.about:
                    used[a] = self.cast.by_key[a]
                self.stats["about"] += len(p.about)
            if p.stated_on:
                entry["stated_on"] = p.stated_on
            statements.append(entry)
            self.stats["statements"] += 1
            self.stats["hops"] += len(p.chain)
        pending = list(used.values())
        while pending:  # role holders' employers, and theirs: every file stands alone
            for role in pending.pop().roles:
                if role["of"] not in used:
                    used[role["of"]] = self.cast.by_key[role["of"]]
                    pending.append(used[role["of"]])
        title_words = planned[0].quote if planned else "Untitled"
        return {
            "format": FORMAT,
            "article": {
                "key": key,
                "title": f"{title_words[:1].upper()}{title_words[1:80]}",
                "outlet": outlet.key,
                "url": f"https://example.invalid/{outlet.key}/{index}",
                "published": day.isoformat(),
                "language": language,
                "text": text,
            },
            "actors": [used[k].definition() for k in sorted(used)],
            "statements": statements,
        }


class _LiteralDumper(_Dumper):
    pass


def _str(dumper: yaml.Dumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _str)


def dump(doc: dict[str, Any]) -> str:
    return yaml.dump(doc, Dumper=_LiteralDumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=None, width=100)


def write_corpus(out: Path, statements: int, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Write about ``statements`` statements of article files into ``out`` (replaced)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    gen = Generator(seed, statements)
    index = 0
    written = 0
    while written < statements:
        count = min(gen.rng.randint(5, 35), statements - written)
        key, doc = gen.article(index, count)
        folder = out / f"part-{index // FILES_PER_FOLDER:03d}"
        folder.mkdir(exist_ok=True)
        (folder / f"{key}.yaml").write_text("# Synthetic benchmark article (invented).\n"
                                            + dump(doc), encoding="utf-8")
        written += count
        index += 1
        if index % 1000 == 0:
            print(f"\r{written:,} statements in {index:,} files", end="", file=sys.stderr)
    print(file=sys.stderr)
    manifest = {"kind": "corpus", "seed": seed, "requested": statements,
                "actors": len(gen.cast.by_key), **gen.stats}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


# -- the tracing stress corpus ------------------------------------------------------------------

def write_trace_corpus(out: Path, depth: int = 50, fan_out: int = 10_000,
                       per_article: int = 50) -> dict[str, Any]:
    """A claim relayed through ``depth`` articles in a row, and one report that
    ``fan_out`` statements (in ``fan_out / per_article`` articles) repeat."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    actors = [
        {"key": "origin-officials", "name": "Officials familiar with the plan", "kind": "group",
         "identified": "anonymous"},
        {"key": "relay-desk", "name": "Relay Desk", "kind": "outlet"},
        {"key": "fan-wire", "name": "Fan Wire", "kind": "outlet"},
    ]
    claim = "the dam will be drained by Friday"
    files = 0

    def write(name: str, doc: dict[str, Any]) -> None:
        nonlocal files
        (out / name).write_text(dump(doc), encoding="utf-8")
        files += 1

    for level in range(depth + 1):
        text = f"Level {level}: officials said “{claim}” — a relay of level {level - 1}.\n"
        statement: dict[str, Any] = {"key": "claim", "quote": claim}
        if level == 0:
            statement["chain"] = [{"actor": "origin-officials", "cue": "said"}]
        else:
            statement["repeats"] = [f"deep-{level - 1:03d}#claim"]
        write(f"d{level:03d}.yaml", {
            "format": FORMAT,
            "article": {"key": f"deep-{level:03d}", "title": f"Relay level {level}",
                        "outlet": "relay-desk",
                        "published": (dt.date(2025, 1, 1) + dt.timedelta(days=level)).isoformat(),
                        "text": text},
            "actors": actors, "statements": [statement]})
    write("f0000.yaml", {
        "format": FORMAT,
        "article": {"key": "fan-root", "title": "The original report", "outlet": "fan-wire",
                    "published": "2025-03-01", "text": f"Officials said “{claim}”.\n"},
        "actors": actors,
        "statements": [{"key": "claim", "quote": claim,
                        "chain": [{"actor": "origin-officials", "cue": "said"}]}]})
    for number in range(fan_out // per_article):
        lines, statements = [], []
        for i in range(per_article):
            quote = f"relay {number}-{i}: {claim}"
            lines.append(f"Desk {i} wrote: “{quote}”.")
            statements.append({"key": f"r{i:03d}", "quote": quote,
                               "repeats": ["fan-root#claim"]})
        write(f"f{number + 1:04d}.yaml", {
            "format": FORMAT,
            "article": {"key": f"fan-{number + 1:04d}", "title": f"Relays {number}",
                        "outlet": "fan-wire", "published": "2025-03-02",
                        "text": "\n".join(lines) + "\n"},
            "actors": actors, "statements": statements})
    manifest = {"kind": "trace", "depth": depth, "fan_out": fan_out, "files": files,
                "deep_end": f"deep-{depth:03d}#claim", "fan_root": "fan-root#claim",
                "statements": depth + 1 + 1 + (fan_out // per_article) * per_article}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def size_label(statements: int) -> str:
    if statements % 1_000_000 == 0:
        return f"{statements // 1_000_000}m"
    if statements % 1000 == 0:
        return f"{statements // 1000}k"
    return str(statements)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--statements", type=int, default=10_000,
                        help="statements to write, 1,000 to 1,000,000 (default 10,000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--shape", choices=("corpus", "trace"), default="corpus")
    parser.add_argument("--out", type=Path, help="folder (replaced); default bench/corpus/SIZE")
    args = parser.parse_args(argv)
    here = Path(__file__).resolve().parent / "corpus"
    if args.shape == "trace":
        manifest = write_trace_corpus(args.out or here / "trace")
    else:
        if not 1 <= args.statements <= 10_000_000:
            parser.error("--statements must be between 1 and 10,000,000")
        manifest = write_corpus(args.out or here / size_label(args.statements),
                                args.statements, args.seed)
    print(json.dumps(manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Links whose dates run backwards: a repeat of a later article, a denial dated before
the claim it denies.

Neither is impossible to store, and either may be a real (if odd) record, so they are
warnings, not errors: the import goes ahead and says so, and ``claimsdb check`` lists
them. But usually a date or the link is wrong, and ``trace`` then draws the later
article as the origin, so the user should look.

The rules, at day precision (times and time zones are ignored, so only a whole day
backwards is reported, never a same-day link):

- ``repeats`` between articles: the repeating article is published before the
  repeated one (each article's ``published``, else the statement's ``stated_on``).
  Within one article: the repeating statement's ``stated_on`` is before the
  repeated one's.
- ``denies`` / ``contradicts``: the denial's date is before the denied claim's date,
  each the statement's ``stated_on``, else its article's ``published``.

A link where either side has no date is not judged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, select

from claimsdb.errors import Problem
from claimsdb.store.models import Article, RelationType, Statement

IN_CHUNK = 1000
JUDGED = (RelationType.REPEATS.value, RelationType.DENIES.value, RelationType.CONTRADICTS.value)
_WHAT = {RelationType.REPEATS.value: "a repeat cannot be published before what it repeats",
         RelationType.DENIES.value: "a denial cannot come before the claim it denies",
         RelationType.CONTRADICTS.value: "a contradiction cannot come before the claim it "
                                          "contradicts"}


@dataclass(frozen=True)
class Dated:
    """A statement's place in time, as far as the data says."""

    article: str  # article key
    stated_on: str | None
    published: str | None


def _day(value: str | None) -> str | None:
    return str(value)[:10] if value else None


def _when(relation: str, dated: Dated, same_article: bool) -> tuple[str, str] | None:
    """(day, what it is) that the rule for ``relation`` compares, or None."""
    if relation == RelationType.REPEATS.value:
        order = ("stated_on",) if same_article else ("published", "stated_on")
    else:
        order = ("stated_on", "published")
    for name in order:
        day = _day(getattr(dated, name))
        if day:
            return day, "stated_on" if name == "stated_on" else "article published"
    return None


def backwards(relation: str, source: Dated, target: Dated) -> str | None:
    """Why the link from ``source`` to ``target`` runs backwards in time, or None."""
    if relation not in JUDGED:
        return None
    same = source.article == target.article
    mine, theirs = _when(relation, source, same), _when(relation, target, same)
    if mine is None or theirs is None or mine[0] >= theirs[0]:
        return None
    return (f"is dated {mine[0]} ({mine[1]}), before its target, dated {theirs[0]} "
            f"({theirs[1]}): {_WHAT[relation]}; check the dates and the link")


def warnings_for(spec, stored: Mapping[str, Dated]) -> list[Problem]:
    """The backwards links of an article file: to its own statements, and to the
    statements of other articles given in ``stored`` (reference -> dates)."""
    own = f"{spec.key}#"
    mine = {s.key: Dated(spec.key, s.stated_on, spec.published) for s in spec.statements}
    found: list[Problem] = []
    for statement in spec.statements:
        for relation, targets in statement.relations.items():
            if relation not in JUDGED:
                continue
            for target in targets:
                dated = mine.get(target[len(own):]) if target.startswith(own) \
                    else stored.get(target)
                if dated is None:
                    continue
                why = backwards(relation, mine[statement.key], dated)
                if why:
                    shown = target[len(own):] if target.startswith(own) else target
                    found.append(Problem(f"{relation} '{shown}': this statement {why}",
                                         f"statement '{statement.key}'", relation,
                                         statement.line))
    return found


def incoming_warnings(spec, incoming: Iterable, stored: Mapping[str, Dated]) -> list[Problem]:
    """The backwards links that stored articles make to a replaced article's
    statements (rows with ``type``, ``source_article``, ``source_key``,
    ``target_key``): the new version's dates may put them in the wrong order."""
    mine = {s.key: s for s in spec.statements}
    found: list[Problem] = []
    order = {s.key: n for n, s in enumerate(spec.statements)}  # file order, then source
    for relation in sorted(incoming, key=lambda r: (
            order.get(r.target_key, -1), r.source_article, r.source_key, r.type)):
        source = f"{relation.source_article}#{relation.source_key}"
        statement = mine.get(relation.target_key)
        if statement is None or source not in stored:
            continue
        why = backwards(relation.type, stored[source],
                        Dated(spec.key, statement.stated_on, spec.published))
        if why:
            found.append(Problem(f"{source} {relation.type} this statement, and {source} {why}",
                                 f"statement '{statement.key}'", None, statement.line))
    return found


def stored_dates(conn: Connection, ids: Mapping[str, int | None]) -> dict[str, Dated]:
    """The dates of stored statements, by reference, for ``warnings_for``."""
    wanted = sorted({i for i in ids.values() if i is not None})
    by_id: dict[int, Dated] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        for statement_id, article, stated_on, published in conn.execute(
            select(Statement.id, Article.key, Statement.stated_on, Article.published)
            .join(Article, Article.id == Statement.article_id)
            .where(Statement.id.in_(wanted[start:start + IN_CHUNK]))
        ):
            by_id[statement_id] = Dated(article, stated_on, published)
    return {ref: by_id[i] for ref, i in ids.items() if i in by_id}


def spec_dates(specs: Iterable) -> dict[str, Dated]:
    """The dates of the statements of parsed articles, by reference."""
    return {spec.ref(s.key): Dated(spec.key, s.stated_on, spec.published)
            for spec in specs for s in spec.statements}


__all__ = ["Dated", "backwards", "incoming_warnings", "spec_dates", "stored_dates",
           "warnings_for"]

"""Compile the read queries of ``claimsdb chain``, ``claimsdb actor`` and ``claimsdb
article`` ahead of time, for each dialect.

``claimsdb chain REF``, ``claimsdb actor X`` and ``claimsdb article KEY`` answer on the
database driver alone (``claimsdb.query.readpath``, ``claimsdb.query.articlepath``), so
that they never load SQLAlchemy. Their queries are still defined once, with SQLAlchemy,
in ``claimsdb.query.queries``; this writes what SQLAlchemy compiles them to into
``claimsdb/query/compiled_sql.py``. After changing one of them, run::

    python -m claimsdb.query.compile_reads

``tests/test_readpath.py`` compiles them again and fails, naming this command, when the
generated module differs.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Dialect, Select, text
from sqlalchemy.dialects import postgresql, sqlite

from claimsdb.query import queries
from claimsdb.query.filters import CONDITIONS_MARK
from claimsdb.store.db import compiled_for_driver, compiled_text

COMMAND = "python -m claimsdb.query.compile_reads"
TARGET = Path(__file__).with_name("compiled_sql.py")

DETAIL_PARTS = ("hops", "outgoing", "incoming", "about")  # queries._detail_queries


def _marked(given: bool) -> list:
    """Where a list's conditions go: the mark, or none."""
    return [text(CONDITIONS_MARK)] if given else []


def _filtered(given: bool) -> str:
    return "" if given else "_unfiltered"


# No LIMIT, one typed INTEGER, one typed BIGINT (queries._limit)
LIMITS = (None, "narrow", "wide")


def _limited(limited: str | None) -> str:
    return {None: "", "narrow": "_limited", "wide": "_limited_wide"}[limited]


# name in the generated module -> the query definition it is compiled from
READS: dict[str, Callable[[], Select]] = {
    "statement_row_by_ref": queries._statement_row_by_ref,
    "statements_with_key": queries._statements_with_key,
    "statement_by_id": queries._statement_by_id,
    "details_of_one": lambda: queries._details_query(one=True),
    "actor_by_key": queries._actor_by_key,
    # claimsdb actor
    "actor_id_by_key": queries._actor_id_by_key,
    "actor_row": queries._actor_row,
    "actor_about": queries._actor_about,
    "actor_aliases": queries._actor_aliases,
    "actor_roles": lambda: queries._actor_roles(members=False),
    "actor_members": lambda: queries._actor_roles(members=True),
    "said_by": lambda: queries._said_by(False),
    "said_by_limited": lambda: queries._said_by(True),
    "relayed_by": lambda: queries._relayed_by(False),
    "relayed_by_limited": lambda: queries._relayed_by(True),
    "details_of_many": queries._details_query,
    # claimsdb article KEY and the workbench's article page (claimsdb.query.articlepath)
    **queries.ARTICLE_READS,
    # claimsdb statements and claimsdb denials (claimsdb.query.listpath): looking up
    # what a filter names, ...
    "article_id_by_key": queries._article_id_by_key,
    "actors_named": queries._actors_named,
    "hop_identification_probe": queries._hop_identification_probe,
    "later_chain_probe": queries._later_chain_probe,
    # ... how many statements a probed condition matches, up to a cap ...
    "statement_id_high": queries._statement_id_high,
    # ... where the first matches of a search, and an actor's first links, lie (SQLite) ...
    "first_search_matches": queries._first_fts_matches,
    "first_via_statements": queries._first_via_statements,
    "later_statement_of_earlier_article": queries._later_statement_of_earlier_article,
    **{f"matches:{name}": functools.partial(queries._matches_counted, name)
       for name in queries.MATCHES},
    # ... the lists, their conditions where CONDITIONS_MARK stands ...
    **{f"statement_list{_filtered(given)}{_limited(limited)}":
       functools.partial(lambda given, limited: queries.statement_list(
           _marked(given), limited=limited is not None, wide=limited == "wide"),
           given, limited)
       for given in (True, False) for limited in LIMITS},
    **{f"denial_pairs{_filtered(given)}{'_by' if by else ''}{_limited(limited)}":
       functools.partial(lambda given, by, limited: queries.denial_pairs(
           _marked(given), None, by_given=by, limited=limited is not None,
           wide=limited == "wide"), given, by, limited)
       for given in (True, False) for by in (False, True) for limited in LIMITS},
    # ... and what a batch of statements needs (IN lists expanded by listpath).
    "statements_by_ids": queries._statements_by_ids,
    "actors_by_keys": queries._actors_by_keys,
    "details_listed": lambda: queries._details_query(),
    "details_ranged": lambda: queries._details_query(ranged=True),
    **{f"details_{part}_{way}": functools.partial(
        lambda index, ranged: queries._detail_queries(ranged=ranged)[index],
        index, way == "ranged")
       for index, part in enumerate(DETAIL_PARTS) for way in ("listed", "ranged")},
}


def dialects() -> dict[str, Dialect]:
    """The dialects of the engines ``make_engine`` builds (psycopg 3 for PostgreSQL)."""
    return {"sqlite": sqlite.dialect(), "postgresql": postgresql.psycopg.dialect()}


def render_module() -> str:
    """The source of ``compiled_sql.py`` as the query definitions compile today."""
    lines = [
        '"""The read queries answered on the database driver (``claimsdb chain``,',
        "``claimsdb actor``, ``claimsdb article``), as SQLAlchemy compiles them for each",
        "dialect: SQL text, parameter order (None: by name), the values a query binds",
        "itself and how an expanding IN list's items are written.",
        "",
        f"Generated by ``{COMMAND}`` from the definitions in",
        "claimsdb.query.queries (listed in READS of claimsdb.query.compile_reads): do not",
        "edit. A test compiles them again and fails when this file is out of date.",
        '"""',
        "",
        "from claimsdb.store.driver import CompiledQuery",
    ]
    names = []
    for dialect_name, dialect in dialects().items():
        variable = dialect_name.upper()
        names.append(f'"{dialect_name}": {variable}')
        lines += ["", f"{variable} = {{"]
        for name, sql, params, constants, expanding in [
                *((name, *compiled_for_driver(define(), dialect))
                  for name, define in READS.items()),
                *((*piece, {}) for piece in condition_pieces(dialect))]:
            lines.append(f'    "{name}": CompiledQuery(')
            lines.append("        sql=(")
            lines += [f"            {piece!r}" for piece in _pieces(sql)]
            lines.append("        ),")
            lines += _keyword("params", params)
            constants = {key: value for key, value in sorted(constants.items())
                         if value is not None}  # (None: a parameter given at each call)
            if constants:
                lines += _keyword("constants", constants)
            if expanding:
                lines += _keyword("expanding", expanding)
            lines.append("    ),")
        lines.append("}")
    lines += ["", f"QUERIES = {{{', '.join(names)}}}", ""]
    return "\n".join(lines)


def _keyword(name: str, value: object, width: int = 100) -> list[str]:
    """``name=value,`` at the indentation of a CompiledQuery's arguments: one line,
    or one item a line when that is wider than ``width``."""
    line = f"        {name}={value!r},"
    if len(line) <= width or not isinstance(value, tuple | dict):
        return [line]
    if isinstance(value, dict):
        return [f"        {name}={{", *(f"            {key!r}: {item!r}," for key, item
                                        in value.items()), "        },"]
    return [f"        {name}=(", *(f"            {item!r}," for item in value), "        ),"]



_AND_MARK = "__AND__"


def condition_pieces(dialect: Dialect) -> Iterator[tuple[str, str, tuple[str, ...] | None, dict]]:
    """Each condition of ``queries.CONDITIONS`` the driver can run, as SQLAlchemy writes
    it in a list query's WHERE: ``condition:NAME`` beside others (joined with AND, an
    OR within it is parenthesised), and ``condition_alone:NAME`` where it differs
    when alone. Cut out of the whole query's SQL (a correlated subquery compiles as
    it would there); every parameter is named, so a condition's SQL is the same
    whatever it is combined with (``tests/test_listpath.py`` checks the joined pieces
    against SQLAlchemy's whole query for every combination)."""
    head, tail = compiled_text(queries.statement_list(_marked(True)), dialect)[0].split(
        CONDITIONS_MARK)
    for name, build in queries.CONDITIONS.items():
        if name in queries.NOT_ON_DRIVER or queries.ONE_DIALECT.get(name, dialect.name
                                                                    ) != dialect.name:
            continue
        pieces = {}
        for way, conditions in (("condition", [build(), text(_AND_MARK)]),
                                ("condition_alone", [build()])):
            sql, params, constants = compiled_text(queries.statement_list(conditions), dialect)
            if not (sql.startswith(head) and sql.endswith(tail)):
                raise ValueError(f"{name}: the list query is not where it was expected")
            piece = sql[len(head):len(sql) - len(tail)]
            if way == "condition":
                if not piece.endswith(f" AND {_AND_MARK}"):
                    raise ValueError(f"{name}: not joined with AND as expected")
                piece = piece[:-len(f" AND {_AND_MARK}")]
            elif piece == pieces["condition"]:
                continue
            pieces[way] = piece
            yield f"{way}:{name}", piece, params, constants


# Where a long line of SQL may be cut: after a comma, or before a keyword.
_BREAKS = re.compile(r"(?<=, )|(?= (?:FROM|WHERE|LEFT OUTER JOIN|UNION|AND|OR|THEN|ELSE|"
                     r"ORDER BY) )|(?<!OUTER)(?= JOIN )")


def _pieces(sql: str, width: int = 78) -> list[str]:
    """The SQL in pieces that read as lines: cut after each line break SQLAlchemy put
    in, and long lines at the last break that fits (or the first there is). Joined,
    they are the SQL."""
    pieces: list[str] = []
    for line in sql.splitlines(keepends=True):
        while len(line) > width:
            breaks = [match.start() for match in _BREAKS.finditer(line) if match.start() > 0]
            fitting = [at for at in breaks if at <= width]
            cut = fitting[-1] if fitting else breaks[0] if breaks else len(line)
            if cut > width + 8:  # no keyword or comma near: at a space
                cut = line.rfind(" ", 1, width) if line.rfind(" ", 1, width) > 0 else cut
            pieces.append(line[:cut])
            line = line[cut:]
        if line:
            pieces.append(line)
    return pieces


def main() -> int:
    source = render_module()
    if TARGET.exists() and TARGET.read_text(encoding="utf-8") == source:
        print(f"{TARGET} is up to date")
        return 0
    TARGET.write_text(source, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What a read command leaves unloaded, so that its start-up stays short (issue 16).

``claimsdb chain``, ``actor``, ``article``, ``statements --via X`` and ``denials`` are
timed as whole processes against a peer's start-up (bench/startup.py). Nothing in their
output shows what they import, so a module that comes back into their path (an import
moved to a module's top, a list made at import time) would only show as a slower bench.
These tests pin what was made lazy: the exporter and its CSV and JSON writers, JSON for
the text views, the search's patterns for lists that do not search, and the result
classes of the other commands (defining a dataclass compiles its methods).
"""

from __future__ import annotations

import pytest

from conftest import loaded_by

CHAIN = ("chain", "putin-stance-stalls-talks#officials-putin-maximalist-demands")
ARTICLE = ("article", "putin-stance-stalls-talks")
ACTOR = ("actor", "bloomberg")
STATEMENTS = ("statements", "--via", "rubio", "--limit", "20")
DENIALS = ("denials",)


def _loaded(db: str, *args: str) -> tuple[set[str], int]:
    ran, modules, compiled = loaded_by(db, *args)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.stdout.strip()
    return modules, compiled


@pytest.mark.parametrize("args", [CHAIN, ARTICLE, ACTOR, STATEMENTS, DENIALS])
def test_a_read_command_shown_as_text_loads_no_exporter(seeded, backend, args):
    modules, _ = _loaded(seeded, *args)
    assert "claimsdb.output.export" not in modules
    if backend == "sqlite":  # (psycopg imports json for itself)
        assert not {"json", "csv"} & modules


@pytest.mark.parametrize("args", [STATEMENTS, DENIALS])
def test_a_list_that_does_not_search_compiles_no_search_pattern(seeded, args):
    _, compiled = _loaded(seeded, *args)
    assert compiled == 0


def test_a_search_still_compiles_its_patterns_and_finds(seeded):
    modules, compiled = _loaded(seeded, "statements", "--search", "peace*", "--format", "csv")
    assert compiled == 1
    assert "claimsdb.output.export" in modules  # the CSV writer


RESULT_MODULES = {"claimsdb.query.actor_results", "claimsdb.query.article_results",
                  "claimsdb.query.denial_results"}


@pytest.mark.parametrize(("args", "own"), [
    (CHAIN, set()), (STATEMENTS, set()), (ACTOR, {"claimsdb.query.actor_results"}),
    (ARTICLE, {"claimsdb.query.article_results"}),
    (DENIALS, {"claimsdb.query.denial_results"}),
])
def test_a_read_command_defines_only_its_own_result_classes(seeded, backend, args, own):
    modules, _ = _loaded(seeded, *args)
    assert RESULT_MODULES & modules == own
    # an article file's problems, an export's report: nothing a read makes
    assert not {"claimsdb.problem", "claimsdb.output.export_result"} & modules


def test_the_names_defined_apart_are_still_where_they_were():
    """``claimsdb.errors.Problem``, ``claimsdb.api.ExportResult`` and the result
    classes load their modules when asked for, as the same classes everywhere."""
    import claimsdb.api
    import claimsdb.errors
    from claimsdb.output.export_result import ExportResult
    from claimsdb.problem import Problem
    from claimsdb.query import actor_results, article_results, denial_results, queries, results

    assert claimsdb.errors.Problem is Problem
    assert claimsdb.api.ExportResult is ExportResult
    for module in (actor_results, article_results, denial_results):
        for name, value in vars(module).items():
            if isinstance(value, type) and value.__module__ == module.__name__:
                assert getattr(results, name) is value
                assert getattr(queries, name) is value
    with pytest.raises(AttributeError):
        claimsdb.errors.Nothing  # noqa: B018
    with pytest.raises(AttributeError):
        results.Nothing  # noqa: B018

"""The cyclic garbage collector is paused while a whole database's answer is built
(``claims``, ``loops``, ``sources``), and always comes back as it was: after an
error, after nested pauses, and when pauses on several threads overlap (the
workbench answers requests on a thread pool)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from claimsdb import api
from claimsdb.format.seeds import seed_files
from claimsdb.query import gc_pause, graph, members, queries, tracing
from conftest import DATA


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_paused_inside_and_restored_after():
    with gc_pause.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restored_after_an_error():
    with pytest.raises(ValueError, match="boom"), gc_pause.collector_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_nested_pauses_restore_once_at_the_outer_exit():
    with gc_pause.collector_paused():
        with gc_pause.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_left_off_when_it_was_off_before():
    gc.disable()
    with gc_pause.collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_overlapping_pauses_on_threads_end_with_the_collector_on():
    """A ends its pause while B is still in its own: the collector stays off until B
    is done, then comes back on (a naive save-and-restore left it off for good)."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def first():
        with gc_pause.collector_paused():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def second():
        a_in.wait(5)
        with gc_pause.collector_paused():
            b_in.set()
            a_out.wait(5)
            seen["after A left"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"after A left": False}
    assert gc.isenabled()


@pytest.mark.parametrize("answer", ["claims", "loops", "sources"])
def test_whole_database_answers_build_with_the_collector_paused(db, engine, monkeypatch,
                                                                answer):
    """What reads and builds the members and the origin counts runs paused, and the
    collector is back on once the answer is complete."""
    from claimsdb.ingest.importer import import_files

    import_files(engine, [*seed_files(), *sorted((DATA / "corpus").glob("*.yaml"))])
    states: list[bool] = []

    def recording(original):
        def wrapper(*args, **kwargs):
            states.append(gc.isenabled())
            return original(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(graph, "families", recording(graph.families))
    monkeypatch.setattr(tracing, "families_of", recording(graph.families_of))
    monkeypatch.setattr(tracing, "load_members", recording(members.load_members))
    monkeypatch.setattr(tracing, "load_paths", recording(members.load_paths))
    monkeypatch.setattr(queries, "kept_independent_origin_counts",
                        recording(queries.kept_independent_origin_counts))
    database = api.Database(db)
    getattr(database, answer)()
    assert states and not any(states)
    assert gc.isenabled()

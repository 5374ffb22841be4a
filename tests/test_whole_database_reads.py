"""The answers that read the whole database (``sources``, ``actors``), checked against
the straightforward way of computing them: issue 16 rewrote them as grouped passes
in SQL, and these tests keep the slow, obvious versions as the reference.

Run on the seeds, the test corpora and the several-chains articles (later chains,
origin hops with their own identification, outlets written as links), on both
backends.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence

import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from claimsdb.format.seeds import seed_files
from claimsdb.query import queries
from claimsdb.query.graph import independent_origin_counts
from claimsdb.store.db import read_connection
from claimsdb.store.models import Actor, Article, Hop, Statement
from conftest import DATA
from test_several_chains import ROUNDUP, WIRE

CORPUS = [path for folder in ("corpus", "search", "trace")
          for path in sorted((DATA / folder).glob("*.yaml"))]


@pytest.fixture
def loaded(db, engine, tmp_path):
    """The seed articles, the test corpus and the several-chains articles."""
    from claimsdb.ingest.importer import import_files

    wire, roundup = tmp_path / "wire.yaml", tmp_path / "roundup.yaml"
    echo = tmp_path / "echo.yaml"
    wire.write_text(WIRE, encoding="utf-8")
    roundup.write_text(ROUNDUP, encoding="utf-8")
    echo.write_text(ECHO, encoding="utf-8")
    import_files(engine, [*seed_files(), *CORPUS, wire, roundup, echo])
    return engine


# The outlet as a later link of its own statement's chain: a chain loop that only the
# article's outlet closes, and one that comes back to another actor.
ECHO = """\
format: claimsdb/article@1
article:
  key: echo-chamber
  title: Ledger cites a wire that cited the Ledger
  outlet: echo-ledger
  published: 2026-11-02
  text: |-
    The port reopened on Tuesday, Wire Service reported, citing the Echo Ledger.
    Grain exports doubled, Wire Service said, citing Agence Nord, which cited Wire Service.
actors:
  - {key: echo-ledger, name: The Echo Ledger, kind: outlet}
  - {key: echo-wire, name: Wire Service, kind: outlet}
  - {key: echo-nord, name: Agence Nord, kind: outlet}
statements:
  - key: port-reopened
    quote: The port reopened on Tuesday
    chains: [[echo-wire, echo-ledger]]
  - key: exports-doubled
    quote: Grain exports doubled
    chains: [[echo-wire, echo-nord, echo-wire]]
"""


# -- the reference: every statement and its chains streamed into Python --------------------

class _Groups:
    def __init__(self):
        self.relays: dict[str, set[str]] = defaultdict(set)

    def add(self, origin: str, relays: Sequence[str]) -> None:
        self.relays[origin].update(r for r in relays if r != origin)

    def count(self) -> int:
        parent = {origin: origin for origin in self.relays}

        def find(key: str) -> str:
            while parent[key] != key:
                key = parent[key]
            return key

        for origin, relays in self.relays.items():
            for relay in relays:
                if relay in parent:
                    parent[find(relay)] = find(origin)
        return len({find(origin) for origin in parent})


def reference_origin_counts(conn, article_id: int | None = None) -> dict[str | None, int]:
    """What ``independent_origin_counts`` computed before issue 16, row by row."""
    speaker, outlet, hop_actor = aliased(Actor), aliased(Actor), aliased(Actor)
    query = (select(Statement.id, Article.key.label("article"), speaker.key.label("speaker"),
                    outlet.key.label("outlet"), Hop.chain, hop_actor.key.label("hop"))
             .join(Article, Statement.article_id == Article.id)
             .join(speaker, Statement.speaker_id == speaker.id)
             .outerjoin(outlet, Article.outlet_id == outlet.id)
             .outerjoin(Hop, Hop.statement_id == Statement.id)
             .outerjoin(hop_actor, Hop.actor_id == hop_actor.id)
             .order_by(Statement.id, Hop.chain, Hop.position))
    if article_id is not None:
        query = query.where(Statement.article_id == article_id)
    per_article: dict[str, _Groups] = defaultdict(_Groups)
    total = _Groups()
    groups: dict[tuple[int, int], list] = {}
    for row in conn.execute(query):
        group = groups.setdefault((row.id, row.chain or 0), [row.article, row.speaker,
                                                             row.outlet, []])
        if row.hop is not None:
            group[3].append(row.hop)
    for (_, chain), (article, speaker_key, outlet_key, path) in groups.items():
        origin = path[-1] if chain else speaker_key
        relays = [r for r in (path[:-1] if path and path[-1] == origin else path)
                  if r != outlet_key]
        per_article[article].add(origin, relays)
        total.add(origin, relays)
    counts: dict[str | None, int] = {key: g.count() for key, g in per_article.items()}
    counts[None] = total.count()
    return counts


def reference_profile(conn, article_id: int) -> tuple:
    """One article's profile counts, statement by statement from its views."""
    rows = conn.execute(queries._statement_select()
                        .where(Statement.article_id == article_id)).all()
    views = queries._enrich(conn, rows)
    named = role = anonymous = own_voice = depth = direct = 0
    for view in views:
        levels = {view.origin_identified} | {chain[-1].identified or chain[-1].actor.identified
                                             for chain in view.chains[1:]}
        if "named" in levels:
            named += 1
        elif "role" in levels:
            role += 1
        else:
            anonymous += 1
        own_voice += not view.chains
        depth += max((len(chain) for chain in view.chains), default=0)
        direct += view.kind == "direct"
    return len(views), named, role, anonymous, own_voice, depth, direct


# -- the tests -------------------------------------------------------------------------------

def test_independent_origins_are_what_streaming_every_chain_gave(loaded):
    with read_connection(loaded) as conn:
        assert independent_origin_counts(conn) == reference_origin_counts(conn)
        for article_id, key in conn.execute(select(Article.id, Article.key)):
            one = independent_origin_counts(conn, article_id)
            assert one == reference_origin_counts(conn, article_id), key


def test_sources_totals_are_the_sum_of_the_articles(loaded):
    with read_connection(loaded) as conn:
        profiles = queries.sourcing_profiles(conn)
        alone = queries.sourcing_profiles(conn, by_article=False)
    *articles, total = profiles
    assert alone == [total]
    # the whole database's relay pairs are read on a sibling connection on PostgreSQL
    with read_connection(loaded) as conn:
        reference = reference_origin_counts(conn)
    assert {p.scope: p.independent_origins for p in articles} == {
        key: n for key, n in reference.items() if key is not None}
    assert total.independent_origins == reference[None]
    assert total.statements == sum(p.statements for p in articles)
    for field in ("named", "role", "anonymous", "own_voice"):
        assert getattr(total, field) == sum(getattr(p, field) for p in articles)
    depth = sum(p.average_chain_depth * p.statements for p in articles)
    assert total.average_chain_depth == pytest.approx(depth / total.statements)


def test_each_articles_profile_counts_what_its_statements_say(loaded):
    with read_connection(loaded) as conn:
        for article_id, key in conn.execute(select(Article.id, Article.key)).all():
            [profile] = queries.sourcing_profiles(conn, article=key)
            n, named, role, anonymous, own_voice, depth, direct = reference_profile(
                conn, article_id)
            assert (profile.statements, profile.named, profile.role, profile.anonymous,
                    profile.own_voice) == (n, named, role, anonymous, own_voice), key
            assert profile.average_chain_depth == pytest.approx(depth / n), key
            assert profile.direct_share == pytest.approx(direct / n), key
            assert queries.sourcing_profiles(conn, article=key, by_article=False) == [
                dataclasses.replace(profile, scope="all", title="all articles")]


def test_actor_counts_are_what_counting_statement_by_statement_gives(loaded):
    """Relayed: the statements that passed through the actor (a chain link or the
    outlet) that it did not originate in any chain."""
    with read_connection(loaded) as conn:
        rows = conn.execute(queries._statement_select()).all()
        views = queries._enrich(conn, rows)
        originated: dict[str, int] = defaultdict(int)
        relayed: dict[str, int] = defaultdict(int)
        for view in views:
            origins = {view.speaker.key} if view.speaker else set()
            origins |= {chain[-1].actor.key for chain in view.chains[1:]}
            passed = {hop.actor.key for chain in view.chains for hop in chain}
            if view.outlet:
                passed.add(view.outlet.key)
            for key in origins:
                originated[key] += 1
            for key in passed - origins:
                relayed[key] += 1
        listed = list(queries.list_actors(conn))
        for summary in listed:
            assert (summary.originated, summary.relayed) == (
                originated[summary.key], relayed[summary.key]), summary.key
            one = queries.actor(conn, summary.key, limit=1).summary
            assert (one.originated, one.relayed) == (summary.originated, summary.relayed)
    assert listed == sorted(listed, key=lambda a: (-a.originated, -a.relayed, a.key))


def test_claim_members_read_as_the_statement_views_do(loaded):
    """``claims`` and ``loops`` read lean members, not full views: the same answers."""
    from claimsdb.query import tracing
    from claimsdb.query.graph import families
    from claimsdb.query.members import load_members

    with read_connection(loaded) as conn:
        ids = [i for (i,) in conn.execute(select(Statement.id))]
        views = tracing.views(conn, ids, context=False)
        members = load_members(conn, ids)
        bare = load_members(conn, ids, relations=False)
        groups = families(conn)
    assert members.keys() == views.keys() == bare.keys()
    for i, view in views.items():
        member = members[i]
        assert (member.ref, member.quote, member.published, member.article, member.outlet,
                member.speaker, member.origins) == (
            view.ref, view.quote, view.published, view.article, view.outlet, view.speaker,
            view.origins)
        assert [[hop.actor for hop in chain] for chain in member.chains] == [
            [hop.actor for hop in chain] for chain in view.chains]
        assert tracing.paths(member) == tracing.paths(view) == tracing.paths(bare[i])
        assert [r.type for r in member.outgoing] == [r.type for r in view.outgoing]
        assert [r.type for r in member.incoming] == [r.type for r in view.incoming]
    assert groups
    repeating = {i for i, view in views.items()
                 if any(r.type == "repeats" for r in view.outgoing)}
    denied = {i for i, view in views.items() if any(r.type == "denies" for r in view.incoming)}
    for group in groups:
        assert tracing.summarise([members[i] for i in group], repeating=repeating,
                                 denied=denied) == _summary_from_views(
            [views[i] for i in group])
        assert tracing._citation_loops(bare[i] for i in sorted(group)) == \
            tracing._citation_loops(views[i] for i in sorted(group))


def _summary_from_views(claim_views):
    """A claim's summary the obvious way: every relation read with every statement."""
    from claimsdb.query import tracing

    by_id = {v.id: v for v in claim_views}
    repeating = {v.id for v in claim_views if any(r.type == "repeats" for r in v.outgoing)}
    dated = [v for v in claim_views if tracing.published_at(v)]
    first = (min(dated, key=lambda v: (tracing.published_at(v), v.id)) if dated
             else by_id[min(set(by_id) - repeating or set(by_id))])
    origins = tracing.independent_origins(claim_views)
    articles = {v.article for v in claim_views}
    return tracing.ClaimSummary(
        claim=first.ref, quote=first.quote, statements=len(claim_views),
        articles=len(articles), origins=len(origins),
        origin_names=tuple(" / ".join(a.name for a in g) for g in origins),
        single_source=len(origins) == 1 and len(articles) > 1,
        first_published=first.published,
        denied=sum(1 for v in claim_views if any(r.type == "denies" for r in v.incoming)),
        members=tuple(sorted(by_id)))


def test_paths_read_as_ids_are_the_members_paths(loaded):
    """``loops`` tests paths read as actor ids: the same paths as the views', actor for
    actor, and the same verdict on which claims cite in a circle."""
    from claimsdb.query import tracing
    from claimsdb.query.graph import families
    from claimsdb.query.members import load_paths

    with read_connection(loaded) as conn:
        ids = [i for (i,) in conn.execute(select(Statement.id))]
        views = tracing.views(conn, ids, context=False)
        keys = dict(conn.execute(select(Actor.id, Actor.key)).all())
        paths = load_paths(conn, ids)
        groups = families(conn)
    assert paths.keys() == views.keys()
    for i, view in views.items():
        assert [[keys[a] for a in path] for path in paths[i]] == [
            [actor.key for actor in path] for path in tracing.paths(view)]
    verdicts = [tracing._cites_in_circle(paths[i] for i in group) for group in groups]
    assert verdicts == [bool(tracing._citation_loops(views[i] for i in sorted(group)))
                        for group in groups]
    assert any(verdicts) and not all(verdicts)


def test_loops_are_what_reading_every_statement_gives(loaded):
    """``loops`` reads only candidates for chain loops and only circular claims as
    members: the same loops as testing every statement's paths and every claim."""
    from claimsdb.query import tracing
    from claimsdb.query.graph import families

    with read_connection(loaded) as conn:
        found = tracing.find_loops(conn)
        ids = [i for (i,) in conn.execute(select(Statement.id))]
        views = tracing.views(conn, ids, context=False)
        groups = families(conn)
    chain = sorted((tracing.Loop("chain", tuple(a.key for a in path), (view.ref,))
                    for view in views.values() for path in tracing.paths(view)
                    if len({a.key for a in path}) < len(path)),
                   key=lambda loop: loop.statements)
    citation = [loop for group in groups
                for loop in tracing._citation_loops(views[i] for i in sorted(group))]
    assert chain and citation
    assert [loop for loop in found if loop.kind != "repeats"] == chain + citation


def test_serial_plans_hold_for_the_block_and_leave_the_transaction_as_it_was(loaded):
    """``serial_plans`` turns PostgreSQL's parallel workers off for its block only:
    inside it the setting is 0, after it what the transaction had (here a value of its
    own, not the server's default), and the profile that uses it leaves the caller's
    setting alone; a query failing inside leaves it to the rollback. SQLite: nothing."""
    from sqlalchemy import exc as sa_exc

    from claimsdb.store.db import serial_plans

    def workers(conn) -> str:
        return conn.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar_one()

    with read_connection(loaded) as conn:
        if conn.dialect.name != "postgresql":
            with serial_plans(conn):
                assert conn.execute(select(Article.key)).first() is not None
            return
        default = workers(conn)
        conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 3")
        with serial_plans(conn):
            assert workers(conn) == "0"
        assert workers(conn) == "3"
        queries.sourcing_profiles(conn)
        assert workers(conn) == "3"
    with pytest.raises(sa_exc.DBAPIError), read_connection(loaded) as conn, \
            serial_plans(conn):
        conn.exec_driver_sql("SELECT 1 / 0")
    with read_connection(loaded) as conn:
        assert workers(conn) == default

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
    wire.write_text(WIRE, encoding="utf-8")
    roundup.write_text(ROUNDUP, encoding="utf-8")
    import_files(engine, [*seed_files(), *CORPUS, wire, roundup])
    return engine


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
    for group in groups:
        assert tracing.summarise([members[i] for i in group]) == tracing.summarise(
            [views[i] for i in group])
        assert tracing._citation_loops(bare[i] for i in sorted(group)) == \
            tracing._citation_loops(views[i] for i in sorted(group))

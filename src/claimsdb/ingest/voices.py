"""``corrects`` and ``retracts`` across articles: only the speaker or the outlet that
made a statement corrects or retracts it.

The parser checks the rule within a file (``articles._Validator.local_voices``); a
target in a stored article is checked here, inside the import transaction, because
its speaker and outlet are only in the database. Where a side is unknown (a statement
in the own voice of an article without an outlet) the relation is the annotator's
claim and is accepted.
"""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.orm import aliased

from claimsdb.errors import Problem
from claimsdb.format.articles import SAME_VOICE, ArticleSpec, voice_problem
from claimsdb.ingest.rows import speaker_key
from claimsdb.store.models import Actor, Article, Statement

CHUNK = 5000


def voice_problems(conn: Connection, spec: ArticleSpec, external: dict[str, int]
                   ) -> list[Problem]:
    """A problem for each correction or retraction of a stored statement whose
    speaker and outlet are both other than the correcting statement's speaker."""
    wanted = [(statement, relation, target)
              for statement in spec.statements
              for relation in SAME_VOICE
              for target in statement.relations.get(relation, ())
              if target in external]
    if not wanted:
        return []
    voices = _stored_voices(conn, sorted({external[target] for _, _, target in wanted}))
    problems = []
    for statement, relation, target in wanted:
        voice = speaker_key(spec, statement.chain)
        theirs = voices.get(external[target], [])
        if voice is not None and theirs and voice not in theirs:
            problems.append(Problem(voice_problem(voice, relation, target, theirs),
                                    f"statement '{statement.key}'", relation, statement.line))
    return problems


def _stored_voices(conn: Connection, ids: list[int]) -> dict[int, list[str]]:
    """Statement id -> the keys of its speaker and its article's outlet (either may
    be missing)."""
    speaker = aliased(Actor)
    outlet = aliased(Actor)
    found: dict[int, list[str]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = conn.execute(
            select(Statement.id, speaker.key, outlet.key)
            .join(Article, Statement.article_id == Article.id)
            .outerjoin(speaker, Statement.speaker_id == speaker.id)
            .outerjoin(outlet, Article.outlet_id == outlet.id)
            .where(Statement.id.in_(ids[start:start + CHUNK])))
        for statement_id, speaker_key_, outlet_key in rows:
            found[statement_id] = list(dict.fromkeys(k for k in (speaker_key_, outlet_key) if k))
    return found

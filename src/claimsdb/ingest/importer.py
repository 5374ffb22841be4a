"""Writing validated articles to the database, one transaction per article.

Everything that needs the database is checked here before the first write of the
article's own rows (unknown actors and statements, conflicting actor definitions, a
URL used by another article, ``repeats`` cycles through stored articles), and every
problem is reported together. The caller owns the transaction: ``import_files``
commits each file on success and rolls it back on any error, so a failed file leaves
the database exactly as it was.

Rows are written with Core ``insert()`` over lists of dicts (executemany, with
RETURNING where ids are needed), never one ORM object at a time: importing is the
hot path for large corpora.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.orm import aliased

from claimsdb.errors import ArticleConflict, ArticleError, Problem
from claimsdb.format import sourcing
from claimsdb.format.articles import (
    ActorsFileSpec,
    ActorSpec,
    ArticleSpec,
    HopSpec,
    InputSpec,
    find_cycle,
    read_article,
    suggest,
)
from claimsdb.ingest.rows import (
    hop_columns,
    insert_ignoring_duplicates,
    review_rows,
    speaker_key,
    topic_rows,
)
from claimsdb.ingest.voices import voice_problems
from claimsdb.query import actor_counts
from claimsdb.store.chronology import incoming_warnings, stored_dates, warnings_for
from claimsdb.store.db import TransactionConflict, read_connection, write_transaction
from claimsdb.store.locking import lock_articles, referred_articles
from claimsdb.store.models import (
    Actor,
    ActorAlias,
    ActorRole,
    Article,
    ArticleAuthor,
    Hop,
    Relation,
    RelationType,
    Review,
    Statement,
    StatementAbout,
    StatementTopic,
)

# SQLite allows 32766 bound parameters per statement; PostgreSQL 65535. IN lists and
# multi-row batches stay well under both.
CHUNK = 5000

ADDED, REPLACED, UNCHANGED = "added", "replaced", "unchanged"
# What may be replaced: True, a stored article whose content differs (``add --replace``);
# a set of content hashes, only a stored version with one of them (``claimsdb seed``
# replaces a bundled seed article exactly as an earlier release shipped it, and
# nothing a user changed); False, nothing.
Replace = bool | frozenset[str]
ACTORS_FILE = "actors file"  # the status of a file of actors only, which has no article
TRANSACTION_ATTEMPTS = 3


@dataclass(frozen=True)
class ImportResult:
    source: str
    key: str
    status: str  # added | replaced | unchanged
    statements: int
    actors_added: int = 0
    actors_updated: int = 0
    dry_run: bool = False
    # With --update-actors: per corrected actor, "actor 'key': field 'old' -> 'new', ...".
    actors_corrected: tuple[str, ...] = ()
    # Imported all the same, but worth a look: links whose dates run backwards
    # (claimsdb.store.chronology), each naming the statement, field and both dates.
    warnings: tuple[Problem, ...] = ()

    def describe(self) -> str:
        verb = {ADDED: "would add" if self.dry_run else "added",
                REPLACED: "would replace" if self.dry_run else "replaced",
                UNCHANGED: "unchanged"}[self.status]
        text = f"{self.source}: {verb} article '{self.key}'"
        if self.status != UNCHANGED:
            text += f" ({self.statements} statement{'s' if self.statements != 1 else ''})"
        else:
            text += " (already stored)"
        extra = []
        if self.actors_added:
            extra.append(f"{self.actors_added} new actor{'s' if self.actors_added != 1 else ''}")
        if self.actors_updated:
            extra.append(f"{self.actors_updated} actor{'s' if self.actors_updated != 1 else ''} "
                         "updated")
        if extra:
            text += "; " + ", ".join(extra)
        for correction in self.actors_corrected:
            text += f"; corrected {correction}"
        return text


@dataclass(frozen=True)
class ActorsResult:
    """What importing a file of actors only did: how many actors it defines, how many
    were new and how many stored ones it added to (aliases, roles, empty fields)."""

    source: str
    actors: int
    actors_added: int = 0
    actors_updated: int = 0
    dry_run: bool = False
    actors_corrected: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()
    status: str = ACTORS_FILE

    def describe(self) -> str:
        verb = "would import " if self.dry_run else ""
        text = f"{self.source}: {verb}{_count(self.actors, 'actor')}"
        changes = []
        if self.actors_added:
            changes.append(f"{self.actors_added} new")
        if self.actors_updated:
            changes.append(f"{self.actors_updated} updated")
        text += f" ({', '.join(changes) if changes else 'all already stored as defined'})"
        for correction in self.actors_corrected:
            text += f"; corrected {correction}"
        return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def import_files(
    engine: Engine,
    paths: Iterable[str | Path],
    *,
    replace: Replace = False,
    dry_run: bool = False,
    on_result: Callable[[ImportResult], None] | None = None,
    update_actors: bool = False,
) -> list[ImportResult]:
    """Import article files, one transaction each; stops at the first file that fails.

    Files before the failing one stay imported (each is complete on its own); the
    failing file changes nothing.
    """
    results = []
    plan = DryRunPlan() if dry_run else None
    for path in paths:
        try:
            spec = read_article(path)
        except ArticleError as error:
            raise check_broken_file(engine, error, plan) from None
        result = import_spec(engine, spec, replace=replace, dry_run=dry_run,
                             update_actors=update_actors, plan=plan)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def import_spec(engine: Engine, spec: InputSpec, *, replace: Replace = False,
                dry_run: bool = False, update_actors: bool = False,
                plan: DryRunPlan | None = None) -> ImportResult | ActorsResult:
    """Import one validated article (or file of actors only) in its own transaction
    (for a dry run, checked in a read-only transaction that writes nothing; ``plan``
    carries what the earlier files of the same dry run would have added)."""
    if dry_run:
        with read_only_transaction(engine) as conn:
            result = import_input(conn, spec, replace=replace, update_actors=update_actors,
                                  write=False, planned=plan)
        if plan is not None:
            plan.add(spec)
        return dataclasses.replace(result, dry_run=True)
    outcome: list[ImportResult | ActorsResult] = []
    for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
        try:
            with write_transaction(engine) as conn:
                outcome.append(import_input(conn, spec, replace=replace,
                                            update_actors=update_actors))
        except TransactionConflict:
            # The server broke a deadlock with another import by rolling this one back;
            # the transaction changed nothing, so running it again is safe.
            if attempt == TRANSACTION_ATTEMPTS:
                raise
            continue
        break
    return outcome[-1]


@contextlib.contextmanager
def read_only_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that cannot write: what a dry run checks in. On SQLite the engine
    is opened read-only by the caller (``db.make_engine(readonly=True)``) where it can
    be; PostgreSQL is told the transaction is READ ONLY, so a write would fail."""
    with read_connection(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        yield conn


def import_batch(engine: Engine, specs: Sequence[ArticleSpec], *, replace: Replace = False,
                 dry_run: bool = False, update_actors: bool = False, keep_going: bool = False
                 ) -> list[ImportResult | ArticleError | ArticleConflict]:
    """Import validated articles in one transaction (``add --batch``); per article, its
    result or the error that refused it.

    Each article still stands alone: it runs in a savepoint, so one with a problem is
    rolled back by itself, and the outcome list stops after it unless ``keep_going``.
    The articles before it are committed, as with one transaction per file. A batch
    of new articles is written in bulk (``claimsdb.ingest.bulk``), which gives the same rows.
    """
    return import_stream(engine, [specs], replace=replace, dry_run=dry_run,
                         update_actors=update_actors, keep_going=keep_going)


def import_stream(engine: Engine, groups: Iterable[Sequence[InputSpec]], *,
                  replace: Replace = False, dry_run: bool = False, update_actors: bool = False,
                  keep_going: bool = False, plan: DryRunPlan | None = None
                  ) -> list[ImportResult | ArticleError | ArticleConflict]:
    """``import_batch`` of the articles of ``groups``, one transaction for all of them,
    written group by group as the groups arrive.

    ``add --batch`` hands over each group as soon as a worker has parsed it, so the
    first groups of a batch are written while the last ones are still being parsed
    (an import that is one batch no longer parses everything, then writes
    everything). Each group is written in bulk when it can be, file by file when not;
    the outcome is the same either way. Groups that were consumed are kept, so a
    transaction the server rolls back is run again from the start.
    """
    if dry_run:
        return _check_stream(engine, groups, replace=replace, update_actors=update_actors,
                             keep_going=keep_going,
                             plan=plan if plan is not None else DryRunPlan())
    source = _Replaying(groups)
    outcomes: list[ImportResult | ArticleError | ArticleConflict] = []
    for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
        outcomes = []
        try:
            with write_transaction(engine) as conn:
                for specs in source:
                    if not _import_group(conn, specs, outcomes, replace=replace,
                                         update_actors=update_actors, keep_going=keep_going):
                        break
        except TransactionConflict:
            if attempt == TRANSACTION_ATTEMPTS:
                raise
            continue
        break
    return outcomes


def _check_stream(engine: Engine, groups: Iterable[Sequence[InputSpec]], *, replace: Replace,
                  update_actors: bool, keep_going: bool, plan: DryRunPlan
                  ) -> list[ImportResult | ArticleError | ArticleConflict]:
    """A dry run of ``import_stream``: every article checked, in one read-only
    transaction, file by file, writing nothing (``plan``: what earlier files of the
    run, in earlier calls too, would add)."""
    outcomes: list[ImportResult | ArticleError | ArticleConflict] = []
    planned = plan
    with read_only_transaction(engine) as conn:
        for specs in groups:
            for spec in specs:
                try:
                    result = import_input(conn, spec, replace=replace,
                                          update_actors=update_actors, write=False,
                                          planned=planned)
                except (ArticleError, ArticleConflict) as error:
                    outcomes.append(error)
                    if not keep_going:
                        return outcomes
                else:
                    planned.add(spec)
                    outcomes.append(dataclasses.replace(result, dry_run=True))
    return outcomes


def _import_group(conn: Connection, specs: Sequence[InputSpec],
                  outcomes: list[Any], *, replace: Replace, update_actors: bool,
                  keep_going: bool) -> bool:
    """Write one group into the open transaction, appending its outcomes; False when
    a file was refused and the import stops there (no ``keep_going``). Files of
    actors only are written one by one, the runs of articles between them in bulk."""
    run: list[ArticleSpec] = []
    for spec in [*specs, None]:
        if isinstance(spec, ArticleSpec):
            run.append(spec)
            continue
        if run and not _import_articles(conn, run, outcomes, replace=replace,
                                        update_actors=update_actors, keep_going=keep_going):
            return False
        run = []
        if spec is not None and not _import_one(conn, spec, outcomes, replace=replace,
                                                update_actors=update_actors,
                                                keep_going=keep_going):
            return False
    return True


def _import_articles(conn: Connection, specs: Sequence[ArticleSpec], outcomes: list[Any], *,
                     replace: Replace, update_actors: bool, keep_going: bool) -> bool:
    from claimsdb.ingest import bulk

    if not update_actors:
        try:
            with conn.begin_nested():
                written = bulk.import_new_articles(conn, specs)
        except bulk.Declined:
            pass
        else:
            outcomes.extend(ImportResult(w["source"], w["key"], ADDED, w["statements"],
                                         w["actors_added"], w["actors_updated"],
                                         warnings=w["warnings"])
                            for w in written)
            return True
    return all(_import_one(conn, spec, outcomes, replace=replace, update_actors=update_actors,
                           keep_going=keep_going) for spec in specs)


def _import_one(conn: Connection, spec: InputSpec, outcomes: list[Any], *, replace: Replace,
                update_actors: bool, keep_going: bool) -> bool:
    """One file in its own savepoint; False when it was refused and the import stops."""
    try:
        with conn.begin_nested():
            outcomes.append(import_input(conn, spec, replace=replace,
                                         update_actors=update_actors))
    except (ArticleError, ArticleConflict) as error:
        outcomes.append(error)
        return keep_going
    return True


class _Replaying:
    """An iterable over ``items`` that can be iterated again: the items consumed so
    far first, then the rest."""

    def __init__(self, items: Iterable[Any]):
        self._rest = iter(items)
        self._seen: list[Any] = []

    def __iter__(self) -> Iterator[Any]:
        yield from list(self._seen)
        for item in self._rest:
            self._seen.append(item)
            yield item


def import_input(conn: Connection, spec: InputSpec, *, replace: Replace = False,
                 update_actors: bool = False, write: bool = True,
                 planned: DryRunPlan | None = None) -> ImportResult | ActorsResult:
    """``import_article``, or ``import_actors`` for a file of actors only."""
    if isinstance(spec, ActorsFileSpec):
        return import_actors(conn, spec, update_actors=update_actors, write=write,
                             planned=planned)
    return import_article(conn, spec, replace=replace, update_actors=update_actors,
                          write=write, planned=planned)


def import_actors(conn: Connection, spec: ActorsFileSpec, *, update_actors: bool = False,
                  write: bool = True, planned: DryRunPlan | None = None) -> ActorsResult:
    """Write a file of actors only on a connection inside a transaction: its actors are
    merged exactly as an article file's are (``_ActorMerge``: new actors created,
    aliases and roles added, a conflicting field refused unless ``update_actors``).
    Roles may name actors defined further down the same file: every new actor is
    created before any role is added."""
    problems: list[Problem] = []
    actors = _ActorMerge(conn, spec, problems, update=update_actors, write=write,
                         planned=planned)
    actors.run()
    _raise_if(spec, problems)
    if planned is not None:
        planned.merged[spec.source] = actors.merged
    return ActorsResult(spec.source, len(spec.actors), actors.added, actors.updated,
                        actors_corrected=tuple(actors.corrected))


def import_article(conn: Connection, spec: ArticleSpec, *, replace: Replace = False,
                   update_actors: bool = False, write: bool = True,
                   planned: DryRunPlan | None = None) -> ImportResult:
    """Write one article on a connection already inside a transaction.

    ``update_actors``: the file's explicit actor fields overwrite stored ones that
    differ (correcting an actor), instead of being refused as conflicts.

    ``write=False`` (a dry run) makes every check and gives the same result, problems
    and warnings without a single write, so it runs in a read-only transaction: new
    actors, aliases, roles and the replaced article are compared, not stored.
    """
    if write:
        lock_articles(conn, [spec.key], referred_articles(spec.external_references()))
    stored = conn.execute(
        select(Article.id, Article.content_hash).where(Article.key == spec.key)
    ).first()
    content_hash = spec.content_hash()
    problems: list[Problem] = []
    if stored is None and planned is not None and spec.key in planned.articles:
        from types import SimpleNamespace

        stored = SimpleNamespace(id=None, content_hash=planned.articles[spec.key])

    if stored is not None and stored.content_hash == content_hash:
        actors = _ActorMerge(conn, spec, problems, update=update_actors, write=write,
                             planned=planned)
        actors.run()
        _raise_if(spec, problems)
        if planned is not None:
            planned.merged[spec.key] = actors.merged
        return ImportResult(spec.source, spec.key, UNCHANGED, len(spec.statements),
                            actors.added, actors.updated,
                            actors_corrected=tuple(actors.corrected))
    if stored is not None and not may_replace(replace, stored.content_hash):
        raise ArticleConflict(spec.source, spec.key)

    actors = _ActorMerge(conn, spec, problems, update=update_actors, write=write,
                         planned=planned)
    actors.run()
    _check_reviewers(conn, spec, actors.ids, problems)
    external = _resolve_external_statements(conn, spec, problems,
                                            planned.statements if planned else frozenset())
    problems += voice_problems(conn, spec, external)
    if spec.url:
        other = conn.execute(
            select(Article.key).where(Article.url == spec.url, Article.key != spec.key)
        ).scalar()
        if not other and planned is not None and planned.urls.get(spec.url, spec.key) != spec.key:
            other = planned.urls[spec.url]
        if other:
            problems.append(Problem(f"'{spec.url}' is already the URL of article '{other}'; "
                                    "each URL belongs to one article", "article", "url",
                                    spec.lines.get("url")))
    _raise_if(spec, problems)

    incoming: list[Any] = []
    if stored is not None:
        if stored.id is not None:
            incoming = _incoming_relations(conn, stored.id)
        if planned is not None:  # links earlier files of this dry run would add
            incoming += planned.incoming.get(spec.key, [])
        if write:
            actor_counts.withdraw(conn, [stored.id])
            conn.execute(delete(Article).where(Article.id == stored.id))
        _check_repeat_cycles(conn, spec, external, incoming, problems,
                             replaced=None if write else stored.id)
        _raise_if(spec, problems)

    article_id = None
    if write:
        article_id, statement_ids = _insert_article(conn, spec, actors.ids, external,
                                                    content_hash)
    else:
        statement_ids = {s.key: 0 for s in spec.statements}
    _restore_incoming(conn, spec, statement_ids, incoming, problems, write=write)
    _raise_if(spec, problems)
    if article_id is not None:  # with the relations into it restored
        actor_counts.record(conn, [article_id])
    status = REPLACED if stored is not None else ADDED
    if planned is not None:
        planned.merged[spec.key] = actors.merged
    warnings = warnings_for(spec, stored_dates(conn, external))
    warnings += incoming_warnings(spec, incoming, {
        **stored_dates(conn, {f"{r.source_article}#{r.source_key}": r.source_id
                              for r in incoming}),
        **(planned.dates if planned is not None else {})})
    return ImportResult(spec.source, spec.key, status, len(spec.statements),
                        actors.added, actors.updated, actors_corrected=tuple(actors.corrected),
                        warnings=tuple(warnings))


def check_broken_file(engine: Engine, error: ArticleError,
                      plan: DryRunPlan | None = None) -> ArticleError:
    """``error`` (a file refused for its own problems) with the problems the database
    would also find in the file's valid parts (``articles.FileReferences``), so that
    a user fixes a file in one pass instead of in rounds. Read-only; a database that
    cannot be read leaves the error as it was (its own problems are what matters).
    In a dry run, ``plan`` holds the actors and statements earlier files would add.
    """
    partial = error.partial
    if partial is None:
        return error
    from claimsdb.errors import DatabaseError

    try:
        with read_only_transaction(engine) as conn:
            found = database_problems(conn, partial, plan)
    except DatabaseError:
        found = []
    return ArticleError(error.source, [*error.problems, *found])


def database_problems(conn: Connection, partial: Any, plan: DryRunPlan | None = None
                      ) -> list[Problem]:
    """The database checks of ``import_article`` that need only the given parts of a
    file: unknown actors, actor definitions that conflict with stored ones, references
    to statements that are not stored, a URL another article has."""
    problems: list[Problem] = []
    defined = {a.key: a for a in partial.actors}
    keys = sorted({key for key, _, _ in partial.uses} | set(defined))
    stored: dict[str, Any] = {}
    for chunk in _chunks(keys):
        for row in conn.execute(select(*Actor.__table__.c).where(Actor.key.in_(chunk))):
            stored[row.key] = row
    if plan is not None:
        stored = {**stored, **{k: plan.actors[k] for k in keys if k in plan.actors}}
    if partial.actors_complete:
        missing = [use for use in partial.uses
                   if use[0] not in stored and use[0] not in partial.defined]
        problems += unknown_actor_problems(conn, missing, partial.actors)
    for key, actor in defined.items():
        if key in stored:
            problems += scalar_conflicts(actor, stored[key])
    _resolve_references(conn, [ref for ref in partial.references
                               if plan is None or ref[0] not in plan.statements], problems)
    if partial.url and partial.article_key:
        other = conn.execute(
            select(Article.key).where(Article.url == partial.url,
                                      Article.key != partial.article_key)).scalar()
        if other:
            problems.append(Problem(f"'{partial.url}' is already the URL of article '{other}'; "
                                    "each URL belongs to one article", "article", "url",
                                    partial.url_line))
    return problems


def _check_reviewers(conn: Connection, spec: ArticleSpec, actor_ids: dict[str, Any],
                     problems: list[Problem]) -> None:
    """Each review's ``by`` must be an actor the file defines or the database holds
    (``_ActorMerge`` has looked them all up); an unknown one is reported at the
    review, with a suggestion."""
    missing = [use for use in spec.reviewer_uses() if use[0] not in actor_ids]
    if not missing:
        return
    from claimsdb.query.suggestions import actor_candidate, actor_candidates, did_you_mean

    own = [actor_candidate(a.key, a.name, a.aliases) for a in spec.actors]
    for key, item, field, line in missing:
        problems.append(Problem(
            f"unknown actor '{key}' (the fact-checker of this review); define it in this "
            "file's 'actors' list with key, name and kind, or use a stored actor's key"
            f"{did_you_mean(key, [*own, *actor_candidates(conn, key)])}",
            item, field, line))


def may_replace(replace: Replace, stored_hash: str | None) -> bool:
    """Whether ``replace`` allows overwriting a stored version with this content hash."""
    if isinstance(replace, bool):
        return replace
    return stored_hash in replace


def _raise_if(spec: InputSpec, problems: list[Problem]) -> None:
    if problems:
        raise ArticleError(spec.source, problems)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class _ActorMerge:
    """Makes every actor the article uses exist, and merges the file's definitions.

    Agreeing definitions merge (new aliases and roles are added, empty fields are
    filled); a differing name, kind, identification, Wikidata id or description is a
    conflict reported with both values, unless ``update`` (``add --update-actors``)
    says the file's values are corrections.
    """

    SCALARS = ("name", "kind", "identified", "wikidata", "description", "note")

    def __init__(self, conn: Connection, spec: InputSpec, problems: list[Problem], *,
                 update: bool = False, write: bool = True, planned: DryRunPlan | None = None):
        self.conn = conn
        self.spec = spec
        self.problems = problems
        self.update = update
        self.write = write  # False: compare only (a dry run), the counts are the same
        self.planned = planned
        self.merged: dict[str, Any] = {}  # dry run: stored actors as this file leaves them
        self.ids: dict[str, int] = {}
        self.added = 0
        self.updated = 0
        self.corrected: list[str] = []

    def run(self) -> None:
        defined = {a.key: a for a in self.spec.actors}
        used = self.spec.actor_keys_used()
        # Reviewers are looked up too, but an unknown one is reported at its review
        # (``_check_reviewers``), not here.
        wanted = sorted(set(defined) | set(used) | {u[0] for u in self.spec.reviewer_uses()})
        stored = self._load(wanted)
        if self.planned is not None:  # actors earlier files of this dry run would add
            stored.update({key: self.planned.actors[key] for key in wanted
                           if key in self.planned.actors})
        # Sorted by key: concurrent imports then wait for each other's new actors in
        # one order, which cannot deadlock.
        new = sorted((a for key, a in defined.items() if key not in stored),
                     key=lambda a: a.key)
        ours: set[str] = set()
        if new and not self.write:
            ours = {a.key for a in new}
            stored.update({a.key: _planned_row(a) for a in new})
            self.added = len(ours)
        elif new:
            ours = set(insert_ignoring_duplicates(self.conn, Actor.__table__, [
                {"key": a.key, "name": a.name, "kind": a.kind,
                 "identified": a.identified or "named", "wikidata": a.wikidata,
                 "description": a.description, "note": a.note}
                for a in new
            ], returning=Actor.__table__.c.key))
            stored = self._load(wanted)
            self.added = len(ours)
        if self.write:
            stored.update(self._lock_for_merge(defined, stored, ours))
        missing = [key for key in used if key not in stored]
        lines = self.spec.actor_use_lines() if missing else {}
        self.problems.extend(unknown_actor_problems(
            self.conn, [(key, used[key], lines.get(key)) for key in missing],
            self.spec.actors))
        self.ids = {key: row.id for key, row in stored.items()}
        changed: set[str] = set()
        for key, actor in defined.items():
            if key in stored and self._merge_scalars(actor, stored[key]):
                changed.add(key)
        if self.problems:
            return
        changed |= self._merge_aliases(defined)
        changed |= self._merge_roles(defined)
        self.updated = len(changed - {a.key for a in new})

    def _lock_for_merge(self, defined: dict[str, ActorSpec], stored: dict[str, Any],
                        ours: set[str]) -> dict[str, Any]:
        """PostgreSQL: lock the stored actors this file may add to, and read them again.

        Two imports adding the same role (or filling the same empty field) to one actor
        would otherwise both see it missing and both write it. Under SQLite the whole
        import already holds the database's write lock. Rows are locked in key order
        (no deadlock) and FOR NO KEY UPDATE, which does not block imports that merely
        refer to the actor. Actors this import created are invisible to others anyway.
        """
        if self.conn.dialect.name != "postgresql":
            return {}
        keys = sorted(key for key, actor in defined.items()
                      if key in stored and key not in ours
                      and self._may_change(actor, stored[key]))
        rows: dict[str, Any] = {}
        for chunk in _chunks(keys):
            for row in self.conn.execute(
                select(*Actor.__table__.c).where(Actor.key.in_(chunk))
                .order_by(Actor.key).with_for_update(key_share=True)
            ):
                rows[row.key] = row
        return rows

    def _may_change(self, actor: ActorSpec, row: Any) -> bool:
        return bool(actor.aliases or actor.roles or any(
            getattr(actor, name) is not None
            and (getattr(row, name) is None
                 or (self.update and getattr(actor, name) != getattr(row, name)))
            for name in self.SCALARS))

    def _load(self, keys: list[str]) -> dict[str, Any]:
        rows: dict[str, Any] = {}
        for chunk in _chunks(keys):
            for row in self.conn.execute(
                select(*Actor.__table__.c).where(Actor.key.in_(chunk))
            ):
                rows[row.key] = row
        return rows

    def _merge_scalars(self, actor: ActorSpec, row: Any) -> bool:
        fill: dict[str, Any] = {}
        changes: list[str] = []
        for name in self.SCALARS:
            given = getattr(actor, name)
            have = getattr(row, name)
            if given is None or given == have:
                continue
            if have is None:
                fill[name] = given
                continue
            if self.update:
                fill[name] = given
                changes.append(f"{name} '{have}' -> '{given}'")
                continue
            self.problems.append(_conflict(actor, name, given, have))
        if fill and not self.problems:
            if self.write:
                self.conn.execute(update(Actor).where(Actor.id == row.id).values(**fill))
            else:  # what a later file of the dry run must see as stored
                from types import SimpleNamespace

                self.merged[actor.key] = SimpleNamespace(**{
                    **{name: getattr(row, name) for name in ("id", "key", *self.SCALARS)},
                    **fill})
            if changes:
                self.corrected.append(f"actor '{actor.key}': {', '.join(changes)}")
            return True
        return False

    def _merge_aliases(self, defined: dict[str, ActorSpec]) -> set[str]:
        """Adds the file's new aliases; the keys of the actors that got one."""
        wanted = {(key, alias) for key, a in defined.items() for alias in a.aliases}
        if not wanted:
            return set()
        key_of = {v: k for k, v in self.ids.items() if v is not None}
        ids = sorted({self.ids[key] for key, _ in wanted if self.ids[key] is not None})
        have: set[tuple[str, str]] = set()
        for chunk in _chunks(ids):
            have.update((key_of[i], alias) for i, alias in self.conn.execute(
                select(ActorAlias.actor_id, ActorAlias.alias).where(ActorAlias.actor_id.in_(chunk))
            ))
        if self.planned is not None:
            have |= self.planned.aliases
        new = sorted(wanted - have)
        if self.write:
            insert_ignoring_duplicates(self.conn, ActorAlias.__table__,
                                       [{"actor_id": self.ids[k], "alias": a} for k, a in new])
        return {key for key, _ in new}

    def _merge_roles(self, defined: dict[str, ActorSpec]) -> set[str]:
        """Adds the file's new roles; the keys of the actors that got one."""
        wanted = {
            (key, r.of, r.title, r.started_on, r.ended_on)
            for key, a in defined.items() for r in a.roles
        }
        if not wanted:
            return set()
        key_of = {v: k for k, v in self.ids.items() if v is not None}
        ids = sorted({self.ids[w[0]] for w in wanted if self.ids[w[0]] is not None})
        have: set[tuple[Any, ...]] = set()
        for chunk in _chunks(ids):
            have.update(
                (key_of.get(a), key_of.get(o), t, s, e) for a, o, t, s, e in self.conn.execute(
                    select(ActorRole.actor_id, ActorRole.of_actor_id, ActorRole.title,
                           ActorRole.started_on, ActorRole.ended_on)
                    .where(ActorRole.actor_id.in_(chunk))
                ))
        if self.planned is not None:
            have |= self.planned.roles
        new = wanted - have
        if new and self.write:
            # In id order (as ``bulk`` inserts them), so both paths give the same ids.
            rows = sorted(((self.ids[a], self.ids[o], t, s, e) for a, o, t, s, e in new),
                          key=repr)
            self.conn.execute(insert(ActorRole), [
                {"actor_id": a, "of_actor_id": o, "title": t, "started_on": s, "ended_on": e}
                for a, o, t, s, e in rows
            ])
        return {w[0] for w in new}


def _conflict(actor: ActorSpec, name: str, given: Any, have: Any) -> Problem:
    return Problem(
        f"'{given}' conflicts with the stored {name} '{have}'{_unicode_form(given, have)}"
        ". Use the stored value, or give a different actor a different key (or, if the "
        "stored value is wrong, import with --update-actors to correct it)",
        f"actor '{actor.key}'", name, actor.line,
    )


def scalar_conflicts(actor: ActorSpec, row: Any) -> list[Problem]:
    """The file's actor fields that differ from the stored actor's (set) ones."""
    return [_conflict(actor, name, getattr(actor, name), getattr(row, name))
            for name in _ActorMerge.SCALARS
            if getattr(actor, name) is not None and getattr(row, name) is not None
            and getattr(actor, name) != getattr(row, name)]


class DryRunPlan:
    """What the files checked so far in one dry run would have added: a dry run writes
    nothing, yet a later file may use an actor, statement or article an earlier file
    of the same run adds, as it may in a real import."""

    def __init__(self) -> None:
        self.actors: dict[str, Any] = {}
        self.aliases: set[tuple[str, str]] = set()
        self.roles: set[tuple[Any, ...]] = set()
        self.statements: set[str] = set()
        self.articles: dict[str, str] = {}  # key -> content hash
        self.urls: dict[str, str] = {}  # url -> article key
        # article key -> stored actors as its file's merge would leave them (filled
        # fields, corrections), handed over by ``import_article``
        self.merged: dict[str, dict[str, Any]] = {}
        # article key -> the relations into it that the files add (as
        # ``_incoming_relations`` rows), and the dates of the files' statements
        self.incoming: dict[str, list[Any]] = {}
        self.dates: dict[str, Any] = {}

    def add(self, spec: InputSpec) -> None:
        """Note what ``spec`` (checked without problems) would have added."""
        if isinstance(spec, ActorsFileSpec):
            self._add_actors(spec.actors, self.merged.pop(spec.source, {}))
            return
        self._add_actors(spec.actors, self.merged.pop(spec.key, {}))
        from types import SimpleNamespace

        from claimsdb.store.chronology import spec_dates

        self.statements.update(spec.ref(s.key) for s in spec.statements)
        self.dates.update(spec_dates([spec]))
        own = f"{spec.key}#"
        for statement in spec.statements:
            for relation, targets in statement.relations.items():
                for target in targets:
                    if not target.startswith(own):
                        article, key = target.split("#", 1)
                        self.incoming.setdefault(article, []).append(SimpleNamespace(
                            type=relation, source_id=None, source_article=spec.key,
                            source_key=statement.key, target_key=key))
        self.articles[spec.key] = spec.content_hash()
        if spec.url:
            self.urls[spec.url] = spec.key

    def _add_actors(self, actors: Iterable[ActorSpec], merged: dict[str, Any]) -> None:
        self.actors.update(merged)
        for actor in actors:
            self.actors.setdefault(actor.key, _planned_row(actor))
            self.aliases.update((actor.key, alias) for alias in actor.aliases)
            self.roles.update((actor.key, r.of, r.title, r.started_on, r.ended_on)
                              for r in actor.roles)


def _planned_row(actor: ActorSpec) -> Any:
    """The row a new actor would get, for a dry run that does not insert it."""
    from types import SimpleNamespace

    return SimpleNamespace(id=None, key=actor.key, name=actor.name, kind=actor.kind,
                           identified=actor.identified or "named", wikidata=actor.wikidata,
                           description=actor.description, note=actor.note)


def _unicode_form(given: Any, have: Any) -> str:
    """A note for two values that look identical but are not: they differ only in
    Unicode normalisation (an "é" typed as one character or as "e" and an accent)."""
    import unicodedata

    if not (isinstance(given, str) and isinstance(have, str)) or given == have:
        return ""
    if unicodedata.normalize("NFC", given) != unicodedata.normalize("NFC", have):
        return ""

    def form(value: str) -> str:
        for name in ("NFC", "NFD"):
            if unicodedata.is_normalized(name, value):
                return name
        return "neither NFC nor NFD"

    return (f" (they look the same but differ only in Unicode normalisation: the file's is "
            f"{form(given)}, the stored one {form(have)}; names are stored exactly as "
            "written, so save the file's text in the stored form)")


def unknown_actor_problems(conn: Connection, missing: list[tuple[str, str, int | None]],
                           defined: Iterable[ActorSpec]) -> list[Problem]:
    """"unknown actor" for each (key, where it is used, line), with a suggestion from
    the file's own actors and the stored ones, by key, name and alias."""
    from claimsdb.query.suggestions import actor_candidate, actor_candidates, did_you_mean

    own = [actor_candidate(a.key, a.name, a.aliases) for a in defined]
    return [Problem(
        f"unknown actor '{key}' (used in {where}); define it in this file's "
        f"'actors' list with key, name and kind"
        f"{did_you_mean(key, [*own, *actor_candidates(conn, key)])}",
        "actors", None, line,
    ) for key, where, line in missing]


def _resolve_external_statements(conn: Connection, spec: ArticleSpec, problems: list[Problem],
                                 planned: Set[str] = frozenset()) -> dict[str, int]:
    """Ids of statements in stored articles that this article's relations name (a dry
    run's ``planned`` ones, which earlier files would add, are known but get none)."""
    own = f"{spec.key}#"
    return _resolve_references(conn, [
        (target, f"statement '{statement.key}'", relation, statement.line)
        for statement in spec.statements
        for relation, targets in statement.relations.items()
        for target in targets if not target.startswith(own) and target not in planned
    ], problems)


def _resolve_references(conn: Connection, references: list[tuple[str, str, str, int | None]],
                        problems: list[Problem]) -> dict[str, int]:
    """Ids of the stored statements that (reference, item, field, line) name; a
    problem, with a suggestion, for each reference to nothing stored."""
    refs = sorted({ref for ref, _, _, _ in references})
    if not refs:
        return {}
    found: dict[str, int] = {}
    pairs = [tuple(ref.split("#", 1)) for ref in refs]
    for chunk in _chunks(pairs, 500):
        article_keys = sorted({a for a, _ in chunk})
        rows = conn.execute(
            select(Article.key, Statement.key, Statement.id)
            .join(Statement, Statement.article_id == Article.id)
            .where(Article.key.in_(article_keys),
                   Statement.key.in_(sorted({s for _, s in chunk})))
        )
        for article_key, statement_key, statement_id in rows:
            found[f"{article_key}#{statement_key}"] = statement_id
    for target, item, relation, line in references:
        if target in found:
            continue
        article_key, statement_key = target.split("#", 1)
        exists = conn.execute(select(Article.id).where(Article.key == article_key)).scalar()
        if exists is None:
            from claimsdb.query.suggestions import article_candidates, did_you_mean

            why = (f"no article '{article_key}' is stored; import it first, or fix the "
                   f"reference{did_you_mean(article_key, article_candidates(conn, article_key))}")
        else:
            keys = conn.execute(
                select(Statement.key).where(Statement.article_id == exists)
            ).scalars().all()
            why = (f"article '{article_key}' has no statement '{statement_key}'"
                   f"{suggest(statement_key, keys)}")
        problems.append(Problem(f"{relation} '{target}': {why}", item, relation, line))
    return found


def _incoming_relations(conn: Connection, article_id: int) -> list[Any]:
    """Relations from other articles into this one, to restore after a replace."""
    source = aliased(Statement)
    target = aliased(Statement)
    source_article = aliased(Article)
    return list(conn.execute(
        select(Relation.type, Relation.source_id, target.key.label("target_key"),
               source_article.key.label("source_article"), source.key.label("source_key"))
        .join(target, Relation.target_id == target.id)
        .join(source, Relation.source_id == source.id)
        .join(source_article, source.article_id == source_article.id)
        .where(target.article_id == article_id, source.article_id != article_id)
    ))


def _check_repeat_cycles(conn: Connection, spec: ArticleSpec, external: dict[str, int],
                         incoming: list[Any], problems: list[Problem], *,
                         replaced: int | None = None) -> None:
    """A replaced article keeps the ``repeats`` links other articles make to it; its own
    new ``repeats`` links must not close a loop through them. A new article cannot be
    part of a stored loop, since nothing stored points at it yet.

    ``replaced``: the id of the stored version when it is still there (a dry run does
    not delete it); its links are left out of the walk, as if it were deleted."""
    back = [r for r in incoming if r.type == RelationType.REPEATS.value]
    if not back:
        return
    graph: dict[str, list[str]] = {}
    for statement in spec.statements:
        graph[spec.ref(statement.key)] = list(statement.relations.get("repeats", ()))
    frontier = {external[t] for s in spec.statements for t in s.relations.get("repeats", ())
                if t in external}
    names = _statement_names(conn, frontier)
    seen: set[int] = set()
    while frontier:
        seen |= frontier
        rows = []
        for chunk in _chunks(sorted(frontier)):
            query = (select(Relation.source_id, Relation.target_id)
                     .where(Relation.type == "repeats", Relation.source_id.in_(chunk)))
            if replaced is not None:
                old = select(Statement.id).where(Statement.article_id == replaced)
                query = query.where(Relation.source_id.not_in(old),
                                    Relation.target_id.not_in(old))
            rows.extend(conn.execute(query))
        targets = {t for _, t in rows}
        names.update(_statement_names(conn, targets - set(names)))
        for source_id, target_id in rows:
            graph.setdefault(names[source_id], []).append(names[target_id])
        frontier = targets - seen
    for relation in back:
        source_name = f"{relation.source_article}#{relation.source_key}"
        graph.setdefault(source_name, []).append(spec.ref(relation.target_key))
    cycle = find_cycle(graph)
    if cycle:
        # Start the loop at one of this file's statements: that is where to fix it.
        own = next((i for i, name in enumerate(cycle[:-1]) if name.startswith(f"{spec.key}#")), 0)
        cycle = [*cycle[own:-1], *cycle[:own], cycle[own]]
        key = cycle[0].split("#", 1)[1]
        line = next((s.line for s in spec.statements if s.key == key), None)
        problems.append(Problem(
            f"'repeats' links would form a cycle through stored articles: {' -> '.join(cycle)}",
            f"statement '{key}'", "repeats", line,
        ))


def _statement_names(conn: Connection, ids: set[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for chunk in _chunks(sorted(ids)):
        for statement_id, article_key, key in conn.execute(
            select(Statement.id, Article.key, Statement.key)
            .join(Article, Statement.article_id == Article.id)
            .where(Statement.id.in_(chunk))
        ):
            names[statement_id] = f"{article_key}#{key}"
    return names


def _relays(chain: Sequence[HopSpec], number: int, speaker_id: int | None,
            outlet_id: int | None, actor_ids: dict[str, int]) -> list[int | None]:
    """``chain_hops.relays_for`` of each link of a statement's chain ``number``."""
    ids = [actor_ids[h.actor] for h in chain]
    if not ids:
        return []
    origin = None if speaker_id is None else speaker_id if number == 0 else ids[-1]
    return sourcing.relays(ids, origin, outlet_id)


def _insert_article(conn: Connection, spec: ArticleSpec, actor_ids: dict[str, int],
                    external: dict[str, int], content_hash: str
                    ) -> tuple[int, dict[str, int]]:
    """Every row of one article: (its id, its statements' ids by key)."""
    article_id = conn.execute(
        insert(Article).returning(Article.id),
        {
            "key": spec.key, "title": spec.title,
            "outlet_id": actor_ids[spec.outlet] if spec.outlet else None,
            "url": spec.url, "published": spec.published, "language": spec.language,
            "text": spec.text, "content_hash": content_hash,
            "imported_at": dt.datetime.now(dt.UTC),
            "retrieved": spec.retrieved, "archived_url": spec.archived_url, "note": spec.note,
            "independent_origins": spec.independent_origins,
        },
    ).scalar_one()
    if spec.authors:
        conn.execute(insert(ArticleAuthor), [
            {"article_id": article_id, "position": i, "actor_id": actor_ids[a]}
            for i, a in enumerate(spec.authors)
        ])
    statement_ids: dict[str, int] = {}
    rows = [
        {
            "article_id": article_id, "key": s.key, "quote": s.quote,
            "span_start": s.span_start, "span_end": s.span_end, "kind": s.kind,
            "stated_on": s.stated_on, "note": s.note,
            "speaker_id": actor_ids.get(speaker_key(spec, s.chain) or ""),
            "translated_from": s.translated_from, "original": s.original,
            "depth": sourcing.depth(s.chains),
        }
        for s in spec.statements
    ]
    for chunk in _chunks(rows):
        ids = conn.execute(
            insert(Statement).returning(Statement.id, sort_by_parameter_order=True), list(chunk)
        ).scalars().all()
        statement_ids.update(zip((r["key"] for r in chunk), ids, strict=True))

    outlet_id = actor_ids[spec.outlet] if spec.outlet else None
    hops = [
        {"statement_id": statement_ids[s.key], "chain": c, "position": i,
         "actor_id": actor_ids[h.actor], "relays_for": relays_for, **hop_columns(h)}
        for s, speaker_id in zip(spec.statements, (row["speaker_id"] for row in rows),
                                 strict=True)
        for c, chain in enumerate(s.chains)
        for i, (h, relays_for) in enumerate(zip(chain, _relays(
            chain, c, speaker_id, outlet_id, actor_ids), strict=True))
    ]
    about = [
        {"statement_id": statement_ids[s.key], "actor_id": actor_ids[a]}
        for s in spec.statements for a in s.about
    ]
    own = f"{spec.key}#"
    relations = [
        {"source_id": statement_ids[s.key], "type": relation,
         "target_id": statement_ids[t[len(own):]] if t.startswith(own) else external[t]}
        for s in spec.statements for relation, targets in s.relations.items() for t in targets
    ]
    topics = topic_rows(spec, statement_ids)
    reviews = review_rows(spec, statement_ids, actor_ids)
    for table, data in ((Hop, hops), (StatementAbout, about), (Relation, relations),
                        (StatementTopic, topics), (Review, reviews)):
        for chunk in _chunks(data):
            conn.execute(insert(table), list(chunk))
    return article_id, statement_ids


def _restore_incoming(conn: Connection, spec: ArticleSpec, statement_ids: dict[str, int],
                      incoming: list[Any], problems: list[Problem], *, write: bool = True
                      ) -> None:
    keep = []
    for relation in incoming:
        target_id = statement_ids.get(relation.target_key)
        source = f"{relation.source_article}#{relation.source_key}"
        if target_id is None:
            problems.append(Problem(
                f"the new version drops statement '{relation.target_key}', which {source} "
                f"{relation.type}; keep that statement key, or remove the reference from "
                f"'{relation.source_article}' first",
                f"statement '{relation.target_key}'",
            ))
            continue
        keep.append({"source_id": relation.source_id, "type": relation.type,
                     "target_id": target_id})
    if keep and not problems and write:
        conn.execute(insert(Relation), keep)


def delete_article(conn: Connection, key: str) -> bool:
    """Remove an article and everything that belongs to it (relations into it too)."""
    stored = conn.execute(select(Article.id).where(Article.key == key)).scalar()
    if stored is None:
        return False
    actor_counts.withdraw(conn, [stored])
    conn.execute(delete(Article).where(Article.id == stored))
    return True


__all__ = [
    "ACTORS_FILE",
    "ADDED",
    "REPLACED",
    "UNCHANGED",
    "ActorsResult",
    "DryRunPlan",
    "ImportResult",
    "delete_article",
    "import_actors",
    "import_article",
    "import_batch",
    "import_files",
    "import_spec",
]

"""The order ``add`` imports files in, so that no one has to sort them by hand.

A folder holds a team's actor registry and articles that reference one another
(``denies: other-article#claim``), named however their authors liked. Each file is
its own transaction, so a file must come after the files it needs:

- Files of actors only come first (``actors_first``), in the order given. They are
  found from their bytes, before anything is parsed (``may_define_actors``).
- An article that references an article of the same import comes after it
  (``DependencyOrder``). Files are parsed and imported in the order given, as
  before; one whose references name an article that is neither stored nor imported
  yet in this run waits, parsed, and is imported right after the file it waited for.
  Files without such references keep their place, so parsing still runs beside the
  writing (``add --batch``) and only the files that wait are held in memory.
- What still waits at the end either references an article that is nowhere (it is
  imported, and refused as before: "no article ... is stored"), or is part of a
  cycle of references, which no order can satisfy: each file of the cycle is
  refused with an error naming every file and reference of it, and nothing of them
  is written.

Pure: the stored article keys are handed in; no database, no printing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path

from claimsdb.errors import ArticleError, Problem
from claimsdb.format.articles import (
    ArticleBytes,
    ArticleSpec,
    InputSpec,
    find_cycle,
    may_define_actors,
)


def actors_first(items: Sequence[Path | ArticleBytes]) -> list[Path | ArticleBytes]:
    """The files of actors only first, then the rest, each in the order given."""
    if len(items) < 2:
        return list(items)
    actors = [may_define_actors(item) for item in items]
    return ([item for item, first in zip(items, actors, strict=True) if first]
            + [item for item, first in zip(items, actors, strict=True) if not first])


def referenced_articles(spec: InputSpec) -> set[str]:
    """The keys of the other articles a file's statements reference."""
    return {ref.split("#", 1)[0] for ref in spec.external_references()}


@dataclass
class _Waiting:
    number: int  # position among the files that waited, for keeping their order
    spec: ArticleSpec
    pending: set[str] = field(default_factory=set)  # article keys not imported yet


class DependencyOrder:
    """Hands files out in an order where each comes after the articles it references.

    ``take`` gets each parsed file in the order given and returns the files that can
    be imported now (itself, and any that were waiting for it); ``finish`` returns
    what still waits, and an ``ArticleError`` for each file of a cycle.
    """

    def __init__(self, stored_articles: Set[str] = frozenset()):
        self.stored = stored_articles
        self.seen: set[str] = set()  # article keys handed out in this run
        self.waiting: list[_Waiting] = []
        self.count = 0

    def take(self, spec: InputSpec) -> list[InputSpec]:
        if not isinstance(spec, ArticleSpec):
            return [spec]
        pending = referenced_articles(spec) - self.seen - self.stored - {spec.key}
        if pending:
            self.count += 1
            self.waiting.append(_Waiting(self.count, spec, pending))
            return []
        return self._release([spec])

    def _release(self, ready: list[ArticleSpec]) -> list[InputSpec]:
        out: list[InputSpec] = []
        while ready:
            spec = ready.pop(0)
            out.append(spec)
            if spec.key in self.seen:
                continue
            self.seen.add(spec.key)
            freed = []
            for entry in self.waiting:
                entry.pending.discard(spec.key)
                if not entry.pending:
                    freed.append(entry)
            if freed:
                self.waiting = [entry for entry in self.waiting if entry.pending]
                ready[:0] = [entry.spec for entry in freed]  # right after what they needed
        return out

    def finish(self) -> list[InputSpec | ArticleError]:
        """What still waits, in the order given: files whose references name no
        article of this import (imported, to be refused as usual), and an error for
        each file of a cycle of references. Files that wait for a file of a cycle
        come last, and are refused for the reference it could not satisfy."""
        out: list[InputSpec | ArticleError] = []
        while self.waiting:
            waited_for = {entry.spec.key for entry in self.waiting}
            elsewhere = [e for e in self.waiting if not e.pending & waited_for]
            if elsewhere:  # only articles outside this import: nothing to wait for
                self.waiting = [e for e in self.waiting if e not in elsewhere]
                out += self._release([e.spec for e in elsewhere])
                continue
            graph = {e.spec.key: sorted(e.pending) for e in self.waiting}
            cycle = find_cycle(graph)
            if cycle is None:  # cannot happen: every file waits for another that waits
                out += [e.spec for e in self.waiting]
                break
            members = {key: next(e.spec for e in self.waiting if e.spec.key == key)
                       for key in cycle[:-1]}
            out += cycle_errors([members[key] for key in cycle[:-1]])
            self.waiting = [e for e in self.waiting if e.spec.key not in members]
            # Files that waited for the cycle are imported, and refused for it as usual.
            self.seen |= set(members)
            for entry in self.waiting:
                entry.pending -= set(members)
        return out


def cycle_errors(files: list[ArticleSpec]) -> list[ArticleError]:
    """One error per file of a cycle of references (``files`` in cycle order, each
    referencing the next, the last the first), each naming every file and reference
    of the cycle, and in its item, field and line the reference in that file."""
    links = []
    for index, spec in enumerate(files):
        target = files[(index + 1) % len(files)]
        links.append((spec, target, list(_references_to(spec, target.key))))
    path = " -> ".join([*(f"{spec.source} ('{spec.key}')" for spec in files),
                        files[0].source])
    described = "; ".join(
        f"{spec.source} "
        + ", ".join(f"statement '{key}' {relation} '{ref}'" for key, relation, ref, _ in refs)
        + f" (in {target.source})"
        for spec, target, refs in links)
    errors = []
    for spec, _target, refs in links:
        key, relation, _ref, line = refs[0]
        message = (f"the files reference each other in a cycle ({path}), so no order "
                   f"imports either first: {described}. Nothing of these files was "
                   "imported: remove one of the references, add the files, then put it "
                   "back and add that file again with --replace")
        errors.append(ArticleError(spec.source, [Problem(message, f"statement '{key}'",
                                                         relation, line)]))
    return errors


def _references_to(spec: ArticleSpec, article: str) -> Iterable[tuple[str, str, str, int | None]]:
    """(statement key, relation, reference, line) for each reference to ``article``."""
    prefix = f"{article}#"
    for statement in spec.statements:
        for relation, targets in statement.relations.items():
            for target in targets:
                if target.startswith(prefix):
                    yield statement.key, relation, target, statement.line


__all__ = ["DependencyOrder", "actors_first", "cycle_errors", "referenced_articles"]

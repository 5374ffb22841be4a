"""Guess what a denial answers: the statements of the report it rejects.

A denial ("Peskov denied the report", "called it false", «не соответствует
действительности») rarely names its target in a form a program can follow, so the
guess is deliberately simple and always asks for review: the nearest earlier
statement by another speaker, with that speaker's other earlier statements.
"""

from __future__ import annotations

from collections import defaultdict

from claimsdb.draft.lexicon import Lexicon
from claimsdb.draft.results import DraftRelation, DraftStatement

_MAX_TARGETS = 3
_DISMISSING = ("dismiss", "call", "назва", "назыв")


def is_denial(statement: DraftStatement, lexicon: Lexicon) -> bool:
    if statement.cue_kind == "denial":
        return True
    cue_words = statement.cue.lower().split()
    if any(word in lexicon.denial_cues for word in cue_words):
        return True
    return any(p.search(statement.content) for p in lexicon.denial_phrases)


def guess(statements: list[DraftStatement], lexicon: Lexicon) -> list[DraftRelation]:
    """One pass over the statements, keeping the latest statements of each speaker:
    a text of ten thousand statements is drafted in seconds, not minutes."""
    relations = []
    by_speaker: dict[str, list[int]] = defaultdict(list)  # earlier non-denials
    latest: tuple[int, str] | None = None  # the latest non-denial, and its speaker
    latest_other: tuple[int, str] | None = None  # the latest by someone else than it
    for number, statement in enumerate(statements):
        speaker = _speaker(statement)
        if statement.kind == "refusal":
            continue  # declining to speak neither denies nor is denied
        if not is_denial(statement, lexicon):
            if latest is not None and latest[1] != speaker:
                latest_other = latest
            latest = (number, speaker)
            by_speaker[speaker].append(number)
            continue
        # the nearest earlier statement by another speaker
        answered = latest if latest is not None and latest[1] != speaker else latest_other
        if answered is None:
            continue
        targets = by_speaker[answered[1]][-_MAX_TARGETS:]
        cue = statement.cue.lower()
        kind = "dismisses" if any(cue.startswith(d) for d in _DISMISSING) else "denies"
        for target in targets:
            relations.append(DraftRelation(
                type=kind, source=number, target=target,
                confidence=round(0.6 if target == answered[0] else 0.4, 2),
                review=("guessed target: check which statement is answered",)))
    return relations


def _speaker(statement: DraftStatement) -> str:
    """The original speaker as written (the last hop), pronouns read as what they
    stand for, so "he" after "Peskov" is Peskov."""
    if not statement.chain:
        return ""
    hop = statement.chain[-1]
    mention = hop.antecedent.text if hop.antecedent else hop.mention
    return mention.lower()

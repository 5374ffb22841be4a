"""The guides do not call a command that exists "planned" or "not available".

Issue 11 item 24: docs/format.md said ``export article`` was "planned, not available
yet" long after it shipped. Any paragraph of a guide that names a ``claimsdb ...``
command and says it is planned or not available must name no command that exists.
"""

from __future__ import annotations

import re

from conftest import REPO
from test_docs import command_paths

NOT_YET = re.compile(r"\bplanned\b|not (?:yet )?available|\bcoming soon\b|"
                     r"\bwill be added\b", re.IGNORECASE)


def _paragraphs():
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        if path.name == "cli.md":  # generated --help
            continue
        for paragraph in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
            yield path.name, paragraph


def test_item_24_no_guide_calls_an_existing_command_planned():
    """Issue 11 item 24: stale "planned" statements about commands that exist."""
    commands = [" ".join(path) for path in command_paths()]
    stale = []
    for name, paragraph in _paragraphs():
        if not NOT_YET.search(paragraph):
            continue
        flat = " ".join(paragraph.split())
        for command in commands:
            if re.search(r"claimsdb " + re.escape(command) + r"(?![\w-])", flat):
                stale.append(f"{name}: '{command}' exists: {flat[:160]}")
    assert not stale, "\n".join(stale)

"""Printing for people: every message and view passes through here on its way to the
terminal, so text from files and databases can never drive the terminal (see
``claimsdb.terminal``). Data outputs (CSV, JSON, DOT, article files) go around it."""

from __future__ import annotations

import click

from claimsdb.terminal import escape, one_line


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` with control characters made visible; line feeds stay."""
    click.echo(escape(text), err=err, nl=nl)


def error_text(error: BaseException) -> str:
    """An error's message for the terminal. An article file's problems are one per
    line, so a line break inside a quoted value shows as ⏎ rather than starting what
    would look like another problem."""
    from claimsdb.errors import ArticleError

    text = str(error)
    if isinstance(error, ArticleError):
        problems = [problem.describe() for problem in error.problems]
        listed = "".join("\n  - " + problem for problem in problems)
        if text.endswith(listed):
            head = text[: len(text) - len(listed)]
            return "\n  - ".join([escape(head), *(one_line(p) for p in problems)])
    return escape(text)

"""``claimsdb draft``: article text in, an article file to review out."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from claimsdb.cli.context import Settings, pass_settings
from claimsdb.cli.show import echo, error_text


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-o", "--output", metavar="FILE",
              help="Write the draft to FILE ('-': standard output). One INPUT only.")
@click.option("--out-dir", metavar="DIR", type=click.Path(file_okay=False),
              help="Write each input's draft to DIR/STEM.yaml (STEM: the input's file "
              "name without its extension; for a URL, the last part of its path). DIR "
              "is created if missing.")
@click.option("--key", metavar="KEY",
              help="The article's key (one INPUT only). Default: made from the title, "
              "else the file name.")
@click.option("--outlet", metavar="ACTOR",
              help="The outlet that published the article: an actor key (or name). A "
              "stored actor is reused; otherwise the draft defines it.")
@click.option("--language", metavar="CODE",
              help="The article's language (en, ru). Default: the language the input "
              "declares, else Russian for text mostly in Cyrillic, else English.")
@click.option("--extractor", metavar="NAME",
              help="The drafter's extractor (default: rules).")
@click.option("--overwrite", is_flag=True, help="Replace draft files that already exist.")
@click.option("--keep-going", is_flag=True,
              help="With several inputs: write the drafts of the inputs that worked even "
              "if others failed (exit code 1 if any failed).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@pass_settings
def draft(settings: Settings, inputs: tuple[str, ...], output: str | None,
          out_dir: str | None, key: str | None, outlet: str | None, language: str | None,
          extractor: str | None, overwrite: bool, keep_going: bool, quiet: bool) -> None:
    """Draft an article file from an article's text, for a person to review and import.

    INPUT is a plain-text file (UTF-8, or UTF-16 with a byte-order mark), an HTML
    page (a saved .html file), an http:// or https:// URL, or - for standard input
    (text or a page). From a page, the article's text is taken without the menus,
    ads and comments around it, and the draft's article block gets the page's title,
    address, date, language and site name (as the outlet); a URL's draft also gets
    the day it was retrieved. A URL is fetched within 20 seconds and 10 MB. Pages
    need the 'draft' extra: pip install 'claimsdb[draft]'.

    The draft holds the article's exact text and the statements the drafter found in
    it: quotes, attribution chains (nearest source first) with their cues and
    mentions, the actors (stored actors of --db are reused by key, name or alias; new
    ones get a guessed kind), and likely denials. Each statement's YAML comment gives
    the drafter's confidence and what to check. The file is an ordinary article file:
    'claimsdb add' imports it exactly as written.

    One INPUT without -o writes to standard output. Nothing is written unless every
    input can be drafted (with --keep-going, the others are written), and an
    existing file is never replaced without --overwrite. Two inputs with the same
    file stem in --out-dir are an error before anything is written. The database is
    only read, and never created.

    \b
    Examples:
      claimsdb draft article.txt > article.yaml
      claimsdb draft article.txt -o article.yaml && claimsdb add article.yaml
      claimsdb draft --out-dir drafts/ texts/*.txt saved/*.html
      claimsdb draft https://example.com/2025/05/14/talks-stall -o talks.yaml
      pbpaste | claimsdb draft - --outlet reuters --key talks-stall -o talks.yaml
      claimsdb --db team.db draft --language ru statement.txt
    """
    from claimsdb import api
    from claimsdb.draft import extractor_names, keys, languages
    from claimsdb.draft.lexicon import primary_language
    from claimsdb.errors import ClaimsError

    if output is not None and out_dir is not None:
        raise click.UsageError("give -o FILE or --out-dir DIR, not both")
    if len(inputs) > 1 and out_dir is None:
        raise click.UsageError(f"{len(inputs)} inputs need --out-dir DIR (each draft goes "
                               "to DIR/STEM.yaml); -o and standard output take one input")
    if inputs.count("-") > 1:
        raise click.UsageError("'-' (standard input) can be given only once")
    if key is not None:
        if len(inputs) > 1:
            raise click.UsageError("--key names one article: give it with one INPUT only")
        if not keys.is_key(key):
            suggestion = keys.slug(key, max_words=20, max_length=200)
            raise click.BadParameter(
                f"'{key}' is not a valid key: use lowercase letters, digits and dashes"
                + (f" (for example '{suggestion}')" if suggestion else ""), param_hint="--key")
    if language is not None and primary_language(language) not in languages():
        raise click.BadParameter(f"no drafting lexicon for '{language}'; known: "
                                 f"{', '.join(languages())}", param_hint="--language")
    if extractor is not None and extractor not in extractor_names():
        raise click.BadParameter(f"unknown extractor '{extractor}'; known: "
                                 f"{', '.join(extractor_names())}", param_hint="--extractor")

    database = settings.database()
    known = database.known_actors()
    stored = database.stored_articles()
    drafts: list[tuple[str, api.ArticleDraft, str]] = []  # (input, draft, stem)
    failed = 0
    for spec in inputs:
        try:
            document = api.read_document(spec, stdin=sys.stdin.buffer)
            drafted = api.draft_article(document, key=key, outlet=outlet, language=language,
                                        extractor=extractor, known_actors=known,
                                        stored_articles=stored)
        except ClaimsError as error:
            failed += 1
            message = error_text(error)
            if not message.startswith(f"{spec}:"):
                message = f"{spec}: {message}"
            echo(f"Error: {message}", err=True)
            continue
        drafts.append((spec, drafted, document.stem))
        stored.setdefault(drafted.key, document.url)  # two drafts of a run: two keys
    if failed and not keep_going:
        raise click.ClickException(
            f"{failed} of {len(inputs)} input{'s' if len(inputs) != 1 else ''} could not "
            "be drafted; nothing was written"
            + (" (--keep-going writes the others)" if len(inputs) > 1 else ""))

    targets = _targets(drafts, output, out_dir)
    protect = settings.protected_files()
    if not overwrite:
        existing = [str(t) for t in targets if t != "-" and Path(t).is_file()]
        if existing:
            raise click.ClickException(
                f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
                "nothing was written. Choose other names, or pass --overwrite to replace "
                "them")
    if out_dir is not None:
        folder = Path(out_dir)
        if folder.exists() and not folder.is_dir():
            raise click.ClickException(f"--out-dir {out_dir} is not a folder; nothing was "
                                       "written")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise click.ClickException(f"cannot create {out_dir}: {error.strerror}") from None
    for (spec, drafted, _stem), target in zip(drafts, targets, strict=True):
        api.save_draft(drafted, target, overwrite=overwrite, protect=protect)
        if not quiet:
            where = "standard output" if target == "-" else str(target)
            reused = f", {drafted.reused_actors} stored" if drafted.reused_actors else ""
            echo(f"{spec}: drafted '{drafted.key}' ({drafted.statements} statement"
                 f"{'s' if drafted.statements != 1 else ''}, {drafted.new_actors} new "
                 f"actor{'s' if drafted.new_actors != 1 else ''}{reused}, language "
                 f"{drafted.language}) -> {where}", err=True)
        for warning in drafted.warnings:  # (even with --quiet: add will refuse it)
            echo(f"Warning: {spec}: {warning}", err=True)
    if failed:
        raise click.ClickException(f"{failed} of {len(inputs)} inputs could not be drafted; "
                                   f"{len(drafts)} written")


def _targets(drafts: list, output: str | None, out_dir: str | None) -> list[str]:
    """Where each draft goes; two inputs that would write one file are refused."""
    if out_dir is None:
        return [output or "-" for _ in drafts]
    targets: list[str] = []
    claimed: dict[str, str] = {}
    clashes = []
    for spec, _drafted, stem in drafts:
        target = str(Path(out_dir) / f"{stem}.yaml")
        if target in claimed:
            clashes.append(f"{claimed[target]} and {spec} would both be drafted to {target}")
        claimed.setdefault(target, spec)
        targets.append(target)
    if clashes:
        raise click.ClickException(
            "; ".join(clashes) + "; nothing was written. Draft them into different "
            "folders, or rename one")
    return targets

"""Issue 11 item 7 (and the sslmode part of 25c): no message shows a password.

Every URL shape a user may type (with and without '//', a driver suffix, the password
in the query string, percent-encoded, with '/' or '@' in it, a URL SQLAlchemy cannot
parse, options the driver rejects and echoes) is given to the commands that open a
database (``--db`` and ``copy --to``), and the password must appear nowhere in what
they print. The remembered passwords are forgotten before each case, so each message
is judged on its own.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from claimsdb import config
from claimsdb.cli import main

SECRET = "S3cr3tPw"
UNREACHABLE = "127.0.0.1:1"  # nothing listens on port 1: the connection is refused
SHAPES = [
    f"postgres:{SECRET}@db.invalid/claims",
    f"postgresql:{SECRET}@{UNREACHABLE}/claims",
    f"postgresql+psycopg:user:{SECRET}@{UNREACHABLE}/claims",
    f"postgresql://user:{SECRET}@{UNREACHABLE}/claims",
    f"postgres://user:{SECRET}@{UNREACHABLE}/claims",
    f"postgresql+psycopg://user:{SECRET}@{UNREACHABLE}",
    f"postgresql://user@{UNREACHABLE}/claims?password={SECRET}",
    f"postgresql://user@{UNREACHABLE}/claims?sslmode=disable&password={SECRET}",
    f"postgresql://user:{quote(SECRET + '@/:?')}@{UNREACHABLE}/claims",
    f"postgresql://user:{SECRET}/x@{UNREACHABLE}/claims",
    f"postgresql://user:{SECRET}@db@{UNREACHABLE}/claims",
    f"postgresql://:{SECRET}@{UNREACHABLE}/claims",
    f"postgresql://user:{SECRET}@127.0.0.1:notaport/claims",
    f"postgresql://user:{SECRET}@[::1/claims",
    f"postgresql://user:{SECRET}@127.0.0.1/claims?sslmode=bogus",
    f"postgresql://user:{SECRET}@127.0.0.1/claims?connect_timeout=abc",
    f"postgresql://user:{SECRET}@127.0.0.1/claims?nosuchoption=1",
    f"postgresql://user@127.0.0.1/claims?sslmode=bogus&password={SECRET}",
    f"postgresql+psycopg2://user:{SECRET}@{UNREACHABLE}/claims",
    f"mysql://user:{SECRET}@{UNREACHABLE}/claims",
    f"nosuchdialect://user:{SECRET}@{UNREACHABLE}/claims",
    f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:5432/claimsdb_no_such_database",
]


def secret_forms(secret: str = SECRET) -> list[str]:
    return [secret, quote(secret, safe="")]


@pytest.fixture(autouse=True)
def forget_passwords():
    getattr(config, "_remembered", set()).clear()
    yield
    getattr(config, "_remembered", set()).clear()


def run(argv: list[str], env: dict | None = None):
    result = CliRunner().invoke(main, argv, env=env)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), result.exception
    return result


@pytest.mark.parametrize("url", SHAPES)
@pytest.mark.parametrize("command", [["statements"], ["init"], ["check"]])
def test_item_7_no_password_in_any_message_for_db(url, command):
    """Issue 11 item 7: --db in any URL shape: a one-line error without the password."""
    result = run(["--db", url, *command])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: "), result.output
    for form in secret_forms():
        assert form not in result.output


@pytest.mark.parametrize("url", SHAPES)
def test_item_7_no_password_in_any_message_for_copy_to(url, tmp_path):
    """Issue 11 item 7: copy --to in any URL shape."""
    source = tmp_path / "source.db"
    assert run(["--db", str(source), "init"]).exit_code == 0
    getattr(config, "_remembered", set()).clear()
    result = run(["--db", str(source), "copy", "--to", url])
    assert result.exit_code == 1, result.output
    for form in secret_forms():
        assert form not in result.output


@pytest.mark.parametrize("url", SHAPES[:8])
def test_item_7_no_password_from_the_environment(url):
    """Issue 11 item 7: the same, with the URL in $CLAIMSDB_DB."""
    result = run(["statements"], env={"CLAIMSDB_DB": url})
    assert result.exit_code == 1
    assert SECRET not in result.output


def test_item_25c_a_bad_sslmode_is_reported_as_such():
    """Issue 11 item 25c: an invalid option is the driver's real complaint, not
    'cannot reach the server'."""
    result = run(["--db", f"postgresql://user:{SECRET}@127.0.0.1/claims?sslmode=bogus",
                  "statements"])
    assert result.exit_code == 1
    assert "invalid sslmode value" in result.output
    assert "cannot reach" not in result.output
    assert SECRET not in result.output
    bad_key = run(["--db", "postgresql://user@127.0.0.1/claims?nosuchoption=1", "statements"])
    assert bad_key.exit_code == 1 and "Traceback" not in bad_key.output
    assert 'invalid connection option "nosuchoption"' in bad_key.output


@pytest.mark.parametrize("backend", ["postgresql"])  # a password is a server's
def test_item_7_a_working_database_is_named_without_its_password(empty_db, backend):
    """Issue 11 item 7: messages of a successful command (init's) hide a password given
    in the query string, which SQLAlchemy's own rendering shows."""
    url = make_url(empty_db)
    with_password = url.set(password=SECRET).render_as_string(hide_password=False)
    in_query = url.update_query_dict({"password": SECRET}).render_as_string(
        hide_password=False)
    assert run(["--db", with_password, "init"]).exit_code == 0  # the server trusts anyone
    for target in (with_password, in_query):
        getattr(config, "_remembered", set()).clear()
        result = run(["--db", target, "init"])
        assert result.exit_code == 0, result.output
        assert SECRET not in result.output
        assert "up to date" in result.output


PASSWORDS = st.text(alphabet=st.characters(codec="ascii", exclude_characters=" \t\r\n\x0b\x0c"),
                    min_size=4, max_size=20).filter(lambda p: p.isprintable())


@settings(max_examples=300, deadline=None)
@given(password=PASSWORDS, shape=st.sampled_from([
    "postgresql+psycopg://user:{p}@host/db", "postgres:{p}@host/db", "postgres:user:{p}@host/db",
    "postgresql://user@host/db?password={q}", "host=h password='{p}' user=u",
    "postgresql://user:{q}@host:5432/db?sslmode=require"]))
def test_item_7_redaction_hides_any_password_in_a_message(password, shape):
    """Issue 11 item 7 (property): whatever the password (any printable characters,
    percent-encoded in the URL or not), neither it nor its encoding is left in a
    message quoting the URL, by pattern alone and given the URL."""
    encoded = quote(password, safe="")
    url = shape.format(p=password if "{q}" not in shape else encoded, q=encoded)
    before, after = "cannot reach the PostgreSQL server for ", ": connection refused"
    message = before + url + after
    if "'" not in password and "@" not in password:
        # Where the shape is unambiguous, the patterns alone hide it.
        hidden = config.redact(message)
        assert f":{password}@" not in hidden and f"={password}" not in hidden
    hidden = config.redact(message, url)
    # The message's own words may hold a password drawn at random ('serv' is in
    # "server"): it may be there as often as they hold it, no more.
    for form in (password, encoded):
        if len(form) >= 4:
            assert hidden.replace(config.MASK, "\0").count(form) <= \
                (before + after).count(form), (form, hidden)

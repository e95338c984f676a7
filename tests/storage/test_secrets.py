"""Passwords never reach users' eyes: not in error messages, not in the URL shown."""

from __future__ import annotations

import traceback

import pytest

from annotator.cli import main
from annotator.core.errors import DatabaseError
from annotator.core.model import Document
from annotator.storage import Database, open_database, repo
from annotator.storage.engine import scrub

SECRET = "Zq9-hunter2-secret"


def _all_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://alice:{SECRET}@db.example:notaport/team",
        f"alice:{SECRET}@db.example/team",
        f"nosuchdb+driver://alice:{SECRET}@db.example/team",
    ],
)
def test_bad_url_does_not_echo_the_password(url: str) -> None:
    with pytest.raises(DatabaseError) as err:
        Database(url)
    assert SECRET not in _all_text(err.value)
    assert "alice" in str(err.value)


def test_unreachable_server_error_is_scrubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "2")
    url = f"postgresql+psycopg://alice:{SECRET}@127.0.0.1:1/team"
    with pytest.raises(DatabaseError) as err:
        open_database(url)
    assert SECRET not in str(err.value)
    assert "127.0.0.1" in str(err.value) and "***" in str(err.value)


@pytest.mark.postgres
def test_wrong_password_via_cli_is_reported_without_it(
    pg_server: object, pg_database: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = pg_server.user_url("postgres", SECRET, pg_database[0])  # type: ignore[attr-defined]
    assert main(["--db", url, "stats"]) == 1
    err = capsys.readouterr().err
    assert "password authentication failed" in err and SECRET not in err


def test_statement_parameters_are_not_rendered_in_errors(db_url: str) -> None:
    db = open_database(db_url)
    db.write(lambda s: repo.add_document(s, Document(text="x", content_hash="h1")))
    again = Document(text="x", content_hash="h1", title=SECRET)
    with pytest.raises(DatabaseError, match=r"(?i)unique") as err:  # content_hash taken
        db.write(lambda s: repo.add_document(s, again))
    # The title was only a statement parameter: SQLAlchemy must not render it anywhere.
    assert SECRET not in _all_text(err.value)
    assert "parameters hidden" in _all_text(err.value)


def test_scrub_masks_url_env_and_keyword_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPASSWORD", "env-Secret-77")
    text = (
        f"failed for postgresql://bob:{SECRET}@h/db password={SECRET} "
        "password='a b' and env-Secret-77"
    )
    out = scrub(text, url=f"postgresql://bob:{SECRET}@h/db")
    assert SECRET not in out and "env-Secret-77" not in out and "a b" not in out
    assert "bob" in out


# --- every command, every way a password can be given -----------------------------------

_FORMS = {
    "userinfo": lambda host: (f"postgresql+psycopg://alice:{SECRET}@{host}/team", {}),
    "query": lambda host: (f"postgresql+psycopg://alice@{host}/team?password={SECRET}", {}),
    "query-sslpassword": lambda host: (
        f"postgresql+psycopg://alice@{host}/team?sslpassword={SECRET}&password={SECRET}x",
        {},
    ),
    "PGPASSWORD": lambda host: (f"postgresql+psycopg://alice@{host}/team", {"PGPASSWORD": SECRET}),
}
_COMMANDS = [
    ["backup", "list"],
    ["backup", "create"],
    ["backup", "restore"],
    ["stats"],
    ["labels", "list"],
    ["export", "--format", "jsonl", "-o", "out.jsonl"],
    ["server", "init"],
]


@pytest.mark.parametrize("form", sorted(_FORMS))
@pytest.mark.parametrize("command", _COMMANDS, ids=lambda c: "-".join(c[:2]))
def test_no_command_shows_a_password_however_it_was_given(
    form: str,
    command: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: object,
) -> None:
    from annotator.log import log_file

    monkeypatch.setenv("PGCONNECT_TIMEOUT", "2")
    monkeypatch.chdir(str(tmp_path))
    url, env = _FORMS[form]("127.0.0.1:1")  # nothing listens there: every command fails
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert main(["--db", url, *command]) != 0
    out = capsys.readouterr()
    shown = out.out + out.err
    assert "alice" in shown or "127.0.0.1" in shown  # the message says which database
    assert SECRET not in shown
    logged = log_file().read_text(errors="replace") if log_file().exists() else ""
    assert SECRET not in logged


def test_display_url_hides_query_passwords() -> None:
    from annotator.storage.engine import display_url

    shown = display_url(f"postgresql+psycopg://alice@h/db?password={SECRET}&sslmode=require")
    assert SECRET not in shown and "sslmode=require" in shown and "alice@h" in shown

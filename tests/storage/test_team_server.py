"""Team server on PostgreSQL: each person logs in with their own role and the server, not
the client, decides whose spans they may write (row-level security and grants)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from annotator.cli import main
from annotator.core.errors import DatabaseError, PermissionDeniedError
from annotator.core.model import GOLD_ANNOTATOR, Document
from annotator.core.text import content_hash
from annotator.services import Workspace
from annotator.services.team import TeamServerService
from annotator.storage import open_database, repo

pytestmark = pytest.mark.postgres

TEXT = "Troops crossed the river while envoys met in Geneva to discuss sanctions."


@dataclass
class Team:
    server: object
    dbname: str
    owner_url: str
    doc: int

    def url(self, role: str) -> str:
        return self.server.user_url(role, f"pw-{role}-Secret!", self.dbname)  # type: ignore[attr-defined]

    def open(self, role: str) -> Workspace:
        return Workspace.open(self.url(role))


def _role_exists(server: object, role: str) -> bool:
    with psycopg.connect(
        host=str(server.root),  # type: ignore[attr-defined]
        port=server.port,  # type: ignore[attr-defined]
        user="postgres",
        dbname="postgres",
    ) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            is not None
        )


@pytest.fixture
def team(pg_server: object, pg_database: tuple[str, str]) -> Iterator[Team]:
    dbname, owner_url = pg_database
    admin = TeamServerService.connect(owner_url)
    admin.init()
    admin.init()  # idempotent: re-run after every upgrade
    for role, adj, lead in (
        ("alice", False, False),
        ("bob", False, False),
        ("carol", True, False),
        ("lena", False, True),
    ):
        # Roles belong to the whole cluster: the first test creates them, later ones reuse.
        exists = _role_exists(pg_server, role)
        admin.add_user(
            role,
            None if exists else f"pw-{role}-Secret!",
            adjudicator=adj,
            lead=lead,
            existing_role=exists,
        )
    db = open_database(owner_url)
    doc = db.write(
        lambda s: repo.add_document(s, Document(text=TEXT, content_hash=content_hash(TEXT)))
    )
    db.dispose()
    yield Team(pg_server, dbname, owner_url, doc)


def _owner_view(team: Team, span_id: int) -> tuple[int, int, str, str]:
    db = open_database(team.owner_url)
    try:
        sp = db.read(lambda s: repo.get_span(s, span_id))
        return sp.start, sp.end, sp.label, sp.note
    finally:
        db.dispose()


def test_annotator_cannot_change_or_delete_someone_elses_span(team: Team) -> None:
    bob, alice = team.open("bob"), team.open("alice")
    bobs, _ = bob.annotations.add(
        team.doc, start=0, end=6, label="MILITARY", annotator="bob", note="b"
    )
    before = _owner_view(team, bobs.id)

    with pytest.raises(PermissionDeniedError, match="only your own"):
        alice.annotations.update(bobs.id, note="mine now")
    with pytest.raises(PermissionDeniedError, match="permission denied"):
        # Handing the span to herself is refused too: annotator_id is not updatable.
        alice.db.write(
            lambda s: s.get(repo.SpanRow, bobs.id).__setattr__("annotator_id", 1) or s.flush()
        )
    with pytest.raises(PermissionDeniedError, match="only your own"):
        alice.annotations.delete(bobs.id)
    with pytest.raises(PermissionDeniedError):
        alice.annotations.add(team.doc, start=7, end=14, label="MILITARY", annotator="bob")
    assert _owner_view(team, bobs.id) == before

    # The refusal is the server's: raw SQL as alice changes nothing either.
    with psycopg.connect(team.url("alice").replace("postgresql+psycopg", "postgresql")) as conn:
        # No DELETE privilege at all (it would let her LOCK the table); UPDATE sees only hers.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM spans WHERE id = %s", (bobs.id,))
        conn.rollback()
        assert conn.execute("UPDATE spans SET note = 'x' WHERE id = %s", (bobs.id,)).rowcount == 0
    assert _owner_view(team, bobs.id) == before
    alice.close()
    bob.close()


def test_annotator_edits_own_spans_and_status(team: Team) -> None:
    alice = team.open("alice")
    mine, _ = alice.annotations.add(team.doc, start=0, end=6, label="MILITARY", annotator="alice")
    alice.annotations.update(mine.id, note="checked", label="DIPLOMATIC")
    assert _owner_view(team, mine.id) == (0, 6, "DIPLOMATIC", "checked")
    assert {sp.annotator for sp in alice.annotations.spans(team.doc)} == {"alice"}
    alice.annotations.delete(mine.id)
    assert alice.annotations.spans(team.doc) == []
    alice.close()


def test_only_adjudicators_write_gold(team: Team) -> None:
    carol, alice = team.open("carol"), team.open("alice")
    gold, _ = carol.annotations.add(
        team.doc, start=19, end=24, label="MILITARY", annotator=GOLD_ANNOTATOR
    )
    carol.annotations.update(gold.id, note="adjudicated")
    with pytest.raises(PermissionDeniedError):
        alice.annotations.add(team.doc, start=0, end=6, label="MILITARY", annotator=GOLD_ANNOTATOR)
    with pytest.raises(PermissionDeniedError):
        alice.annotations.update(gold.id, note="overruled")
    with pytest.raises(PermissionDeniedError):
        alice.annotations.delete(gold.id)
    # Adjudicators are annotators too, but not of other people's layers.
    bobs, _ = team.open("bob").annotations.add(
        team.doc, start=0, end=6, label="MILITARY", annotator="bob"
    )
    with pytest.raises(PermissionDeniedError):
        carol.annotations.delete(bobs.id)
    assert _owner_view(team, gold.id)[3] == "adjudicated"


def test_documents_and_labels_are_written_by_leads_only(team: Team) -> None:
    alice, lena = team.open("alice"), team.open("lena")
    assert [lab.name for lab in alice.labels.list()] == ["MILITARY", "DIPLOMATIC", "ECONOMIC"]
    with pytest.raises(PermissionDeniedError):
        alice.labels.add("ENERGY")
    with pytest.raises(PermissionDeniedError):
        alice.documents.delete(team.doc)
    lena.labels.add("ENERGY")
    bobs, _ = team.open("bob").annotations.add(
        team.doc, start=0, end=6, label="ENERGY", annotator="bob"
    )
    lena.annotations.update(bobs.id, note="lead fixed it")  # leads may correct anyone
    assert "ENERGY" in [lab.name for lab in alice.labels.list()]


def test_plain_user_cannot_migrate(team: Team) -> None:
    db = open_database(team.owner_url)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    db.dispose()
    with pytest.raises(DatabaseError, match=r"only its owner may run.*server init"):
        team.open("alice")


def test_cli_add_user_reads_password_from_stdin_and_never_shows_it(
    pg_server: object,
    pg_database: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dbname, owner_url = pg_database
    assert main(["server", "init", "--db", owner_url]) == 0
    secret = "Very-s3cret pass"
    monkeypatch.setattr("sys.stdin", io.StringIO(secret + "\n"))
    assert main(["--db", owner_url, "server", "add-user", "dora", "--password-stdin"]) == 0
    out = capsys.readouterr()
    assert secret not in out.out + out.err
    url = pg_server.user_url("dora", secret, dbname)  # type: ignore[attr-defined]
    ws = Workspace.open(url)
    assert [a.name for a in ws.documents.annotators()] == ["dora", GOLD_ANNOTATOR]
    ws.close()
    # Only a SCRAM hash went to the server: not in pg_authid in clear, not in its log.
    with psycopg.connect(
        host=str(pg_server.root),
        port=pg_server.port,
        user="postgres",  # type: ignore[attr-defined]
        dbname=dbname,
    ) as conn:
        stored = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname='dora'").fetchone()
    assert stored is not None and stored[0].startswith("SCRAM-SHA-256$")
    log = pg_server.logfile.read_text(errors="replace")  # type: ignore[attr-defined]
    assert 'CREATE ROLE "dora" LOGIN' in log and "PASSWORD 'SCRAM-SHA-256$" in log
    assert secret not in log
    # A wrong password is refused, and the message does not echo it either.
    bad = pg_server.user_url("dora", "wrong-Guess-42", dbname)  # type: ignore[attr-defined]
    with pytest.raises(DatabaseError) as err:
        Workspace.open(bad)
    assert "wrong-Guess-42" not in str(err.value) and "password authentication failed" in str(
        err.value
    )

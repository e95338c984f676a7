"""The span counts SQLite keeps by triggers (schema 0016) always equal a live count:
after tagging, bulk imports, relabelling, deleting spans and whole documents, and after
the migration itself on a populated file (issue 26: ``stats`` reads them)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config

from annotator.core.model import Document
from annotator.core.text import content_hash
from annotator.services import Workspace
from annotator.storage import Database, repo
from annotator.storage.migrate import MIGRATIONS_DIR


def _kept_and_counted(path: Path) -> tuple[object, object]:
    con = sqlite3.connect(path)
    try:
        q = [
            (
                "SELECT document_id, annotator_id, n FROM span_tally_document WHERE n > 0",
                "SELECT document_id, annotator_id, count(*) FROM spans GROUP BY 1, 2",
            ),
            (
                "SELECT label_id, annotator_id, n FROM span_tally_label WHERE n > 0",
                "SELECT label_id, annotator_id, count(*) FROM spans GROUP BY 1, 2",
            ),
        ]
        kept = [sorted(con.execute(a).fetchall()) for a, _b in q]
        counted = [sorted(con.execute(b).fetchall()) for _a, b in q]
        return kept, counted
    finally:
        con.close()


def _doc(ws: Workspace, text: str) -> int:
    doc = Document(text=text, title=text[:10], content_hash=content_hash(text))
    return ws.db.write(lambda s: repo.add_document(s, doc))


def test_counts_follow_every_kind_of_change(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    ws = Workspace.open(f"sqlite:///{path}")
    try:
        for name in ("ECONOMIC", "OTHER"):
            if name not in {lab.name for lab in ws.labels.list()}:
                ws.labels.add(name)
        a, b = _doc(ws, "alpha " * 50), _doc(ws, "beta " * 50)
        spans = [
            ws.annotations.add(a, start=k, end=k + 3, label=lab, annotator=who)
            for k, (lab, who) in enumerate(
                [("MILITARY", "ann"), ("MILITARY", "bob"), ("ECONOMIC", "ann"), ("OTHER", "cy")]
            )
        ]
        # The keyboard's path (the length known: two driver statements), twice: the
        # second is a duplicate that ON CONFLICT DO NOTHING skips, and must not count.
        for _ in range(2):
            ws.annotations.add(
                b, start=0, end=4, label="MILITARY", annotator="bob", document_length=250
            )
        assert len(ws.annotations.spans(b)) == 1
        src = tmp_path / "in.jsonl"
        src.write_text(
            json.dumps(
                {
                    "id": "c",
                    "text": "gamma " * 100,
                    "spans": [
                        {"start": i, "end": i + 2, "label": "ECONOMIC", "annotator": "dee"}
                        for i in range(0, 300, 3)
                    ],
                }
            )
            + "\n",
            encoding="utf-8",
        )
        assert not ws.importer.import_paths([src]).errors
        kept, counted = _kept_and_counted(path)
        assert kept == counted and sum(n for *_k, n in counted[0]) == 105

        first = spans[0][0] if isinstance(spans[0], tuple) else spans[0]
        ws.annotations.update(first.id, label="OTHER")  # relabelled: one pair down, one up
        ws.annotations.update(first.id, note="a note only")  # no count changes
        second = spans[1][0] if isinstance(spans[1], tuple) else spans[1]
        ws.annotations.delete(second.id)
        assert _kept_and_counted(path)[0] == _kept_and_counted(path)[1]

        ws.documents.delete(a)  # its spans go by cascade, and its rows with them
        kept, counted = _kept_and_counted(path)
        assert kept == counted
        con = sqlite3.connect(path)
        assert con.execute(
            "SELECT count(*) FROM span_tally_document WHERE document_id = ?", (a,)
        ).fetchone() == (0,)
        con.close()

        stats = ws.documents.stats()
        assert stats["spans"]["total"] == 101
        assert {d["id"]: d["spans"] for d in stats["documents"]} == {b: 1, b + 1: 100}
        assert stats["spans"]["by_annotator"] == {"bob": 1, "dee": 100}
        usage = {lab.name: ws.labels.usage(lab.name) for lab in ws.labels.list()}
        assert {k: v for k, v in usage.items() if v} == {"MILITARY": 1, "ECONOMIC": 100}
    finally:
        ws.close()


def test_the_migration_counts_what_a_populated_file_holds(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = Database(f"sqlite:///{path}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db._write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0015")
    db.dispose()
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO annotators (id, name, kind, created_at) VALUES"
        " (1, 'ann', 'human', '2026-01-01'), (2, 'bob', 'human', '2026-01-01')"
    )
    labels = [r[0] for r in con.execute("SELECT id FROM labels ORDER BY id")]
    for d in (1, 2, 3):
        con.execute(
            "INSERT INTO documents (id, external_id, title, source, author, url, text, length, "
            "content_hash, source_path, source_sha256, meta, created_at) "
            "VALUES (?, '', '', '', '', '', 'x', 100, ?, '', '', '{}', '2026-01-01')",
            (d, f"h{d}"),
        )
    rows = [
        (d, 1 + (k % 2), labels[k % len(labels)], k, k + 1) for d in (1, 3) for k in range(7 * d)
    ]
    con.executemany(
        'INSERT INTO spans (document_id, annotator_id, label_id, start, "end", note, origin, '
        "decided_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, '', 'imported', '', '2026-01-01', '2026-01-01')",
        rows,
    )
    con.commit()
    con.close()
    ws = Workspace.open(f"sqlite:///{path}")  # upgrades to head
    try:
        kept, counted = _kept_and_counted(path)
        assert kept == counted and sum(n for *_k, n in kept[0]) == 28
        stats = ws.documents.stats()
        assert [d["spans"] for d in stats["documents"]] == [7, 0, 21]
    finally:
        ws.close()


def test_annotator_check_counts_again_what_drifted(tmp_path: Path, capsys, monkeypatch) -> None:
    """The counts are derived: if they ever differ from the spans (a trigger dropped by
    hand, a file edited by another tool), ``annotator check`` says so and counts again;
    stats is right after it, and the next check finds nothing to do."""
    from annotator import cli, paths

    monkeypatch.setenv(paths.ENV_DATA_DIR, str(tmp_path / "data"))
    monkeypatch.setenv(paths.ENV_CONFIG_DIR, str(tmp_path / "config"))
    path = tmp_path / "p.sqlite3"
    url = f"sqlite:///{path}"
    ws = Workspace.open(url)
    try:
        doc = _doc(ws, "alpha " * 50)
        for k in range(3):
            ws.annotations.add(doc, start=k, end=k + 3, label="MILITARY", annotator="ann")
    finally:
        ws.close()
    con = sqlite3.connect(path)
    con.execute("UPDATE span_tally_document SET n = n + 5")
    con.execute("DELETE FROM span_tally_label")
    con.commit()
    con.close()
    kept, counted = _kept_and_counted(path)
    assert kept != counted

    assert cli.main(["--db", url, "check"]) == 0
    out = capsys.readouterr().out
    assert "counted again" in out and "in 3 place(s)" in out, out
    kept, counted = _kept_and_counted(path)
    assert kept == counted
    assert cli.main(["--db", url, "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert [d["spans"] for d in stats["documents"]] == [3]
    assert cli.main(["--db", url, "check"]) == 0
    assert "counted again" not in capsys.readouterr().out

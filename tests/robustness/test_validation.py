"""Bad input never sinks good input: one bad field refuses its file alone, named with
file and line, and whatever is stored goes out again in every format."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from pathlib import Path

import pytest

from annotator.core.errors import AnnotatorError
from annotator.formats.registry import EXPORTERS
from annotator.services import Workspace


def _line(**fields: object) -> str:
    rec: dict[str, object] = {
        "id": "doc",
        "text": "Tanks moved at dawn.",
        "spans": [{"start": 0, "end": 5, "label": "MILITARY"}],
    }
    rec.update(fields)
    return json.dumps(rec)  # ensure_ascii: "\ud800" travels as a JSON escape


HUGE = "1" * 5000  # more digits than int() converts (4,300)
BAD_RECORDS = {
    "surrogate in id": _line(id="a\ud800b"),
    "surrogate in title": _line(meta={"title": "x\udfff"}),
    "surrogate in meta key": _line(meta={"k\ud800": 1}),
    "surrogate in meta value": _line(meta={"k": ["ok", "\udc80"]}),
    "surrogate in annotator": _line(
        spans=[{"start": 0, "end": 5, "label": "MILITARY", "annotator": "a\ud800"}]
    ),
    "surrogate in note": _line(
        spans=[{"start": 0, "end": 5, "label": "MILITARY", "note": "n\ud800"}]
    ),
    "control char in label": _line(spans=[{"start": 0, "end": 5, "label": "MIL\nITARY"}]),
    "control char in annotator": _line(
        spans=[{"start": 0, "end": 5, "label": "MILITARY", "annotator": "a\x1bb"}]
    ),
    "huge integer": '{"id": "doc", "text": "Tanks.", "meta": {"n": ' + HUGE + "}}",
    "integer beyond 64 bits": _line(meta={"n": 2**70}),
    "infinite number": '{"id": "doc", "text": "Tanks.", "meta": {"n": Infinity}}',
}


@pytest.mark.parametrize("case", BAD_RECORDS, ids=list(BAD_RECORDS))
def test_bad_field_refuses_its_file_alone(workspace: Workspace, tmp_path: Path, case: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_good.jsonl").write_text(_line(id="g1", text="First good.") + "\n")
    bad = folder / "b_bad.jsonl"
    bad.write_text(_line(id="ok", text="Fine line.") + "\n" + BAD_RECORDS[case] + "\n")
    (folder / "c_good.jsonl").write_text(_line(id="g2", text="Second good.") + "\n")
    report = workspace.importer.import_paths([folder], create_labels=True)
    (err,) = report.errors
    assert f"{bad}:2:" in str(err), str(err)  # file and line
    assert report.documents_added == 2 == workspace.documents.count()
    assert "1 file(s) refused" in report.summary()
    assert "a_good.jsonl" in report.summary() and "c_good.jsonl" in report.summary()
    assert not any("\n" in lab.name for lab in workspace.labels.list())


def test_label_with_control_characters_is_not_created(workspace: Workspace) -> None:
    with pytest.raises(AnnotatorError, match="control character"):
        workspace.labels.add("MIL\x07ITARY")
    with pytest.raises(AnnotatorError, match="lone surrogate"):
        workspace.labels.add("X\ud800")


def test_non_utf8_file_name_imports_with_a_readable_name(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    raw = os.path.join(os.fsencode(folder), b"caf\xe9.txt")
    with open(raw, "wb") as fh:
        fh.write(b"An article about grain exports.\n")
    (folder / "fine.txt").write_text("Another article.\n")
    report = workspace.importer.import_paths([folder])
    assert not report.errors and report.documents_added == 2
    report.summary().encode("utf-8")  # printable: no lone surrogates left
    stored = {d.title for d in workspace.documents.list()} | {
        d.source_path for d in (workspace.documents.get(s.id) for s in workspace.documents.list())
    }
    assert any("\\xe9" in t for t in stored), stored


def test_devices_pipes_sockets_refused_by_name(workspace: Workspace, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)  # no writer: opening it would block forever
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")  # reading it would never end
    sock_path = tmp_path / "s.jsonl"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    good = tmp_path / "good.jsonl"
    good.write_text(_line() + "\n")
    try:
        report = workspace.importer.import_paths([fifo, zero, sock_path, good])
    finally:
        sock.close()
    errors = {str(e) for e in report.errors}
    assert any(str(fifo) in e and "pipe" in e for e in errors), errors
    assert any(str(zero) in e and "device" in e for e in errors), errors
    assert any(str(sock_path) in e and "socket" in e for e in errors), errors
    assert report.documents_added == 1


def test_pipe_inside_a_folder_is_named_too(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "stuck.jsonl")
    (folder / "good.jsonl").write_text(_line() + "\n")
    report = workspace.importer.import_paths([folder])
    (err,) = report.errors
    assert "stuck.jsonl" in str(err) and "not a regular file" in str(err)
    assert report.documents_added == 1


@pytest.mark.parametrize("name", ["empty.jsonl", "blank.jsonl", "empty.conll", "empty.json"])
def test_empty_files_are_refused(workspace: Workspace, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("\n\n" if name.startswith("blank") else "")
    (err,) = workspace.importer.import_paths([path]).errors
    assert str(path) in str(err) and "empty" in str(err)


def test_unreadable_subfolder_is_reported(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "x.jsonl").write_text(_line() + "\n")
    (folder / "good.jsonl").write_text(_line(id="g", text="Good one.") + "\n")
    real = os.scandir

    def scandir(path: object = ".") -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)  # root ignores chmod 000
    report = workspace.importer.import_paths([folder])
    (err,) = report.errors
    assert "locked" in str(err) and "Permission denied" in str(err)
    assert report.documents_added == 1


def _legacy_db(workspace: Workspace) -> None:
    """A surrogate an older version let into meta: stored raw, past every check."""
    path = workspace.db.sqlite_path
    assert path is not None
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO documents (external_id, title, source, author, url, text, length, "
        "content_hash, source_path, source_sha256, meta, created_at) VALUES "
        "('old', '', '', '', '', 'Old text.', 9, 'h', '', '', ?, '2026-01-01')",
        ('{"k\\ud800": 1}',),
    )
    con.commit()
    con.close()


@pytest.mark.parametrize("exporter", EXPORTERS, ids=lambda c: c.NAME)
def test_legacy_unexportable_value_is_named_not_crashed_on(
    workspace: Workspace, tmp_path: Path, exporter: type
) -> None:
    _legacy_db(workspace)
    dest = tmp_path / ("out" if exporter.MULTI_FILE else f"out{exporter.EXTENSIONS[0]}")  # type: ignore[attr-defined]
    with pytest.raises(AnnotatorError, match=r"'old' cannot be exported.*lone surrogate"):
        workspace.exporter.export(exporter.NAME, dest)  # type: ignore[attr-defined]
    assert not dest.exists()


def test_pipe_inside_a_brat_folder_is_refused_unread(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text("Tanks moved.")
    os.mkfifo(folder / "a.ann")
    (err,) = workspace.importer.import_paths([folder], format="brat").errors
    assert "a.ann" in str(err) and "pipe" in str(err)


def _big_file(path: Path, docs: int) -> None:
    lines = [_line(id=f"d{i}", text=f"Document number {i} here.") for i in range(docs)]
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def tiny_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.services import import_write

    monkeypatch.setattr(import_write, "BATCH_ROWS", 40)
    monkeypatch.setattr(import_write, "MIN_ROWS", 10**9)  # keep the batch size fixed
    monkeypatch.setattr(import_write, "SHORT_PAUSE_S", 0.0)


def test_big_file_in_several_transactions_lands_whole(
    workspace: Workspace, tmp_path: Path, tiny_batches: None
) -> None:
    big = tmp_path / "big.jsonl"
    _big_file(big, 100)  # 200 rows: five transactions of 40
    report = workspace.importer.import_paths([big])
    assert not report.errors and report.documents_added == 100 == workspace.documents.count()
    assert report.spans_added == 100


def test_cancel_inside_a_big_file_takes_it_back(
    workspace: Workspace, tmp_path: Path, tiny_batches: None
) -> None:
    small = tmp_path / "a_small.jsonl"
    small.write_text(_line(id="s", text="Small file first.") + "\n")
    big = tmp_path / "b_big.jsonl"
    _big_file(big, 100)
    calls = iter(range(100))
    report = workspace.importer.import_paths([small, big], cancel=lambda: next(calls) >= 3)
    assert report.cancelled
    assert [
        d.title or d.id for d in workspace.documents.list()
    ] and workspace.documents.count() == 1


def test_failure_inside_a_big_file_takes_it_back(
    workspace: Workspace, tmp_path: Path, tiny_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.core.errors import DatabaseError
    from annotator.services import import_write

    real = import_write.store_batch
    calls = iter(range(100))

    def flaky(s: object, items: object) -> object:
        if next(calls) == 2:
            raise DatabaseError("disk I/O error")
        return real(s, items)  # type: ignore[arg-type]

    monkeypatch.setattr(import_write, "store_batch", flaky)
    big = tmp_path / "big.jsonl"
    _big_file(big, 100)
    (err,) = workspace.importer.import_paths([big]).errors
    assert "disk I/O error" in str(err)
    assert workspace.documents.count() == 0  # the two committed batches were taken back

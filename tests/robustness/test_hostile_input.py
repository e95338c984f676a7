"""Files from outside: size limits, endless lines, deep nesting, escaping file names,
and exports that are all-or-nothing for every registered exporter."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.core.model import Document, Span
from annotator.core.text import content_hash
from annotator.formats import jsonl
from annotator.formats.base import ExportReport, safe_child
from annotator.formats.registry import EXPORTERS
from annotator.services import Workspace


def test_file_over_the_size_limit_is_refused_unread(workspace: Workspace, tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:
        fh.truncate(3 * 1024 * 1024)  # sparse: 3 MB of NULs, never read
    workspace.importer.max_file_bytes = 2 * 1024 * 1024
    report = workspace.importer.import_paths([big])
    (err,) = report.errors
    assert str(big) in str(err) and "import limit" in str(err) and "max_import_mb" in str(err)
    assert workspace.documents.count() == 0


def test_settings_max_import_mb_reaches_the_import_service(tmp_path: Path) -> None:
    from annotator.app import open_workspace
    from annotator.settings import Settings

    ws = open_workspace(f"sqlite:///{tmp_path / 'x.sqlite3'}", settings=Settings(max_import_mb=3))
    assert ws.importer.max_file_bytes == 3 * 1024 * 1024
    ws.close()


def test_endless_jsonl_line_is_refused_with_bounded_reading(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", 1000)
    path = tmp_path / "long.jsonl"
    path.write_text('{"text": "ok"}\n' + '{"text": "' + "x" * 5000 + '"}\n', encoding="utf-8")
    (err,) = workspace.importer.import_paths([path]).errors
    assert f"{path}:2:" in str(err) and "too long" in str(err)
    assert workspace.documents.count() == 0


@pytest.mark.parametrize("depth", [50, 900, 3000, 200_000])
def test_deeply_nested_json_never_crashes(workspace: Workspace, tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.jsonl"
    nested = "[" * depth + "]" * depth
    path.write_text('{"text": "Deep meta.", "meta": {"x": ' + nested + "}}\n", encoding="utf-8")
    report = workspace.importer.import_paths([path])
    if report.errors:
        assert "nested too deeply" in str(report.errors[0])
        assert workspace.documents.count() == 0
    else:  # shallow enough to store: it must also export
        out = tmp_path / "out.jsonl"
        workspace.exporter.export("jsonl", out)
        assert json.loads(out.read_text(encoding="utf-8"))["text"] == "Deep meta."


HOSTILE_NAMES = [
    "../../etc/passwd",
    "..",
    ".",
    "/etc/passwd",
    "C:\\Windows\\system32\\config",
    "\\\\server\\share\\x",
    "a\x00b",
    "x" * 5000,
    "CON",
    "nul.txt",
    "com1.jsonl",
    "LPT9",
    "trailing. . .",
    "",
    "../" * 50 + "x",
    "ok/../../../x",
    "😀" * 300,
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_safe_child_never_escapes_the_folder(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    child = safe_child(folder, name)
    assert child.parent == folder.resolve()
    assert "\x00" not in child.name and "/" not in child.name and "\\" not in child.name
    assert len(child.name.encode()) <= 255
    assert child.name.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT9"}
    child.write_text("x", encoding="utf-8")  # a name the OS accepts
    assert sorted(p.name for p in folder.iterdir()) == [child.name]


def _items(n: int, *, fail_at: int | None = None) -> Iterator[tuple[Document, list[Span]]]:
    for i in range(n):
        if i == fail_at:
            raise RuntimeError("disk pulled out")
        text = f"Document {i} text."
        yield (
            Document(text=text, content_hash=content_hash(text), id=i + 1, title=f"../t{i}"),
            [Span(id=i + 1, document_id=i + 1, start=0, end=8, label="MILITARY", annotator="a")],
        )


@pytest.mark.parametrize("exporter", EXPORTERS, ids=lambda c: c.NAME)
def test_failed_export_leaves_the_previous_output_untouched(exporter: Any, tmp_path: Path) -> None:
    dest = tmp_path / "exports" / ("out" if exporter.MULTI_FILE else f"out{exporter.EXTENSIONS[0]}")
    exporter().write(_items(3), dest, ExportReport(format=exporter.NAME))
    before = {p: p.read_bytes() for p in dest.parent.rglob("*") if p.is_file()}
    with pytest.raises(RuntimeError):
        exporter().write(_items(50, fail_at=30), dest, ExportReport(format=exporter.NAME))
    after = {p: p.read_bytes() for p in dest.parent.rglob("*") if p.is_file()}
    assert after == before  # the old export whole, no temp files left behind
    for p in dest.parent.rglob("*"):
        assert p.resolve().is_relative_to(dest.parent.resolve())


@pytest.mark.parametrize("exporter", EXPORTERS, ids=lambda c: c.NAME)
def test_exporters_write_through_atomic_write(
    exporter: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file an exporter writes goes to a temp name first, then os.replace."""
    replaced: list[str] = []
    real = os.replace

    def spy(src: Any, dst: Any) -> None:
        replaced.append(str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    monkeypatch.setattr(os, "rename", spy)
    dest = tmp_path / ("out" if exporter.MULTI_FILE else f"out{exporter.EXTENSIONS[0]}")
    exporter().write(_items(3), dest, ExportReport(format=exporter.NAME))
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    # Every file that ends up there arrived by a rename: its own (a single-file export)
    # or its folder's (a folder export is built aside and renamed into place whole).
    arrived = set(replaced)
    assert written and all({str(p), *map(str, p.parents)} & arrived for p in written)
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".part")]

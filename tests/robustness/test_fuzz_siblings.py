"""Fuzzing with good siblings: mutated valid files and arbitrary bytes, imported together
with a good file, through the service and through the CLI.

For every example: no exception but a report (the CLI: an exit code and one line per
refused file, never a traceback); a refused file changes nothing and names itself, and
its line in the line-based formats; the good sibling lands. At the end, whatever the
fuzzing stored is exported in every format.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from fuzz_support import snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator import cli
from annotator.core.errors import InputError
from annotator.formats.registry import EXPORTERS, IMPORTERS
from annotator.services import Workspace

FUZZ = settings(
    deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True
)
COUNTS: Counter[str] = Counter()
LINE_FORMATS = {"jsonl", "doccano", "prodigy", "conll"}
"""Formats whose records are lines: an error inside a record names its line."""
WHOLE_FILE = re.compile(r"empty|holds no documents|not valid UTF-8 \(|UTF-16|NUL bytes")
"""Problems of the file as a whole, which have no line of their own."""

SEED = {
    "id": "seed",
    "text": "Tanks moved at dawn. Talks resumed in Geneva.",
    "spans": [
        {"start": 0, "end": 5, "label": "MILITARY", "annotator": "ann"},
        {"start": 21, "end": 26, "label": "DIPLOMATIC", "annotator": "bob", "note": "n"},
    ],
    "meta": {"title": "Seed", "n": 3},
}


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A valid file of every importable format, exported from a seeded database."""
    root = tmp_path_factory.mktemp("samples")
    ws = Workspace.open(f"sqlite:///{root / 'seed.sqlite3'}")
    src = root / "seed.jsonl"
    src.write_text(json.dumps(SEED) + "\n", encoding="utf-8")
    assert not ws.importer.import_paths([src]).errors
    out: dict[str, Path] = {}
    for imp in IMPORTERS:
        if imp.NAME == "text":
            path = root / "plain.txt"
            path.write_text("Title line\n\nTanks moved at dawn.\n", encoding="utf-8")
        elif imp.NAME == "label-studio-csv":  # read only: a row as Label Studio writes it
            path = root / "sample.csv"
            region = [{"start": 0, "end": 5, "text": "Tanks", "labels": ["MILITARY"]}]
            with path.open("w", encoding="utf-8", newline="") as fh:
                csv.writer(fh, quoting=csv.QUOTE_NONNUMERIC).writerows(
                    [
                        ["annotation_id", "annotator", "id", "label", "text"],
                        [1, "ann@example.org", 1, json.dumps(region), "Tanks moved at dawn."],
                    ]
                )
        elif imp.NAME == "brat":
            ws.exporter.export("brat", root / "brat")
            path = next((root / "brat").glob("*.ann"))
        else:
            path = root / f"sample{imp.EXTENSIONS[0]}"
            ws.exporter.export(imp.NAME, path)
        out[imp.NAME] = path
    ws.close()
    return out


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Path]]:
    folder = tmp_path_factory.mktemp("fuzzsib")
    ws = Workspace.open(f"sqlite:///{folder / 'f.sqlite3'}")
    yield ws, folder
    ws.close()


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few bytes flipped, inserted, deleted or lines duplicated."""
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "dup", "cut"]))
        pos = draw(st.integers(0, max(0, len(buf) - 1)))
        if op == "flip" and buf:
            buf[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            chunk = draw(
                st.sampled_from(
                    [b"\x00", b"\xff", b'"', b"\\ud800", b"\n", b"\t", b"{", b"1" * 5000, b"\r"]
                )
                | st.binary(max_size=6)
            )
            buf[pos:pos] = chunk
        elif op == "delete":
            del buf[pos : pos + draw(st.integers(1, 8))]
        elif op == "dup":
            lines = bytes(buf).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
            buf = bytearray(b"\n".join(lines))
        elif op == "cut":
            del buf[pos:]
    return bytes(buf)


def _place(importer: str, sample: Path, folder: Path, data: bytes, n: int) -> Path:
    if importer == "brat":
        sub = folder / f"brat{n}"
        sub.mkdir()
        shutil.copy(sample.with_suffix(".txt"), sub / "doc.txt")
        target = sub / "doc.ann"
    else:
        target = folder / f"fuzz{n}{sample.suffix}"
    target.write_bytes(data)
    return target


def _sibling(folder: Path, n: int) -> Path:
    path = folder / f"good{n}.jsonl"
    text = f"Good sibling number {n} about grain exports."
    rec = {"id": f"g{n}", "text": text, "spans": [{"start": 0, "end": 4, "label": "ECONOMIC"}]}
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    return path


def _check_error(importer: str, target: Path, err: Exception) -> None:
    msg = str(err)
    named = (str(target), str(target.with_suffix(".txt")))
    assert any(n in msg for n in named), msg
    line_based = importer in LINE_FORMATS and isinstance(err, InputError)
    if line_based and not WHOLE_FILE.search(msg):
        assert err.line is not None, f"no line in: {msg}"


@pytest.mark.parametrize("importer", [c.NAME for c in IMPORTERS])
def test_mutated_files_beside_a_good_sibling(
    importer: str, samples: dict[str, Path], fuzz_db: tuple[Workspace, Path]
) -> None:
    ws, folder = fuzz_db
    sample = samples[importer]
    valid = sample.read_bytes()

    @settings(FUZZ, max_examples=120)
    @given(mutated(valid) | st.binary(max_size=400))
    def run(data: bytes) -> None:
        n = COUNTS["n"] = COUNTS["n"] + 1
        target = _place(importer, sample, folder, data, n)
        good = _sibling(folder, n)
        before = snapshot(ws)
        report = ws.importer.import_paths([good, target], format=None)
        by_path = {Path(f.path).name: f for f in report.files}
        assert by_path[good.name].error is None and by_path[good.name].documents_added == 1
        bad = by_path.get(target.name)
        assert bad is not None
        if bad.error is not None:
            _check_error(importer, target, bad.error)
            after = snapshot(ws)
            assert after[0] == before[0] + 1, "a refused file stored documents"
            assert after[2] == before[2] + 1, "a refused file stored spans"
            COUNTS["refused"] += 1
        COUNTS[importer] += 1

    run()
    assert COUNTS[importer] >= 120


def test_cli_import_never_tracebacks(
    samples: dict[str, Path], fuzz_db: tuple[Workspace, Path]
) -> None:
    ws, folder = fuzz_db
    url = ws.db.url
    sample = samples["jsonl"]

    @settings(FUZZ, max_examples=150)
    @given(mutated(sample.read_bytes()) | st.binary(max_size=300), st.sampled_from(IMPORTERS))
    def run(data: bytes, imp: Any) -> None:
        n = COUNTS["n"] = COUNTS["n"] + 1
        target = folder / f"cli{n}{imp.EXTENSIONS[0]}"
        target.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = cli.main(["--db", url, "import", "--format", imp.NAME, str(target)])
        assert code in (0, 1)
        lines = err.getvalue().splitlines()
        assert "Traceback" not in err.getvalue()
        assert all(
            line.startswith(("annotator: error: ", "annotator: warning: ")) for line in lines
        )
        if code == 1:
            assert any(str(target) in line for line in lines)
        COUNTS["cli"] += 1

    run()
    assert COUNTS["cli"] >= 150


@pytest.mark.parametrize("exporter", EXPORTERS, ids=lambda c: c.NAME)
def test_whatever_was_stored_exports_in_every_format(
    exporter: Any, fuzz_db: tuple[Workspace, Path]
) -> None:
    """Runs after the fuzzing above (same module database): every format writes it all."""
    ws, folder = fuzz_db
    assert ws.documents.count() > 100
    dest = folder / "exports" / ("out" if exporter.MULTI_FILE else f"out{exporter.EXTENSIONS[0]}")
    report = ws.exporter.export(exporter.NAME, dest)
    assert report.documents == ws.documents.count() or exporter.NAME.startswith("passages")
    assert dest.exists()

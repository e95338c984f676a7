"""Fuzzing every registered importer (formats added later are covered automatically).

Arbitrary bytes and structured-but-wrong JSON: no exception but AnnotatorError, and a
refused file leaves the database exactly as it was. One database is reused; each
example compares cheap snapshots. Counts are asserted, so the fuzzing cannot
silently shrink to nothing.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fuzz_support import GOOD_RECORD, import_and_check, read_directly
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.formats.registry import IMPORTERS
from annotator.services import Workspace

FUZZ_SETTINGS = settings(
    deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True
)
COUNTS: Counter[str] = Counter()

_scalars = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=30)
)
_json = st.recursive(
    _scalars,
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4)
    ),
    max_leaves=12,
)
_keys = st.sampled_from(
    [
        "id",
        "text",
        "meta",
        "spans",
        "start",
        "end",
        "label",
        "annotator",
        "note",
        "origin",
        "published",
        "title",
        "decided_by",
    ]
)


@st.composite
def wrong_records(draw: st.DrawFn) -> Any:
    """Records shaped like the native format, with a wrong type or value here and there."""
    text = draw(st.text(max_size=40))
    spans = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "start": st.integers(-3, 50) | _json,
                    "end": st.integers(-3, 60) | _json,
                    "label": st.sampled_from(["MILITARY", "ECONOMIC", "NEW", ""]) | _json,
                },
                optional={
                    "text": st.text(max_size=5) | _json,
                    "origin": st.text(max_size=10),
                    "annotator": _json,
                    "note": _json,
                },
            ),
            max_size=4,
        )
        | _json
    )
    rec: dict[str, Any] = {"id": draw(_json), "text": draw(st.just(text) | _json), "spans": spans}
    rec["meta"] = draw(st.dictionaries(_keys, _json, max_size=3) | _json)
    for key in draw(st.lists(_keys, max_size=2)):
        rec.pop(key, None)
    return rec


@pytest.fixture(scope="module")
def fuzz_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Path]]:
    folder = tmp_path_factory.mktemp("fuzz")
    ws = Workspace.open(f"sqlite:///{folder / 'fuzz.sqlite3'}")
    seed = folder / "seed.jsonl"
    seed.write_text(GOOD_RECORD + "\n", encoding="utf-8")
    assert not ws.importer.import_paths([seed]).errors
    yield ws, folder
    ws.close()


@pytest.mark.parametrize("importer", IMPORTERS, ids=lambda c: c.NAME)
def test_arbitrary_bytes_direct(importer: Any, tmp_path: Path) -> None:
    path = tmp_path / f"in{importer.EXTENSIONS[0]}"

    @settings(FUZZ_SETTINGS, max_examples=1500)
    @given(st.binary(max_size=2000))
    def run(data: bytes) -> None:
        path.write_bytes(data)
        read_directly(importer, path)
        COUNTS[f"bytes-direct-{importer.NAME}"] += 1

    run()
    assert COUNTS[f"bytes-direct-{importer.NAME}"] >= 1500


@pytest.mark.parametrize("importer", IMPORTERS, ids=lambda c: c.NAME)
def test_arbitrary_bytes_through_service(importer: Any, fuzz_ws: tuple[Workspace, Path]) -> None:
    ws, folder = fuzz_ws
    path = folder / f"bytes{importer.EXTENSIONS[0]}"

    @settings(FUZZ_SETTINGS, max_examples=400)
    @given(st.binary(max_size=600), st.booleans())
    def run(data: bytes, good_first: bool) -> None:
        # A good record first: a refused file must not keep it either.
        path.write_bytes((GOOD_RECORD.encode() + b"\n" if good_first else b"") + data)
        refused = import_and_check(ws, importer, path)
        COUNTS[f"bytes-service-{importer.NAME}"] += 1
        COUNTS["refused"] += refused

    run()
    assert COUNTS[f"bytes-service-{importer.NAME}"] >= 400


@pytest.mark.parametrize("importer", IMPORTERS, ids=lambda c: c.NAME)
def test_structured_but_wrong_json(importer: Any, fuzz_ws: tuple[Workspace, Path]) -> None:
    ws, folder = fuzz_ws
    path = folder / f"wrong{importer.EXTENSIONS[0]}"

    @settings(FUZZ_SETTINGS, max_examples=400)
    @given(st.lists(wrong_records() | _json, min_size=1, max_size=3), st.booleans())
    def run(records: list[Any], good_first: bool) -> None:
        lines = [GOOD_RECORD] if good_first else []
        lines += [json.dumps(r, ensure_ascii=bool(len(lines) % 2)) for r in records]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
        read_directly(importer, path)
        import_and_check(ws, importer, path)
        COUNTS[f"json-{importer.NAME}"] += 1

    run()
    assert COUNTS[f"json-{importer.NAME}"] >= 400


def test_atheris_coverage_guided_run(tmp_path: Path) -> None:
    """Runs only where atheris is installed (it is optional: pip install atheris)."""
    pytest.importorskip("atheris")
    import subprocess
    import sys

    harness = Path(__file__).with_name("fuzz_atheris.py")
    proc = subprocess.run(
        [sys.executable, str(harness), "-runs=4000", "-seed=1", "-max_len=2000"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Done 4000 runs" in proc.stderr

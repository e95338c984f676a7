"""Random texts with emoji, combining marks and CRLF round-trip through import and export."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.text import normalize_text
from annotator.services import Workspace
from annotator.storage import open_database

PIECES = [
    "a",
    "b",
    " ",
    "\n",
    "\r\n",
    "😀",
    "👩\u200d👩\u200d👧",
    "e\u0301",
    "n\u0303",
    "中",
    "𝔘",
    "‘",
    "ß",
    "\u00a0",
]
LABELS = ["MILITARY", "DIPLOMATIC", "ECONOMIC"]


@st.composite
def records(draw: st.DrawFn) -> tuple[str, list[dict[str, object]]]:
    text = "".join(draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40)))
    spans = []
    for _ in range(draw(st.integers(0, 6))):
        a = draw(st.integers(0, len(text) - 1))
        b = draw(st.integers(a + 1, len(text)))
        spans.append(
            {
                "start": a,
                "end": b,
                "label": draw(st.sampled_from(LABELS)),
                "text": text[a:b],
                "annotator": draw(st.sampled_from(["ann", "bob", "chloé 😀"])),
                "note": draw(st.sampled_from(["", "see note", "emoji 🚀"])),
            }
        )
    return text, spans


_TEMPLATE: Path | None = None


def _fresh_db(folder: Path) -> str:
    """A migrated database, copied from a template so each example starts clean and fast."""
    global _TEMPLATE
    if _TEMPLATE is None:
        _TEMPLATE = Path(tempfile.mkdtemp()) / "template.sqlite3"
        open_database(f"sqlite:///{_TEMPLATE}").dispose()
    target = folder / "db.sqlite3"
    shutil.copy(_TEMPLATE, target)
    return f"sqlite:///{target}"


def _export(ws: Workspace, dest: Path) -> list[dict[str, object]]:
    ws.exporter.export("jsonl", dest)
    return [json.loads(line) for line in dest.read_text(encoding="utf-8").splitlines()]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records(), min_size=1, max_size=3))
def test_import_export_round_trip_keeps_every_span_exact(
    recs: list[tuple[str, list[dict[str, object]]]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        src = tmp / "in.jsonl"
        src.write_text(
            "".join(
                json.dumps({"id": f"d{i}", "text": t, "spans": s}, ensure_ascii=False) + "\n"
                for i, (t, s) in enumerate(recs)
            ),
            encoding="utf-8",
        )
        ws = Workspace.open(_fresh_db(tmp))
        report = ws.importer.import_paths([src])
        assert not report.errors, report.errors
        out = _export(ws, tmp / "out.jsonl")
        ws.close()

        by_text = {rec["text"]: rec for rec in out}
        for text, spans in recs:
            clean = normalize_text(text)
            rec = by_text[clean]
            got = {(s["start"], s["end"], s["label"], s["annotator"]) for s in rec["spans"]}  # type: ignore[index]
            for s in rec["spans"]:  # type: ignore[union-attr]
                assert clean[s["start"] : s["end"]] == s["text"]
            # Every imported span is there, on the same characters (CRLF folded to LF).
            for s in spans:
                exp_text = normalize_text(str(s["text"]))
                matches = [
                    g
                    for g in got
                    if g[2] == s["label"]
                    and g[3] == s["annotator"]
                    and clean[g[0] : g[1]] == exp_text
                ]
                assert matches, (s, got)

        # Second trip: the export imported into a fresh database exports identically.
        ws2 = Workspace.open(_fresh_db(tmp / "again" if (tmp / "again").mkdir() is None else tmp))
        assert not ws2.importer.import_paths([tmp / "out.jsonl"]).errors
        out2 = _export(ws2, tmp / "out2.jsonl")
        ws2.close()
        strip = lambda recs: sorted(  # noqa: E731
            (
                r["text"],
                json.dumps(r["meta"], sort_keys=True),
                sorted(json.dumps(s, sort_keys=True) for s in r["spans"]),
            )
            for r in recs
        )
        assert strip(out2) == strip(out)

"""Write the round-trip table of docs/formats.md from a real run.

    python docs/make_formats_table.py          # rewrites the table in docs/formats.md
    python docs/make_formats_table.py --print  # prints it only

For each format: a corpus is imported into a fresh SQLite database (native JSONL, with
two annotators, overlapping and non-overlapping layers, a label with a space, emoji, a
CRLF source, a form feed, U+2028 and U+0085, notes, metadata, statuses, an adjudicated
span), exported in the format, imported into a second fresh database with the format's
importer, and both databases exported to native JSONL and compared property by
property. The last column is what the export report said it could not carry.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.services import Workspace  # noqa: E402

FORMATS = {  # name -> (output name, export options)
    "jsonl": ("out.jsonl", {}),
    "doccano": ("out.jsonl", {}),
    "prodigy": ("out.jsonl", {}),
    "spacy": ("out.spacy", {}),
    "label-studio": ("out.json", {}),
    "brat": ("out_brat", {}),
    "conll": ("out.conll", {}),
}
TEXTS = [
    "Breaking: 🚀 launch in Genève.\fPage two starts\u2028after a separator.\r\n"
    "The KEY EVENT 👍🏽 came\u0085later, 👨\u200d👩\u200d👧 too.",
    "Troops moved east 🇫🇷 while talks stalled.\r\nNew page\u2028here.",
    "Nothing tagged here.",
]


def _corpus(path: Path) -> None:
    """The source records (native JSONL), offsets into the CRLF-normalised texts."""
    recs = []
    spans: list[list[tuple[str, str, str, str, dict[str, str]]]] = [
        [
            ("🚀 launch", "KEY EVENT", "alice", "", {}),
            ("Genève", "PLACE", "alice", "city", {}),
            ("starts\u2028after", "KEY EVENT", "alice", "", {}),
            ("came\u0085later", "KEY EVENT", "alice", "", {}),
            ("Genève", "PLACE", "gold", "", {"origin": "adjudicated", "decided_by": "carol"}),
        ],
        [
            ("Troops moved east", "MILITARY", "bob", "", {}),
            ("moved east 🇫🇷", "MOVE", "bob", "checked twice", {}),
            ("talks stalled", "KEY EVENT", "alice", "", {}),
        ],
        [],
    ]
    for i, (raw, group) in enumerate(zip(TEXTS, spans, strict=True)):
        text = raw.replace("\r\n", "\n")
        out = []
        for needle, label, who, note, extra in group:
            start = text.index(needle)
            span = {"start": start, "end": start + len(needle), "label": label}
            out.append({**span, "annotator": who, "note": note, **extra})
        rec: dict[str, Any] = {
            "id": f"doc{i + 1}",
            "text": text,
            "meta": {"title": f"Report {i + 1}", "url": f"https://example.org/{i + 1}"},
            "spans": out,
        }
        if i == 0:
            rec["status"] = {"alice": "done", "bob": "in_progress"}
            rec["doc_labels"] = {"alice": ["KEY EVENT"], "bob": ["MILITARY", "MOVE"]}
        if i == 2:  # labels of a document nobody drew a span in
            rec["doc_labels"] = {"carol": ["MILITARY"]}
        recs.append(rec)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), "utf-8")


def _native(ws: Workspace, dest: Path) -> list[dict[str, Any]]:
    ws.exporter.export("jsonl", dest)
    return [json.loads(line) for line in dest.read_text("utf-8").split("\n") if line]


def _compare(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, str]:
    """Per property: 'exact' or what came back differently."""
    by_text = {r["text"]: r for r in after}
    missing_docs = [r for r in before if r["text"] not in by_text]

    def keys(recs: list[dict[str, Any]], *fields: str) -> set[tuple[Any, ...]]:
        return {(r["text"], *(s.get(f, "") for f in fields)) for r in recs for s in r["spans"]}

    def verdict(fields: tuple[str, ...]) -> str:
        a, b = keys(before, *fields), keys(after, *fields)
        if a == b:
            return "exact"
        return f"{len(a - b)} of {len(a)} differ"

    meta_a = [(r["text"], r["meta"]) for r in before]
    meta_b = [(r["text"], by_text.get(r["text"], {}).get("meta")) for r in before]
    stat_a = [(r["text"], r.get("status", {})) for r in before]
    stat_b = [(r["text"], by_text.get(r["text"], {}).get("status", {})) for r in before]
    whole_a = {
        (r["text"], w, x) for r in before for w, v in r.get("doc_labels", {}).items() for x in v
    }
    whole_b = {
        (r["text"], w, x) for r in after for w, v in r.get("doc_labels", {}).items() for x in v
    }
    return {
        "text": "exact" if not missing_docs else f"{len(missing_docs)} of {len(before)} differ",
        "spans": verdict(("start", "end", "label")),
        "annotators": verdict(("start", "end", "label", "annotator")),
        "notes": verdict(("start", "end", "label", "note")),
        "metadata": "exact" if meta_a == meta_b else _meta_diff(meta_a, meta_b),
        "status": "exact" if stat_a == stat_b else "lost",
        "document labels": (
            "exact"
            if whole_a == whole_b
            else "lost"
            if not whole_b
            else f"{len(whole_a - whole_b)} of {len(whole_a)} differ"
        ),
        "origin": verdict(("start", "end", "label", "origin", "decided_by")),
    }


def _meta_diff(a: list[tuple[str, Any]], b: list[tuple[str, Any]]) -> str:
    pairs = zip(a, b, strict=True)
    lost = {k for (_, ma), (_, mb) in pairs for k in ma if (mb or {}).get(k) != ma[k]}
    return "lost: " + ", ".join(sorted(lost))


def run() -> list[tuple[str, dict[str, str], str]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        src = base / "corpus.jsonl"
        _corpus(src)
        for name, (fname, options) in FORMATS.items():
            work = base / name
            work.mkdir()
            a = Workspace.open(f"sqlite:///{work}/a.sqlite3")
            b = Workspace.open(f"sqlite:///{work}/b.sqlite3")
            try:
                result = a.importer.import_paths([src], create_labels=True)
                assert not result.errors, result.errors
                report = a.exporter.export(name, work / fname, options=options)
                back = b.importer.import_paths([work / fname], format=name, create_labels=True)
                assert not back.errors, back.errors
                cmp = _compare(_native(a, work / "a.jsonl"), _native(b, work / "b.jsonl"))
            finally:
                a.close()
                b.close()
            said = [f"{n} × {why}" for why, n in sorted({**report.dropped, **report.lost}.items())]
            said += [f"{n} × written in part: {why}" for why, n in sorted(report.partial.items())]
            said += [f"label {k!r} written as {v!r}" for k, v in sorted(report.encoded.items())]
            said += [f"{n} × warning: {why}" for why, n in sorted(report.warnings.items())]
            cell = "<br>".join(x.replace("|", "\\|") for x in said)
            cmp["skipped"] = _skipped(back.files) or "nothing"
            rows.append((name, cmp, cell or "nothing lost"))
    return rows


def _skipped(files: Any) -> str:
    """What an import report said it skipped, one reason a line."""
    counts: dict[str, int] = {}
    for f in files:
        for why, n in f.skipped.items():
            counts[why] = counts.get(why, 0) + n
    return "<br>".join(f"{n} × {why}".replace("|", "\\|") for why, n in sorted(counts.items()))


PEER_FIXTURES = ROOT / "tests" / "formats" / "fixtures"


def peers() -> str:
    """The peers' files of the test fixtures imported without --format: the format the
    content was read as, what came in, and what the import report says it skipped."""
    from annotator.formats.registry import detect_importer

    out = [
        "| file | read as | documents | spans | document labels | predictions (suggestions) "
        "| the import report skipped |",
        "|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(PEER_FIXTURES.iterdir()):
            ws = Workspace.open(f"sqlite:///{tmp}/{path.name}.sqlite3")
            try:
                imp = detect_importer(path)
                rep = ws.importer.import_paths([path], create_labels=True)
                assert not rep.errors, rep.errors
            finally:
                ws.close()
            if imp is None and path.is_dir():  # a folder of files read one by one
                inner = sorted(p for p in path.rglob("*") if p.is_file())
                fmt = ", ".join(
                    f"{getattr(detect_importer(p), 'NAME', '?')} ({p.name})" for p in inner
                )
            else:
                fmt = imp.NAME if imp is not None else "?"
            out.append(
                f"| `{path.name}` | {fmt} | {rep.documents_added} | {rep.spans_added} | "
                f"{sum(f.doc_labels_added for f in rep.files)} | "
                f"{sum(f.predictions_added for f in rep.files)} | "
                f"{_skipped(rep.files) or 'nothing'} |"
            )
    return "\n".join(out) + "\n"


def table(rows: list[tuple[str, dict[str, str], str]]) -> str:
    cols = [
        "text",
        "spans",
        "annotators",
        "notes",
        "metadata",
        "status",
        "origin",
        "document labels",
    ]
    out = [
        "| format | " + " | ".join(cols) + " | the export report says | the import report skipped |"
    ]
    out.append("|" + "---|" * (len(cols) + 3))
    for name, cmp, said in rows:
        cells = " | ".join(cmp[c] for c in cols)
        out.append(f"| {name} | {cells} | {said} | {cmp['skipped']} |")
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--print", action="store_true", help="print the table only")
    args = parser.parse_args()
    text = table(run())
    peer_text = peers()
    if args.print:
        print(text)
        print(peer_text)
        return
    doc = ROOT / "docs" / "formats.md"
    old = doc.read_text("utf-8")
    new = re.sub(
        r"(<!-- table:start -->\n).*?(<!-- table:end -->)",
        lambda m: m.group(1) + text + m.group(2),
        old,
        flags=re.S,
    )
    new = re.sub(
        r"(<!-- peers:start -->\n).*?(<!-- peers:end -->)",
        lambda m: m.group(1) + peer_text + m.group(2),
        new,
        flags=re.S,
    )
    doc.write_text(new, "utf-8")
    print(f"wrote the table to {doc}")


if __name__ == "__main__":
    main()

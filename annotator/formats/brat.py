"""brat standoff: a folder with ``<name>.txt`` and ``<name>.ann`` per document.

* ``<name>.txt`` is the document text as UTF-8 with ``\\n`` line ends, written byte for
  byte (no newline translation), so brat's offsets -- code points of the text as
  written -- are ours.
* ``<name>.ann`` has ``T1<TAB>LABEL start end<TAB>text`` per span. A span that
  crosses a line break is written as brat writes it, fragments split at the breaks
  (``T1<TAB>LABEL 0 5;6 10<TAB>text``); the reader joins the fragments of one
  annotation back into the span from its first start to its last end. A line break is
  every character Python's ``str.splitlines`` breaks at (brat's reader splits with it):
  ``\n \r \v \f \x1c \x1d \x1e``, U+0085, U+2028 and U+2029. A span that begins or
  ends with one cannot be written so: it is reported as dropped.
* The annotator of each span is an attribute ``A1<TAB>Annotator T1 NAME`` (the name
  percent-encoded, since brat values cannot hold spaces), and a note is
  ``#1<TAB>AnnotatorNotes T1<TAB>note``.
* ``annotation.conf`` lists the entity types and the Annotator attribute's values.
* Titles and metadata have no place in brat: the report counts the documents that had any.
* On import, relations (``R``), events (``E``), equivalences (``*``), normalisations
  (``N``), attributes (``A``/``M``) and ``AnnotatorNotes`` on any of them are accepted;
  what is not a span, its annotator or its note is kept as the document's
  ``brat_annotations`` metadata (the lines as written), so nothing is lost.

File names come from the document's external id (else its id) through ``safe_child``
so they cannot leave the folder; clashes get ``-2``, ``-3``. Labels must be valid brat
type names (no whitespace); a span whose label is not is reported as dropped. The
reader takes a folder (every ``.ann`` below it, with its ``.txt``) or one ``.ann``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote, unquote

from annotator.core.errors import InputError
from annotator.core.model import AnnotatedDocument, NewSpan, SpanOrigin
from annotator.core.text import normalize_with_offsets
from annotator.formats.base import (
    ExportItem,
    ExportReport,
    FormatBase,
    atomic_folder,
    atomic_write,
    doc_label,
    safe_child,
)
from annotator.formats.common import build_document
from annotator.formats.decode import check_text, decode_text
from annotator.formats.jsonl import document_meta

_TYPE_NAME = re.compile(r"^[^\s;:,=|]+$")
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
"""Every character ``str.splitlines`` breaks a line at (brat splits text with it)."""
_BREAK = re.compile("[" + re.escape(LINE_BREAKS) + "]")
LOST_META = "document title or metadata (brat keeps only the text)"
LOST_BRAT = (
    "brat relation, event, attribute or normalisation line kept from an import (not written "
    "back: the spans it points to are numbered anew)"
)
# What brat's annotation lines are, by their id's first character, for the import report.
_KINDS = {
    "R": "relations",
    "E": "events",
    "A": "attributes",
    "M": "attributes",
    "N": "normalisations",
    "*": "equivalences",
    "#": "notes on relations or events",
}
BAD_LABEL = "label is not a valid brat type name (no spaces or ;:,=|)"
EDGE_BREAK = "begins or ends with a line break, which brat fragments cannot hold"


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut at line breaks (``LINE_BREAKS``), empty pieces left out."""
    out: list[tuple[int, int]] = []
    pos = start
    for m in _BREAK.finditer(text, start, end):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if end > pos:
        out.append((pos, end))
    return out


class BratStandoff(FormatBase):
    NAME: ClassVar[str] = "brat"
    TITLE: ClassVar[str] = "brat standoff (.txt + .ann folder)"
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".ann",)
    MULTI_FILE: ClassVar[bool] = True
    READS_FOLDERS: ClassVar[bool] = True

    def write(self, items: Iterable[ExportItem], dest: Path, report: ExportReport) -> None:
        with atomic_folder(dest) as out:
            self._write_into(items, out, report)
        report.paths.append(str(dest))

    def _write_into(self, items: Iterable[ExportItem], dest: Path, report: ExportReport) -> None:
        used: set[str] = set()
        labels: set[str] = set()
        annotators: set[str] = set()
        for doc, spans in items:
            base = safe_child(dest, doc_label(doc) or "document").name
            stem, k = base, 1
            while stem in used:
                k += 1
                stem = f"{base}-{k}"
            used.add(stem)
            meta = document_meta(doc)
            kept = meta.get("brat_annotations")
            if isinstance(kept, list) and kept:
                report.lose(LOST_BRAT, len(kept))
            if any(k != "brat_annotations" for k in meta):
                report.lose(LOST_META)
            lines: list[str] = []
            t = a = n = 0
            for sp in spans:
                if not _TYPE_NAME.match(sp.label):
                    report.drop(doc, sp, BAD_LABEL)
                    continue
                pieces = fragments(doc.text, sp.start, sp.end)
                if not pieces or pieces[0][0] != sp.start or pieces[-1][1] != sp.end:
                    report.drop(doc, sp, EDGE_BREAK)
                    continue
                t += 1
                where = ";".join(f"{s} {e}" for s, e in pieces)
                shown = " ".join(doc.text[s:e] for s, e in pieces)
                lines.append(f"T{t}\t{sp.label} {where}\t{shown}")
                a += 1
                lines.append(f"A{a}\tAnnotator T{t} {quote(sp.annotator, safe='')}")
                if sp.note:
                    n += 1
                    lines.append(f"#{n}\tAnnotatorNotes T{t}\t{_escape_note(sp.note)}")
                labels.add(sp.label)
                annotators.add(sp.annotator)
                report.spans_per_label[sp.label] += 1
            with atomic_write(dest / f"{stem}.txt") as fh:
                fh.write(doc.text)
            with atomic_write(dest / f"{stem}.ann") as fh:
                fh.write("".join(line + "\n" for line in lines))
            report.documents += 1
        with atomic_write(dest / "annotation.conf") as fh:
            fh.write(_conf(labels, annotators))

    def can_read(self, path: Path) -> bool:
        if path.is_dir():
            return any(path.rglob("*.ann"))
        return path.suffix.lower() == ".ann"

    def read(
        self, path: Path, *, default_annotator: str = "imported"
    ) -> Iterator[AnnotatedDocument]:
        anns = sorted(path.rglob("*.ann")) if path.is_dir() else [path]
        if not anns:
            raise InputError("no .ann files in this folder", path=str(path))
        for ann in anns:
            yield read_pair(ann, default_annotator, self.skipped)


def _conf(labels: set[str], annotators: set[str]) -> str:
    # brat's verifier refuses overlapping spans unless [relations] allows them: ours may
    # overlap and nest (different labels, different annotators), so any overlap is allowed.
    out = [
        "[entities]",
        *sorted(labels),
        "",
        "[relations]",
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
        "",
        "[events]",
        "",
        "[attributes]",
    ]
    if annotators:
        values = "|".join(quote(a, safe="") for a in sorted(annotators))
        out.append(f"Annotator\tArg:<ENTITY>, Value:{values}")
    return "\n".join(out) + "\n"


def _escape_note(note: str) -> str:
    """A note on one .ann line: backslash, tab and every line break escaped."""
    out = note.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    return _BREAK.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def _unescape_note(note: str) -> str:
    def one(m: re.Match[str]) -> str:
        if m.group(1):
            return chr(int(m.group(1), 16))
        return {"n": "\n", "t": "\t"}.get(m.group(2), m.group(2))

    return re.sub(r"\\(?:u([0-9a-fA-F]{4})|(.))", one, note)


_OTHER_ID = re.compile(r"^(?:[REN]\d+|\*\d*)$")


def read_pair(
    ann: Path, default_annotator: str, skipped: Counter[str] | None = None
) -> AnnotatedDocument:
    """One document from ``ann`` and the ``.txt`` beside it. What is not a span (nor its
    annotator or note) is kept as ``brat_annotations`` metadata and counted per kind in
    ``skipped``."""
    txt = ann.with_suffix(".txt")
    if not txt.is_file():
        raise InputError(f"no text file {txt.name} beside it", path=str(ann))
    raw_text = decode_text(txt.read_bytes(), str(txt)) if txt.stat().st_size else ""
    content = decode_text(ann.read_bytes(), str(ann)) if ann.stat().st_size else ""
    name = str(ann)
    # brat counts the CRs of a CRLF text in its offsets: they move with the text.
    text, shift = normalize_with_offsets(raw_text)
    check_text(text, str(txt))
    found: dict[str, tuple[int, int, str, int]] = {}
    ids: set[str] = set()
    who: dict[str, tuple[str, str]] = {}  # target -> (name, line as written)
    notes: dict[str, tuple[str, str]] = {}  # target -> (note, line as written)
    pointers: list[tuple[str, int]] = []  # (target id, line) of attributes and notes
    extra: list[str] = []
    for lineno, line in enumerate(content.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        ident, _, rest = line.partition("\t")
        if ident.startswith("T"):
            s0, e0, label, at = _text_bound(ident, rest, raw_text, name, lineno)
            found[ident] = (shift.start(s0), shift.end(e0), label, at)
            ids.add(ident)
        elif ident.startswith(("A", "M")):
            parts = rest.split()
            if len(parts) < 2:
                raise InputError(f"{ident}: expected 'NAME TARGET [VALUE]'", path=name, line=lineno)
            ids.add(ident)
            pointers.append((parts[1], lineno))
            if len(parts) == 3 and parts[0] == "Annotator":
                who[parts[1]] = (unquote(parts[2]), line)
            else:
                extra.append(line)
        elif ident.startswith("#"):
            head, _, note = rest.partition("\t")
            kind, _, target = head.partition(" ")
            pointers.append((target.strip(), lineno))
            if kind == "AnnotatorNotes":
                notes[target.strip()] = (_unescape_note(note), line)
            else:
                extra.append(line)
        elif _OTHER_ID.match(ident) and rest:
            ids.add(ident)
            extra.append(line)  # relations, events, equivalences, normalisations
        else:
            raise InputError(
                f"not a brat annotation line (ids start with T, R, E, A, M, N, * or #): "
                f"{line[:40]!r}",
                path=name,
                line=lineno,
            )
    for target, lineno in pointers:
        if target not in ids:
            raise InputError(
                f"attribute or note points to unknown annotation {target!r}", path=name, line=lineno
            )
    # An annotator or a note on a relation or event is kept with that line, not lost.
    extra += [line for target, (_, line) in {**who, **notes}.items() if target not in found]
    if skipped is not None:
        for line in extra:
            head = line[:1]
            kind = _KINDS.get(head, "other annotations")
            skipped[f"brat {kind} (kept as document metadata)"] += 1
    spans = [
        NewSpan(
            s,
            e,
            label,
            who.get(ident, (default_annotator, ""))[0],
            notes.get(ident, ("", ""))[0],
            SpanOrigin.IMPORTED,
        )
        for ident, (s, e, label, _) in found.items()
    ]
    meta: dict[str, object] = {"source_path": str(txt)}
    if extra:
        meta["brat_annotations"] = extra
    doc = build_document(text, meta, ann.stem, name, None)
    return AnnotatedDocument(doc, tuple(spans), line=0)


def _text_bound(
    ident: str, rest: str, text: str, path: str, line: int
) -> tuple[int, int, str, int]:
    head, _, shown = rest.partition("\t")
    label, _, where = head.partition(" ")
    if not label or not where:
        raise InputError(f"{ident}: expected 'LABEL start end'", path=path, line=line)
    pieces = []
    for frag in where.split(";"):
        bits = frag.split()
        if len(bits) != 2 or not all(b.isdigit() for b in bits):
            raise InputError(f"{ident}: bad offsets {frag!r}", path=path, line=line)
        s, e = int(bits[0]), int(bits[1])
        if not 0 <= s < e <= len(text):
            raise InputError(
                f"{ident}: [{s}, {e}) is out of range for a text of {len(text)} characters",
                path=path,
                line=line,
            )
        pieces.append((s, e))
    expected = " ".join(text[s:e] for s, e in pieces)
    if shown and shown != expected:
        raise InputError(
            f"{ident}: says {shown!r} but the text there is {expected!r} "
            "(offsets must be code points)",
            path=path,
            line=line,
        )
    return min(s for s, _ in pieces), max(e for _, e in pieces), label, line

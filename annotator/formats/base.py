"""What every format shares: the exporter/importer protocols, reports, atomic output."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from annotator.core.model import AnnotatedDocument, Document, NewSpan, Span
from annotator.formats.atomic import atomic_folder, atomic_write, atomic_write_bytes

__all__ = ["atomic_folder", "atomic_write", "atomic_write_bytes"]  # re-exported for formats

ProgressFn = Callable[[int, int], None]
"""progress(done, total); total is 0 when unknown."""


@dataclass(frozen=True, slots=True)
class DroppedSpan:
    """One span an exporter could not write (or wrote only in part), and why."""

    document: str
    start: int
    end: int
    label: str
    annotator: str
    reason: str


WRITTEN_ONCE = "span drawn identically by several annotators, written once"
"""``lost`` reason of formats whose spans name no annotator (their count is what is in
the file): each further copy of a span is counted here."""


@dataclass
class ExportReport:
    """What an export wrote and what it could not represent. Nothing is dropped silently."""

    format: str
    paths: list[str] = field(default_factory=list)
    documents: int = 0
    spans_per_label: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    """reason -> number of spans dropped for it."""
    partial: Counter[str] = field(default_factory=Counter)
    """reason -> number of spans written but missing from one part of the output."""
    dropped_spans: list[DroppedSpan] = field(default_factory=list)
    """Each dropped or partly written span with its reason, for the export dialog."""
    parts: dict[str, ExportReport] = field(default_factory=dict)
    """For a train/dev/test split: the report of each part."""
    lost: Counter[str] = field(default_factory=Counter)
    """reason -> how many things other than spans (notes, annotators, metadata, statuses)
    the format could not carry."""
    encoded: dict[str, str] = field(default_factory=dict)
    """label -> the safe form it was written in (it imports back to the label)."""
    warnings: Counter[str] = field(default_factory=Counter)
    """reason -> spans written that the consumer may not read as they are (doccano's
    overlapping spans), or cells the export changed (the CSV formula guard)."""
    doc_labels: int = 0
    """Labels of whole documents written (one per annotator and label)."""
    predictions: int = 0
    """A model's stored predictions written as such (Label Studio ``predictions``)."""

    @property
    def spans(self) -> int:
        return sum(self.spans_per_label.values())

    def drop(
        self, doc: Document, span: Span | NewSpan, reason: str, *, partial: bool = False
    ) -> None:
        """Record that ``span`` was not written (or, with ``partial``, written only in part)."""
        (self.partial if partial else self.dropped)[reason] += 1
        self.dropped_spans.append(
            DroppedSpan(doc_label(doc), span.start, span.end, span.label, span.annotator, reason)
        )

    def lose(self, reason: str, n: int = 1) -> None:
        """Record that ``n`` things (not spans) were not written, and why."""
        if n:
            self.lost[reason] += n

    def warn(self, reason: str, n: int = 1) -> None:
        """Record that ``n`` things written may not read back as they are, and why."""
        if n:
            self.warnings[reason] += n

    def merge(self, name: str, other: ExportReport) -> None:
        """Add the report of one part of a split export."""
        self.parts[name] = other
        self.paths += other.paths
        self.documents += other.documents
        self.spans_per_label.update(other.spans_per_label)
        self.dropped.update(other.dropped)
        self.partial.update(other.partial)
        self.dropped_spans += other.dropped_spans
        self.lost.update(other.lost)
        self.encoded.update(other.encoded)
        self.warnings.update(other.warnings)
        self.doc_labels += other.doc_labels
        self.predictions += other.predictions

    def summary(self) -> str:
        lines = [f"{self.format}: {self.documents} document(s), {self.spans} span(s) written"]
        lines += [f"  {label}: {n}" for label, n in sorted(self.spans_per_label.items())]
        if self.doc_labels:
            lines.append(f"  {self.doc_labels} document label(s) written")
        if self.predictions:
            lines.append(
                f"  {self.predictions} prediction(s) of a model written as predictions "
                "(suggestions, no one's spans)"
            )
        if self.dropped:
            lines.append(f"  dropped {sum(self.dropped.values())} span(s):")
            lines += [f"    {n} × {why}" for why, n in sorted(self.dropped.items())]
        if self.partial:
            lines.append(f"  written in part {sum(self.partial.values())} span(s):")
            lines += [f"    {n} × {why}" for why, n in sorted(self.partial.items())]
        if self.lost:
            lines.append("  not carried by the format:")
            lines += [f"    {n} × {why}" for why, n in sorted(self.lost.items())]
        if self.warnings:
            lines.append("  warnings:")
            lines += [f"    {n} × {why}" for why, n in sorted(self.warnings.items())]
        if self.encoded:
            lines.append("  labels written in a safe form (they import back unchanged):")
            lines += [f"    {k!r} as {v!r}" for k, v in sorted(self.encoded.items())]
        for name, part in self.parts.items():
            lines.append(f"  {name}: {part.documents} document(s), {part.spans} span(s)")
        lines += [f"  -> {p}" for p in self.paths]
        return "\n".join(lines)


def doc_label(doc: Document) -> str:
    """How reports and file names refer to a document: its external id, else its id."""
    return doc.external_id or (str(doc.id) if doc.id is not None else "")


@dataclass(frozen=True, slots=True)
class ExportOption:
    """One option an exporter takes, declared so the CLI and the export dialog can offer it."""

    name: str
    default: Any
    choices: tuple[Any, ...] = ()
    help: str = ""
    internal: bool = False
    """Filled in by the export service (e.g. the label order), not asked of the user."""


ExportItem = tuple[Document, list[Span]]


class Exporter(Protocol):
    NAME: ClassVar[str]
    TITLE: ClassVar[str]
    EXTENSIONS: ClassVar[tuple[str, ...]]
    MULTI_FILE: ClassVar[bool]
    """True when ``dest`` is a folder."""
    OPTIONS: ClassVar[tuple[ExportOption, ...]]

    def write(self, items: Iterable[ExportItem], dest: Path, report: ExportReport) -> None: ...


class Importer(Protocol):
    NAME: ClassVar[str]
    EXTENSIONS: ClassVar[tuple[str, ...]]
    READS_FOLDERS: ClassVar[bool]
    """True when a folder is one input (brat), not a list of files to import one by one."""

    def can_read(self, path: Path) -> bool: ...

    def read(self, path: Path, *, default_annotator: str) -> Iterator[AnnotatedDocument]:
        """Yield documents one at a time (bounded memory); raise InputError naming file and line."""
        ...


class FormatBase:
    """What every format declares, with the common defaults (as Picard's format classes).

    A format states only what differs: its NAME, TITLE and EXTENSIONS, whether it writes a
    folder (MULTI_FILE) or reads one (READS_FOLDERS), and the OPTIONS it takes, which the
    constructor checks and keeps in ``self.options``.
    """

    NAME: ClassVar[str]
    TITLE: ClassVar[str]
    EXTENSIONS: ClassVar[tuple[str, ...]]
    MULTI_FILE: ClassVar[bool] = False
    READS_FOLDERS: ClassVar[bool] = False
    OPTIONS: ClassVar[tuple[ExportOption, ...]] = ()

    def __init__(self, **options: Any) -> None:
        self.options = resolve_options(self.NAME, self.OPTIONS, options)
        self.skipped: Counter[str] = Counter()
        """reason -> records a read left out on purpose (Prodigy's rejected answers...)."""
        self.repaired: Counter[str] = Counter()
        """what -> how often a read mended its input (lines broken by a page break...)."""
        self.doc_labels: dict[int, dict[str, list[str]]] = {}
        """document id -> {annotator: [label]}: labels of whole documents, set by the export
        service on a format that carries them (``CARRIES_DOC_LABELS``)."""


_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)]
)


def safe_child(folder: Path, name: str) -> Path:
    """A file name inside ``folder`` that cannot escape it, whatever ``name`` holds."""
    cleaned = (
        "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("._") or "document"
    )
    cleaned = cleaned[:120].rstrip(".")
    if cleaned.split(".")[0].upper() in _WINDOWS_RESERVED:
        cleaned = "_" + cleaned  # CON, nul.txt, COM1.json... are devices on Windows
    path = (folder / cleaned).resolve()
    if path.parent != folder.resolve():
        raise ValueError(f"refusing file name {name!r}")
    return path


def resolve_options(
    name: str, declared: tuple[ExportOption, ...], given: dict[str, Any]
) -> dict[str, Any]:
    """Declared defaults overlaid with ``given``; an unknown option or value is refused."""
    from annotator.core.errors import AnnotatorError

    known = {o.name: o for o in declared}
    for key, value in given.items():
        opt = known.get(key)
        if opt is None:
            raise AnnotatorError(f"The {name} format takes no option {key!r}.")
        if opt.choices and value not in opt.choices:
            allowed = ", ".join(map(str, opt.choices))
            raise AnnotatorError(f"{name}: option {key} must be one of {allowed}, not {value!r}.")
    return {o.name: given.get(o.name, o.default) for o in declared}

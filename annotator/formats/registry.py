"""Every format registered in one place (as Picard does): each class declares NAME,
TITLE, EXTENSIONS, MULTI_FILE and its OPTIONS; the built-ins are listed here once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.errors import AnnotatorError
from annotator.formats.base import Exporter, ExportOption, Importer
from annotator.formats.brat import BratStandoff
from annotator.formats.conll import ConllBio
from annotator.formats.detect import looks_like_conll, sniff_jsonl
from annotator.formats.doccano import DoccanoJsonl
from annotator.formats.jsonl import NativeJsonl
from annotator.formats.label_studio import LabelStudioJson
from annotator.formats.label_studio_csv import LabelStudioCsv
from annotator.formats.passages import PassagesCsv, PassagesJsonl
from annotator.formats.plaintext import PlainTextImporter
from annotator.formats.prodigy import ProdigyJsonl
from annotator.formats.spacy_docbin import SpacyDocBin

EXPORTERS: tuple[type[Exporter], ...] = (
    NativeJsonl,
    DoccanoJsonl,
    ProdigyJsonl,
    SpacyDocBin,
    LabelStudioJson,
    BratStandoff,
    ConllBio,
    PassagesJsonl,
    PassagesCsv,
)
# Order matters for choosing by file: the first importer whose can_read says yes wins.
IMPORTERS: tuple[type[Importer], ...] = (
    NativeJsonl,
    DoccanoJsonl,
    ProdigyJsonl,
    SpacyDocBin,
    LabelStudioJson,
    LabelStudioCsv,
    BratStandoff,
    ConllBio,
    PlainTextImporter,
)


@dataclass(frozen=True, slots=True)
class FormatInfo:
    """What the export dialog needs to offer a format."""

    name: str
    title: str
    extensions: tuple[str, ...]
    multi_file: bool
    options: tuple[ExportOption, ...]
    """Options the user may set (internal ones, filled in by the service, left out)."""
    can_import: bool


def exporter_names() -> list[str]:
    return [c.NAME for c in EXPORTERS]


def importer_names() -> list[str]:
    return [c.NAME for c in IMPORTERS]


def export_formats() -> list[FormatInfo]:
    importable = set(importer_names())
    return [
        FormatInfo(
            name=c.NAME,
            title=c.TITLE,
            extensions=c.EXTENSIONS,
            multi_file=c.MULTI_FILE,
            options=tuple(o for o in c.OPTIONS if not o.internal),
            can_import=c.NAME in importable,
        )
        for c in EXPORTERS
    ]


def exporter_class(name: str) -> type[Exporter]:
    for cls in EXPORTERS:
        if name == cls.NAME:
            return cls
    choices = ", ".join(exporter_names())
    raise AnnotatorError(f"Unknown export format {name!r}; choose one of: {choices}.")


def get_exporter(name: str, **options: Any) -> Exporter:
    return exporter_class(name)(**options)


def get_importer(name: str) -> Importer:
    for cls in IMPORTERS:
        if name == cls.NAME:
            return cls()
    choices = ", ".join(importer_names())
    raise AnnotatorError(f"Unknown import format {name!r}; choose one of: {choices}.")


def importer_for(path: Path) -> Importer | None:
    for cls in IMPORTERS:
        imp = cls()
        if imp.can_read(path):
            return imp
    return None


def detect_importer(path: Path) -> Importer | None:
    """The importer for ``path`` by its extension and, for JSON Lines, by its records'
    keys (doccano, Prodigy, Label Studio, native); InputError when they fit no format.
    A ``.txt`` file of CoNLL columns is read as CoNLL, not as an article."""
    imp = importer_for(path)
    if imp is not None and imp.NAME == NativeJsonl.NAME and path.is_file():
        return get_importer(sniff_jsonl(path))
    if (
        imp is not None
        and imp.NAME == PlainTextImporter.NAME
        and path.is_file()
        and path.suffix.lower() == ".txt"
        and looks_like_conll(path)
    ):
        return get_importer(ConllBio.NAME)  # CoNLL-2003's train.txt, doccano's CoNLL
    return imp


def reads_folders(name: str) -> bool:
    return bool(getattr(get_importer(name), "READS_FOLDERS", False))

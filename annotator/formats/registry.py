"""Every format registered in one place (as Picard does): name -> class."""

from __future__ import annotations

from pathlib import Path

from annotator.core.errors import AnnotatorError
from annotator.formats.base import Exporter, Importer
from annotator.formats.jsonl import NativeJsonl
from annotator.formats.plaintext import PlainTextImporter

EXPORTERS: tuple[type[Exporter], ...] = (NativeJsonl,)
IMPORTERS: tuple[type[Importer], ...] = (NativeJsonl, PlainTextImporter)


def exporter_names() -> list[str]:
    return [c.NAME for c in EXPORTERS]


def importer_names() -> list[str]:
    return [c.NAME for c in IMPORTERS]


def get_exporter(name: str) -> Exporter:
    for cls in EXPORTERS:
        if name == cls.NAME:
            return cls()
    raise AnnotatorError(f"Unknown export format {name!r}; choose one of: {', '.join(exporter_names())}.")


def get_importer(name: str) -> Importer:
    for cls in IMPORTERS:
        if name == cls.NAME:
            return cls()
    raise AnnotatorError(f"Unknown import format {name!r}; choose one of: {', '.join(importer_names())}.")


def importer_for(path: Path) -> Importer | None:
    for cls in IMPORTERS:
        imp = cls()
        if imp.can_read(path):
            return imp
    return None

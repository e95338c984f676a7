"""An agreement report as display strings, text, CSV, JSON and one self-contained HTML page.

:func:`display_tables` is the one place that turns numbers into strings: the CLI prints its
rows and the GUI agreement view shows them, so both show the same figures. The renderers are
here rather than in ``formats`` because they read agreement objects, which ``formats`` may
not import; :mod:`annotator.services.agreement_files` writes them to a file (through
:func:`annotator.formats.base.atomic_write`), the HTML page from
:mod:`annotator.services.agreement_html`.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.agreement import AgreementReport, SpanTuple
from annotator.core.spreadsheet import neutralize

DocumentInfo = Mapping[str, tuple[str, str]]
"""Report document key -> (title, text); text may be "" when excerpts are not wanted."""

EXCERPT_CHARS = 160


def fmt(value: float) -> str:
    """A coefficient as shown everywhere: three decimals, "n/a" where it is undefined."""
    return "n/a" if math.isnan(value) else f"{value:.3f}"


def _num(value: float) -> float | None:
    return None if math.isnan(value) else value


@dataclass(frozen=True, slots=True)
class DisplayTable:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def fmt_ci(ci: tuple[float, float]) -> str:
    """An interval as shown everywhere: "[0.712,0.801]" (one word, so text tables split
    cleanly), "n/a" where undefined."""
    lo, hi = ci
    return "n/a" if math.isnan(lo) or math.isnan(hi) else f"[{lo:.3f},{hi:.3f}]"


def pair_table(report: AgreementReport) -> DisplayTable:
    """Pairs x labels: kappa (char and passage level) or P/R/F1 and u-alpha (span level)."""
    rows: tuple[tuple[str, ...], ...]
    ci = (f"{_confidence(report)}-CI",) if report.resamples else ()
    if report.level == "span":
        headers: tuple[str, ...] = ("A", "B", "label", "P", "R", "F1", *ci, "u-alpha", "spans")
        rows = tuple(
            (
                r.a,
                r.b,
                r.label,
                fmt(r.precision),
                fmt(r.recall),
                fmt(r.f1),
                *((fmt_ci(r.ci),) if ci else ()),
                fmt(r.u_alpha),
                str(r.units),
            )
            for r in report.pair_rows
        )
        title = "Pairs x labels: precision (B against A), recall, F1, unitizing alpha"
    else:
        unit = _units(report)
        headers = ("A", "B", "label", "kappa", *ci, unit)
        rows = tuple(
            (r.a, r.b, r.label, fmt(r.kappa), *((fmt_ci(r.ci),) if ci else ()), str(r.units))
            for r in report.pair_rows
        )
        title = f"Pairs x labels: Cohen's kappa ({report.level} level)"
    return DisplayTable(title, headers, rows)


def _units(report: AgreementReport) -> str:
    """What the unit columns count at char, passage and document level."""
    return {"char": "characters", "document": "documents"}.get(report.level, "sentences")


def _confidence(report: AgreementReport) -> str:
    text = report.policies.get("intervals", "")
    return text.split(" ", 1)[0] if text and text != "off" else "95%"


def label_table(report: AgreementReport) -> DisplayTable:
    """Per label over all chosen annotators: alpha and Fleiss' kappa, or team-wide u-alpha."""
    names = report.annotators
    if report.level == "span":
        return DisplayTable(
            f"Per label over all {len(names)} annotators: unitizing alpha, spans per annotator",
            ("label", "u-alpha", "spans", *names),
            tuple(
                (
                    r.label,
                    fmt(r.u_alpha),
                    str(r.units),
                    *(str(r.positives.get(n, 0)) for n in names),
                )
                for r in report.label_rows
            ),
        )
    unit = _units(report)
    ci = report.resamples > 0
    headers = (
        "label",
        "alpha",
        *(("alpha-CI",) if ci else ()),
        "Fleiss",
        *(("Fleiss-CI",) if ci else ()),
        unit,
        "covered-by-all",
        *names,
    )
    return DisplayTable(
        f"Per label over all {len(names)} annotators: Krippendorff's alpha, Fleiss' kappa"
        f" ({unit} marked per annotator)",
        headers,
        tuple(
            (
                r.label,
                fmt(r.alpha),
                *((fmt_ci(r.alpha_ci),) if ci else ()),
                fmt(r.fleiss),
                *((fmt_ci(r.fleiss_ci),) if ci else ()),
                str(r.units),
                str(r.fleiss_units),
                *(str(r.positives.get(n, 0)) for n in names),
            )
            for r in report.label_rows
        ),
    )


def summary_table(report: AgreementReport) -> DisplayTable | None:
    """Span level: mean pairwise P/R/F1 per label, micro and macro; None at other levels."""
    if report.level != "span":
        return None
    ci = (f"{_confidence(report)}-CI",) if report.resamples else ()
    return DisplayTable(
        f"Mean over {len(report.comparisons)} pair(s): precision, recall, F1"
        f" (u-alpha over all annotators and labels: {fmt(report.u_alpha)})",
        ("label", "P", "R", "F1", *ci, "pairs"),
        tuple(
            (
                r.label,
                fmt(r.precision),
                fmt(r.recall),
                fmt(r.f1),
                *((fmt_ci(r.f1_ci),) if ci else ()),
                str(r.pairs),
            )
            for r in report.summary_rows
        ),
    )


def team_summary(report: AgreementReport) -> str:
    """The headline team-wide figures in one line (the GUI's summary, the CLI's first line)."""
    n = len(report.annotators)
    ci = f"; intervals from {report.resamples} resamples" if report.resamples else ""
    if report.level == "span":
        micro = next((r for r in report.summary_rows if r.label == "(micro)"), None)
        macro = next((r for r in report.summary_rows if r.label == "(macro)"), None)
        parts = [f"u-alpha over all {n} annotators and labels {fmt(report.u_alpha)}"]
        if micro is not None and macro is not None:
            parts.append(
                f"mean pairwise F1 micro {fmt(micro.f1)} {fmt_ci(micro.f1_ci)},"
                f" macro {fmt(macro.f1)} {fmt_ci(macro.f1_ci)}"
            )
        return "; ".join(parts) + ci
    figures = ", ".join(
        f"{r.label} alpha {fmt(r.alpha)} / Fleiss {fmt(r.fleiss)}" for r in report.label_rows
    )
    return f"Over all {n} annotators: {figures}{ci}"


def display_tables(report: AgreementReport) -> tuple[DisplayTable, DisplayTable]:
    """The two tables every view of a report shows: pairs x labels, then labels."""
    return pair_table(report), label_table(report)


def all_tables(report: AgreementReport) -> list[DisplayTable]:
    """Every table of the report: pairs, labels and, at span level, the summary."""
    summary = summary_table(report)
    return [*display_tables(report), *([summary] if summary else [])]


def pair_measure(report: AgreementReport) -> dict[tuple[str, str], dict[str, float]]:
    """(a, b) -> label -> the pair measure (kappa, or F1 at span level): the heatmap."""
    out: dict[tuple[str, str], dict[str, float]] = {}
    for r in report.pair_rows:
        value = r.f1 if report.pair_measure == "f1" else r.kappa
        out.setdefault((r.a, r.b), {})[r.label] = value
    return out


# --- text ------------------------------------------------------------------------


def render_table(table: DisplayTable) -> str:
    widths = [len(h) for h in table.headers]
    for row in table.rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.ljust(w) if i < 3 or not _numeric(c) else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [table.title, line(table.headers), line(tuple("-" * w for w in widths))]
    out += [line(r) for r in table.rows]
    return "\n".join(out)


def _numeric(cell: str) -> bool:
    if cell.startswith("[") and cell.endswith("]"):
        return True
    return cell == "n/a" or cell.lstrip("-").replace(".", "", 1).isdigit()


def render_text(report: AgreementReport) -> str:
    head = (
        f"{len(report.documents)} document(s), annotators {', '.join(report.annotators)},"
        f" level {report.level}"
    )
    head += "\n" + team_summary(report)
    policies = "Policies:\n" + "\n".join(f"  {k}: {v}" for k, v in report.policies.items())
    parts = [head, policies, *(render_table(t) for t in all_tables(report))]
    if report.notes:
        parts.append("Notes:\n" + "\n".join(f"  {n}" for n in report.notes))
    return "\n\n".join(parts)


# --- machine-readable ------------------------------------------------------------


def _ci_json(ci: tuple[float, float]) -> list[float | None] | None:
    lo, hi = ci
    return None if math.isnan(lo) or math.isnan(hi) else [lo, hi]


def _span_json(span: SpanTuple | None) -> list[object] | None:
    return list(span) if span else None


def report_dict(report: AgreementReport, info: DocumentInfo | None = None) -> dict[str, Any]:
    """Everything in the report as JSON-ready data; undefined numbers become null.

    Documents appear by key (the database id) with their own imported id and title; with a
    diagnosis, every span of every pair is listed, matched ones too.
    """
    info = info or {}

    def title(key: str) -> str:
        return report.names.get(key, ("", ""))[1] or info.get(key, ("", ""))[0]

    return {
        "level": report.level,
        "pair_measure": report.pair_measure,
        "policies": dict(report.policies),
        "bootstrap_resamples": report.resamples,
        "annotators": list(report.annotators),
        "labels": list(report.labels),
        "documents": [
            {"key": k, "id": report.names.get(k, ("", ""))[0] or k, "title": title(k)}
            for k in report.documents
        ],
        "uncovered": [{"document": d, "annotators": list(who)} for d, who in report.uncovered],
        "pairs": [
            {
                "a": r.a,
                "b": r.b,
                "label": r.label,
                "kappa": _num(r.kappa),
                "precision": _num(r.precision),
                "recall": _num(r.recall),
                "f1": _num(r.f1),
                "ci": _ci_json(r.ci),
                "u_alpha": _num(r.u_alpha),
                "units": r.units,
            }
            for r in report.pair_rows
        ],
        "label_rows": [
            {
                "label": r.label,
                "alpha": _num(r.alpha),
                "alpha_ci": _ci_json(r.alpha_ci),
                "fleiss_kappa": _num(r.fleiss),
                "fleiss_kappa_ci": _ci_json(r.fleiss_ci),
                "fleiss_units": r.fleiss_units,
                "u_alpha": _num(r.u_alpha),
                "units": r.units,
                "positives": dict(r.positives),
            }
            for r in report.label_rows
        ],
        "summary": [
            {
                "label": r.label,
                "precision": _num(r.precision),
                "recall": _num(r.recall),
                "f1": _num(r.f1),
                "f1_ci": _ci_json(r.f1_ci),
                "pairs": r.pairs,
            }
            for r in report.summary_rows
        ],
        "u_alpha": _num(report.u_alpha),
        "per_document": [
            {
                "document": r.document,
                "label": r.label,
                "alpha": _num(r.alpha),
                "pairs": {f"{a}/{b}": _num(v) for (a, b), v in r.pairs.items()},
            }
            for r in report.document_rows
        ],
        "diagnosed": report.diagnosed,
        "comparisons": [
            {
                "a": a,
                "b": b,
                "confusion": [
                    {"a_label": la, "b_label": lb, "count": n}
                    for (la, lb), n in sorted(comp.confusion.items())
                ],
                "diagnosis": [
                    {
                        "document": m.document,
                        "status": m.status,
                        "a": _span_json(m.a),
                        "b": _span_json(m.b),
                        "overlap": m.overlap,
                        "reason": m.reason,
                    }
                    for m in comp.diagnosis
                ],
                "skipped_documents": list(comp.skipped_documents),
            }
            for (a, b), comp in report.comparisons.items()
        ],
        "notes": list(report.notes),
    }


def render_json(report: AgreementReport, info: DocumentInfo | None = None) -> str:
    return json.dumps(report_dict(report, info), ensure_ascii=False, indent=2)


CSV_HEADER = (
    "kind",
    "a",
    "b",
    "label",
    "kappa",
    "precision",
    "recall",
    "f1",
    "u_alpha",
    "alpha",
    "fleiss_kappa",
    "ci_low",
    "ci_high",
    "units",
    "document",
    "status",
    "a_span",
    "b_span",
    "overlap",
    "text",
    "alpha_ci_low",
    "alpha_ci_high",
)


def render_csv(report: AgreementReport, *, neutralize_formulas: bool = True) -> str:
    """One table, a ``kind`` column telling rows apart.

    Text cells that a spreadsheet would take for a formula get a leading ``'``
    (core.spreadsheet) unless ``neutralize_formulas`` is off.

    ``policy`` (label = its name, text = the rule); ``pair`` (per pair and label, CI of the
    pair measure); ``label`` (alpha with its CI in ``alpha_ci_*``, Fleiss' kappa with its CI
    in ``ci_*``, or u-alpha); ``summary`` (span level means); ``uncovered``; and, with a
    diagnosis, ``diagnosis`` (one row per span, matched ones too).
    """
    buf = io.StringIO()
    w = _SafeNames(csv.writer(buf, lineterminator="\n"), neutralize_formulas)
    w.writerow(CSV_HEADER)
    blank: list[object] = [""] * len(CSV_HEADER)

    def row(**cells: object) -> None:
        out = list(blank)
        for key, value in cells.items():
            out[CSV_HEADER.index(key)] = value if not isinstance(value, float) else _csv_num(value)
        w.writerow(out)

    for name, rule in report.policies.items():
        row(kind="policy", label=name, text=rule)
    for r in report.pair_rows:
        row(
            kind="pair",
            a=r.a,
            b=r.b,
            label=r.label,
            kappa=r.kappa,
            precision=r.precision,
            recall=r.recall,
            f1=r.f1,
            u_alpha=r.u_alpha,
            ci_low=r.ci[0],
            ci_high=r.ci[1],
            units=r.units,
        )
    for lr in report.label_rows:
        row(
            kind="label",
            label=lr.label,
            alpha=lr.alpha,
            fleiss_kappa=lr.fleiss,
            u_alpha=lr.u_alpha,
            ci_low=lr.fleiss_ci[0],
            ci_high=lr.fleiss_ci[1],
            alpha_ci_low=lr.alpha_ci[0],
            alpha_ci_high=lr.alpha_ci[1],
            units=lr.units,
        )
    for sr in report.summary_rows:
        row(
            kind="summary",
            label=sr.label,
            precision=sr.precision,
            recall=sr.recall,
            f1=sr.f1,
            ci_low=sr.f1_ci[0],
            ci_high=sr.f1_ci[1],
            units=sr.pairs,
        )
    for key, who in report.uncovered:
        row(kind="uncovered", document=report.document_name(key), text=", ".join(who))
    for (a, b), comp in report.comparisons.items():
        for m in comp.diagnosis:
            row(
                kind="diagnosis",
                a=a,
                b=b,
                label=m.label,
                document=report.document_name(m.document),
                status=m.status,
                a_span=_span_cell(m.a),
                b_span=_span_cell(m.b),
                overlap=m.overlap,
                text=m.reason,
            )
    return buf.getvalue()


def _span_cell(span: SpanTuple | None) -> str:
    return "" if span is None else f"{span[0]}-{span[1]} {span[2]}"


class _SafeNames:
    """Neutralises the name cells; the numbers formatted here are never formulas."""

    def __init__(self, writer: Any, enabled: bool) -> None:
        self._w = writer
        self._on = enabled

    def writerow(self, row: Sequence[Any]) -> None:
        on = self._on
        self._w.writerow(
            [neutralize(c) if on and isinstance(c, str) and not _is_num(c) else c for c in row]
        )


def _is_num(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _csv_num(value: float) -> str:
    return "" if math.isnan(value) else repr(value)


# --- colours ----------------------------------------------------------------------


def heat_colour(value: float, *, lowest: float = 0.0) -> str:
    """Red (at or below ``lowest``) through yellow to green (1.0); grey when undefined."""
    if math.isnan(value):
        return "#e0e0e0"
    share = min(1.0, max(0.0, (value - lowest) / (1.0 - lowest)))
    return f"hsl({round(120 * share)},70%,75%)"

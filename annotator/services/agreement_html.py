"""An agreement report as one self-contained HTML page: no scripts, no external assets.

Tables come from :mod:`annotator.services.agreement_report` (the strings the CLI prints and
the GUI shows); this module only lays them out, with the heatmap, the per-document table,
the confusion matrices and the full diagnosis with each span's text.
"""

from __future__ import annotations

import html
import math

from annotator.agreement import AgreementReport, SpanTuple
from annotator.agreement.spans import NO_SPAN
from annotator.services.agreement_report import (
    EXCERPT_CHARS,
    DisplayTable,
    DocumentInfo,
    _numeric,
    all_tables,
    fmt,
    heat_colour,
    pair_measure,
)

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.heat{text-align:center;min-width:5em}
.excerpt{color:#555;font-style:italic}
h2{margin-top:1.5em}
"""


def _table_html(table: DisplayTable) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{html.escape(c)}</td>'
            if _numeric(c)
            else f"<td>{html.escape(c)}</td>"
            for c in row
        )
        + "</tr>"
        for row in table.rows
    )
    return (
        f"<h2>{html.escape(table.title)}</h2>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _excerpt(info: DocumentInfo, key: str, span: SpanTuple | None) -> str:
    if span is None:
        return ""
    text = info.get(key, ("", ""))[1]
    piece = text[span[0] : span[1]]
    if len(piece) > EXCERPT_CHARS:
        piece = piece[: EXCERPT_CHARS - 1] + "…"
    return piece


def render_html(report: AgreementReport, info: DocumentInfo | None = None) -> str:
    """One page with no external assets or scripts: tables, heatmap, per document,
    confusion matrices and every span of the diagnosis (matched ones too), with its text."""
    info = info or {}
    esc = html.escape
    measure = "F1" if report.pair_measure == "f1" else "Cohen's kappa"
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Agreement report ({esc(report.level)} level)</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Agreement report: {esc(report.level)} level</h1>",
        f"<p>{len(report.documents)} document(s); annotators "
        f"{esc(', '.join(report.annotators))}; labels {esc(', '.join(report.labels))}.</p>",
        "<h2>Policies</h2><table><tbody>",
        *(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in report.policies.items()),
        "</tbody></table>",
    ]
    # Heatmap: pairs x labels coloured by the pair measure.
    grid = pair_measure(report)
    out.append(
        f"<h2>Heatmap: {esc(measure)} per pair and label</h2><table><thead><tr><th>pair</th>"
    )
    out += [f"<th>{esc(lab)}</th>" for lab in report.labels]
    out.append("</tr></thead><tbody>")
    for (a, b), by_label in grid.items():
        out.append(f"<tr><th>{esc(a)} / {esc(b)}</th>")
        for lab in report.labels:
            v = by_label.get(lab, math.nan)
            out.append(
                f'<td class="heat" style="background:{heat_colour(v)}"'
                f' title="{esc(a)}/{esc(b)} {esc(lab)}">{esc(fmt(v))}</td>'
            )
        out.append("</tr>")
    out.append("</tbody></table>")
    out += [_table_html(t) for t in all_tables(report)]
    if report.uncovered:
        out.append("<h2>Documents left out for some annotators (not covered)</h2><ul>")
        out += [
            f"<li>{esc(report.document_name(d))}: {esc(', '.join(who))}</li>"
            for d, who in report.uncovered
        ]
        out.append("</ul>")
    # Per document.
    pairs = list(report.comparisons)
    out.append(f"<h2>Per document ({esc(measure)} per pair")
    out.append(", alpha over all)" if report.level != "span" else ")")
    out.append("</h2><table><thead><tr><th>document</th><th>label</th>")
    if report.level != "span":
        out.append("<th>alpha</th>")
    out += [f"<th>{esc(a)} / {esc(b)}</th>" for a, b in pairs]
    out.append("</tr></thead><tbody>")
    for r in report.document_rows:
        name = report.document_name(r.document)
        if name == r.document and info.get(r.document, ("", ""))[0]:
            name = f"{r.document}: {info[r.document][0]}"
        out.append(f"<tr><td>{esc(name)}</td><td>{esc(r.label)}</td>")
        if report.level != "span":
            out.append(f'<td class="num">{fmt(r.alpha)}</td>')
        out += [f'<td class="num">{fmt(r.pairs.get(p, math.nan))}</td>' for p in pairs]
        out.append("</tr>")
    out.append("</tbody></table>")
    # Confusion matrices and diagnosis, per pair.
    for (a, b), comp in report.comparisons.items():
        rows = [*report.labels, NO_SPAN]
        out.append(f"<h2>Confusion {esc(a)} (rows) / {esc(b)} (columns)</h2><table><thead><tr>")
        out.append("<th></th>" + "".join(f"<th>{esc(c)}</th>" for c in rows) + "</tr></thead>")
        out.append("<tbody>")
        for ra in rows:
            counts = "".join(
                f'<td class="num">{comp.confusion.get((ra, cb), 0)}</td>' for cb in rows
            )
            out.append(f"<tr><th>{esc(ra)}</th>{counts}</tr>")
        out.append("</tbody></table>")
        lines = comp.diagnosis
        unmatched = sum(m.status != "matched" for m in lines)
        out.append(
            f"<h2>Diagnosis {esc(a)} / {esc(b)}: {len(lines)} line(s),"
            f" {unmatched} not matched</h2>"
            "<table><thead><tr><th>document</th><th>status</th>"
            f"<th>{esc(a)}</th><th>{esc(b)}</th><th>reason</th></tr></thead><tbody>"
        )
        for m in lines:
            cells: list[str] = []
            for span in (m.a, m.b):
                if span is None:
                    cells.append("<td></td>")
                    continue
                piece = _excerpt(info, m.document, span)
                cells.append(
                    f"<td>[{span[0]}, {span[1]}) {esc(span[2])}"
                    + (f'<br><span class="excerpt">{esc(piece)}</span>' if piece else "")
                    + "</td>"
                )
            out.append(
                f"<tr><td>{esc(report.document_name(m.document))}</td>"
                f"<td>{esc(m.status)}</td>{''.join(cells)}"
                f"<td>{esc(m.reason)}</td></tr>"
            )
        out.append("</tbody></table>")
    if report.notes:
        out.append("<h2>Notes</h2><ul>")
        out += [f"<li>{esc(n)}</li>" for n in report.notes]
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out)

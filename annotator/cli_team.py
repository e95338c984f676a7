"""Command line of a team's work (issue 5 and the guideline): import a teammate's layer,
agreement, adjudication into the gold layer, and the versioned guideline."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from annotator.cli_common import (
    DOCUMENT_HELP,
    RAW_CSV_HELP,
    csv_values,
    document_ids,
    print_report,
)
from annotator.core.errors import AnnotatorError
from annotator.services import Workspace

WorkspaceFn = Callable[[argparse.Namespace], Workspace]
_workspace: WorkspaceFn


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], ws: WorkspaceFn) -> None:
    """Teammates' layers, agreement, adjudication and the guideline."""
    global _workspace
    _workspace = ws
    il = sub.add_parser(
        "import-layer", help="import a teammate's JSONL export or database file as their layer"
    )
    il.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    il.add_argument(
        "--as",
        dest="as_annotator",
        metavar="NAME",
        help="store every span under this annotator (default: keep each span's)",
    )
    il.add_argument(
        "--skip-missing",
        action="store_true",
        help="report documents not present here instead of adding them",
    )
    il.add_argument(
        "--create-labels",
        action="store_true",
        help="create labels the file uses but the project lacks",
    )
    il.set_defaults(func=cmd_import_layer)

    ag = sub.add_parser("agree", help="inter-annotator agreement: pairs x labels, alpha per label")
    ag.add_argument(
        "--annotators",
        action="append",
        metavar="A,B",
        help="annotators to compare (default: all human annotators)",
    )
    ag.add_argument(
        "--labels", action="append", metavar="L,M", help="labels (default: every label used)"
    )
    ag.add_argument("--document", action="append", metavar="ID", help=DOCUMENT_HELP)
    ag.add_argument(
        "--only-done", action="store_true", help="only documents every chosen annotator marked done"
    )
    ag.add_argument(
        "--all-documents",
        action="store_true",
        help="every document, even when a study plan has an overlap set (the default then)",
    )
    ag.add_argument("--level", choices=("char", "span", "passage", "document"), default="char")
    ag.add_argument("--mode", choices=("exact", "overlap"), default="overlap", help="span matching")
    ag.add_argument(
        "--threshold", type=float, default=0.5, help="overlap ratio for a match (default 0.5)"
    )
    ag.add_argument(
        "--coverage",
        choices=("done", "touched"),
        default="done",
        help="who covers a document: those who marked it done (default) or touched it at all",
    )
    ag.add_argument(
        "--diagnose",
        action="store_true",
        help="match spans and keep every span's diagnosis (implied by --report)",
    )
    ag.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        metavar="N",
        help="resamples of the documents for confidence intervals (default 1000; 0: none)",
    )
    ag.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    ag.add_argument(
        "--guideline-version",
        type=int,
        metavar="N",
        help="only annotators' layers made wholly under guideline version N",
    )
    out = ag.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--csv", action="store_true", help="print CSV")
    ag.add_argument(
        "--report", type=Path, metavar="FILE", help="also write a report: .html, .csv or .json"
    )
    ag.add_argument("--raw-csv", action="store_true", help=RAW_CSV_HELP)
    ag.set_defaults(func=cmd_agree)

    ad = sub.add_parser("adjudicate", help="build the gold layer from several annotators")
    ad.add_argument("--annotators", action="append", required=True, metavar="A,B")
    ad.add_argument(
        "--merge-unanimous",
        action="store_true",
        help="copy spans all of them drew identically into gold",
    )
    ad.add_argument("--document", action="append", metavar="ID", help=DOCUMENT_HELP)
    ad.add_argument(
        "--by", metavar="NAME", help="who decides (default: $ANNOTATOR_USER or the login name)"
    )
    ad.set_defaults(func=cmd_adjudicate)
    _add_guideline_parser(sub)


def cmd_import_layer(args: argparse.Namespace) -> int:
    report = _workspace(args).layers.import_layers(
        args.paths,
        as_annotator=args.as_annotator,
        add_missing=not args.skip_missing,
        create_labels=args.create_labels,
    )
    return print_report(report)


def cmd_agree(args: argparse.Namespace) -> int:
    from annotator.services import agreement_report as out
    from annotator.services.agreement import AgreementQuery
    from annotator.services.agreement_files import write_report

    ws = _workspace(args)
    query = AgreementQuery(
        annotators=csv_values(args.annotators),
        labels=csv_values(args.labels),
        document_ids=document_ids(ws, args.document),
        only_done=args.only_done,
        level=args.level,
        mode=args.mode,
        threshold=args.threshold,
        coverage=args.coverage,
        diagnose=args.diagnose or args.report is not None,
        bootstrap=args.bootstrap,
        seed=args.seed,
        guideline_version=args.guideline_version,
        all_documents=args.all_documents,
    )
    report = ws.agreement.report(query)
    if args.json:
        print(out.render_json(report))
    elif args.csv:
        sys.stdout.write(out.render_csv(report, neutralize_formulas=not args.raw_csv))
    else:
        print(out.render_text(report))
    if args.report is not None:
        kind = write_report(
            args.report,
            report,
            ws.agreement.document_info(report.documents),
            neutralize_formulas=not args.raw_csv,
        )
        print(f"{kind} report -> {args.report}", file=sys.stderr)
    return 0


def cmd_adjudicate(args: argparse.Namespace) -> int:
    import getpass
    import os

    if not args.merge_unanimous:
        raise AnnotatorError(
            "Nothing to do: pass --merge-unanimous (other decisions are made in the app)."
        )
    by = args.by or os.environ.get("ANNOTATOR_USER") or getpass.getuser()
    ws = _workspace(args)
    done = ws.adjudication.merge_unanimous(
        annotators=csv_values(args.annotators),
        decided_by=by,
        document_ids=document_ids(ws, args.document),
    )
    n_docs = len(done.document_ids)
    print(f"merged {len(done.created)} unanimous span(s) into gold in {n_docs} document(s)")
    return 0


def _add_guideline_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    gl = sub.add_parser("guideline", help="set and show the project guideline (versioned)")
    gsub = gl.add_subparsers(dest="guideline_command", required=True, metavar="ACTION")
    gs = gsub.add_parser(
        "set", help="store a Markdown file as the next guideline version (leads, on a server)"
    )
    gs.add_argument("file", type=Path, metavar="FILE")
    gs.add_argument(
        "--author", metavar="NAME", help="who wrote it (default: $ANNOTATOR_USER or login name)"
    )
    gs.set_defaults(func=cmd_guideline_set)
    gw = gsub.add_parser("show", help="print the guideline in force (or one version)")
    gw.add_argument("--version", type=int, metavar="N", help="this version instead")
    gw.add_argument("--json", action="store_true", help="version, author, time and text as JSON")
    gw.set_defaults(func=cmd_guideline_show)
    gsub.add_parser("list", help="list every version").set_defaults(func=cmd_guideline_list)


def _who(given: str | None) -> str:
    import getpass
    import os

    return given or os.environ.get("ANNOTATOR_USER") or getpass.getuser()


def cmd_guideline_set(args: argparse.Namespace) -> int:
    stored = _workspace(args).guidelines.set_from_file(args.file, author=_who(args.author))
    print(
        f"guideline version {stored.version} stored ({len(stored.text)} characters); "
        "spans made from now on record it"
    )
    return 0


def _guideline_json(g: Any) -> dict[str, Any]:
    return {
        "version": g.version,
        "author": g.author,
        "created_at": g.created_at.isoformat() if g.created_at else None,
        "text": g.text,
    }


def cmd_guideline_show(args: argparse.Namespace) -> int:
    svc = _workspace(args).guidelines
    found = svc.get(args.version) if args.version is not None else svc.current()
    if found is None:
        raise AnnotatorError("This project has no guideline yet (annotator guideline set FILE).")
    if args.json:
        print(json.dumps(_guideline_json(found), ensure_ascii=False, indent=2))
        return 0
    when = found.created_at.strftime("%Y-%m-%d %H:%M UTC") if found.created_at else ""
    by = f" by {found.author}" if found.author else ""
    print(f"guideline version {found.version}{by}, {when}", file=sys.stderr)
    sys.stdout.write(found.text if found.text.endswith("\n") else found.text + "\n")
    return 0


def cmd_guideline_list(args: argparse.Namespace) -> int:
    versions = _workspace(args).guidelines.versions()
    if not versions:
        print("no guideline yet (annotator guideline set FILE)")
    for g in versions:
        when = g.created_at.strftime("%Y-%m-%d %H:%M") if g.created_at else ""
        first = next((ln.strip("# ") for ln in g.text.splitlines() if ln.strip()), "")
        print(f"{g.version:>4}  {when}  {g.author:<16} {first[:60]}")
    return 0


# Commands that only read (see cli._reads_only), and commands that write.
READS = {cmd_agree}
WRITES = {cmd_import_layer, cmd_adjudicate, cmd_guideline_set}

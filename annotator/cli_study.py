"""Command line of agreement studies (issue 22): assign, handover, queue, skip, progress,
project blind/show."""

from __future__ import annotations

import argparse
import getpass
import json
import os
from collections.abc import Callable

from annotator.core.errors import AnnotatorError
from annotator.services import Workspace

WorkspaceFn = Callable[[argparse.Namespace], Workspace]
_workspace: WorkspaceFn


def _names(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split(",") if p.strip())


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], ws: WorkspaceFn) -> None:
    global _workspace
    _workspace = ws

    asg = sub.add_parser(
        "assign", help="plan who labels which document; assigns every unassigned document"
    )
    asg.add_argument(
        "--annotators", metavar="A,B,C", help="who annotates (default: the stored plan)"
    )
    asg.add_argument(
        "--overlap",
        type=float,
        metavar="FRACTION",
        help="share of documents several annotators label independently (e.g. 0.25)",
    )
    asg.add_argument(
        "--per-document",
        type=int,
        metavar="K",
        help="annotators per overlap document (default 2)",
    )
    asg.add_argument(
        "--seed", type=int, help="seed of the shuffle (default 0; same seed, same plan)"
    )
    asg.add_argument("--json", action="store_true", help="print JSON")
    asg.set_defaults(func=cmd_assign)

    ho = sub.add_parser("handover", help="hand an annotator's unfinished documents to others")
    ho.add_argument("--from", dest="leaving", required=True, metavar="NAME")
    ho.add_argument("--to", required=True, metavar="B,C")
    ho.set_defaults(func=cmd_handover)

    q = sub.add_parser("queue", help="an annotator's assigned documents not yet done, in order")
    q.add_argument("--annotator", required=True, metavar="NAME")
    q.add_argument("--json", action="store_true", help="JSON lines")
    q.set_defaults(func=cmd_queue)

    sk = sub.add_parser("skip", help="skip an assigned document, with a reason the lead sees")
    sk.add_argument("document", metavar="DOCUMENT", help="external id (or number)")
    sk.add_argument("--annotator", required=True, metavar="NAME")
    sk.add_argument("--reason", required=True)
    sk.set_defaults(func=cmd_skip)

    pr = sub.add_parser("progress", help="the study's progress per annotator, and agreement so far")
    pr.add_argument("--json", action="store_true", help="print JSON")
    pr.add_argument(
        "--bootstrap", type=int, default=200, metavar="N", help="resamples for the intervals"
    )
    pr.set_defaults(func=cmd_progress)

    proj = sub.add_parser("project", help="project settings: blind mode")
    psub = proj.add_subparsers(dest="project_command", required=True, metavar="ACTION")
    bl = psub.add_parser("blind", help="blind mode on or off")
    bl.add_argument("state", choices=("on", "off"))
    bl.set_defaults(func=cmd_project_blind)
    sh = psub.add_parser("show", help="show the project's settings and plan")
    sh.add_argument("--json", action="store_true", help="print JSON")
    sh.set_defaults(func=cmd_project_show)


def cmd_assign(args: argparse.Namespace) -> int:
    from annotator.core.study import StudyPlan

    ws = _workspace(args)
    stored = ws.study.plan()
    given = (args.annotators, args.overlap, args.per_document, args.seed)
    plan = None
    if any(v is not None for v in given):
        if args.annotators is None and stored is None:
            raise AnnotatorError("--annotators A,B,C is needed for the first plan.")
        base = stored or StudyPlan((), 0.0, 2, 0)
        plan = StudyPlan(
            annotators=_names(args.annotators) if args.annotators else base.annotators,
            overlap=args.overlap if args.overlap is not None else base.overlap,
            per_document=args.per_document if args.per_document is not None else base.per_document,
            seed=args.seed if args.seed is not None else base.seed,
        )
    by = os.environ.get("ANNOTATOR_USER") or getpass.getuser()
    result = ws.study.assign(plan, assigned_by=by)
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        print(result.summary())
    return 0


def cmd_handover(args: argparse.Namespace) -> int:
    counts = _workspace(args).study.hand_over(args.leaving, _names(args.to))
    kept = counts.pop("(kept)", 0)
    moved = ", ".join(f"{n} {c}" for n, c in sorted(counts.items())) or "none"
    print(f"handed over {sum(counts.values())} document(s) of {args.leaving}: {moved}")
    if kept:
        print(f"{kept} document(s) stay with {args.leaving}: every receiver already has them")
    return 0


def cmd_queue(args: argparse.Namespace) -> int:
    items = _workspace(args).study.queue(args.annotator)
    for it in items:
        if args.json:
            print(json.dumps(it.as_json(), ensure_ascii=False))
        else:
            print(f"{it.external_id or it.document_id}\t{it.status.value}\t{it.title}")
    return 0


def cmd_skip(args: argparse.Namespace) -> int:
    ws = _workspace(args)
    ws.study.skip(ws.study.find_document(args.document), args.annotator, args.reason)
    print(f"skipped {args.document} for {args.annotator}")
    return 0


def cmd_progress(args: argparse.Namespace) -> int:
    progress = _workspace(args).study.progress(bootstrap=args.bootstrap)
    if args.json:
        print(json.dumps(progress.as_json(), ensure_ascii=False, indent=2))
    else:
        print(progress.render_text())
    return 0


def cmd_project_blind(args: argparse.Namespace) -> int:
    _workspace(args).study.set_blind(args.state == "on")
    print(f"blind mode {args.state}")
    return 0


def cmd_project_show(args: argparse.Namespace) -> int:
    info = _workspace(args).study.show()
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
        return 0
    print(f"blind mode: {'on' if info['blind'] else 'off'}")
    plan = info["plan"]
    if isinstance(plan, dict):
        print(
            f"plan: {', '.join(plan['annotators'])}; overlap {plan['overlap']}, "
            f"{plan['per_document']} per overlap document, seed {plan['seed']}"
        )
    else:
        print("plan: none (annotator assign)")
    print(
        f"{info['assigned_documents']} of {info['documents']} document(s) assigned, "
        f"{info['overlap_documents']} in the overlap set"
    )
    return 0


WRITES = {cmd_assign, cmd_handover, cmd_skip, cmd_project_blind}
# Commands that only read: no daily backup, no instance marker, no write lock (issue 26).
READS = {cmd_queue, cmd_progress, cmd_project_show}

"""``annotator suggest``: suggestions, their evaluation and the review queue on the command line.

Kept beside ``cli`` so that module stays a list of commands; it registers one sub-parser.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.cli_common import DOCUMENT_HELP, document_ids
from annotator.core.errors import AnnotatorError
from annotator.services import Workspace

if TYPE_CHECKING:  # the suggestion service imports numpy: only when the command runs
    from annotator.services.predictions import PredictedSuggestion
    from annotator.services.suggestions import ReviewItem
    from annotator.suggest.combine import Suggester


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    workspace: Callable[[argparse.Namespace], Workspace],
) -> None:
    sg = sub.add_parser(
        "suggest",
        help="suggest labels for passages, learned from the labels in the database",
        description="Train on the passages people have tagged (plus the labels' seed rules) "
        "and print suggestions for the documents nobody has tagged, or the named ones.",
    )
    sg.add_argument("--document", action="append", metavar="ID", help=DOCUMENT_HELP)
    sg.add_argument(
        "--annotator",
        action="append",
        metavar="NAME",
        help="learn from these annotators' labels (default: everyone's); untagged means by them",
    )
    sg.add_argument("--level", choices=("sentence", "paragraph"), default="sentence")
    sg.add_argument(
        "--all",
        action="store_true",
        dest="every",
        help="every passage and label with its score, not only what the window would show",
    )
    sg.add_argument("--json", action="store_true", help="one JSON object a line")
    what = sg.add_mutually_exclusive_group()
    what.add_argument(
        "--evaluate",
        action="store_true",
        help="cross-validated precision, recall and F1 per label on the labels in the database",
    )
    what.add_argument(
        "--uncertain",
        type=int,
        metavar="N",
        help="the N passages the model is least sure of that --annotator has not judged yet",
    )
    what.add_argument(
        "--issues",
        action="store_true",
        help="tagged passages where the model and the label disagree (out-of-fold)",
    )
    what.add_argument(
        "--apply",
        action="store_true",
        help="accept the confident suggestions (labels whose out-of-fold precision reaches "
        "--min-precision) as --annotator's spans, origin 'suggested'; one transaction a document",
    )
    what.add_argument(
        "--set-rules",
        nargs=2,
        metavar=("LABEL", "FILE"),
        help="store LABEL's seed rules from FILE (one a line; '-' reads stdin), then exit",
    )
    sg.add_argument(
        "--min-precision",
        type=float,
        default=0.95,
        metavar="P",
        help="--apply: only labels whose out-of-fold precision is at least P (default 0.95)",
    )
    sg.set_defaults(func=lambda args: cmd_suggest(args, workspace(args)))


def _names(values: list[str] | None) -> tuple[str, ...]:
    return tuple(p.strip() for v in values or () for p in v.split(",") if p.strip())


def cmd_suggest(args: argparse.Namespace, ws: Workspace) -> int:
    try:
        return _suggest(args, ws)
    except BrokenPipeError:  # piped into head: stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _suggest(args: argparse.Namespace, ws: Workspace) -> int:
    svc = ws.suggestions
    annotators = _names(args.annotator)
    if args.set_rules:
        label, path = args.set_rules
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise AnnotatorError(f"{path}: cannot read the rules: {exc.strerror}") from exc
        try:
            svc.set_rules(label, text)
        except AnnotatorError as exc:
            raise AnnotatorError(f"{path}: {exc}") from exc
        print(f"{label}: {len(svc.rules().get(label, []))} rule(s)")
        return 0
    doc_ids = document_ids(ws, args.document)  # before anything runs: a bad id writes nothing
    if annotators:
        svc.check_annotators(annotators)
    who = ", ".join(annotators) if annotators else "nobody"
    if args.evaluate:
        report = svc.evaluate_report(annotators=annotators, level=args.level)
        _notes(report.notes)
        if report.passages == 0:
            raise AnnotatorError(f"Nothing to evaluate: {_nothing_judged(who)}")
        if not report.scores:
            raise AnnotatorError("Nothing to evaluate: no label can be learnt yet (see above).")
        if args.json:
            for sc in report.scores:
                pos, neg = report.counts[sc.label]
                line = {"passages": report.passages, **asdict(sc)}
                print(json.dumps({**line, "positives": pos, "negatives": neg}))
            return 0
        print(f"{report.passages} judged {args.level}s, 5-fold cross-validation")
        print(
            f"{'label':<20} {'precision':>9} {'recall':>7} {'F1':>6} {'positives':>9} "
            f"{'negatives':>9}"
        )
        for sc in report.scores:
            pos, neg = report.counts[sc.label]
            print(
                f"{sc.label:<20} {sc.precision:>9.3f} {sc.recall:>7.3f} {sc.f1:>6.3f} "
                f"{pos:>9} {neg:>9}"
            )
        return 0
    if args.issues:
        ex = svc.examples(annotators=annotators, level=args.level)
        notes = svc.label_notes(ex)
        _notes(notes)
        if not ex:
            raise AnnotatorError(f"No label issues to look for: {_nothing_judged(who)}")
        items = svc.disagreements(annotators=annotators, level=args.level)
        for item in items:
            _print_item(item, args.json)
        if not items:
            print(
                f"No label issues: the model agrees with every label on {len(ex)} judged "
                f"{args.level}s.",
                file=sys.stderr,
            )
        return 0
    listing = not args.apply and args.uncertain is None
    predicted = (
        ws.predictions.suggestions(
            document_ids=doc_ids,
            annotators=annotators,
            annotator=annotators[0] if len(annotators) == 1 else "",
        )
        if listing
        else []
    )
    sug, ex = svc.train_with_examples(annotators=annotators, level=args.level)
    if not sug.ready and predicted:  # a model's imported predictions, and no model here yet
        _print_predicted(predicted, args.json)
        print(
            "note: only imported predictions: nothing can be learnt from the labels yet.",
            file=sys.stderr,
        )
        return 0
    if not sug.ready:
        notes = svc.label_notes(ex)
        why = (
            _nothing_judged(who)
            if not ex
            else "no label can be learnt yet: "
            + "; ".join(f"{lab}: {reason}" for lab, reason in notes.items())
            + "."
        )
        raise AnnotatorError(f"Nothing to suggest from: {why} Or give labels seed rules.")
    if ex:
        _notes(svc.label_notes(ex))
    if args.apply:
        return _apply(args, ws, sug, annotators, doc_ids)
    if args.uncertain is not None:
        if len(annotators) != 1:
            raise AnnotatorError("--uncertain needs one --annotator: whose queue it is.")
        if sug.model is None:
            raise AnnotatorError(
                "--uncertain needs a model trained on judged passages; only seed rules fired."
            )
        for item in svc.uncertain(
            sug, annotator=annotators[0], level=args.level, limit=args.uncertain
        ):
            _print_item(item, args.json)
        return 0
    _print_predicted(predicted, args.json)
    for row in svc.suggestions(
        sug,
        document_ids=doc_ids,
        annotators=annotators,
        level=args.level,
        every=args.every,
    ):
        if args.json:
            print(json.dumps(row.as_json()))
        else:
            why = f" ({row.rule})" if row.source == "rule" and row.rule else ""
            print(
                f"{row.document}\t{row.start}-{row.end}\t{row.label}\t{row.score:.2f}\t"
                f"{row.source}{why}"
            )
    sys.stdout.flush()
    return 0


def _apply(
    args: argparse.Namespace,
    ws: Workspace,
    sug: Suggester,
    annotators: tuple[str, ...],
    doc_ids: tuple[int, ...],
) -> int:
    from annotator.services.suggestion_commands import PreAnnotateCommand

    if len(annotators) != 1:
        raise AnnotatorError("--apply needs one --annotator: whose spans the suggestions become.")
    if not 0.5 <= args.min_precision <= 1.0:
        raise AnnotatorError("--min-precision must be between 0.5 and 1.")
    plan = ws.suggestions.preannotation(
        sug,
        annotator=annotators[0],
        document_ids=doc_ids,
        level=args.level,
        min_precision=args.min_precision,
    )
    for doc_id, spans in plan.spans.items():
        PreAnnotateCommand(ws.annotations, doc_id, spans, annotators[0]).do()
    if args.json:
        for c in plan.labels:
            print(json.dumps({**asdict(c), "tagged": plan.count(c.label)}))
        for label, why in plan.left_out.items():
            print(json.dumps({"label": label, "tagged": 0, "left_out": why}))
        return 0
    print(
        f"Tagged {plan.passages()} passage(s) in {len(plan.spans)} document(s) as "
        f"{annotators[0]}'s (origin 'suggested'):"
    )
    for c in plan.labels:
        print(
            f"  {c.label}: {plan.count(c.label)} (out-of-fold precision {c.precision:.2f} "
            f"at {c.threshold:.2f}, on {c.support} passages)"
        )
    for label, why in plan.left_out.items():
        print(f"  {label}: left out, {why}")
    return 0


def _print_predicted(rows: list[PredictedSuggestion], as_json: bool) -> None:
    """Imported predictions (Label Studio's), each with its model version as its source."""
    for p in rows:
        if as_json:
            print(json.dumps(p.as_json()))
        else:
            score = "-" if p.score is None else f"{p.score:.2f}"
            print(f"{p.document}\t{p.start}-{p.end}\t{p.label}\t{score}\t{p.source}")


def _nothing_judged(who: str) -> str:
    judged = "has judged a passage" if who == "nobody" else "has judged no passage"
    return (
        f"{who} {judged} yet (a tagged passage, one walked past with no label, "
        "a rejected suggestion, or a document marked done)."
    )


def _notes(notes: dict[str, str]) -> None:
    """Labels that drop out, named on stderr (stdout stays the data)."""
    for lab, reason in notes.items():
        print(f"note: {lab} is not learnt: {reason}", file=sys.stderr)


def _print_item(item: ReviewItem, as_json: bool) -> None:
    if as_json:
        print(json.dumps(asdict(item)))
    else:
        text = " ".join(item.text.split())[:80]
        print(
            f"{item.document or item.document_id}\t{item.start}-{item.end}\t"
            f"{item.priority:.2f}\t{item.reason}\t{text}"
        )

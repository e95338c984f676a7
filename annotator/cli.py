"""Command line. Plain ``annotator`` starts the GUI; Qt is imported only for that."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from annotator import __version__
from annotator.cli_common import (
    DOCUMENT_HELP,
    RAW_CSV_HELP,
    csv_values,
    document_ids,
    print_report,
)
from annotator.core.errors import AnnotatorError, DocumentIdError
from annotator.core.model import SpanFilter
from annotator.services import Workspace


class _FormatNames:
    """argparse ``choices`` read from the format registry only when a check or the help
    needs them: the plain ``annotator`` start does not import every format module."""

    def __init__(self, which: str) -> None:
        self._which = which

    def _names(self) -> Sequence[str]:
        from annotator.formats import registry

        get: Callable[[], Sequence[str]] = getattr(registry, f"{self._which}_names")
        return get()

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())


class _LazyChoicesFormatter(argparse.HelpFormatter):
    """argparse checks every new argument's metavar by formatting it, which lists the
    choices: for ``--format`` that imported every format module on each command. The check
    (``default_metavar`` None) gets the plain name; the help still lists the formats."""

    def _format_args(self, action: argparse.Action, default_metavar: str) -> str:
        if default_metavar is None and isinstance(action.choices, _FormatNames):
            return action.dest.upper()
        return super()._format_args(action, default_metavar)


def build_parser() -> argparse.ArgumentParser:
    importer_names, exporter_names = _FormatNames("importer"), _FormatNames("exporter")
    p = argparse.ArgumentParser(
        prog="annotator", description="Tag passages of articles and export training data."
    )
    p.add_argument("--version", action="version", version=f"annotator {__version__}")
    p.add_argument(
        "--db",
        metavar="URL",
        help="SQLAlchemy database URL (default: SQLite in the user data dir; env ANNOTATOR_DB)",
    )
    p.add_argument(
        "--new-project",
        action="store_true",
        help="start a new project in an empty file or another program's SQLite database at "
        "--db (refused without it)",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help="start the desktop app (the default)")
    gui.set_defaults(func=cmd_gui)

    selftest = sub.add_parser(
        "self-test", help="check the installation headless on a scratch database, then exit"
    )
    selftest.set_defaults(func=cmd_self_test)

    chk = sub.add_parser(
        "check",
        help="the full check of the database: every page, index and text (records the result)",
    )
    chk.set_defaults(func=cmd_check)

    imp = sub.add_parser(
        "import",
        help="import files, folders or annotated datasets",
        formatter_class=_LazyChoicesFormatter,
    )
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    imp.add_argument(
        "--format",
        choices=importer_names,
        help="force a format (default: by file extension; .jsonl by its records' keys)",
    )
    imp.add_argument(
        "--annotator",
        default="imported",
        help="annotator for spans that name none (default: imported)",
    )
    imp.add_argument(
        "--create-labels",
        action="store_true",
        help="create labels the file uses but the project lacks",
    )
    imp.add_argument(
        "--label-studio-users",
        action="append",
        metavar="ID=NAME",
        help="label-studio: annotator name for a Label Studio user id (default: ls-user-ID; "
        "repeat or comma-separate)",
    )
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser(
        "export", help="export documents and spans", formatter_class=_LazyChoicesFormatter
    )
    exp.add_argument("--format", default="jsonl", choices=exporter_names)
    exp.add_argument("-o", "--output", required=True, type=Path, metavar="PATH")
    exp.add_argument(
        "--annotator",
        action="append",
        metavar="NAME",
        help="only these annotators' spans (repeat or comma-separate)",
    )
    exp.add_argument(
        "--label",
        action="append",
        metavar="NAME",
        help="only these labels (repeat or comma-separate)",
    )
    exp.add_argument(
        "--document",
        action="append",
        metavar="ID",
        help=DOCUMENT_HELP,
    )
    exp.add_argument(
        "--only-done", action="store_true", help="only documents the chosen annotators marked done"
    )
    exp.add_argument("--split", metavar="TRAIN/DEV/TEST", help="split by document, e.g. 80/10/10")
    exp.add_argument("--seed", type=int, default=0, help="seed of the split shuffle (default: 0)")
    exp.add_argument(
        "--majority", action="store_true", help="only spans most chosen annotators drew"
    )
    exp.add_argument(
        "--conll-overlap", choices=("layers", "longest"), help="conll: overlapping spans"
    )
    exp.add_argument(
        "--conll-metadata",
        choices=("side-file", "comments", "none"),
        help="conll: where the exact text and metadata go (default: side-file OUT.meta)",
    )
    exp.add_argument(
        "--conll-docstart",
        choices=("spacy", "conll2003"),
        help="conll: '-DOCSTART- -X- O O' (default, spaCy splits on it) or '-DOCSTART- -X- -X- O'",
    )
    exp.add_argument(
        "--label-studio-email",
        action="append",
        metavar="NAME=EMAIL",
        help="label-studio: write completed_by {'email': EMAIL} for annotator NAME (repeat)",
    )
    exp.add_argument("--passage-unit", choices=("sentence", "paragraph"), help="passages: row unit")
    exp.add_argument("--passage-rule", choices=("majority", "any"), help="passages: label rule")
    exp.add_argument("--raw-csv", action="store_true", help=RAW_CSV_HELP)
    exp.add_argument(
        "--viewer",
        metavar="NAME",
        help="export what annotator NAME may see (blind mode hides teammates' unfinished work)",
    )
    exp.set_defaults(func=cmd_export)

    st = sub.add_parser("stats", help="documents, spans per label and annotator")
    st.add_argument("--json", action="store_true", help="machine-readable output")
    st.set_defaults(func=cmd_stats)

    lab = sub.add_parser("labels", help="list and edit the label set")
    lsub = lab.add_subparsers(dest="labels_command", required=True, metavar="ACTION")
    ll = lsub.add_parser("list", help="list labels")
    ll.add_argument(
        "--json", action="store_true", help="one JSON object a label, with its seed rules"
    )
    ll.set_defaults(func=cmd_labels_list)
    ldr = lsub.add_parser(
        "default-rules",
        help="give MILITARY, DIPLOMATIC and ECONOMIC the shipped seed rules where they have none",
    )
    ldr.set_defaults(func=cmd_labels_default_rules)
    la = lsub.add_parser("add", help="add a label")
    la.add_argument("name")
    la.add_argument("--color")
    la.add_argument("--shortcut", default="")
    la.add_argument("--description", default="")
    la.set_defaults(func=cmd_labels_add)
    le = lsub.add_parser("edit", help="rename or change a label")
    le.add_argument("name")
    le.add_argument("--rename", metavar="NEW")
    le.add_argument("--color")
    le.add_argument("--shortcut")
    le.add_argument("--description")
    le.set_defaults(func=cmd_labels_edit)
    lr = lsub.add_parser("remove", help="remove a label")
    lr.add_argument("name")
    lr.add_argument("--delete-spans", action="store_true", help="also delete the spans that use it")
    lr.set_defaults(func=cmd_labels_remove)
    from annotator import cli_server, cli_study, cli_suggest, cli_team

    cli_team.add_parser(sub, _workspace)
    cli_server.add_parser(sub)
    cli_study.add_parser(sub, _workspace)
    _add_backup_parser(sub)

    cli_suggest.add_parser(sub, _workspace)
    return p


def _add_backup_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bk = sub.add_parser("backup", help="list, make and restore backups of the database")
    bsub = bk.add_subparsers(dest="backup_command", required=True, metavar="ACTION")
    bsub.add_parser("list", help="list backups, newest first").set_defaults(func=cmd_backup_list)
    bsub.add_parser("create", help="back up the database now").set_defaults(func=cmd_backup_create)
    br = bsub.add_parser(
        "restore", help="replace the database with a backup (the current one is kept)"
    )
    br.add_argument(
        "name", nargs="?", default="latest", help="backup name or prefix (default: latest)"
    )
    br.set_defaults(func=cmd_backup_restore)


_opened: list[Workspace] = []
"""The workspaces this command opened: closed when it ends (see ``main``)."""


def _workspace(args: argparse.Namespace) -> Workspace:
    from annotator.app import open_workspace

    func = getattr(args, "func", None)
    ws = open_workspace(
        args.db,
        read_only=_reads_only(args),
        new_project=bool(getattr(args, "new_project", False)),
    )
    _opened.append(ws)
    for notice in ws.notices:
        print(f"annotator: warning: {notice}", file=sys.stderr)
    from annotator.cli_study import WRITES as study_writes
    from annotator.cli_team import WRITES as team_writes

    if func in _WRITES | study_writes | team_writes:
        from annotator.services.opening import other_instance_notice

        notice = other_instance_notice(ws)
        if notice:
            print(f"annotator: warning: {notice}", file=sys.stderr)
    return ws


def _reads_only(args: argparse.Namespace) -> bool:
    """Commands that only read: they never make (or wait for) the daily backup, take no
    instance marker and no write lock."""
    if getattr(args, "command", None) == "suggest":
        return not getattr(args, "set_rules", None)
    from annotator.cli_study import READS as study_reads
    from annotator.cli_team import READS as team_reads

    return getattr(args, "func", None) in _READS | study_reads | team_reads


def cmd_check(args: argparse.Namespace) -> int:
    """The full check (integrity_check and every text cell's UTF-8), recorded."""
    from annotator.app import backup_service
    from annotator.core.errors import DatabaseError
    from annotator.services import health

    try:
        svc = backup_service(args.db)
    except DatabaseError:
        raise AnnotatorError(
            "annotator check reads SQLite files; a PostgreSQL server checks its own pages "
            "(its administrator runs amcheck or pg_dump)."
        ) from None
    if not svc.db_path.exists():
        raise AnnotatorError(f"There is no database at {svc.db_path} to check.")
    result, record = health.run_full_check(svc)
    if result.ok:
        print(f"{svc.db_path}: ok (full check in {record.seconds:.1f} s)")
        off = _workspace(args).documents.recount()
        if off:
            print(
                f"{svc.db_path}: the span counts kept for stats differed from the spans in "
                f"{off} place(s) and were counted again (no label was changed)."
            )
        return 0
    if result.damaged:
        newest = svc.newest()
        advice = (
            f"restore the newest backup with:\n  {svc.command('restore')} {newest.name}"
            if newest is not None
            else "there is no backup of it; keep the file for a recovery tool"
        )
        raise AnnotatorError(
            f"The database file {svc.db_path} is damaged: {result.problem}. It was not "
            f"changed; {advice}"
        )
    raise AnnotatorError(
        f"The database file {svc.db_path} could not be checked: {result.problem}. "
        "That is not damage; nothing was changed."
    )


def cmd_backup_list(args: argparse.Namespace) -> int:
    from annotator.app import backup_service

    svc = backup_service(args.db)
    backups = svc.list()
    for name, why in svc.skipped.items():
        print(f"annotator: warning: skipped {svc.folder / name}: {why}", file=sys.stderr)
    if not backups:
        print(f"no backups of {svc.db_path} yet (in {svc.folder})")
    for b in backups:
        print(b.describe())
    return 0


def cmd_backup_create(args: argparse.Namespace) -> int:
    from annotator.app import backup_service

    info = backup_service(args.db).create()
    print(f"backup written: {info.path}")
    return 0


def cmd_backup_restore(args: argparse.Namespace) -> int:
    from annotator.app import backup_service

    chosen, saved = backup_service(args.db).restore(args.name)
    print(f"restored {chosen.describe()}")
    for p in saved:
        print(f"the previous database was saved as {p}")
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    from annotator.gui.app import run

    return run(db_url=args.db)


def cmd_self_test(args: argparse.Namespace) -> int:
    from annotator.gui.self_test import run_self_test

    return run_self_test()


def cmd_import(args: argparse.Namespace) -> int:
    from annotator.formats.label_studio import user_names

    names = _user_pairs(args.label_studio_users)
    ws = _workspace(args)
    with user_names(names):
        report = ws.importer.import_paths(
            args.paths,
            annotator=args.annotator,
            format=args.format,
            create_labels=args.create_labels,
        )
    return print_report(report)


def _user_pairs(given: list[str] | None) -> dict[str, str]:
    """``--label-studio-users 3=alice,7=bob`` as {"3": "alice", "7": "bob"}."""
    out: dict[str, str] = {}
    for item in (p for arg in given or () for p in arg.split(",")):
        user, sep, name = item.partition("=")
        if not sep or not user.strip().isdigit() or not name.strip():
            raise AnnotatorError(f"--label-studio-users takes ID=NAME (a user id), not {item!r}.")
        out[str(int(user))] = name.strip()
    return out


def _email_pairs(given: list[str] | None) -> tuple[tuple[str, str], ...] | None:
    if not given:
        return None
    pairs = []
    for item in given:
        name, sep, email = item.partition("=")
        if not sep or not name.strip() or not email.strip():
            raise AnnotatorError(f"--label-studio-email takes NAME=EMAIL, not {item!r}.")
        pairs.append((name.strip(), email.strip()))
    return tuple(pairs)


def cmd_export(args: argparse.Namespace) -> int:
    ws = _workspace(args)
    flt = SpanFilter(
        annotators=csv_values(args.annotator),
        labels=csv_values(args.label),
        document_ids=document_ids(ws, args.document),
        only_done=args.only_done,
    )
    known = {lab.name for lab in ws.labels.list()}
    for name in flt.labels:
        if name not in known:
            raise AnnotatorError(f"No label named {name!r}.")
    from annotator.formats.selection import parse_split

    options = {
        key: value
        for key, value in (
            ("overlap", args.conll_overlap),
            ("metadata", args.conll_metadata),
            ("docstart", args.conll_docstart),
            ("emails", _email_pairs(args.label_studio_email)),
            ("unit", args.passage_unit),
            ("rule", args.passage_rule),
        )
        if value is not None
    }
    if args.raw_csv and args.format == "passages-csv":
        options["neutralize_formulas"] = False
    report = ws.exporter.export(
        args.format,
        args.output,
        filter=flt,
        options=options,
        split=parse_split(args.split) if args.split else None,
        seed=args.seed,
        majority=args.majority,
        viewer=args.viewer,
    )
    print(report.summary())
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    stats = _workspace(args).documents.stats()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, separators=(",", ":")))
        return 0
    print(f"{len(stats['documents'])} document(s), {stats['spans']['total']} span(s)")
    for d in stats["documents"]:
        date = d["published"] or "----------"
        print(f"  {d['id']:>5}  {date}  {d['spans']:>5} spans  {d['title'][:70]}")
    if stats["spans"]["by_label"]:
        print(
            "spans by label: "
            + ", ".join(f"{k} {v}" for k, v in stats["spans"]["by_label"].items())
        )
    if stats["spans"]["by_annotator"]:
        print(
            "spans by annotator: "
            + ", ".join(f"{k} {v}" for k, v in stats["spans"]["by_annotator"].items())
        )
    return 0


def cmd_labels_list(args: argparse.Namespace) -> int:
    ws = _workspace(args)
    if args.json:
        rules = ws.suggestions.rules()
        for lab in ws.labels.list():
            row = {
                "name": lab.name,
                "color": lab.color,
                "shortcut": lab.shortcut,
                "description": lab.description,
                "spans": ws.labels.usage(lab.name),
                "rules": rules.get(lab.name, []),
            }
            print(json.dumps(row))
        return 0
    for lab in ws.labels.list():
        key = f"[{lab.shortcut}]" if lab.shortcut else "   "
        uses = ws.labels.usage(lab.name)
        print(f"{key:>4} {lab.name:<20} {lab.color}  {uses:>6} spans  {lab.description}")
    return 0


def cmd_labels_default_rules(args: argparse.Namespace) -> int:
    from annotator import paths

    done, _ = _workspace(args).labels.install_default_rules(paths.seed_rules())
    if done:
        print(f"Seed rules installed for {', '.join(done)}.")
    else:
        print("Nothing changed: every standard label already has rules (yours are kept).")
    return 0


def cmd_labels_add(args: argparse.Namespace) -> int:
    label, _ = _workspace(args).labels.add(
        args.name, color=args.color, shortcut=args.shortcut, description=args.description
    )
    print(f"added label {label.name} ({label.color})")
    return 0


def cmd_labels_edit(args: argparse.Namespace) -> int:
    label, _ = _workspace(args).labels.update(
        args.name,
        new_name=args.rename,
        color=args.color,
        shortcut=args.shortcut,
        description=args.description,
    )
    print(f"updated label {label.name}")
    return 0


def cmd_labels_remove(args: argparse.Namespace) -> int:
    n, _ = _workspace(args).labels.remove(args.name, delete_spans=args.delete_spans)
    print(f"removed label {args.name}" + (f" and {n} span(s)" if n else ""))
    return 0


# Commands that only read (and ``suggest`` without --set-rules): see _reads_only.
_READS = {cmd_labels_list, cmd_stats, cmd_export}

# Commands that write: they warn when another Annotator has the same database open.
_WRITES = {
    cmd_import,
    cmd_labels_add,
    cmd_labels_edit,
    cmd_labels_remove,
}


def main(argv: Sequence[str] | None = None) -> int:
    from annotator.log import setup_logging

    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging()
    func = getattr(args, "func", cmd_gui)
    with contextlib.suppress(AttributeError, ValueError):  # a file name that is not UTF-8
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    try:
        return int(func(args))
    except AnnotatorError as exc:
        print(f"annotator: error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, DocumentIdError) else 1  # 2: a usage error, as argparse's
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _stdout_closed()
    except OSError as exc:
        print(f"annotator: error: {os_error_message(exc)}", file=sys.stderr)
        return 1
    finally:
        _close_opened()


def _close_opened() -> None:
    """Close what the command opened, explicitly: the engine's connections (SQLite folds
    the write-ahead log back into the file) and the instance marker, rather than leaving
    them to the interpreter's exit."""
    while _opened:
        ws = _opened.pop()
        try:
            ws.close()
        except Exception as exc:  # the command's own result stands
            print(f"annotator: warning: closing the database: {exc}", file=sys.stderr)


def os_error_message(exc: OSError) -> str:
    """One line for ordinary OS trouble (full disk, no permission, a file where a folder
    should be), naming the file."""
    from annotator.core.validate import display_path

    names = [display_path(f) for f in (exc.filename, exc.filename2) if f is not None]
    what = exc.strerror or str(exc)
    return f"{' -> '.join(names)}: {what}" if names else what


def _stdout_closed() -> int:
    """The reader of our output went away (``annotator stats | head -0``): end quietly.

    stdout is pointed at /dev/null so the flush at exit does not complain again.
    """
    import os

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 141  # as a process killed by SIGPIPE

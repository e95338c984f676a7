"""``annotator server``: set up a team's PostgreSQL database and its members (the owner's
commands). Kept beside ``cli`` so that module stays a list of commands."""

from __future__ import annotations

import argparse
import sys

from annotator.core.errors import AnnotatorError
from annotator.services.team import TeamServerService


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    srv = sub.add_parser("server", help="set up a shared PostgreSQL database for a team")
    ssub = srv.add_subparsers(dest="server_command", required=True, metavar="ACTION")
    si = ssub.add_parser("init", help="create schema, roles, grants and row-level security (owner)")
    si.set_defaults(func=cmd_server_init)
    su = ssub.add_parser("add-user", help="create a login role for an annotator (owner)")
    su.add_argument("name", help="role name, also the annotator name unless --annotator")
    su.add_argument(
        "--annotator", metavar="NAME", help="annotator name if it differs from the role"
    )
    su.add_argument("--adjudicator", action="store_true", help="may also write the gold layer")
    su.add_argument(
        "--lead", action="store_true", help="may also edit documents, labels and any span"
    )
    su.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    su.add_argument(
        "--existing-role",
        action="store_true",
        help="the role exists already: make it a member, never touch its password",
    )
    su.add_argument(
        "--connection-limit",
        type=int,
        default=8,
        metavar="N",
        help="connections this login may hold at once (default 8; re-run with "
        "--existing-role to change it)",
    )
    su.set_defaults(func=cmd_server_add_user)
    sr = ssub.add_parser("reset-password", help="give a member a new password (owner)")
    sr.add_argument("name", help="the member's role name")
    sr.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    sr.set_defaults(func=cmd_server_reset_password)
    ss = ssub.add_parser(
        "sessions", help="who is connected, in a transaction, blocking whom (owner)"
    )
    ss.add_argument("--end", type=int, metavar="PID", help="end this member's session")
    ss.add_argument("--json", action="store_true", help="print JSON")
    ss.set_defaults(func=cmd_server_sessions)
    for sp in (si, su, sr, ss):
        # Also accepted after the action; SUPPRESS keeps a --db given before it.
        sp.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="the owner's URL")


def _team(args: argparse.Namespace) -> TeamServerService:
    from annotator import paths
    from annotator.settings import Settings

    url = paths.resolve_db_url(args.db, Settings.load().db_url or None)
    return TeamServerService.connect(url)


def cmd_server_init(args: argparse.Namespace) -> int:
    notes = _team(args).init()
    print("team server ready: roles annotator_users, annotator_adjudicators, annotator_leads")
    for note in notes:
        print(f"note: {note}")
    return 0


def cmd_server_sessions(args: argparse.Namespace) -> int:
    import json

    team = _team(args)
    if args.end is not None:
        ended = team.end_session(args.end)
        print(f"ended session {ended.pid} of {ended.role}")
        return 0
    found = team.sessions()
    if args.json:
        rows = [
            {
                "pid": s.pid,
                "role": s.role,
                "application": s.application,
                "client": s.client,
                "state": s.state,
                "transaction_since": s.since.isoformat() if s.since else None,
                "waiting_for": list(s.waiting_for),
                "blocking": list(s.blocking),
                "member": s.member,
            }
            for s in found
        ]
        print(json.dumps({"sessions": rows}, indent=2))
        return 0
    if not found:
        print("no other sessions on this database")
        return 0
    print(f"{'PID':>7}  {'ROLE':<20} {'STATE':<30} {'IN TRANSACTION SINCE':<20} BLOCKING")
    for s in found:
        since = s.since.strftime("%Y-%m-%d %H:%M:%S") if s.since else "-"
        blocking = ", ".join(map(str, s.blocking)) or "-"
        print(f"{s.pid:>7}  {s.role:<20} {s.state:<30} {since:<20} {blocking}")
    return 0


def _read_password(from_stdin: bool, prompt: str = "Password for the new role: ") -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass(prompt)
    if getpass.getpass("Again: ") != first:
        raise AnnotatorError("The passwords differ; nothing was changed.")
    return first


def cmd_server_add_user(args: argparse.Namespace) -> int:
    team = _team(args)
    if args.existing_role and args.password_stdin:
        raise AnnotatorError("--existing-role never sets a password; leave out --password-stdin.")
    password = None if args.existing_role else _read_password(args.password_stdin)
    team.add_user(
        args.name,
        password,
        adjudicator=args.adjudicator,
        lead=args.lead,
        annotator=args.annotator,
        existing_role=args.existing_role,
        connection_limit=args.connection_limit,
    )
    groups = ["annotator_users"] + (["annotator_adjudicators"] if args.adjudicator else [])
    groups += ["annotator_leads"] if args.lead else []
    how = "is now" if args.existing_role else "can log in as"
    print(f"role {args.name} {how} a member of {', '.join(groups)}")
    return 0


def cmd_server_reset_password(args: argparse.Namespace) -> int:
    team = _team(args)
    team.reset_password(
        args.name, _read_password(args.password_stdin, f"New password for {args.name}: ")
    )
    print(f"role {args.name} has a new password")
    return 0

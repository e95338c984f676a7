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
    su.set_defaults(func=cmd_server_add_user)
    sr = ssub.add_parser("reset-password", help="give a member a new password (owner)")
    sr.add_argument("name", help="the member's role name")
    sr.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    sr.set_defaults(func=cmd_server_reset_password)
    for sp in (si, su, sr):
        # Also accepted after the action; SUPPRESS keeps a --db given before it.
        sp.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="the owner's URL")


def _team(args: argparse.Namespace) -> TeamServerService:
    from annotator import paths
    from annotator.settings import Settings

    url = paths.resolve_db_url(args.db, Settings.load().db_url or None)
    return TeamServerService.connect(url)


def cmd_server_init(args: argparse.Namespace) -> int:
    _team(args).init()
    print("team server ready: roles annotator_users, annotator_adjudicators, annotator_leads")
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

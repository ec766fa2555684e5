"""Console accounts from the shell: `cerdas users add | password | disable | list`."""

from __future__ import annotations

import argparse
import getpass
import sys

from shared.auth import ROLES
from shared.errors import CerdasError


def _runtime():  # noqa: ANN202 (imported late: `cerdas --help` must not need the console's settings)
    from services.console.runtime import bootstrap

    return bootstrap()


def _read_password(confirm: bool = True) -> str:
    """From a prompt that does not echo, or the first line of standard input when it is not a terminal."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if confirm and getpass.getpass("Password again: ") != password:
        raise SystemExit("cerdas: the two passwords differ; nothing was changed")
    return password


def _run(handler_name: str, command: object) -> object:
    from services.console import handlers

    runtime = _runtime()
    try:
        with runtime.uow() as uow:
            result = getattr(handlers, handler_name)(uow, command)
            uow.commit()
            return result
    finally:
        runtime.engine.dispose()


def _cmd_add(args: argparse.Namespace) -> int:
    from services.console import commands

    password = _read_password()
    try:
        user = _run("add_user", commands.AddUser(args.username, args.role, args.region, password, args.name))
    except CerdasError as exc:
        print(f"cerdas: {exc.detail}", file=sys.stderr)
        return 1
    region = f" for region {user.region_code}" if user.region_code else ""  # type: ignore[attr-defined]
    print(f"added {user.username} ({user.role}{region})", file=sys.stderr)  # type: ignore[attr-defined]
    return 0


def _cmd_password(args: argparse.Namespace) -> int:
    from services.console import commands

    try:
        _run("set_password", commands.SetPassword(args.username, _read_password()))
    except CerdasError as exc:
        print(f"cerdas: {exc.detail}", file=sys.stderr)
        return 1
    print(f"password of {args.username} changed", file=sys.stderr)
    return 0


def _cmd_disable(args: argparse.Namespace) -> int:
    from services.console import commands

    try:
        _run("disable_user", commands.DisableUser(args.username))
    except CerdasError as exc:
        print(f"cerdas: {exc.detail}", file=sys.stderr)
        return 1
    print(f"{args.username} can no longer sign in", file=sys.stderr)
    return 0


def _cmd_list(_args: argparse.Namespace) -> int:
    from services.console import views

    runtime = _runtime()
    try:
        with runtime.uow() as uow:
            for user in views.list_users(uow):
                state = "active" if user.active else "disabled"
                print(f"{user.username:30s} {user.role:9s} {user.region_code or '-':6s} {state}")
    finally:
        runtime.engine.dispose()
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    users = commands.add_parser("users", help="console accounts (local sign-in)").add_subparsers(
        dest="users_command", required=True, metavar="ACTION"
    )
    add = users.add_parser("add", help="add an account; the password is read from a prompt or standard input")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--region", help="the Kemendagri code a region account speaks for, e.g. 12.01")
    add.add_argument("--name", help="the name shown in the console")
    add.set_defaults(func=_cmd_add)
    password = users.add_parser("password", help="set a new password (read like add's) and re-enable the account")
    password.add_argument("username")
    password.set_defaults(func=_cmd_password)
    disable = users.add_parser("disable", help="stop an account from signing in (its audit rows stay)")
    disable.add_argument("username")
    disable.set_defaults(func=_cmd_disable)
    listing = users.add_parser("list", help="every account with its role and region")
    listing.set_defaults(func=_cmd_list)

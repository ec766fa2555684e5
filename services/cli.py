"""The ``cerdas`` command: operators' entry point for tokens, migrations, data and local runs."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.exc import OperationalError, ProgrammingError

from shared.config import SERVICES, SettingsError, load_settings
from shared.errors import CerdasError


def _cmd_token(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from shared.auth import mint_token
    from shared.clock import clock_for

    settings = load_settings()
    token = mint_token(
        settings.jwt_secret,
        sub=args.sub or f"cli-{args.role}",
        role=args.role,
        region=args.region,
        now=clock_for(settings).now(),
        ttl=timedelta(hours=args.hours),
    )
    print(token)
    return 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    from services.console.settings import console_database_url
    from shared.migrate import upgrade

    settings = load_settings()
    # The console keeps accounts, feed tokens and its audit in a database of its own, migrated alongside.
    urls = {**{service: settings.database_url(service) for service in SERVICES}, "console": console_database_url()}
    targets = tuple(urls) if args.service == "all" else (args.service,)
    for service in targets:
        print(f"migrating {service} ...", file=sys.stderr, flush=True)
        upgrade(service, urls[service])
        print(f"migrated {service} to head", file=sys.stderr, flush=True)
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    import json

    from shared.status import collect_status, render

    status = collect_status(load_settings(), timeout=args.timeout)
    print(json.dumps(status.as_dict(), indent=2) if args.json else render(status))
    return 0 if status.healthy else 1


def _cmd_dead_letters(args: argparse.Namespace) -> int:
    from shared.messaging.dead_letters import DeadLetters

    settings = load_settings()
    dead_letters = DeadLetters.from_url(settings.broker_url)
    try:
        queues = SERVICES if args.queue == "all" else (args.queue,)
        total = 0
        for queue in queues:
            for record in dead_letters.list(queue):
                envelope = record["envelope"] if isinstance(record["envelope"], dict) else {}
                print(
                    f"{queue:14s} {record['parked_at']}  {envelope.get('type', '?'):34s} "
                    f"{envelope.get('id', '?')}  attempts={record['attempts']}  {record['reason']}"
                )
                total += 1
        print(f"{total} dead letter(s)", file=sys.stderr)
    finally:
        dead_letters.close()
    return 0


def _cmd_replay(args: argparse.Namespace) -> int:
    from shared.celery_app import CeleryPublisher, create_celery
    from shared.messaging.dead_letters import DeadLetters

    settings = load_settings()
    dead_letters = DeadLetters.from_url(settings.broker_url)
    try:
        replayed = dead_letters.replay(args.queue, CeleryPublisher(create_celery("cli", settings)))
    finally:
        dead_letters.close()
    print(f"replayed {replayed} event(s) to the {args.queue} queue", file=sys.stderr)
    return 0


def _cmd_clock(args: argparse.Namespace) -> int:
    import redis

    from shared import timeline
    from shared.config import SettingsError

    settings = load_settings()
    client = redis.Redis.from_url(settings.broker_url, socket_timeout=3, socket_connect_timeout=3)
    try:
        if args.clock_command == "set":
            try:
                start = datetime.fromisoformat(args.start.replace("Z", "+00:00"))
            except ValueError:
                raise SettingsError(f"{args.start!r} is not an ISO 8601 instant, e.g. 2023-02-28T02:00:00Z") from None
            if start.tzinfo is None:
                raise SettingsError(f"{args.start!r} needs a time zone offset, e.g. Z or +07:00")
            timeline.set_timeline(client, start, args.speed)
        elif args.clock_command == "reset":
            timeline.clear(client)
            print("the shared timeline is cleared; processes fall back to their own settings", file=sys.stderr)
            return 0
        current = timeline.read(client)
    except redis.RedisError as exc:
        print(f"cerdas: the broker at {settings.broker_url} did not answer: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
    if current is None:
        print("no shared timeline: every process runs on the wall clock (or its own CERDAS_CLOCK_START)")
        return 0
    now = current.at(time.time())
    print(f"now {now.isoformat()} (running at {current.speed:g}x since {current.start.isoformat()})")
    return 0


def _cmd_dev_redis(args: argparse.Namespace) -> int:
    from shared.devtools.redis_server import main as redis_main

    return redis_main(args)


def _cmd_dev_smtp(args: argparse.Namespace) -> int:
    from shared.devtools.smtp_sink import main as smtp_main

    return smtp_main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cerdas", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    token = commands.add_parser("token", help="mint a bearer token (JWT) for calling the APIs")
    token.add_argument("--role", required=True, choices=("operator", "assessor", "mentor", "region", "service"))
    token.add_argument("--region", help="the region code a 'region' token speaks for, e.g. 12.01")
    token.add_argument("--sub", help="who the token is for (default: cli-ROLE)")
    token.add_argument("--hours", type=float, default=12.0, help="lifetime in hours (default 12)")
    token.set_defaults(func=_cmd_token)

    migrate = commands.add_parser("migrate", help="bring each service's database to the latest schema")
    migrate.add_argument("service", nargs="?", default="all", choices=("all", *SERVICES, "console"))
    migrate.set_defaults(func=_cmd_migrate)

    status = commands.add_parser("status", help="readiness, queue depths, outbox backlogs and dead letters")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.add_argument("--timeout", type=float, default=3.0, help="seconds to wait for each answer (default 3)")
    status.set_defaults(func=_cmd_status)

    events = commands.add_parser("events", help="events that could not be applied (dead letters)").add_subparsers(
        dest="events_command", required=True, metavar="ACTION"
    )
    listing = events.add_parser("dead-letters", help="list parked events with the reason they failed")
    listing.add_argument("--queue", default="all", choices=("all", *SERVICES))
    listing.set_defaults(func=_cmd_dead_letters)
    replay = events.add_parser("replay", help="send a queue's parked events back to it (a replay is idempotent)")
    replay.add_argument("--queue", required=True, choices=SERVICES)
    replay.set_defaults(func=_cmd_replay)

    clock = commands.add_parser("clock", help="the one simulated timeline every process shares (demos)")
    clock_actions = clock.add_subparsers(dest="clock_command", required=True, metavar="ACTION")
    clock_actions.add_parser("show", help="the shared time now").set_defaults(func=_cmd_clock)
    clock_set = clock_actions.add_parser("set", help="move every process to START now, running at --speed")
    clock_set.add_argument("start", help="an ISO 8601 instant, e.g. 2023-02-28T02:00:00Z")
    clock_set.add_argument("--speed", type=float, default=1.0, help="simulated seconds per second (default 1)")
    clock_set.set_defaults(func=_cmd_clock)
    clock_actions.add_parser("reset", help="forget the shared timeline").set_defaults(func=_cmd_clock)

    dev = commands.add_parser("dev", help="local infrastructure for the embedded run").add_subparsers(
        dest="dev_command", required=True, metavar="TOOL"
    )
    redis_cmd = dev.add_parser("redis", help="run a Redis server of Cerdas's own in the foreground")
    redis_cmd.add_argument("--port", type=int, default=6390)
    redis_cmd.add_argument("--dir", default="var/redis", help="where Redis keeps its AOF (default var/redis)")
    redis_cmd.set_defaults(func=_cmd_dev_redis)
    smtp_cmd = dev.add_parser("smtp-sink", help="an SMTP server that stores each message under a folder")
    smtp_cmd.add_argument("--host", default="127.0.0.1")
    smtp_cmd.add_argument("--port", type=int, default=8025)
    smtp_cmd.add_argument("--maildir", default="var/mail", help="folder for received messages (default var/mail)")
    smtp_cmd.set_defaults(func=_cmd_dev_smtp)

    for register in _service_commands():
        register(commands)
    return parser


def _service_commands() -> list[Callable[[argparse._SubParsersAction], None]]:
    """Each service may add its own sub-commands from ``services.<name>.cli``."""
    import importlib

    registrars = []
    for service in (*SERVICES, "console", "demo"):
        try:
            module = importlib.import_module(f"services.{service}.cli")
        except ModuleNotFoundError as exc:
            if exc.name != f"services.{service}.cli":
                raise
            continue
        registrars.append(module.register)
    return registrars


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SettingsError as exc:
        print(f"cerdas: configuration error: {exc}", file=sys.stderr)
        return 2
    except CerdasError as exc:
        print(f"cerdas: {exc.detail}", file=sys.stderr)
        return 1
    except (OperationalError, ProgrammingError) as exc:
        if not _missing_schema(exc):
            raise
        settings = load_settings()
        print(
            "cerdas: the database has no Cerdas schema yet. Run `cerdas migrate` first, and run cerdas from the "
            f"project folder (relative paths resolve against it; CERDAS_VAR_DIR is {settings.var_dir}) or set "
            "the CERDAS_*_DATABASE_URL variables the services use.",
            file=sys.stderr,
        )
        return 2
    except BrokenPipeError:
        # Output piped into `head` and the like: the reader has seen enough.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130


def _missing_schema(exc: Exception) -> bool:
    text = str(exc).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


if __name__ == "__main__":
    sys.exit(main())

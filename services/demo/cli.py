"""`cerdas demo`: the 2023 cohort end to end against the running services, in a few minutes."""

from __future__ import annotations

import argparse
import os
import sys

from shared.environment import get_value


def _cmd_demo(args: argparse.Namespace) -> int:
    from services.demo.api import DemoError, Endpoints
    from services.demo.cast import full_cast
    from services.demo.runner import run
    from shared.config import load_settings

    settings = load_settings()
    urls = settings.service_urls
    endpoints = Endpoints(
        assessment=args.assessment_url or urls["assessment"],
        mou=args.mou_url or urls["mou"],
        mentoring=args.mentoring_url or urls["mentoring"],
        notifications=args.notifications_url or urls["notifications"],
        console=args.console_url or get_value(os.environ, "CERDAS_CONSOLE_URL", "http://127.0.0.1:5005"),
    )
    broker_url = args.broker_url or settings.broker_url
    if not args.broker_url and "CERDAS_BROKER_URL" not in os.environ and os.environ.get("CERDAS_REDIS_PORT"):
        # As `make run` does: a moved embedded Redis moves the broker URL with it (deploy/run_env.py).
        broker_url = f"redis://127.0.0.1:{os.environ['CERDAS_REDIS_PORT']}/0"
    try:
        run(
            endpoints,
            settings.jwt_secret,
            broker_url,
            settings.notifications.reminder_policy,
            full_cast(),
            real_time=args.real_time,
            speed=args.speed,
        )
    except DemoError as exc:
        print(f"\ncerdas demo: {exc}", file=sys.stderr)
        return 1
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser(
        "demo",
        help="the 2023 cohort end to end against the running services (start them with `make run`)",
        description="Import the regions, open the 2023 cohort, let 96 regions apply, select 2 provinces and 50 "
        "kabupaten/kota, sign their MoUs on 28 February 2023 and mentor them to a Masterplan, moving the shared "
        "clock of every process so the months pass in minutes. Talks to the services over HTTP only.",
    )
    for service, port in (("assessment", 5001), ("mou", 5002), ("mentoring", 5003), ("notifications", 5004)):
        demo.add_argument(f"--{service}-url", help=f"default CERDAS_{service.upper()}_URL or http://127.0.0.1:{port}")
    demo.add_argument("--console-url", help="default CERDAS_CONSOLE_URL or http://127.0.0.1:5005")
    demo.add_argument(
        "--broker-url", help="the services' Redis, where the shared clock is kept (default CERDAS_BROKER_URL)"
    )
    demo.add_argument(
        "--real-time",
        action="store_true",
        help="leave the clock alone: the story starts tomorrow and waits for each of its days (21 months)",
    )
    demo.add_argument(
        "--speed",
        type=float,
        default=30.0,
        help="simulated seconds per second while the story waits at a moment (default 30)",
    )
    demo.set_defaults(func=_cmd_demo)

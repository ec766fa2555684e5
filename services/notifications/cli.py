"""Operators' commands for notifications: `cerdas deliveries` and `cerdas reminders preview`."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from services.notifications.domain import DELIVERY
from shared.errors import CerdasError


def register(commands: argparse._SubParsersAction) -> None:
    deliveries = commands.add_parser("deliveries", help="list emails sent to officials, and failures with reasons")
    deliveries.add_argument("--region", help="region code, e.g. 12.01")
    deliveries.add_argument("--deadline", help="deadline id, e.g. mentoring:milestone:<id>")
    deliveries.add_argument("--status", choices=DELIVERY.states)
    deliveries.add_argument("--recipient", help="email address")
    deliveries.add_argument("--limit", type=int, default=50, help="newest first; at most this many (default 50)")
    deliveries.add_argument("--json", action="store_true", help="one JSON object per line instead of a table")
    deliveries.set_defaults(func=_cmd_deliveries)

    reminders = commands.add_parser("reminders", help="deadline reminders").add_subparsers(
        dest="reminders_command", required=True, metavar="ACTION"
    )
    preview = reminders.add_parser("preview", help="what would be sent, to whom and when, without sending")
    preview.add_argument("--region", required=True, help="region code, e.g. 12.01")
    preview.add_argument("--as-of", type=_instant, help="ISO 8601 instant to look from (default: now)")
    preview.add_argument("--json", action="store_true", help="one JSON object per line instead of a table")
    preview.set_defaults(func=_cmd_preview)


def _instant(raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not an ISO 8601 instant, e.g. 2023-03-01T01:00:00Z") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{raw!r} needs a time zone offset, e.g. Z or +07:00")
    return value


def _cmd_deliveries(args: argparse.Namespace) -> int:
    from services.notifications import views
    from services.notifications.app import bootstrap

    runtime = bootstrap()
    with runtime.uow() as uow:
        rows = views.list_deliveries(
            uow,
            region=args.region,
            deadline=args.deadline,
            status=args.status,
            recipient=args.recipient,
            limit=max(1, args.limit),
        )
        items = [
            {
                "id": row.id,
                "created_at": row.created_at.isoformat(),
                "sent_at": row.sent_at.isoformat() if row.sent_at else None,
                "status": row.status,
                "attempts": row.attempts,
                "region_code": row.region_code,
                "kind": row.kind,
                "deadline_id": row.deadline_id,
                "recipient": row.recipient,
                "recipient_role": row.recipient_role,
                "subject": row.subject,
                "last_error": row.last_error,
            }
            for row in rows
        ]
    _print(items, args.json, ("created_at", "status", "attempts", "region_code", "kind", "recipient", "last_error"))
    return 0


def _cmd_preview(args: argparse.Namespace) -> int:
    from services.notifications import views
    from services.notifications.app import bootstrap

    runtime = bootstrap()
    notifier = runtime.notifier
    as_of = args.as_of or runtime.clock.now()
    with runtime.uow() as uow:
        unsent = views.has_unsent_reminders(uow, args.region)
    try:
        # Asked like the sweep asks, with no transaction open; the directory caches what it is told.
        officials = notifier.directory.officials(args.region) if unsent else []
    except CerdasError as exc:
        print(f"cerdas: cannot preview reminders for {args.region}: {exc.detail}", file=sys.stderr)
        return 1
    with runtime.uow() as uow:
        items = views.preview(uow, args.region, as_of, officials, notifier.policy.escalation)
    rows = [{**item, "recipients": ", ".join(item["recipients"]) or "(nobody)"} for item in items]
    if not args.json:
        print(f"reminders for {args.region} as of {as_of.isoformat()}: {len(items)} unsent")
    _print(items if args.json else rows, args.json, ("send_at", "action", "kind", "deadline_id", "recipients"))
    return 0


def _print(items: list[dict[str, Any]], as_json: bool, columns: tuple[str, ...]) -> None:
    if as_json:
        for item in items:
            print(json.dumps(item, ensure_ascii=False))
        return
    table = [[str(item.get(c) if item.get(c) is not None else "") for c in columns] for item in items]
    widths = [max([len(c)] + [len(row[i]) for row in table]) for i, c in enumerate(columns)]
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in table:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())

"""Stage notices: selection result, MoU scheduled and signed, programme started, deliverable reviewed."""

from __future__ import annotations

from services.notifications import domain
from services.notifications.commands import QueueNotice
from services.notifications.handlers.deliveries import add_delivery
from services.notifications.handlers.stages import BUILDERS
from shared.logging import get_logger
from shared.uow import UnitOfWork

log = get_logger(__name__)
NOTICE_EVENTS = tuple(BUILDERS)


def queue_notice(uow: UnitOfWork, command: QueueNotice) -> int:
    """Queue the notice an event calls for, one delivery per official; returns how many."""
    notice = BUILDERS[command.event_type](uow, command)
    chosen = domain.recipients(command.officials, notice["roles"])
    if not chosen:
        log.warning("no official to notify", event_type=command.event_type, region_code=notice["region_code"])
        return 0
    calendar = notice.get("calendar")
    if isinstance(calendar, dict) and calendar.get("method") == "REQUEST":
        calendar = {**calendar, "organizer": command.organizer}
    for official in chosen:
        add_delivery(
            uow,
            dedupe_key=f"{command.event_type}:{command.event_id}",
            official=official,
            region_code=notice["region_code"],
            kind=notice["kind"],
            template=notice["template"],
            context=notice["context"],
            calendar=calendar,
            correlation_id=command.correlation_id,
            deadline_id=notice.get("deadline_id"),
        )
    return len(chosen)

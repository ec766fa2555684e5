"""How each incoming event becomes a notification command; officials are fetched before the transaction."""

from __future__ import annotations

from email.utils import parseaddr
from typing import TYPE_CHECKING

from services.notifications import handlers
from services.notifications.commands import ApplyDeadlineCleared, ApplyDeadlineSet, ForgetOfficials, QueueNotice
from shared.events import DeadlineClearedV1, DeadlineSetV1, Envelope, EventData, OfficialsChangedV1
from shared.messaging.inbox import Subscription

if TYPE_CHECKING:
    from services.notifications.app import NotificationsRuntime


def subscriptions(runtime: NotificationsRuntime) -> dict[str, Subscription]:
    settings = runtime.notifier.settings
    # Calendar invitations name the sender's bare address as their organiser.
    organizer = parseaddr(settings.mail_from)[1] or settings.mail_from

    def deadline_set(envelope: Envelope, data: EventData) -> ApplyDeadlineSet:
        assert isinstance(data, DeadlineSetV1)
        return ApplyDeadlineSet(
            deadline_id=data.deadline_id,
            region_code=data.region_code,
            region_name=data.region_name,
            timezone=data.timezone,
            kind=data.kind,
            title=data.title,
            due_at=data.due_at,
            audience=tuple(data.audience),
            link=data.link,
            source=envelope.source,
            correlation_id=envelope.correlation_id,
            occurred_at=envelope.occurred_at,
            policy=settings.reminder_policy,
            version=data.version,
            reminders=data.reminders,
        )

    def deadline_cleared(envelope: Envelope, data: EventData) -> ApplyDeadlineCleared:
        assert isinstance(data, DeadlineClearedV1)
        return ApplyDeadlineCleared(
            deadline_id=data.deadline_id,
            region_code=data.region_code,
            source=envelope.source,
            correlation_id=envelope.correlation_id,
            occurred_at=envelope.occurred_at,
            version=data.version,
        )

    def officials_changed(_envelope: Envelope, data: EventData) -> ForgetOfficials:
        assert isinstance(data, OfficialsChangedV1)
        return ForgetOfficials(region_code=data.region_code)

    def stage_notice(envelope: Envelope, data: EventData) -> QueueNotice:
        region_code = data.region_code  # every notice event names its region
        return QueueNotice(
            event_type=envelope.type,
            event_id=str(envelope.id),
            occurred_at=envelope.occurred_at,
            correlation_id=envelope.correlation_id,
            region_code=region_code,
            facts=data.model_dump(),
            # Asked here, before the consumer's transaction opens: no lock waits on the assessment service.
            officials=tuple(runtime.notifier.directory.officials(region_code)),
            organizer=organizer,
        )

    return {
        # Both apply through one batch handler, so a run of sets and clears is applied set-wise, in order.
        "deadline.set": Subscription(deadline_set, handlers.apply_deadline_set, handlers.apply_deadline_events),
        "deadline.cleared": Subscription(
            deadline_cleared, handlers.apply_deadline_cleared, handlers.apply_deadline_events
        ),
        "assessment.officials_changed": Subscription(officials_changed, handlers.forget_officials),
        **{event_type: Subscription(stage_notice, handlers.queue_notice) for event_type in handlers.NOTICE_EVENTS},
    }

"""The event envelope and the versioned catalogue of every event Cerdas services exchange.

``shared.events`` is the one import for producers and consumers: the envelope (``envelope``), the
data of each event (``programme`` for assessment, MoU and mentoring; ``deadlines`` for deadlines and
notifications, with the deadline id formats) and the catalogue that ties (type, version) to its data.
"""

from shared.events.catalogue import (
    CATALOGUE,
    EVENT_TYPES,
    catalogue_schemas,
    latest_version,
    new_event,
    parse_envelope,
)
from shared.events.deadlines import (
    AudienceRole,
    DeadlineClearedV1,
    DeadlineSetV1,
    NotificationFailedV1,
    NotificationSentV1,
    assessment_deadline_id,
    milestone_deadline_id,
    self_assessment_deadline_id,
    signing_deadline_id,
)
from shared.events.envelope import REGION_CODE_PATTERN, Envelope, EventData, EventError, ServiceName
from shared.events.programme import (
    ApplicationSubmittedV1,
    ApplicationWithdrawnV1,
    CohortFinalizedV1,
    DeliverableReviewedV1,
    DeliverableSubmittedV1,
    MilestoneRef,
    MouDraftedV1,
    MouExpiredV1,
    MouScheduledV1,
    MouSignedV1,
    MouTerminatedV1,
    OfficialsChangedV1,
    ProgrammeCompletedV1,
    ProgrammeStartedV1,
    RegionNotSelectedV1,
    RegionScoredV1,
    RegionSelectedV1,
    SessionScheduledV1,
    Signatory,
    StageChangedV1,
)
from shared.registry import PUBLISHERS

__all__ = [
    "CATALOGUE",
    "EVENT_TYPES",
    "PUBLISHERS",
    "REGION_CODE_PATTERN",
    "ApplicationSubmittedV1",
    "ApplicationWithdrawnV1",
    "AudienceRole",
    "CohortFinalizedV1",
    "DeadlineClearedV1",
    "DeadlineSetV1",
    "DeliverableReviewedV1",
    "DeliverableSubmittedV1",
    "Envelope",
    "EventData",
    "EventError",
    "MilestoneRef",
    "MouDraftedV1",
    "MouExpiredV1",
    "MouScheduledV1",
    "MouSignedV1",
    "MouTerminatedV1",
    "NotificationFailedV1",
    "NotificationSentV1",
    "OfficialsChangedV1",
    "ProgrammeCompletedV1",
    "ProgrammeStartedV1",
    "RegionNotSelectedV1",
    "RegionScoredV1",
    "RegionSelectedV1",
    "ServiceName",
    "SessionScheduledV1",
    "Signatory",
    "StageChangedV1",
    "assessment_deadline_id",
    "catalogue_schemas",
    "latest_version",
    "milestone_deadline_id",
    "new_event",
    "parse_envelope",
    "self_assessment_deadline_id",
    "signing_deadline_id",
]

"""MoU use cases: each takes the unit of work and a command, and leaves the commit to its entrypoint."""

from services.mou.handlers.agreements import (
    audit,
    draft_agreement,
    expire_lapsed_agreements,
    schedule_agreement,
    sign_agreement,
    terminate_agreement,
)
from services.mou.handlers.ceremonies import schedule_ceremony, sign_ceremony
from services.mou.handlers.documents import upload_document

__all__ = [
    "audit",
    "draft_agreement",
    "expire_lapsed_agreements",
    "schedule_agreement",
    "schedule_ceremony",
    "sign_agreement",
    "sign_ceremony",
    "terminate_agreement",
    "upload_document",
]

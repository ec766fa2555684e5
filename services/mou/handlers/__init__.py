"""MoU use cases, each run in one unit of work with the events it causes."""

from services.mou.handlers.agreements import (
    SIGNING_AUDIENCE,
    audit_trail,
    draft_for_selected_region,
    expire_lapsed,
    get_agreement,
    list_agreements,
    schedule,
    sign,
    signatories_of,
    signing_deadline_id,
    terminate,
)
from services.mou.handlers.ceremonies import schedule_ceremony, sign_ceremony
from services.mou.handlers.documents import documents_of, get_document, read_document, upload

__all__ = [
    "SIGNING_AUDIENCE",
    "audit_trail",
    "documents_of",
    "draft_for_selected_region",
    "expire_lapsed",
    "get_agreement",
    "get_document",
    "list_agreements",
    "read_document",
    "schedule",
    "schedule_ceremony",
    "sign",
    "sign_ceremony",
    "signatories_of",
    "signing_deadline_id",
    "terminate",
    "upload",
]

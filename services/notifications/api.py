"""Thin HTTP routes of the notification service: what was sent, to whom, and what failed."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from services.notifications import commands, handlers, views
from shared.auth import check_region
from shared.web import BEARER, current_principal, requires, runtime_of

deliveries_tag = Tag(name="deliveries", description="Emails sent to officials, and failures with reasons")
api = APIBlueprint("notifications", __name__, abp_security=BEARER)


class DeliveryQuery(BaseModel):
    region: str | None = Field(default=None, pattern=r"^\d{2}(\.\d{2})?$")
    deadline: str | None = Field(default=None, max_length=120)
    status: Literal["pending", "sending", "sent", "retrying", "failed"] | None = None
    recipient: str | None = Field(default=None, max_length=254)
    limit: int = Field(default=200, ge=1, le=1000)


class DeliveryOut(BaseModel):
    id: str
    region_code: str
    deadline_id: str | None
    kind: str
    recipient: str
    recipient_name: str
    recipient_role: str
    subject: str
    message_id: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    correlation_id: str | None


class DeliveryList(BaseModel):
    items: list[DeliveryOut]
    total: int


@api.get(
    "/deliveries",
    tags=[deliveries_tag],
    responses={200: DeliveryList},
    summary="Deliveries, newest first, filtered by region, deadline, status and recipient",
)
@requires("operator", "service", "mentor", "assessor", "region")
def list_deliveries(query: DeliveryQuery) -> Response:
    principal = current_principal()
    region = query.region
    if principal.role == "region":
        # A region reads what was sent to its own officials, and nothing else.
        region = region or principal.region
        check_region(principal, region)
    with runtime_of().uow() as uow:
        rows = views.list_deliveries(
            uow,
            region=region,
            deadline=query.deadline,
            status=query.status,
            recipient=query.recipient,
            limit=query.limit,
        )
        items = [DeliveryOut.model_validate(row, from_attributes=True).model_dump(mode="json") for row in rows]
        return jsonify(items=items, total=len(items))


class DeliveryPath(BaseModel):
    delivery_id: str = Field(min_length=1, max_length=36)


@api.post(
    "/deliveries/<delivery_id>/resend",
    tags=[deliveries_tag],
    responses={200: DeliveryOut},
    summary="Send a failed delivery again (409 unless it failed); the next delivery run sends it",
)
@requires("operator")
def resend_delivery(path: DeliveryPath) -> Response:
    command = commands.ResendDelivery(path.delivery_id, current_principal().sub)
    with runtime_of().uow() as uow:
        delivery = handlers.resend_delivery(uow, command)
        uow.commit()
        return jsonify(DeliveryOut.model_validate(delivery, from_attributes=True).model_dump(mode="json"))

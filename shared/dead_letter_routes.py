"""Operators' HTTP view of a service's dead letters: list them, and send them back once the cause is fixed."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask_openapi3 import OpenAPI, Tag
from pydantic import BaseModel

from shared.celery_app import CeleryPublisher
from shared.messaging.dead_letters import DeadLetters
from shared.runtime import ServiceRuntime


class DeadLetterOut(BaseModel):
    parked_at: str
    type: str | None
    event_id: str | None
    subject: str | None
    attempts: int
    reason: str


class DeadLetterList(BaseModel):
    queue: str
    items: list[DeadLetterOut]
    total: int


class ReplayOut(BaseModel):
    queue: str
    replayed: int


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    # The envelope itself stays in Redis: it may carry personal data, and the type and id identify it.
    envelope = record.get("envelope") if isinstance(record.get("envelope"), dict) else {}
    return {
        "parked_at": str(record.get("parked_at", "")),
        "type": envelope.get("type"),
        "event_id": str(envelope["id"]) if envelope.get("id") is not None else None,
        "subject": envelope.get("subject"),
        "attempts": int(record.get("attempts", 0)),
        "reason": str(record.get("reason", "")),
    }


def install_dead_letter_routes(app: OpenAPI, runtime: ServiceRuntime, tag: Tag) -> None:
    """``GET /dead-letters`` and ``POST /dead-letters/replay`` for the service's own queue, operators only."""
    from shared.web import BEARER, requires

    @app.get(
        "/dead-letters",
        tags=[tag],
        responses={200: DeadLetterList},
        summary="Events parked on this queue",
        security=BEARER,
    )
    @requires("operator")
    def list_dead_letters() -> Response:
        dead_letters = DeadLetters.from_url(runtime.settings.broker_url)
        try:
            items = [_summary(record) for record in dead_letters.list(runtime.name)]
        finally:
            dead_letters.close()
        return jsonify(queue=runtime.name, items=items, total=len(items))

    @app.post(
        "/dead-letters/replay",
        tags=[tag],
        responses={200: ReplayOut},
        summary="Send every parked event back to this queue, oldest first (the inbox makes it safe)",
        security=BEARER,
    )
    @requires("operator")
    def replay_dead_letters() -> Response:
        dead_letters = DeadLetters.from_url(runtime.settings.broker_url)
        try:
            replayed = dead_letters.replay(runtime.name, CeleryPublisher(runtime.celery))
        finally:
            dead_letters.close()
        return jsonify(queue=runtime.name, replayed=replayed)

"""Who the officials of a region are, asked of the assessment service and cached until they change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import delete
from sqlalchemy.orm import Session

from services.notifications.orm import OfficialsCache
from shared.clock import Clock
from shared.errors import UpstreamUnavailable


class OfficialsSource(Protocol):
    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any: ...


class OfficialsDirectory:
    def __init__(self, source: OfficialsSource, clock: Clock, ttl_seconds: float) -> None:
        self._source = source
        self._clock = clock
        self._ttl = timedelta(seconds=ttl_seconds)

    def officials(self, session: Session, region_code: str) -> list[dict[str, Any]]:
        cached = session.get(OfficialsCache, region_code)
        now = self._clock.now()
        if cached is not None and now - cached.fetched_at < self._ttl:
            return cached.officials
        payload = self._source.get_json(f"/regions/{region_code}/officials")
        officials = payload.get("officials") if isinstance(payload, dict) else None
        if not isinstance(officials, list) or not all(isinstance(o, dict) for o in officials):
            # Caching a malformed answer would silence reminders for the whole cache lifetime.
            raise UpstreamUnavailable(f"the officials of {region_code} came back malformed: {str(payload)[:120]}")
        if cached is None:
            session.add(OfficialsCache(region_code=region_code, officials=officials, fetched_at=now))
        else:
            cached.officials = officials
            cached.fetched_at = now
        return officials

    @staticmethod
    def invalidate(session: Session, region_code: str) -> None:
        session.execute(delete(OfficialsCache).where(OfficialsCache.region_code == region_code))

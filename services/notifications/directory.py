"""Who the officials of a region are, asked of the assessment service and cached until they change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import delete
from sqlalchemy.orm import Session

from services.notifications.orm import OfficialsCache
from shared.clock import Clock


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
        officials = list(payload.get("officials", []))
        if cached is None:
            session.add(OfficialsCache(region_code=region_code, officials=officials, fetched_at=now))
        else:
            cached.officials = officials
            cached.fetched_at = now
        return officials

    @staticmethod
    def invalidate(session: Session, region_code: str) -> None:
        session.execute(delete(OfficialsCache).where(OfficialsCache.region_code == region_code))

"""Who the officials of a region are, asked of the assessment service and cached until they change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.notifications.orm import OfficialsCache
from shared.clock import Clock
from shared.errors import UpstreamUnavailable


class OfficialsSource(Protocol):
    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any: ...


class OfficialsDirectory:
    """Called outside any use case's transaction: the cache is read and written in short transactions of
    its own, and no database transaction is open while the assessment service is asked."""

    def __init__(
        self, source: OfficialsSource, sessions: Callable[[], Session], clock: Clock, ttl_seconds: float
    ) -> None:
        self._source = source
        self._sessions = sessions
        self._clock = clock
        self._ttl = timedelta(seconds=ttl_seconds)

    def officials(self, region_code: str) -> list[dict[str, Any]]:
        """The region's officials; raises UpstreamUnavailable (or NotFound) when assessment cannot say."""
        now = self._clock.now()
        with self._sessions() as session:
            cached = session.get(OfficialsCache, region_code)
            if cached is not None and now - cached.fetched_at < self._ttl:
                return list(cached.officials)
        payload = self._source.get_json(f"/regions/{region_code}/officials")
        officials = payload.get("officials") if isinstance(payload, dict) else None
        if not isinstance(officials, list) or not all(isinstance(o, dict) for o in officials):
            # Caching a malformed answer would silence reminders for the whole cache lifetime.
            raise UpstreamUnavailable(f"the officials of {region_code} came back malformed: {str(payload)[:120]}")
        self._remember(region_code, officials, now)
        return officials

    def _remember(self, region_code: str, officials: list[dict[str, Any]], fetched_at: datetime) -> None:
        with self._sessions() as session:
            cached = session.get(OfficialsCache, region_code)
            if cached is None:
                session.add(OfficialsCache(region_code=region_code, officials=officials, fetched_at=fetched_at))
            else:
                cached.officials = officials
                cached.fetched_at = fetched_at
            try:
                session.commit()
            except IntegrityError:
                # Another worker cached this region at the same moment; its copy is as fresh as ours.
                session.rollback()

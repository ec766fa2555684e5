"""The four services' APIs, called server-side as the signed-in user with a token minted for each call."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from services.console.domain import Account
from shared.auth import mint_token
from shared.clock import Clock
from shared.logging import CORRELATION_HEADER, current_correlation_id

SERVICE_LABELS = {
    "assessment": "penilaian",
    "mou": "Nota Kesepakatan",
    "mentoring": "pendampingan",
    "notifications": "notifikasi",
}


class ApiError(Exception):
    """A service refused or could not answer; ``detail`` is its own explanation (problem+json)."""

    def __init__(self, service: str, status: int, detail: str, body: Mapping[str, Any] | None = None) -> None:
        super().__init__(f"{service}: {status} {detail}")
        self.service = service
        self.status = status
        self.detail = detail
        self.body = dict(body or {})

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])


def http_session() -> requests.Session:
    """One pooled session per process. Only reads are retried: a write retried after a lost answer
    could act twice."""
    session = requests.Session()
    retry = Retry(
        total=2,
        backoff_factor=0.2,
        status_forcelist=(502, 503, 504),
        allowed_methods=frozenset({"GET", "HEAD"}),
        raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class Backend:
    def __init__(
        self,
        *,
        urls: Mapping[str, str],
        secret: str,
        clock: Clock,
        account: Account,
        token_minutes: int,
        timeout: float,
        session: requests.Session,
    ) -> None:
        self._urls = urls
        self._secret = secret
        self._clock = clock
        self._account = account
        self._ttl = timedelta(minutes=token_minutes)
        self._timeout = timeout
        self._session = session

    def _headers(self) -> dict[str, str]:
        # Minted per call and short-lived: the services keep deciding what this user may do.
        token = mint_token(
            self._secret,
            sub=self._account.sub,
            role=self._account.role,
            region=self._account.region,
            now=self._clock.now(),
            ttl=self._ttl,
        )
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        correlation_id = current_correlation_id()
        if correlation_id:
            headers[CORRELATION_HEADER] = correlation_id
        return headers

    def request(self, method: str, service: str, path: str, **kwargs: Any) -> requests.Response:
        url = self._urls[service].rstrip("/") + path
        try:
            response = self._session.request(method, url, headers=self._headers(), timeout=self._timeout, **kwargs)
        except requests.RequestException as exc:
            raise ApiError(
                service, 503, f"{SERVICE_LABELS.get(service, service)} tidak menjawab ({exc.__class__.__name__})"
            ) from exc
        if response.status_code >= 400:
            body = _json(response)
            detail = str(body.get("detail") or body.get("title") or response.reason or response.status_code)
            raise ApiError(service, response.status_code, detail, body)
        return response

    def get(self, service: str, path: str, **params: Any) -> Any:
        clean = {key: value for key, value in params.items() if value not in (None, "")}
        return _json(self.request("GET", service, path, params=clean))

    def send(self, method: str, service: str, path: str, body: Any = None, *, files: Any = None) -> Any:
        if files is not None:
            return _json(self.request(method, service, path, files=files, data=body or {}))
        return _json(self.request(method, service, path, json=body if body is not None else {}))

    def download(self, service: str, path: str) -> requests.Response:
        return self.request("GET", service, path, stream=True)


def _json(response: requests.Response) -> Any:
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError:
        return {}


class RegionDirectory:
    """The region register, read once every few minutes: it changes a few times a year, and every page
    that shows a region's name or time zone needs it."""

    def __init__(self, ttl_seconds: float = 300.0) -> None:
        self._ttl = ttl_seconds
        self._loaded_at = 0.0
        self._regions: dict[str, dict[str, Any]] = {}

    def regions(self, backend: Backend) -> dict[str, dict[str, Any]]:
        if not self._regions or time.monotonic() - self._loaded_at > self._ttl:
            items = backend.get("assessment", "/regions").get("items", [])
            self._regions = {item["code"]: item for item in items}
            self._loaded_at = time.monotonic()
        return self._regions

    def forget(self) -> None:
        self._regions = {}

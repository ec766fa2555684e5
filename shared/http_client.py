"""Calls from one Cerdas service to another: service token, timeout, retries with backoff."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from shared.auth import mint_token
from shared.clock import Clock
from shared.errors import NotFound, UpstreamUnavailable
from shared.logging import CORRELATION_HEADER, current_correlation_id, get_logger

log = get_logger(__name__)


class CircuitBreaker:
    """Fails calls at once while a dependency is known to be down or hung, so one slow service cannot
    stall unrelated work: after ``failures`` failed calls in a row (each already retried), the circuit
    opens for ``reset_seconds``; then one trial call decides whether it closes again."""

    def __init__(
        self, failures: int = 1, reset_seconds: float = 30.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._now = monotonic
        self._threshold = max(1, failures)
        self._reset = reset_seconds
        self._failures = 0
        self._opened_at: float | None = None
        self._lock = threading.Lock()

    def check(self, what: str) -> None:
        with self._lock:
            if self._opened_at is None:
                return
            waited = self._now() - self._opened_at
            if waited < self._reset:
                raise UpstreamUnavailable(
                    f"{what}: not tried, the service failed moments ago; the next try is in {self._reset - waited:.0f}s"
                )
            self._opened_at = self._now()  # half-open: this call is the trial, others still fail fast

    def succeeded(self) -> None:
        with self._lock:
            self._failures, self._opened_at = 0, None

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self._threshold:
                self._opened_at = self._now()


class ServiceClient:
    def __init__(
        self,
        *,
        caller: str,
        base_url: str,
        secret: str,
        clock: Clock,
        timeout: float = 5.0,
        retries: int = 3,
        backoff: float = 0.3,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self._caller = caller
        self._base_url = base_url.rstrip("/")
        self._secret = secret
        self._clock = clock
        self._timeout = timeout
        self._breaker = breaker or CircuitBreaker()
        self._session = requests.Session()
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=backoff,
            status_forcelist=(429, 502, 503, 504),
            allowed_methods=frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}),
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def _headers(self) -> dict[str, str]:
        token = mint_token(
            self._secret, sub=self._caller, role="service", now=self._clock.now(), ttl=timedelta(minutes=5)
        )
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        correlation_id = current_correlation_id()
        if correlation_id:
            headers[CORRELATION_HEADER] = correlation_id
        return headers

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        url = f"{self._base_url}{path}"
        self._breaker.check(f"GET {url}")
        try:
            response = self._session.get(url, params=params, headers=self._headers(), timeout=self._timeout)
        except requests.RequestException as exc:
            self._breaker.failed()
            raise UpstreamUnavailable(f"GET {url} failed after retries: {exc.__class__.__name__}: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            self._breaker.failed()
        else:
            self._breaker.succeeded()
        if response.status_code == 404:
            raise NotFound(f"GET {url}: {_detail(response)}")
        if response.status_code >= 400:
            raise UpstreamUnavailable(f"GET {url} answered {response.status_code}: {_detail(response)}")
        try:
            return response.json()
        except ValueError:
            raise UpstreamUnavailable(
                f"GET {url} answered {response.status_code} with a body that is not JSON: {response.text[:120]!r}"
            ) from None

    def close(self) -> None:
        self._session.close()


def _detail(response: requests.Response) -> str:
    try:
        return str(response.json().get("detail", response.text[:200]))
    except ValueError:
        return response.text[:200]

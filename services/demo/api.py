"""The demo's only way into Cerdas: each service's HTTP API, with tokens minted for the shared timeline's now."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from shared.auth import mint_token

SERVICES = ("assessment", "mou", "mentoring", "notifications")
START_HINT = (
    "Start every service with `make run` in another terminal (or `docker compose up -d`), "
    "or point the demo at them with --<service>-url / CERDAS_<SERVICE>_URL, then run `cerdas demo` again."
)
T = TypeVar("T")
R = TypeVar("R")
_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")


class DemoError(Exception):
    """Something the person running the demo must fix; the message says what."""


@dataclass(frozen=True)
class Endpoints:
    assessment: str
    mou: str
    mentoring: str
    notifications: str
    console: str

    def of(self, service: str) -> str:
        return str(getattr(self, service)).rstrip("/")


class Api:
    """JSON over HTTP to the four services. Each request carries a token minted at the shared timeline's
    now, so it never expires however far the story moves time."""

    def __init__(self, endpoints: Endpoints, secret: str, now: Callable[[], datetime], workers: int = 4) -> None:
        self.endpoints = endpoints
        self._secret = secret
        self._now = now
        self._local = threading.local()
        self._workers = workers
        self._counted = threading.Lock()
        self.requests = 0

    # -- plumbing ----------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            # A reading request met by a connection reset (a worker restarting, a closed keep-alive
            # connection) is simply asked again; a write is never repeated behind the caller's back.
            retry = Retry(total=3, connect=3, read=2, status=0, backoff_factor=0.2, allowed_methods={"GET", "HEAD"})
            adapter = HTTPAdapter(max_retries=retry)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        return session

    def token(self, role: str, region: str | None = None, sub: str | None = None) -> str:
        return mint_token(
            self._secret,
            sub=sub or f"demo-{role}",
            role=role,
            region=region,
            now=self._now(),
            ttl=timedelta(hours=12),
        )

    def call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        role: str = "operator",
        region: str | None = None,
        sub: str | None = None,
        json: Any = None,
        files: Any = None,
        ok: Sequence[int] = (200, 201),
    ) -> Any:
        url = self.endpoints.of(service) + path
        headers = {"Authorization": f"Bearer {self.token(role, region, sub)}"}
        try:
            response = self._session().request(method, url, json=json, files=files, headers=headers, timeout=60)
        except requests.RequestException as exc:
            raise DemoError(f"the {service} service at {self.endpoints.of(service)} did not answer: {exc}") from None
        with self._counted:
            self.requests += 1
        if response.status_code not in ok:
            raise DemoError(f"{method} {path} on {service} answered {response.status_code}: {_detail(response)}")
        return response.json() if response.content else None

    def get(self, service: str, path: str, **kwargs: Any) -> Any:
        return self.call("GET", service, path, **kwargs)

    def many(self, function: Callable[[T], R], items: Iterable[T], tick: Callable[[], None] | None = None) -> list[R]:
        """``function`` over ``items`` a few at a time (the services answer in parallel), in order."""
        items = list(items)

        def one(item: T) -> R:
            result = function(item)
            if tick is not None:
                tick()
            return result

        with ThreadPoolExecutor(max_workers=self._workers) as pool:
            return list(pool.map(one, items))

    # -- operations --------------------------------------------------------------------------

    def check_ready(self) -> None:
        """Every service answers /ready, or the demo stops before changing anything and says how to start them."""
        down = []
        for service in SERVICES:
            url = f"{self.endpoints.of(service)}/ready"
            try:
                response = self._session().get(url, timeout=5)
            except requests.RequestException as exc:
                down.append(f"  {service:14s} {url}: {type(exc).__name__}")
                continue
            if response.status_code != 200:
                down.append(f"  {service:14s} {url}: {response.status_code} {_detail(response)}")
        if down:
            raise DemoError("these services are not ready:\n" + "\n".join(down) + "\n" + START_HINT)

    def follows(self, service: str, instant: datetime) -> bool:
        """Whether the service's clock reads before ``instant``: a token expiring then is still accepted."""
        path = {
            "assessment": "/cohorts",
            "mou": "/agreements?status=terminated",
            "mentoring": "/programmes?cohort=2017",
            "notifications": "/deliveries?limit=1",
        }[service]
        token = mint_token(self._secret, sub="demo-probe", role="operator", now=instant - timedelta(hours=1))
        headers = {"Authorization": f"Bearer {token}"}
        try:
            response = self._session().get(self.endpoints.of(service) + path, headers=headers, timeout=10)
        except requests.RequestException as exc:
            raise DemoError(f"the {service} service at {self.endpoints.of(service)} did not answer: {exc}") from None
        if response.status_code == 401 and "expired" in _detail(response):
            return False
        if response.status_code == 401:
            raise DemoError(
                f"the {service} service refused the demo's token ({_detail(response)}): the demo signs tokens with "
                "CERDAS_JWT_SECRET; export the same value the services run with."
            )
        return True

    def metrics(self, service: str) -> dict[str, float]:
        """The service's Prometheus samples, keyed by name and labels as written, e.g. 'x{queue="mou"}'."""
        url = f"{self.endpoints.of(service)}/metrics"
        try:
            response = self._session().get(url, timeout=10)
        except requests.RequestException as exc:
            raise DemoError(f"the {service} service at {self.endpoints.of(service)} did not answer: {exc}") from None
        samples: dict[str, float] = {}
        for line in response.text.splitlines():
            match = _SAMPLE.match(line)
            if match:
                try:
                    samples[match.group(1) + (match.group(2) or "")] = float(match.group(3))
                except ValueError:
                    continue
        return samples

    def console_answers(self) -> bool:
        try:
            return self._session().get(self.endpoints.console, timeout=3).status_code < 500
        except requests.RequestException:
            return False


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        detail = str(body.get("detail") or body.get("title") or body)
        errors = body.get("errors")
        if errors:
            detail += " " + "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors if isinstance(e, dict))
        return detail
    return str(body)[:300]

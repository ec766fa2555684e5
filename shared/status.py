"""One look at a running Cerdas: each service's readiness, queue depths, outbox backlogs and dead letters."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import redis
import requests

from shared.config import SERVICES, Settings
from shared.messaging.dead_letters import dead_letter_key

_OUTBOX = re.compile(r'^cerdas_outbox_unpublished\{service="(\w+)"\} (\S+)$', re.M)


@dataclass
class ServiceStatus:
    name: str
    url: str
    ready: bool
    checks: dict[str, str] = field(default_factory=dict)
    outbox_unpublished: int | None = None
    error: str | None = None


@dataclass
class SystemStatus:
    services: list[ServiceStatus]
    queues: dict[str, int]
    dead_letters: dict[str, int]
    broker_error: str | None = None

    @property
    def healthy(self) -> bool:
        return self.broker_error is None and all(s.ready for s in self.services)

    def as_dict(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "services": [vars(s) for s in self.services],
            "queues": self.queues,
            "dead_letters": self.dead_letters,
            "broker_error": self.broker_error,
        }


def _service(name: str, url: str, timeout: float) -> ServiceStatus:
    try:
        ready = requests.get(f"{url}/ready", timeout=timeout)
        body = ready.json()
        status = ServiceStatus(name, url, ready.status_code == 200, body.get("checks", {}))
        metrics = requests.get(f"{url}/metrics", timeout=timeout).text
        for service, value in _OUTBOX.findall(metrics):
            if service == name:
                status.outbox_unpublished = int(float(value))
        return status
    except (requests.RequestException, ValueError) as exc:
        return ServiceStatus(name, url, False, error=f"{exc.__class__.__name__}: {exc}"[:200])


def collect_status(settings: Settings, timeout: float = 3.0) -> SystemStatus:
    services = [_service(name, settings.service_urls[name], timeout) for name in SERVICES]
    queues: dict[str, int] = {}
    dead: dict[str, int] = {}
    broker_error = None
    client = redis.Redis.from_url(settings.broker_url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        for name in SERVICES:
            queues[name] = int(client.llen(name))
            dead[name] = int(client.llen(dead_letter_key(name)))
    except redis.RedisError as exc:
        broker_error = f"{exc.__class__.__name__}: {exc}"
    finally:
        client.close()
    return SystemStatus(services, queues, dead, broker_error)


def render(status: SystemStatus) -> str:
    lines = [f"{'service':14s} {'ready':6s} {'outbox':>6s} {'queue':>6s} {'dead':>5s}  details"]
    for s in status.services:
        details = s.error or ", ".join(f"{k}={v}" for k, v in s.checks.items())
        outbox = "-" if s.outbox_unpublished is None else str(s.outbox_unpublished)
        lines.append(
            f"{s.name:14s} {'yes' if s.ready else 'NO':6s} {outbox:>6s} {status.queues.get(s.name, '-')!s:>6s} "
            f"{status.dead_letters.get(s.name, '-')!s:>5s}  {s.url}  {details}"
        )
    if status.broker_error:
        lines.append(f"broker: {status.broker_error}")
    lines.append("healthy" if status.healthy else "NOT healthy")
    return "\n".join(lines)

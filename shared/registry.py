"""The one list of Cerdas services: name, default port, the queue each consumes and what each may publish.

Settings, routing, the event envelope and the Celery queues are all derived from this table, so a
service is added or renamed in one place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port: int
    queue: str
    # Event families (the part before the dot) this service may publish.
    publishes: tuple[str, ...]


REGISTRY: tuple[ServiceSpec, ...] = (
    ServiceSpec("assessment", 5001, "assessment", ("assessment", "deadline")),
    ServiceSpec("mou", 5002, "mou", ("mou", "deadline")),
    ServiceSpec("mentoring", 5003, "mentoring", ("mentoring", "deadline")),
    ServiceSpec("notifications", 5004, "notifications", ("notification",)),
)

SERVICE_NAMES: tuple[str, ...] = tuple(spec.name for spec in REGISTRY)
DEFAULT_PORTS: dict[str, int] = {spec.name: spec.port for spec in REGISTRY}
SERVICE_QUEUES: tuple[str, ...] = tuple(spec.queue for spec in REGISTRY)
PUBLISHERS: dict[str, tuple[str, ...]] = {spec.name: spec.publishes for spec in REGISTRY}


def spec(name: str) -> ServiceSpec:
    for candidate in REGISTRY:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no Cerdas service named {name!r}; known: {', '.join(SERVICE_NAMES)}")

"""JSON logs that carry the correlation id of the request or event being handled."""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import structlog

_correlation_id: ContextVar[str | None] = ContextVar("cerdas_correlation_id", default=None)
CORRELATION_HEADER = "X-Correlation-ID"


def current_correlation_id() -> str | None:
    return _correlation_id.get()


def ensure_correlation_id() -> str:
    """The correlation id in force, or a fresh one when work starts outside any request or event."""
    value = _correlation_id.get()
    if value is None:
        value = str(uuid.uuid4())
        _correlation_id.set(value)
    return value


@contextmanager
def correlation(correlation_id: str | None) -> Iterator[str]:
    value = correlation_id or str(uuid.uuid4())
    token = _correlation_id.set(value)
    structlog.contextvars.bind_contextvars(correlation_id=value)
    try:
        yield value
    finally:
        structlog.contextvars.unbind_contextvars("correlation_id")
        _correlation_id.reset(token)


def set_correlation_id(value: str) -> None:
    """Bind for the rest of the current context (a Flask request, which has its own context)."""
    _correlation_id.set(value)
    structlog.contextvars.bind_contextvars(correlation_id=value)


def clear_correlation() -> None:
    """Forget the correlation id in force: each Celery task starts its own chain unless the event it
    handles brings one. Without this, an id made up by one scheduled task would leak into the next."""
    _correlation_id.set(None)
    structlog.contextvars.unbind_contextvars("correlation_id")


def _add_correlation(_logger: object, _name: str, event: dict) -> dict:
    value = _correlation_id.get()
    if value is not None:
        event.setdefault("correlation_id", value)
    return event


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a line is logged, not the stream in force at start: a
    server thread logging after a test runner swapped stderr back would otherwise write to a closed
    stream and print "--- Logging error ---" tracebacks."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure_logging(service: str, level: str = "INFO", fmt: str = "json") -> None:
    """Route structlog and stdlib logging (Flask, Celery, gunicorn) through one JSON renderer."""
    shared_processors: list = [
        structlog.contextvars.merge_contextvars,
        _add_correlation,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer = structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[*shared_processors, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared_processors,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = _CurrentStderr()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)

"""Gunicorn settings for every Cerdas web process; ``-b`` on the command line overrides the bind."""

from __future__ import annotations

import json
import os

import gunicorn.util


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip() or str(default)
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"gunicorn.conf.py: {name}={raw!r} must be a whole number") from None
    if value < 1:
        raise SystemExit(f"gunicorn.conf.py: {name}={raw!r} must be at least 1")
    return value


bind = [os.environ.get("CERDAS_BIND", "").strip() or "0.0.0.0:8000"]
workers = _positive_int("CERDAS_WEB_CONCURRENCY", 2)
worker_class = "sync"
timeout = 30
graceful_timeout = 30
keepalive = 5

# The application logs each request itself, as JSON with the correlation id; a second,
# unstructured access line per request would only add noise.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("CERDAS_LOG_LEVEL", "info").strip().lower() or "info"


def _problem_error(sock, status_int, reason, mesg):  # noqa: ANN001, ANN202 (gunicorn's own signature)
    """Gunicorn answers a request it cannot parse (414 URI too long, 431 headers too large, 400) itself,
    before Flask sees it: in problem+json like every other Cerdas error, not an HTML page."""
    body = json.dumps(
        {
            "type": f"https://cerdas.example/problems/http-{status_int}",
            "title": reason,
            "status": status_int,
            "detail": str(mesg),
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    gunicorn.util.write_nonblock(sock, head.encode("latin1") + body)


gunicorn.util.write_error = _problem_error

"""Gunicorn settings for every Cerdas web process; ``-b`` on the command line overrides the bind."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import gunicorn.util

# prometheus-client's multiprocess mode: each worker writes its counters to files here and /metrics adds
# them all up, so a scrape sees the same totals whichever worker answers it.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Folders this master made itself, removed when it exits.
_created: list[Path] = []


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
# gthread, not sync: a thread waiting on PostgreSQL or Redis leaves the core to another request. Two
# threads: more only contend for the GIL. Measured with `make bench` (docs/performance.md).
worker_class = os.environ.get("CERDAS_WEB_WORKER_CLASS", "").strip() or "gthread"
threads = _positive_int("CERDAS_WEB_THREADS", 2)
# Seconds an idle client connection is kept open; 0 closes it after each answer, as sync workers always
# did. Keeping it open is faster, but a client that reuses a connection just as the server closes it
# gets a reset and must retry; set it where a proxy (or only retrying clients) stands in front.
KEEPALIVE = "CERDAS_WEB_KEEPALIVE"
keepalive = 0 if os.environ.get(KEEPALIVE, "").strip() in ("", "0") else _positive_int(KEEPALIVE, 1)
timeout = 30
graceful_timeout = 30

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


def on_starting(server):  # noqa: ANN001, ANN201 (gunicorn's hook signature)
    """Give this gunicorn a metrics folder of its own, empty, before any worker imports prometheus_client
    (which picks multiprocess mode once, at import). Files left by an earlier run would be added to the
    new totals, and two gunicorns sharing a folder would add up each other's requests."""
    given = os.environ.get(MULTIPROC_ENV, "").strip()
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
    else:
        folder = Path(tempfile.mkdtemp(prefix="cerdas-metrics-"))
        _created.append(folder)
    os.environ[MULTIPROC_ENV] = str(folder)


def child_exit(server, worker):  # noqa: ANN001, ANN201 (gunicorn's hook signature)
    """A worker that exits leaves its counters behind (totals keep counting them); its live gauges go."""
    # Imported here, in the master and only after on_starting set the folder: importing prometheus_client
    # at the top of this file would fix single-process mode in the master and in every forked worker.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):  # noqa: ANN001, ANN201 (gunicorn's hook signature)
    for folder in _created:
        shutil.rmtree(folder, ignore_errors=True)

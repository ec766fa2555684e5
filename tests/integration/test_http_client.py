"""Service-to-service calls: a service token, the caller's correlation id, retries with backoff, timeouts."""

import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shared.auth import verify_token
from shared.clock import SystemClock
from shared.errors import NotFound, UpstreamUnavailable
from shared.http_client import ServiceClient
from shared.logging import correlation

SECRET = "a-test-secret-that-is-long-enough-1234"


class Scripted(BaseHTTPRequestHandler):
    script: list = []
    seen: list = []

    def do_GET(self):  # noqa: N802 (the stdlib's name)
        type(self).seen.append(dict(self.headers))
        status, body, delay = type(self).script.pop(0) if type(self).script else (200, b"{}", 0)
        time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Scripted.script, Scripted.seen = [], []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def client_for(server, **kwargs):
    return ServiceClient(
        caller="notifications",
        base_url=f"http://127.0.0.1:{server.server_port}",
        secret=SECRET,
        clock=SystemClock(),
        backoff=0.01,
        **kwargs,
    )


def test_calls_carry_a_service_token_and_the_correlation_id(server):
    Scripted.script = [(200, b'{"officials": []}', 0)]
    with correlation("corr-42"):
        assert client_for(server).get_json("/regions/12.01/officials") == {"officials": []}
    headers = Scripted.seen[0]
    principal = verify_token(SECRET, headers["Authorization"].split()[1], datetime.now(UTC))
    assert principal.role == "service" and principal.sub == "notifications"
    assert headers["X-Correlation-ID"] == "corr-42"


def test_unavailable_answers_are_retried(server):
    Scripted.script = [(503, b"{}", 0), (502, b"{}", 0), (200, b'{"ok": true}', 0)]
    assert client_for(server, retries=3).get_json("/x") == {"ok": True}
    assert len(Scripted.seen) == 3


def test_giving_up_says_what_failed(server):
    Scripted.script = [(503, b'{"detail": "database down"}', 0)] * 3
    with pytest.raises(UpstreamUnavailable, match="answered 503: database down"):
        client_for(server, retries=2).get_json("/x")
    assert len(Scripted.seen) == 3


def test_a_slow_answer_times_out(server):
    Scripted.script = [(200, b"{}", 1.0)] * 2
    with pytest.raises(UpstreamUnavailable, match="failed after retries"):
        client_for(server, retries=1, timeout=0.2).get_json("/slow")


def test_not_found_is_not_retried(server):
    Scripted.script = [(404, b'{"detail": "no region with code 99"}', 0)]
    with pytest.raises(NotFound, match="no region with code 99"):
        client_for(server).get_json("/regions/99/officials")
    assert len(Scripted.seen) == 1


def test_nobody_listening_is_upstream_unavailable():
    client = ServiceClient(
        caller="x", base_url="http://127.0.0.1:1", secret=SECRET, clock=SystemClock(), retries=1, backoff=0.01
    )
    with pytest.raises(UpstreamUnavailable, match="ConnectionError"):
        client.get_json("/x")


def test_a_body_that_is_not_json_is_upstream_unavailable(server):
    Scripted.script = [(200, b"<html>maintenance</html>", 0)]
    with pytest.raises(UpstreamUnavailable, match="not JSON"):
        client_for(server).get_json("/regions/12.01/officials")


def test_a_hung_service_costs_one_timeout_then_calls_fail_at_once_until_it_may_be_tried_again():
    """With assessment hung (accepting, never answering), mail for regions whose officials are cached
    must not wait behind lookups for the others: only the first lookup waits out its timeout."""
    import socket

    from shared.http_client import CircuitBreaker

    hung = socket.create_server(("127.0.0.1", 0))
    moved = [0.0]
    try:
        client = ServiceClient(
            caller="notifications",
            base_url=f"http://127.0.0.1:{hung.getsockname()[1]}",
            secret=SECRET,
            clock=SystemClock(),
            timeout=0.5,
            retries=0,
            breaker=CircuitBreaker(failures=1, reset_seconds=30, monotonic=lambda: time.monotonic() + moved[0]),
        )
        started = time.monotonic()
        with pytest.raises(UpstreamUnavailable):
            client.get_json("/regions/12.01/officials")
        first = time.monotonic() - started
        started = time.monotonic()
        with pytest.raises(UpstreamUnavailable, match="not tried"):
            client.get_json("/regions/12.71/officials")
        assert time.monotonic() - started < first / 2
        moved[0] = 31  # past the reset: the next call is tried for real again
        with pytest.raises(UpstreamUnavailable, match="failed after retries"):
            client.get_json("/regions/12.71/officials")
    finally:
        hung.close()

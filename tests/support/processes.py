"""Start Cerdas processes from the Procfile with honcho, as `make run` does, and stop them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
WEB = ("assessment", "mou", "mentoring", "notifications")
WORKERS = tuple(f"{name}-worker" for name in WEB)


class Honcho:
    def __init__(self, env: dict[str, str], processes: tuple[str, ...], log_path: Path) -> None:
        self.env = env
        self.processes = processes
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        bin_dir = str(Path(sys.executable).parent)
        env = {**os.environ, **self.env, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [str(Path(bin_dir) / "honcho"), "start", "-f", "Procfile", "--no-prefix", *self.processes],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, urls: dict[str, str], timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        pending = dict(urls)
        while pending and time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"honcho exited early:\n{self.log_tail()}")
            for name, url in list(pending.items()):
                try:
                    if requests.get(f"{url}/ready", timeout=2).status_code == 200:
                        del pending[name]
                except requests.RequestException:
                    pass
            time.sleep(0.3)
        if pending:
            raise RuntimeError(f"not ready after {timeout}s: {sorted(pending)}\n{self.log_tail()}")

    def log_tail(self, lines: int = 80) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            # Ctrl-C in a terminal sends SIGINT to honcho, which stops every child.
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._kill_group()
                self.process.wait(timeout=10)
        # Whatever honcho left behind (a worker that ignored the signal, a grandchild) goes too, so a
        # failed test never leaves a process that takes the next test's messages.
        self._kill_group()
        self._log.close()
        return self.process.returncode

    def _kill_group(self) -> None:
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

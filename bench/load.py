"""A small HTTP/1.1 load generator on asyncio streams, for gunicorn on loopback only.

Two modes, both bounded in requests and in seconds:
  closed loop  ``saturate``: C connections each send the next request as soon as the last answered;
               gives the most requests per second the server sustains.
  open loop    ``paced``: requests are due at a fixed rate whether or not earlier ones have answered,
               and each latency counts from when the request was due, so a stall is not hidden by the
               client waiting politely (coordinated omission).
Connections are kept alive when the server allows it and reopened when it answers ``Connection: close``
(as gunicorn's sync workers do).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Request = tuple[str, str, dict[str, str], bytes]  # method, path, headers, body
MakeRequest = Callable[[int], Request]


@dataclass
class LoadResult:
    requests: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


class _Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.writer.write(head.encode("latin1") + b"\r\n" + body)
        assert self.reader is not None
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        length, close, chunked = 0, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value == "close":
                close = True
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
        if chunked:
            data = b""
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                data += chunk[:-2]
        else:
            data = await self.reader.readexactly(length)
        if close:
            self.close()
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _saturate(
    host: str, port: int, make: MakeRequest, connections: int, total: int, seconds: float
) -> LoadResult:
    result = LoadResult()
    issued = 0
    started = time.perf_counter()
    stop_at = started + seconds

    async def worker() -> None:
        nonlocal issued
        connection = _Connection(host, port)
        while issued < total and time.perf_counter() < stop_at:
            index = issued
            issued += 1
            method, path, headers, body = make(index)
            sent = time.perf_counter()
            try:
                status, _ = await connection.request(method, path, headers, body)
            except (ConnectionError, asyncio.IncompleteReadError):
                connection.close()
                status = 599
            result.latencies.append(time.perf_counter() - sent)
            result.statuses[status] = result.statuses.get(status, 0) + 1
        connection.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    result.seconds = time.perf_counter() - started
    result.requests = len(result.latencies)
    return result


async def _paced(host: str, port: int, make: MakeRequest, rate: float, connections: int, seconds: float) -> LoadResult:
    result = LoadResult()
    total = max(1, int(rate * seconds))
    started = time.perf_counter()

    async def worker(offset: int) -> None:
        connection = _Connection(host, port)
        for index in range(offset, total, connections):
            due = started + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            method, path, headers, body = make(index)
            try:
                status, _ = await connection.request(method, path, headers, body)
            except (ConnectionError, asyncio.IncompleteReadError):
                connection.close()
                status = 599
            result.latencies.append(time.perf_counter() - due)
            result.statuses[status] = result.statuses.get(status, 0) + 1
        connection.close()

    await asyncio.gather(*(worker(k) for k in range(connections)))
    result.seconds = time.perf_counter() - started
    result.requests = len(result.latencies)
    return result


def saturate(
    port: int, make: MakeRequest, connections: int = 8, total: int = 20000, seconds: float = 8.0
) -> LoadResult:
    return asyncio.run(_saturate("127.0.0.1", port, make, connections, total, seconds))


def paced(port: int, make: MakeRequest, rate: float, connections: int = 16, seconds: float = 6.0) -> LoadResult:
    return asyncio.run(_paced("127.0.0.1", port, make, rate, connections, seconds))

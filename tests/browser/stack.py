"""Every process of the Procfile plus the console, on test databases, with the users the browser tests sign in as."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import requests

from tests.conftest import auth
from tests.support import infra
from tests.support.processes import ROOT, WEB, WORKERS, Honcho
from tests.support.smtp import SMTPTestServer
from tests.support.waiting import wait_until

PASSWORD = "Kata-sandi-uji-2023!"
SECRET_KEY = "console-test-key-0123456789abcdef-0123456789"
# username -> (role, region, display name)
USERS = {
    "operator-ani": ("operator", None, "Ani Rahmawati"),
    "asesor-budi": ("assessor", None, "Budi Santoso"),
    "mentor-rina": ("mentor", None, "Rina Kartika"),
    "kominfo-denpasar": ("region", "51.71", "Diskominfo Kota Denpasar"),
    "kominfo-bandung": ("region", "32.73", "Diskominfo Kota Bandung"),
}


@dataclass
class Stack:
    urls: dict[str, str]
    console: str
    env: dict[str, str]
    smtp: SMTPTestServer
    honcho: Honcho
    console_database: str
    http: requests.Session = field(default_factory=requests.Session)

    def call(self, method: str, service: str, path: str, role: str = "operator", **kwargs: Any) -> Any:
        """The APIs directly, to set up what a test takes as given."""
        headers = auth(role, region=kwargs.pop("region", None), sub=kwargs.pop("sub", None))
        response = self.http.request(method, self.urls[service] + path, headers=headers, timeout=15, **kwargs)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def poll(self, fetch: Any, what: str, timeout: float = 60.0) -> Any:
        found: list[Any] = []

        def attempt() -> bool:
            value = fetch()
            if value:
                found.append(value)
            return bool(value)

        if not wait_until(attempt, timeout=timeout, interval=0.5):
            raise AssertionError(f"{what}: nothing after {timeout}s\n{self.honcho.log_tail(60)}")
        return found[0]


def officials(domain: str, city: str) -> list[dict[str, str]]:
    return [
        {
            "role": "head_of_region",
            "name": f"Wali Kota {city}",
            "position": f"Wali Kota {city}",
            "email": f"walikota@{domain}",
        },
        {
            "role": "regional_secretary",
            "name": f"Sekda {city}",
            "position": "Sekretaris Daerah",
            "email": f"sekda@{domain}",
        },
        {
            "role": "kominfo_head",
            "name": f"Kadis Kominfo {city}",
            "position": "Kepala Dinas Kominfo",
            "email": f"kominfo@{domain}",
        },
    ]


def selected_region(stack: Stack, year: int, codes: list[str], quota: int) -> dict[str, dict[str, Any]]:
    """A cohort run through selection by API, every applicant scored; the agreements of those selected."""
    now = datetime.now(UTC)
    cohort = stack.call(
        "POST",
        "assessment",
        "/cohorts",
        json={
            "year": year,
            "quotas": {"provinsi": 0, "kabkota": quota},
            "applications_open_at": (now - timedelta(days=1)).isoformat(),
            "applications_close_at": (now + timedelta(days=10)).isoformat(),
            "assessment_due_at": (now + timedelta(days=20)).isoformat(),
        },
    )
    for position, code in enumerate(codes):
        application = stack.call("POST", "assessment", f"/cohorts/{year}/applications", json={"region_code": code})
        scores = {criterion["key"]: 90 - 5 * position for criterion in cohort["rubric"]}
        stack.call(
            "PUT", "assessment", f"/applications/{application['id']}/scores", role="assessor", json={"scores": scores}
        )
    # The window is still open: selection is forced with a reason, as a plenary deciding early would.
    stack.call("POST", "assessment", f"/cohorts/{year}/selection", json={"force": True, "reason": "Rapat pleno"})
    agreements = {}
    for code in codes[:quota]:
        agreements[code] = stack.poll(
            lambda code=code: stack.call("GET", "mou", f"/agreements?region={code}&cohort={year}")["items"],
            f"draft agreement for {code}",
        )[0]
    return agreements


def signed_programme(stack: Stack, agreement: dict[str, Any]) -> dict[str, Any]:
    """Sign an agreement by API and wait for the programme mou.signed creates."""
    stack.call(
        "POST",
        "mou",
        f"/agreements/{agreement['id']}/sign",
        json={
            "signed_at": datetime.now(UTC).isoformat(),
            "signatories": [
                {"party": "region", "name": "Sekda", "position": "Sekretaris Daerah"},
                {"party": "ministry", "name": "Dirjen Aptika", "position": "Direktur Jenderal Aplikasi Informatika"},
            ],
        },
    )
    code = agreement["region_code"]
    return stack.poll(
        lambda: [
            p
            for p in stack.call("GET", "mentoring", f"/programmes?region={code}")["items"]
            if p["agreement_id"] == agreement["id"]
        ],
        f"programme for {code}",
    )[0]


def _console_database(admin: str | None, prefix: str, tmp: Path) -> tuple[str, str | None]:
    if admin is None:
        return f"sqlite:///{tmp / 'console.db'}", None
    name = f"{prefix}_console"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlsplit(admin)._replace(path=f"/{name}").geturl(), name


def start_stack(tmp: Path, redis_url: str) -> tuple[Stack, Any]:
    """Start everything; returns the stack and a function that stops it and drops its databases."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    smtp = SMTPTestServer().start()
    admin = infra.postgres_admin_url()
    prefix = infra.unique_prefix("browser")
    databases = infra.PostgresDatabases(admin, prefix) if admin else None
    urls = databases.create() if databases else infra.sqlite_urls(tmp)
    console_url, console_name = _console_database(admin, prefix, tmp)
    ports = {name: infra.free_port() for name in (*WEB, "console")}
    env = infra.test_env(
        urls,
        redis_url,
        tmp / "var",
        CERDAS_SMTP_URL=smtp.url,
        CERDAS_SMTP_RETRY_SECONDS="0",
        CERDAS_REMINDER_SCAN_SECONDS="1",
        CERDAS_OUTBOX_SWEEP_SECONDS="2",
        CERDAS_OUTBOX_GRACE_SECONDS="2",
        CERDAS_WEB_CONCURRENCY="1",
        CERDAS_CONSOLE_DATABASE_URL=console_url,
        CERDAS_CONSOLE_SECRET_KEY=SECRET_KEY,
        CERDAS_CONSOLE_URL=f"http://127.0.0.1:{ports['console']}",
        **{f"CERDAS_{name.upper()}_PORT": str(port) for name, port in ports.items()},
        **{
            f"CERDAS_{name.upper()}_URL": f"http://127.0.0.1:{port}"
            for name, port in ports.items()
            if name != "console"
        },
    )
    process_env = {**os.environ, **env}
    cerdas = str(Path(sys.executable).parent / "cerdas")
    subprocess.run([cerdas, "migrate"], cwd=ROOT, env=process_env, check=True, capture_output=True)
    for username, (role, region, name) in USERS.items():
        command = [cerdas, "users", "add", username, "--role", role, "--name", name]
        if region:
            command += ["--region", region]
        subprocess.run(
            command, cwd=ROOT, env=process_env, input=PASSWORD + "\n", text=True, check=True, capture_output=True
        )
    honcho = Honcho(env, (*WEB, *WORKERS, "beat", "console"), tmp / "honcho.log")
    honcho.start()
    service_urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    stack = Stack(
        urls={name: service_urls[name] for name in WEB},
        console=service_urls["console"],
        env=env,
        smtp=smtp,
        honcho=honcho,
        console_database=console_url,
    )

    def stop() -> None:
        honcho.stop()
        smtp.stop()
        if databases is not None:
            databases.drop()
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{console_name}" WITH (FORCE)')

    try:
        honcho.wait_ready(service_urls, timeout=120)
        stack.call("POST", "assessment", "/regions/import", json={"regions": _register()})
    except BaseException:
        stop()
        raise
    return stack, stop


def _register() -> list[dict[str, Any]]:
    import csv

    with (ROOT / "services/assessment/data/regions_id.csv").open(newline="", encoding="utf-8") as handle:
        return [{**row, "province_code": row["province_code"] or None} for row in csv.DictReader(handle)]

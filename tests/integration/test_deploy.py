"""The ways Cerdas is started (Procfile, docker-compose.yml, deploy/) name things that exist and agree."""

from __future__ import annotations

import base64
import hashlib
import importlib
import importlib.util
import logging
import os
import re
import shlex
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import structlog
import yaml
from celery import Celery
from honcho.environ import parse as parse_env_file
from honcho.environ import parse_procfile

from services.console.settings import CONSOLE_PORT, load_console_settings
from shared.config import DEFAULT_PORTS, EMBEDDED_REDIS_PORT, EMBEDDED_SMTP_PORT, SERVICES, load_settings
from shared.devtools.smtp_sink import MailSink
from shared.routing import SERVICE_QUEUES, event_task_name, routing_table, sweep_task_name
from tests.support.launches import Launch, classify, option, procfile_launches

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
PROCFILE = ROOT / "Procfile"
LOCAL_ENV = ROOT / "deploy" / "local.env"
DOCKERFILE = "deploy/Dockerfile"
INIT_SCRIPT = ROOT / "deploy" / "postgres" / "init-databases.sh"
GUNICORN_CONF = "deploy/gunicorn.conf.py"
BIN = Path(sys.executable).parent
DEPENDS_ON_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


def _deploy_script(name: str):  # noqa: ANN202
    """A script of deploy/ (run by make, compose or a probe, not a package) loaded as a module."""
    spec = importlib.util.spec_from_file_location(f"cerdas_deploy_{name}", ROOT / "deploy" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_secrets = _deploy_script("make_secrets").make_secrets
main_make_secrets = _deploy_script("make_secrets").main


# -- reading the launch files ------------------------------------------------------------------


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error} against ``env``."""

    def replace(match: re.Match[str]) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if op == ":-":
            return arg
        if op == ":?":
            raise AssertionError(f"compose would stop: {arg}")
        return ""

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:[-?])([^}]*))?\}", replace, value)


def load_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def compose_services() -> dict[str, dict]:
    return load_compose()["services"]


def cerdas_containers() -> dict[str, dict]:
    """Containers running the image built from deploy/Dockerfile."""
    services = compose_services()

    def builds_it(spec: dict) -> bool:
        return isinstance(spec.get("build"), dict) and spec["build"].get("dockerfile") == DOCKERFILE

    images = {spec.get("image") for spec in services.values() if builds_it(spec)} - {None}
    return {name: spec for name, spec in services.items() if builds_it(spec) or spec.get("image") in images}


def compose_launches() -> list[Launch]:
    launches = []
    for name, spec in cerdas_containers().items():
        command = spec.get("command")
        assert command, f"docker-compose.yml: {name} uses the Cerdas image but has no command"
        argv = tuple(command) if isinstance(command, list) else tuple(shlex.split(command))
        launches.append(classify("docker-compose.yml", name, argv))
    return launches


def _by_kind(launches: list[Launch], kind: str) -> dict[str, Launch]:
    return {launch.name: launch for launch in launches if launch.kind == kind}


ALL_LAUNCHES = [*compose_launches(), *procfile_launches()]


def _ids(launches: list[Launch]) -> list[str]:
    return [f"{launch.origin}:{launch.name}" for launch in launches]


WEB_LAUNCHES = [launch for launch in ALL_LAUNCHES if launch.kind == "gunicorn"]


def _modules(kind: str) -> list[str]:
    return sorted({launch.module for launch in ALL_LAUNCHES if launch.kind == kind})


# -- importing the service modules in isolation ------------------------------------------------


@pytest.fixture
def isolated_import(monkeypatch, tmp_path):
    """Import a module as a fresh process would: CERDAS_* from a clean slate, state left behind undone."""
    for key in list(os.environ):
        if key.startswith("CERDAS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("CERDAS_ENV", "development")
    monkeypatch.setenv("CERDAS_VAR_DIR", str(tmp_path / "var"))
    (tmp_path / "var").mkdir()
    before = set(sys.modules)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    structlog_config = structlog.get_config()

    def load(name: str, started_by: str):
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
                pytest.fail(f"{name} does not exist, yet {started_by} starts it", pytrace=False)
            raise

    yield load

    for name in set(sys.modules) - before:
        if name == "services" or name.startswith("services."):
            del sys.modules[name]
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**structlog_config)


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CERDAS_")}
    env.update(
        CERDAS_ENV="development",
        CERDAS_VAR_DIR=str(tmp_path / "var"),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    (tmp_path / "var").mkdir(exist_ok=True)
    return env


def _tool(name: str) -> str:
    found = shutil.which(name, path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    assert found, f"{name} is not installed; run `make venv`"
    return found


def _expected_worker_tasks(app: Celery, queue: str) -> set[str]:
    scheduled = {
        entry["task"] for entry in app.conf.beat_schedule.values() if entry.get("options", {}).get("queue") == queue
    }
    consumes_events = any(queue in queues for queues in routing_table().values())
    return scheduled | ({event_task_name(queue)} if consumes_events else set())


# -- every entry point exists and starts --------------------------------------------------------


@pytest.mark.parametrize("module", _modules("gunicorn"))
def test_web_app_factories_exist(module, isolated_import):
    factories = {launch.factory for launch in ALL_LAUNCHES if launch.module == module}
    loaded = isolated_import(module, "gunicorn (Procfile / docker-compose.yml)")
    for factory in factories:
        assert factory.endswith("()"), f"{module}:{factory} should be an application factory call"
        target = getattr(loaded, factory[:-2], None)
        assert callable(target), f"{module} has no callable {factory[:-2]}"


@pytest.mark.parametrize("module", _modules("worker"))
def test_worker_apps_register_the_tasks_sent_to_their_queue(module, isolated_import):
    queues = {launch.queue for launch in ALL_LAUNCHES if launch.module == module and launch.kind == "worker"}
    loaded = isolated_import(module, "celery worker (Procfile / docker-compose.yml)")
    app = getattr(loaded, "celery", None)
    assert isinstance(app, Celery), f"{module}.celery must be a celery.Celery application"
    declared = {queue.name for queue in app.conf.task_queues or ()}
    for queue in queues:
        assert queue in declared, f"{module} does not declare queue {queue!r} (declares {sorted(declared)})"
        missing = _expected_worker_tasks(app, queue) - set(app.tasks)
        assert not missing, f"{module}.celery consumes {queue!r} but does not register {sorted(missing)}"


@pytest.mark.parametrize("module", _modules("beat"))
def test_beat_schedules_only_tasks_some_worker_consumes(module, isolated_import):
    loaded = isolated_import(module, "celery beat (Procfile / docker-compose.yml)")
    app = getattr(loaded, "celery", None)
    assert isinstance(app, Celery), f"{module}.celery must be a celery.Celery application"
    schedule = app.conf.beat_schedule
    assert schedule, f"{module}.celery has an empty beat schedule"
    scheduled = {entry["task"] for entry in schedule.values()}
    assert {sweep_task_name(service) for service in SERVICES} <= scheduled
    worker_queues = {launch.queue for launch in ALL_LAUNCHES if launch.kind == "worker"}
    for name, entry in schedule.items():
        queue = entry.get("options", {}).get("queue")
        assert queue in worker_queues, f"beat entry {name!r} goes to queue {queue!r}, which no worker consumes"


@pytest.mark.parametrize(
    "words", sorted({launch.words for launch in ALL_LAUNCHES if launch.kind == "cerdas"}), ids=" ".join
)
def test_cerdas_commands_exist(words, tmp_path):
    result = subprocess.run(
        [_tool("cerdas"), *words, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_clean_env(tmp_path),
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, f"cerdas {' '.join(words)} --help failed:\n{result.stderr}"


@pytest.mark.parametrize("launch", WEB_LAUNCHES, ids=_ids(WEB_LAUNCHES))
def test_gunicorn_config_and_app_load(launch, tmp_path):
    assert launch.config == GUNICORN_CONF, f"{launch.name} should use {GUNICORN_CONF}"
    result = subprocess.run(
        [_tool("gunicorn"), "--check-config", "-c", launch.config, "-b", launch.bind, launch.argv[-1]],
        capture_output=True,
        text=True,
        timeout=120,
        env=_clean_env(tmp_path),
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, (
        f"gunicorn --check-config for {launch.origin}:{launch.name} failed:\n{result.stdout}\n{result.stderr}"
    )


def _gunicorn_settings(env: dict[str, str], *args: str) -> dict[str, str]:
    printed = subprocess.run(
        [_tool("gunicorn"), "--print-config", "-c", GUNICORN_CONF, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert printed.returncode == 0, printed.stderr
    pairs = (line.partition("=") for line in printed.stdout.splitlines())
    return {key.strip(): value.strip() for key, _, value in pairs if key.strip()}


def test_gunicorn_config_defaults_and_overrides(tmp_path):
    env = _clean_env(tmp_path)
    defaults = _gunicorn_settings(env, "shared.config:load_settings")
    assert defaults["bind"] == "['0.0.0.0:8000']"
    assert defaults["workers"] == "2"
    assert defaults["timeout"] == "30"
    assert defaults["accesslog"] == "None"

    env.update(CERDAS_BIND="127.0.0.1:8111", CERDAS_WEB_CONCURRENCY="3")
    assert _gunicorn_settings(env, "shared.config:load_settings")["bind"] == "['127.0.0.1:8111']"
    overridden = _gunicorn_settings(env, "-b", "127.0.0.1:8222", "shared.config:load_settings")
    assert overridden["bind"] == "['127.0.0.1:8222']", "-b on the command line wins over CERDAS_BIND"
    assert overridden["workers"] == "3"


# -- docker-compose.yml --------------------------------------------------------------------------


def test_every_web_container_has_a_health_check_on_its_own_port():
    services = compose_services()
    web = _by_kind(compose_launches(), "gunicorn")
    assert web, "no web containers found"
    for name, launch in web.items():
        port = launch.bind.rpartition(":")[2]
        assert launch.bind == f"0.0.0.0:{port}", f"{name} must listen on all interfaces inside its container"
        assert f"{port}:{port}" in [str(p) for p in services[name].get("ports", [])], f"{name} publishes {port}"
        check = services[name].get("healthcheck", {}).get("test")
        assert check, f"{name} has no healthcheck"
        text = " ".join(check) if isinstance(check, list) else check
        assert f"127.0.0.1:{port}/ready" in text, f"{name}'s healthcheck must call its own /ready"
        assert "curl" not in text and "wget" not in text, f"{name}: the slim image has neither curl nor wget"


def test_every_worker_container_has_a_ping_health_check():
    services = compose_services()
    for name, launch in _by_kind(compose_launches(), "worker").items():
        check = services[name].get("healthcheck", {}).get("test")
        assert check, f"{name} has no healthcheck"
        text = " ".join(check) if isinstance(check, list) else check
        node = launch.node.split("@")[0]
        assert f"-A {launch.module} inspect ping" in text and f"{node}@$$HOSTNAME" in text, text


def test_depends_on_names_real_services_and_conditions():
    services = compose_services()
    for name, spec in services.items():
        depends_on = spec.get("depends_on", {})
        if isinstance(depends_on, list):
            depends_on = {target: {"condition": "service_started"} for target in depends_on}
        for target, rule in depends_on.items():
            assert target in services, f"{name} depends on {target!r}, which is not a service"
            condition = rule.get("condition", "service_started")
            assert condition in DEPENDS_ON_CONDITIONS, f"{name} -> {target}: unknown condition {condition!r}"
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target} to be healthy; it has no check"
            if condition == "service_completed_successfully":
                assert services[target].get("restart", "no") == "no", f"{target} restarts, so it never completes"


def test_migrations_run_once_before_everything_else():
    services = compose_services()
    migrate = services["migrate"]
    assert classify("docker-compose.yml", "migrate", tuple(migrate["command"])).words == ("migrate",)
    assert migrate.get("restart") == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in cerdas_containers():
        if name == "migrate":
            continue
        rule = services[name].get("depends_on", {}).get("migrate")
        assert rule == {"condition": "service_completed_successfully"}, f"{name} must wait for migrate to finish"


def _secret_files(spec: dict, folder: Path) -> dict[str, str]:
    """/run/secrets/<name> -> the file `make secrets` wrote for it, for the secrets a container mounts."""
    declared = load_compose()["secrets"]
    mounted = {}
    for name in spec.get("secrets", []):
        source = declared[name]["file"]
        assert source.startswith("./deploy/secrets/"), f"secret {name} must come from deploy/secrets/"
        mounted[f"/run/secrets/{name}"] = str(folder / Path(source).name)
    return mounted


def test_compose_environment_is_valid_production_settings(tmp_path):
    containers = cerdas_containers()
    environments = [spec["environment"] for spec in containers.values()]
    assert all(env == environments[0] for env in environments), "every Cerdas container shares one environment"
    raw = environments[0]
    assert "CERDAS_JWT_SECRET" not in raw and raw["CERDAS_JWT_SECRET_FILE"] == "/run/secrets/jwt_secret"
    make_secrets(tmp_path / "secrets")
    for name, spec in containers.items():
        files = _secret_files(spec, tmp_path / "secrets")
        env = {key: interpolate(str(value), {}) for key, value in raw.items()}
        for key, value in env.items():
            if key.endswith("_FILE") and value:
                assert value in files, f"{name} reads {key}={value}, which it does not mount"
                env[key] = files[value]
        settings = load_settings(env)
        assert settings.is_production and settings.jwt_previous_secret is None
        assert load_console_settings(env).database_url.endswith("@postgres:5432/console")
    rotating = {**env, "CERDAS_JWT_PREVIOUS_SECRET_FILE": str(tmp_path / "secrets" / "jwt_previous_secret")}
    assert load_settings(rotating).jwt_previous_secret, "the previous secret is mounted, ready for a rotation"
    postgres = compose_services()["postgres"]
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    assert "postgres_password" in postgres["secrets"]
    password = (tmp_path / "secrets" / "postgres_password").read_text().strip()
    for service in SERVICES:
        url = urlsplit(settings.database_url(service))
        assert url.scheme.startswith("postgresql") and url.hostname == "postgres", url
        assert (url.username, url.password) == (postgres["environment"]["POSTGRES_USER"], password)
        assert url.path == f"/{service}"
    assert urlsplit(settings.broker_url).hostname == "redis"
    assert urlsplit(settings.notifications.smtp_url)[1] == "mailpit:1025"
    web = _by_kind(compose_launches(), "gunicorn")
    for service in SERVICES:
        port = web[service].bind.rpartition(":")[2]
        assert settings.service_urls[service] == f"http://{service}:{port}"


def test_infrastructure_containers():
    services = compose_services()
    for name in ("postgres", "redis", "mailpit"):
        # An exact release (postgres:16.9-bookworm), never a moving tag such as postgres:16.
        assert re.search(r":v?\d+\.\d+\.?\d*(-[a-z]+)?$", services[name]["image"]), services[name]["image"]
    postgres = services["postgres"]
    assert str(postgres["image"]).startswith("postgres:16")
    assert any(
        mount.startswith("./deploy/postgres/init-databases.sh:/docker-entrypoint-initdb.d/")
        for mount in postgres["volumes"]
    )
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    redis = services["redis"]
    assert str(redis["image"]).startswith("redis:7")
    command = " ".join(redis["command"]) if isinstance(redis["command"], list) else redis["command"]
    assert "--appendonly yes" in command
    assert any(str(volume).endswith(":/data") for volume in redis["volumes"])
    assert "redis-cli ping" in " ".join(redis["healthcheck"]["test"])
    mailpit = services["mailpit"]
    assert str(mailpit["image"]).startswith("axllent/mailpit")
    assert "healthcheck" in mailpit
    assert any(str(port).endswith("8025") for port in mailpit.get("ports", []))
    assert mailpit["environment"]["MP_UI_AUTH_FILE"] == "/run/secrets/mailpit_ui_auth"
    assert "mailpit_ui_auth" in mailpit["secrets"]


def test_no_password_is_written_into_compose():
    text = COMPOSE_FILE.read_text()
    assert not re.search(r"://[^/\s:@]+:[^/\s@]+@", text), "a URL with a password inline"
    assert not re.search(r"^\s+\w*PASSWORD\w*:(?!.*_FILE)", text, re.MULTILINE) or "PASSWORD_FILE" in text
    assert "POSTGRES_PASSWORD:" not in text and "cerdas:cerdas" not in text


def test_make_secrets_writes_each_file_once_and_prints_no_value(tmp_path, capsys):
    folder = tmp_path / "secrets"
    assert main_make_secrets(["make_secrets.py", str(folder)]) == 0
    first = {path.name: path.read_text() for path in folder.iterdir()}
    assert set(first) >= {name for name in load_compose()["secrets"]}
    printed = capsys.readouterr().out
    assert all(value.strip() not in printed for value in first.values())
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert main_make_secrets(["make_secrets.py", str(folder)]) == 0
    assert {path.name: path.read_text() for path in folder.iterdir()} == first, "existing secrets are kept"
    user, _, hashed = first["mailpit_ui_auth"].strip().partition(":")
    password = first["mailpit_ui_password"].strip().encode()
    assert user == "cerdas" and hashed == "{SHA}" + base64.b64encode(hashlib.sha1(password).digest()).decode()


def test_one_image_built_from_deploy_dockerfile():
    containers = cerdas_containers()
    assert {spec.get("image") for spec in containers.values()} == {containers["migrate"]["image"]}
    dockerfile = (ROOT / DOCKERFILE).read_text()
    # An exact Python release, not a moving 3.11 tag.
    assert re.search(r"^FROM python:3\.11\.\d+-slim(-\w+)?\s*$", dockerfile, re.MULTILINE)
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in {"root", "0"}, "the image must run as a non-root user"
    assert users[-1].split(":")[0].isdigit(), "a numeric user, so Kubernetes can verify runAsNonRoot"
    assert re.search(r"pip install --require-hashes\b.*-r \S*runtime\.lock", dockerfile)
    instructions = "\n".join(line for line in dockerfile.splitlines() if not line.lstrip().startswith("#"))
    assert "dev.lock" not in instructions and "uv " not in instructions, "the test and lock tools stay out of the image"
    exposed = {int(port) for line in re.findall(r"^EXPOSE\s+(.+)$", dockerfile, re.MULTILINE) for port in line.split()}
    published = {int(launch.bind.rpartition(":")[2]) for launch in _by_kind(compose_launches(), "gunicorn").values()}
    assert exposed == published == {*DEFAULT_PORTS.values(), CONSOLE_PORT}
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert "deploy/secrets/" in ignored, "`COPY deploy` must never carry the compose secrets into the image"
    assert ".venv/" in ignored and "var/" in ignored
    assert re.search(r"pip install\b.*\s\.(\s|$)", dockerfile, re.MULTILINE)
    for folder in ("shared", "services", "deploy"):
        assert re.search(rf"^COPY\s+{folder}\b", dockerfile, re.MULTILINE), f"the image needs {folder}/"


def test_postgres_init_script_creates_one_database_per_service(tmp_path):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    statements = tmp_path / "statements.sql"
    fake_psql = fake_bin / "psql"
    fake_psql.write_text(f'#!/bin/sh\necho "-- psql $*" >> "{statements}"\ncat >> "{statements}"\n')
    fake_psql.chmod(0o755)
    env = {
        "PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}",
        "POSTGRES_USER": "cerdas",
        "POSTGRES_DB": "cerdas",
    }
    result = subprocess.run(
        ["bash", str(INIT_SCRIPT)], capture_output=True, text=True, env=env, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr
    sql = statements.read_text()
    created = set(re.findall(r"format\('CREATE DATABASE %I OWNER %I', '([a-z_]+)', 'cerdas'\)", sql))
    assert created == {*SERVICES, "console"}, sql
    assert os.access(INIT_SCRIPT, os.X_OK), "the postgres image runs executable init scripts; sources others"


# -- the Procfile and the embedded run -----------------------------------------------------------


def test_procfile_and_compose_run_the_same_processes():
    compose, procfile = compose_launches(), procfile_launches()

    def web(launches: list[Launch]) -> dict[str, str]:
        return {n: f"{launch.module}:{launch.factory}" for n, launch in _by_kind(launches, "gunicorn").items()}

    def workers(launches: list[Launch]) -> dict[str, tuple[str, str, str]]:
        return {
            n: (launch.module, launch.queue, launch.node.split("@")[0])
            for n, launch in _by_kind(launches, "worker").items()
        }

    assert web(compose) == web(procfile)
    assert set(web(procfile)) == {*SERVICES, "console"}
    assert workers(compose) == workers(procfile)
    assert {queue for _, queue, _ in workers(procfile).values()} == set(SERVICE_QUEUES)
    for _, queue, node in workers(procfile).values():
        assert node == queue, "each worker is named after the queue it consumes"
    assert [b.module for b in _by_kind(compose, "beat").values()] == [
        b.module for b in _by_kind(procfile, "beat").values()
    ], "exactly one beat, the same module, in both"
    assert len(_by_kind(procfile, "beat")) == 1


def test_procfile_ports_default_to_the_configured_ones_and_can_be_overridden():
    processes = parse_procfile(PROCFILE.read_text()).processes
    for service, port in DEFAULT_PORTS.items():
        assert f"127.0.0.1:${{CERDAS_{service.upper()}_PORT:-{port}}}" in processes[service]
    assert f"--port ${{CERDAS_REDIS_PORT:-{EMBEDDED_REDIS_PORT}}}" in processes["redis"]
    assert f"--port ${{CERDAS_SMTP_PORT:-{EMBEDDED_SMTP_PORT}}}" in processes["smtp"]


def test_embedded_run_never_touches_shared_servers():
    env = parse_env_file(LOCAL_ENV.read_text())
    text = PROCFILE.read_text() + " ".join(env.values())
    assert "6379" not in text and "5432" not in text
    settings = load_settings(env)
    assert settings.env == "development"
    broker = urlsplit(settings.broker_url)
    assert (broker.hostname, broker.port) == ("127.0.0.1", EMBEDDED_REDIS_PORT)
    smtp = urlsplit(settings.notifications.smtp_url)
    assert (smtp.hostname, smtp.port) == ("127.0.0.1", EMBEDDED_SMTP_PORT)
    assert all(url.startswith("sqlite:") for url in settings.database_urls.values())
    assert settings.outbox_sweep_seconds == 15 and settings.notifications.reminder_scan_seconds == 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"exited early with {process.returncode}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listened on {port} within {timeout}s")


def test_dev_redis_runs_with_aof_and_refuses_a_busy_port(tmp_path):
    port = _free_port()
    data = tmp_path / "redis"
    env = _clean_env(tmp_path)
    server = subprocess.Popen(
        [_tool("cerdas"), "dev", "redis", "--port", str(port), "--dir", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        _wait_for_port(port, server)
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5)
        assert client.ping()
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        assert client.config_get("save") == {"save": ""}
        assert client.config_get("bind")["bind"] == "127.0.0.1"
        client.close()

        second = subprocess.run(
            [_tool("cerdas"), "dev", "redis", "--port", str(port), "--dir", str(tmp_path / "other")],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
            check=False,
        )
        assert second.returncode == 1
        assert str(port) in second.stderr and "CERDAS_BROKER_URL" in second.stderr
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=20)
    assert server.returncode == 0, output
    assert f"127.0.0.1:{port}" in output.splitlines()[0]
    assert any(data.iterdir()), "Redis wrote no append-only file"


def test_dev_smtp_sink_stores_sortable_eml_files(tmp_path):
    summaries: list[dict] = []
    with MailSink(tmp_path / "mail", on_message=summaries.append) as sink:
        for index in range(3):
            message = EmailMessage()
            message["From"] = "Cerdas <noreply@cerdas.example>"
            message["To"] = "walikota@kota.example"
            message["Subject"] = f"Pemberitahuan {index}"
            message["Message-ID"] = f"<n{index}@cerdas.example>"
            message["X-Correlation-ID"] = f"corr-{index}"
            message.set_content("Isi pesan.")
            with smtplib.SMTP("127.0.0.1", sink.port, timeout=5) as client:
                client.send_message(message, to_addrs=["walikota@kota.example", "arsip@cerdas.example"])
        stored = sink.messages()

    assert len(stored) == 3
    parsed = [BytesParser(policy=default_policy).parse(path.open("rb")) for path in stored]
    assert [m["Subject"] for m in parsed] == ["Pemberitahuan 0", "Pemberitahuan 1", "Pemberitahuan 2"]
    assert parsed[0]["X-Envelope-To"] == "<walikota@kota.example>, <arsip@cerdas.example>"
    assert [s["correlation_id"] for s in summaries] == ["corr-0", "corr-1", "corr-2"]
    assert summaries[0]["message_id"] == "<n0@cerdas.example>"
    assert summaries[0]["path"] == str(stored[0])
    assert not list((tmp_path / "mail").glob(".*")), "no partial files are left behind"


# -- beat, control sockets and the embedded run's URLs ---------------------------------------------


def test_beat_has_a_health_check_on_its_schedule_file():
    beat = compose_services()["beat"]
    schedule = beat["command"][beat["command"].index("-s") + 1]
    assert beat["healthcheck"]["test"] == ["CMD", "python", "deploy/beat_alive.py", schedule]


def test_beat_alive_reads_the_schedule_files_age(tmp_path):
    beat_alive = _deploy_script("beat_alive").main
    schedule = tmp_path / "celerybeat-schedule"
    assert beat_alive(["beat_alive.py", str(schedule)]) == 1, "no file yet"
    (tmp_path / "celerybeat-schedule.dat").write_bytes(b"x")  # dbm.dumb writes siblings, not the name itself
    assert beat_alive(["beat_alive.py", str(schedule)]) == 0
    old = time.time() - 3600
    os.utime(tmp_path / "celerybeat-schedule.dat", (old, old))
    assert beat_alive(["beat_alive.py", str(schedule)]) == 1
    assert beat_alive(["beat_alive.py", str(schedule), "7200"]) == 0


def test_every_gunicorn_has_a_control_socket_of_its_own():
    procfile = [launch for launch in procfile_launches() if launch.kind == "gunicorn"]
    sockets = [option(launch.argv, "--control-socket") for launch in procfile]
    assert all(sockets) and len(set(sockets)) == len(sockets), sockets
    for launch in compose_launches():
        if launch.kind == "gunicorn":
            # Each container has its own /tmp.
            assert option(launch.argv, "--control-socket").startswith("/tmp/"), launch.name


def test_make_run_derives_broker_and_smtp_urls_from_the_ports():
    module = _deploy_script("run_env")
    local = module.read_env_file(LOCAL_ENV.read_text())
    assert "CERDAS_BROKER_URL" not in local and "CERDAS_SMTP_URL" not in local, "derived, not written down"
    default = module.run_env(local, {})
    assert default["CERDAS_BROKER_URL"] == f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0"
    assert default["CERDAS_SMTP_URL"] == f"smtp://127.0.0.1:{EMBEDDED_SMTP_PORT}"
    moved = module.run_env(local, {"CERDAS_REDIS_PORT": "6401", "CERDAS_SMTP_PORT": "8101"})
    assert moved["CERDAS_BROKER_URL"] == "redis://127.0.0.1:6401/0"
    assert moved["CERDAS_SMTP_URL"] == "smtp://127.0.0.1:8101"
    in_file = module.run_env({**local, "CERDAS_REDIS_PORT": "6402"}, {})
    assert in_file["CERDAS_BROKER_URL"] == "redis://127.0.0.1:6402/0"
    elsewhere = module.run_env(local, {"CERDAS_BROKER_URL": "redis://queue.example:6379/0", "CERDAS_LOG_FORMAT": "x"})
    assert "CERDAS_BROKER_URL" not in elsewhere and "CERDAS_LOG_FORMAT" not in elsewhere, "the shell's own win"
    with pytest.raises(SystemExit, match="CERDAS_REDIS_PORT"):
        module.run_env(local, {"CERDAS_REDIS_PORT": "six"})
    makefile = (ROOT / "Makefile").read_text()
    assert "deploy/run_env.py deploy/local.env > var/run.env" in makefile

"""What a process definition starts (gunicorn, a Celery worker or beat, a cerdas command), whichever file it is in."""

from __future__ import annotations

import itertools
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from honcho.environ import parse_procfile

PROCFILE = Path(__file__).resolve().parents[2] / "Procfile"


@dataclass(frozen=True)
class Launch:
    """What one process definition starts, whichever file it came from."""

    origin: str
    name: str
    argv: tuple[str, ...]
    kind: str  # gunicorn | worker | beat | cerdas
    module: str = ""
    factory: str = ""
    queue: str = ""
    node: str = ""
    bind: str = ""
    config: str = ""
    words: tuple[str, ...] = field(default=())


def option(argv: tuple[str, ...], *names: str) -> str:
    for index, token in enumerate(argv[:-1]):
        if token in names:
            return argv[index + 1]
    return ""


def classify(origin: str, name: str, argv: tuple[str, ...]) -> Launch:
    program = Path(argv[0]).name
    if program == "gunicorn":
        module, _, factory = argv[-1].partition(":")
        return Launch(
            origin,
            name,
            argv,
            "gunicorn",
            module=module,
            factory=factory,
            bind=option(argv, "-b", "--bind"),
            config=option(argv, "-c", "--config"),
        )
    if program == "celery":
        app = option(argv, "-A", "--app")
        after_app = list(argv[argv.index(app) + 1 :])
        role = next((token for token in after_app if not token.startswith("-")), "")
        if role not in {"worker", "beat"}:
            pytest.fail(f"{origin}: {name} runs 'celery {role}'; only worker and beat are expected", pytrace=False)
        return Launch(
            origin,
            name,
            argv,
            role,
            module=app,
            queue=option(argv, "-Q", "--queues"),
            node=option(argv, "-n", "--hostname"),
        )
    if program == "cerdas":
        words = tuple(itertools.takewhile(lambda token: not token.startswith("-"), argv[1:]))
        return Launch(origin, name, argv, "cerdas", words=words)
    pytest.fail(f"{origin}: {name} starts {argv[0]!r}, which is not gunicorn, celery or cerdas", pytrace=False)


def _expand_defaults(line: str) -> str:
    """${NAME:-default} -> default, as a shell without NAME set would do."""
    return re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}", r"\1", line)


def procfile_launches() -> list[Launch]:
    processes = parse_procfile(PROCFILE.read_text()).processes
    return [
        classify("Procfile", name, tuple(shlex.split(_expand_defaults(command)))) for name, command in processes.items()
    ]

"""Write the environment of the embedded run (`make run`): deploy/local.env, less what the shell already sets,
plus the broker and SMTP URLs derived from the ports the Procfile starts Redis and the SMTP sink on.

Deriving them keeps a moved port and its URL together: with CERDAS_REDIS_PORT=6401 alone, the workers
would otherwise still use the URL for 6390, which may be another run's queues.
Usage: python deploy/run_env.py deploy/local.env > var/run.env
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

# The Procfile's defaults for `cerdas dev redis --port` and `cerdas dev smtp-sink --port`.
DEFAULT_PORTS = {"CERDAS_REDIS_PORT": "6390", "CERDAS_SMTP_PORT": "8025"}
DERIVED = {
    "CERDAS_BROKER_URL": ("CERDAS_REDIS_PORT", "redis://127.0.0.1:{port}/0"),
    "CERDAS_SMTP_URL": ("CERDAS_SMTP_PORT", "smtp://127.0.0.1:{port}"),
}


def read_env_file(text: str) -> dict[str, str]:
    """NAME=value lines, as honcho reads them (comments and blank lines skipped)."""
    pairs = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Z_][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            pairs[match.group(1)] = match.group(2)
    return pairs


def run_env(local: Mapping[str, str], shell: Mapping[str, str]) -> dict[str, str]:
    """The variables to hand to honcho: the shell's own win, so they are left out here."""
    merged = {**local, **{k: v for k, v in shell.items() if k.startswith("CERDAS_")}}
    out = {key: value for key, value in local.items() if key not in shell}
    for url_name, (port_name, template) in DERIVED.items():
        if url_name in merged:
            continue  # pointed elsewhere on purpose: the Makefile then leaves the embedded server out
        port = merged.get(port_name) or DEFAULT_PORTS[port_name]
        if not port.isdigit():
            raise SystemExit(f"run_env.py: {port_name}={port!r} must be a port number")
        out[url_name] = template.format(port=port)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    values = run_env(read_env_file(Path(argv[1]).read_text()), os.environ)
    sys.stdout.write("".join(f"{key}={value}\n" for key, value in values.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

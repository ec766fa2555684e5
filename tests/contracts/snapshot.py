"""Write the JSON Schema of every catalogued event version into tests/contracts/schemas/.

Run `python -m tests.contracts.snapshot` after adding an event version. Existing snapshots are
never rewritten unless --force is given: a changed schema must stay compatible with its snapshot,
or become a new version.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shared.events import catalogue_schemas

SCHEMAS = Path(__file__).parent / "schemas"


def snapshot_path(key: str) -> Path:
    return SCHEMAS / f"{key.replace('@', '.')}.json"


def main(argv: list[str]) -> int:
    force = "--force" in argv
    SCHEMAS.mkdir(exist_ok=True)
    for key, schema in catalogue_schemas().items():
        path = snapshot_path(key)
        if path.exists() and not force:
            continue
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

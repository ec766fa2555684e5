"""Health check for celery beat: exits 0 while its schedule file was rewritten recently, 1 otherwise.

Beat has no HTTP port and no `inspect ping`; what it does visibly is rewrite its schedule file (a shelve,
one or more files depending on the dbm module) every three minutes while it sends the periodic tasks.
Usage: python deploy/beat_alive.py SCHEDULE_FILE [MAX_AGE_SECONDS]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

# Three sync intervals: one slow write is not a hang.
DEFAULT_MAX_AGE = 600.0


def newest_write(schedule: Path) -> float | None:
    """The latest modification time of the schedule file or its dbm siblings (.db, .dat, .dir, .bak)."""
    candidates = [schedule, *schedule.parent.glob(schedule.name + ".*")]
    times = [path.stat().st_mtime for path in candidates if path.is_file()]
    return max(times) if times else None


def main(argv: list[str]) -> int:
    if not 2 <= len(argv) <= 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    max_age = float(argv[2]) if len(argv) == 3 else DEFAULT_MAX_AGE
    written = newest_write(Path(argv[1]))
    if written is None:
        print(f"beat: no schedule file at {argv[1]}", file=sys.stderr)
        return 1
    age = time.time() - written
    if age > max_age:
        print(f"beat: schedule file not written for {age:.0f}s (limit {max_age:.0f}s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

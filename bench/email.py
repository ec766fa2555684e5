"""Email through the mailer (claim, build, send over SMTP, record) against plain smtplib on one connection.

    .venv/bin/python -m bench.email [--emails 300]

Both send to the same SMTP sink, a separate process (`cerdas dev smtp-sink`, each message stored as a
file). Cerdas: the reminder scan turns N due deadlines into N deliveries, then
the delivery run sends them all (`sending.deliver_due`: each claimed and recorded in its own committed
transaction, its email rendered from its templates with the deadline's calendar attached). The
baseline sends exactly the bytes Cerdas sent, read back from the sink, with smtplib's `sendmail` on one
connection, nothing else. Each run must store every message once (distinct Message-IDs).
CERDAS_BENCH_LARGE=1 adds 10x and 100x the emails (one round each).
"""

from __future__ import annotations

import argparse
import email
import os
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bench.common import LARGE, REDIS, Figure, check, report, scratch_database
from bench.reminder_scan import GENERATE, _Officials
from bench.servers import free_port
from services.notifications import sending, tasks
from shared.config import load_settings
from shared.logging import configure_logging
from shared.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
CERDAS = Path(sys.executable).with_name("cerdas")
TARGET = 0.8
# As many SMTP conversations at once as the delivery task holds (an older tree sends one at a time).
SENDERS = {"senders": tasks.SMTP_SENDERS} if hasattr(tasks, "SMTP_SENDERS") else {}
MAKE_DUE = """
UPDATE reminders SET due_at = now() - interval '1 hour'
WHERE kind = 'before_7'
  AND deadline_id IN (SELECT 'bench-' || g FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) g)
"""


def sink(port: int, maildir: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(CERDAS), "dev", "smtp-sink", "--port", str(port), "--maildir", str(maildir)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            smtplib.SMTP("127.0.0.1", port, timeout=2).quit()
            return process
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("bench: the SMTP sink did not start") from None
            time.sleep(0.1)


def stored(maildir: Path) -> list[Path]:
    return sorted(maildir.glob("*.eml"))


def message_ids(maildir: Path) -> set[str]:
    ids = set()
    for path in stored(maildir):
        with path.open("rb") as handle:
            ids.add(email.message_from_binary_file(handle)["Message-ID"])
    return ids


def run(emails: int, port: int, maildir: Path, profile: bool = False, rounds: int = 3) -> tuple[float, float]:
    """Best of ``rounds`` for each, alternating Cerdas and the baseline so both see the same moments of a
    busy machine."""
    from services.notifications.app import bootstrap

    best_cerdas = best_plain = 0.0
    with scratch_database() as url:
        upgrade("notifications", url)
        env = {
            "CERDAS_NOTIFICATIONS_DATABASE_URL": url,
            "CERDAS_BROKER_URL": REDIS,
            "CERDAS_SMTP_URL": f"smtp://127.0.0.1:{port}",
        }
        runtime = bootstrap(load_settings(env), officials_source=_Officials())
        configure_logging("bench", "WARNING", "json")
        with runtime.engine.begin() as connection:
            for statement in GENERATE.strip().split(";\n"):
                connection.execute(text(statement), {"deadlines": emails * rounds})
        for round_ in range(rounds):
            # One official (the Kominfo head) per reminder before the due date: N due deadlines, N emails.
            with runtime.engine.begin() as connection:
                connection.execute(text(MAKE_DUE), {"first": round_ * emails + 1, "last": (round_ + 1) * emails})
            made = 0
            while created := sending.scan_reminders(runtime.uow, runtime.notifier):
                made += created
            check(made == emails, f"the scan made {emails} deliveries, not {made}")
            profiler = _profiler(profile and round_ == 0)
            started = time.perf_counter()
            sent = 0
            while True:
                counts = sending.deliver_due(runtime.uow, runtime.notifier, **SENDERS)
                check(counts["failed"] == counts["retry"] == 0, f"every email went through: {counts}")
                if not counts["sent"]:
                    break
                sent += counts["sent"]
            best_cerdas = max(best_cerdas, sent / (time.perf_counter() - started))
            if profiler is not None:
                profiler.stop()
                print(profiler.output_text(unicode=False, color=False))
            with runtime.engine.connect() as connection:
                statuses = dict(
                    connection.execute(text("SELECT status, count(*) FROM deliveries GROUP BY status")).all()
                )
            check(sent == emails and statuses == {"sent": emails * (round_ + 1)}, f"each sent once: {statuses}")
            best_plain = max(best_plain, emails / plain_loop(port, maildir, emails))
        runtime.engine.dispose()
    return best_cerdas, best_plain


def plain_loop(port: int, maildir: Path, emails: int) -> float:
    """Checks what Cerdas stored, then sends the same bytes again with smtplib on one connection."""
    files = stored(maildir)
    check(len(files) == emails and len(message_ids(maildir)) == emails, "the sink stored each message once")
    raws = [path.read_bytes() for path in files]
    envelopes = [(email.message_from_bytes(raw)["To"].split("<")[-1].rstrip(">"), raw) for raw in raws]
    for path in files:
        path.unlink()
    started = time.perf_counter()
    client = smtplib.SMTP("127.0.0.1", port)
    for recipient, raw in envelopes:
        client.sendmail("noreply@cerdas.example", [recipient], raw)
    client.quit()
    seconds = time.perf_counter() - started
    check(len(stored(maildir)) == emails, "the baseline's messages were all stored")
    for path in stored(maildir):
        path.unlink()
    return seconds


def _profiler(wanted: bool):  # noqa: ANN202
    if not wanted:
        return None
    from pyinstrument import Profiler  # a dev dependency, only for --profile

    profiler = Profiler(interval=0.0005)
    profiler.start()
    return profiler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--emails", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="print where the mailer's time goes (pyinstrument)")
    args = parser.parse_args()
    configure_logging("bench", "WARNING", "json")
    maildir = Path(tempfile.mkdtemp(prefix="cerdas-bench-mail-"))
    port = free_port()
    process = sink(port, maildir)
    figures = []
    try:
        for count in [args.emails] + ([args.emails * 10, args.emails * 100] if LARGE else []):
            # The larger runs once each: 30,000 emails take minutes, and their rate hardly varies.
            cerdas, plain = run(count, port, maildir, args.profile, rounds=3 if count == args.emails else 1)
            figures.append(
                Figure(
                    f"{count} reminder emails through the mailer",
                    cerdas,
                    "smtplib, one connection",
                    plain,
                    "msg/s",
                    TARGET,
                )
            )
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        shutil.rmtree(maildir, ignore_errors=True)
    report("Email (PostgreSQL, SMTP sink on loopback)", figures)


if __name__ == "__main__":
    os.environ.setdefault("CERDAS_LOG_LEVEL", "WARNING")
    main()

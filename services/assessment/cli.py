"""Operator commands of the assessment service: `cerdas regions ...` and `cerdas cohorts ...`."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from shared.auth import Principal
from shared.clock import end_of_local_day
from shared.errors import CerdasError

# A bare date on the command line is read in the ministry's own zone (Jakarta): the window opens at
# the start of that day and deadlines end at the end of it.
MINISTRY_ZONE = "Asia/Jakarta"
OPERATOR = Principal(sub="cli-operator", role="operator")


def _runtime() -> Any:
    from services.assessment.app import bootstrap

    return bootstrap()


def _instant(raw: str, *, end_of_day: bool) -> datetime:
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            if end_of_day:
                return end_of_local_day(day, MINISTRY_ZONE)
            return datetime.combine(day, time.min, tzinfo=ZoneInfo(MINISTRY_ZONE))
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is neither a date (2022-07-31) nor an ISO 8601 instant") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{raw!r} needs a time zone offset, e.g. 2022-07-31T17:00:00+07:00")
    return value


def _json_default(value: Any) -> str:
    # The same ISO 8601 text the HTTP API gives, not Python's str() of a datetime.
    return value.isoformat().replace("+00:00", "Z") if isinstance(value, datetime | date) else str(value)


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=_json_default)
    sys.stdout.write("\n")


def _fail(exc: CerdasError) -> int:
    print(f"cerdas: {exc.detail}", file=sys.stderr)
    for key, value in exc.extra.items():
        print(f"  {key}: {value}", file=sys.stderr)
    return 1


def _regions_import(args: argparse.Namespace) -> int:
    from services.assessment import commands, handlers
    from services.assessment.register import bundled_regions_csv, read_regions_csv

    path = Path(args.csv) if args.csv else bundled_regions_csv()
    runtime = _runtime()
    try:
        regions = read_regions_csv(path)
        print(f"read {len(regions)} regions from {path}", file=sys.stderr, flush=True)

        def progress(done: int, total: int) -> None:
            bar = "#" * (30 * done // total)
            end = "\n" if done == total else ""
            print(f"\r  [{bar:30s}] checked {done}/{total}", end=end, file=sys.stderr, flush=True)

        with runtime.uow() as uow:
            counts = handlers.import_regions(uow, commands.ImportRegions(tuple(regions), progress))
            uow.commit()
    except CerdasError as exc:
        return _fail(exc)
    except OSError as exc:
        print(f"cerdas: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"imported: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged")
    return 0


def _cohorts_create(args: argparse.Namespace) -> int:
    from services.assessment import commands, handlers
    from services.assessment.repository import quotas
    from services.assessment.schemas import CohortIn

    rubric = None
    if args.rubric:
        try:
            raw = json.loads(Path(args.rubric).read_text("utf-8"))
        except OSError as exc:
            print(f"cerdas: cannot read the rubric {args.rubric}: {exc.strerror}", file=sys.stderr)
            return 2
        except ValueError as exc:
            print(f"cerdas: the rubric {args.rubric} is not valid JSON: {exc}", file=sys.stderr)
            return 2
        rubric = raw.get("criteria") if isinstance(raw, dict) else raw
        if not isinstance(rubric, list):
            print(
                f"cerdas: the rubric {args.rubric} must be a list of criteria or an object with a "
                '"criteria" list, like services/assessment/data/default_rubric.json',
                file=sys.stderr,
            )
            return 2
    try:
        body = CohortIn(
            year=args.year,
            quotas={"provinsi": args.quota_provinsi, "kabkota": args.quota_kabkota},
            applications_open_at=_instant(args.applications_open, end_of_day=False),
            applications_close_at=_instant(args.applications_close, end_of_day=True),
            assessment_due_at=_instant(args.assessment_due, end_of_day=True),
            rubric=rubric,
        )
    except (ValueError, argparse.ArgumentTypeError) as exc:
        print(f"cerdas: {exc}", file=sys.stderr)
        return 2
    # Checked as the API checks a request; the command then carries plain values.
    command = commands.OpenCohort(
        year=body.year,
        quotas=dict(body.quotas),
        applications_open_at=body.applications_open_at,
        applications_close_at=body.applications_close_at,
        assessment_due_at=body.assessment_due_at,
        rubric=tuple(c.model_dump() for c in body.rubric) if body.rubric else None,
        actor=OPERATOR,
    )
    runtime = _runtime()
    try:
        with runtime.uow() as uow:
            cohort = handlers.open_cohort(uow, command)
            uow.commit()
            print(f"cohort {cohort.year} is open: {len(cohort.rubric)} criteria, quotas {quotas(cohort)}")
    except CerdasError as exc:
        return _fail(exc)
    return 0


def _cohorts_show(args: argparse.Namespace) -> int:
    from services.assessment import repository

    runtime = _runtime()
    try:
        with runtime.uow() as uow:
            cohort = repository.get_cohort(uow, args.year)
            states: dict[str, int] = {}
            for application, _ in repository.list_applications(uow, args.year):
                states[application.status] = states.get(application.status, 0) + 1
            _print_json(
                {
                    "year": cohort.year,
                    "status": cohort.status,
                    "quotas": repository.quotas(cohort),
                    "applications_open_at": cohort.applications_open_at,
                    "applications_close_at": cohort.applications_close_at,
                    "assessment_due_at": cohort.assessment_due_at,
                    "applications": states,
                    "finalized_at": cohort.finalized_at,
                    "forced_reason": cohort.forced_reason,
                }
            )
    except CerdasError as exc:
        return _fail(exc)
    return 0


def _print_ranking(result: dict[str, Any]) -> None:
    print(f"cohort {result['cohort_year']} ({result['status']}); quotas {result['quotas']}")
    print(f"ties: {result['tie_break']}")
    for group, entries in result["groups"].items():
        print(f"\n{group}:")
        for entry in entries:
            mark = "*" if entry["selected"] else " "
            line = f"{entry['rank']:>3}  {entry['total']:8.4f}  {entry['region_code']:<6} {entry['region_name']}"
            print(f" {mark} {line}")
    if result["unscored"]:
        print(f"\nnot fully scored: {', '.join(result['unscored'])}")


def _cohorts_ranking(args: argparse.Namespace) -> int:
    from services.assessment import views

    runtime = _runtime()
    try:
        with runtime.uow() as uow:
            result = views.ranking(uow, args.year)
    except CerdasError as exc:
        return _fail(exc)
    _print_json(result) if args.json else _print_ranking(result)
    return 0


def _cohorts_select(args: argparse.Namespace) -> int:
    from services.assessment import commands, handlers, views

    runtime = _runtime()
    try:
        with runtime.uow() as uow:
            command = commands.RunSelection(args.year, force=args.force, reason=args.reason, actor=OPERATOR)
            handlers.run_selection(uow, command)
            uow.commit()
        with runtime.uow() as uow:
            result = views.ranking(uow, args.year)
    except CerdasError as exc:
        return _fail(exc)
    _print_ranking(result)
    return 0


def _cohorts_export(args: argparse.Namespace) -> int:
    from services.assessment import open_data

    runtime = _runtime()
    try:
        with runtime.uow() as uow:
            published = open_data.publication(uow, args.year)
    except CerdasError as exc:
        return _fail(exc)
    if args.format == "datapackage":
        # Laid out as the API serves it (results.csv beside datapackage.json), so the descriptor is the same.
        folder = Path(args.output or published.name)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            descriptor = json.dumps(open_data.data_package(published), indent=2, ensure_ascii=False) + "\n"
            (folder / "datapackage.json").write_text(descriptor, encoding="utf-8")
            (folder / open_data.CSV_NAME).write_text(open_data.results_csv(published), encoding="utf-8", newline="")
        except OSError as exc:
            print(f"cerdas: cannot write the package to {folder}: {exc.strerror}", file=sys.stderr)
            return 1
        print(f"wrote {len(published.rows)} rows and datapackage.json to {folder}", file=sys.stderr)
        return 0
    if args.format == "csv":
        text = open_data.results_csv(published)
    else:
        text = json.dumps(open_data.results_document(published), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="")
        print(f"wrote {len(published.rows)} rows to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    regions = commands.add_parser("regions", help="the Kemendagri region register").add_subparsers(
        dest="regions_command", required=True, metavar="ACTION"
    )
    load = regions.add_parser("import", help="create or update regions from a CSV (default: the bundled register)")
    load.add_argument("csv", nargs="?", help="code,name,kind,province_code,timezone (default: the bundled file)")
    load.set_defaults(func=_regions_import)

    cohorts = commands.add_parser("cohorts", help="run an assessment round").add_subparsers(
        dest="cohorts_command", required=True, metavar="ACTION"
    )
    create = cohorts.add_parser("create", help="open a cohort with its quotas, window and rubric")
    create.add_argument("--year", type=int, required=True)
    create.add_argument("--quota-provinsi", type=int, required=True)
    create.add_argument("--quota-kabkota", type=int, required=True)
    create.add_argument("--applications-open", required=True, help="date (start of day, WIB) or ISO instant")
    create.add_argument("--applications-close", required=True, help="date (end of day, WIB) or ISO instant")
    create.add_argument("--assessment-due", required=True, help="date (end of day, WIB) or ISO instant")
    create.add_argument("--rubric", help="JSON file with the criteria (default: the bundled rubric)")
    create.set_defaults(func=_cohorts_create)

    show = cohorts.add_parser("show", help="a cohort's dates, quotas and applications by state")
    show.add_argument("year", type=int)
    show.set_defaults(func=_cohorts_show)

    rank = cohorts.add_parser("ranking", help="weighted totals ranked per kind; * marks who is within quota")
    rank.add_argument("year", type=int)
    rank.add_argument("--json", action="store_true", help="print the API's JSON instead of a table")
    rank.set_defaults(func=_cohorts_ranking)

    select = cohorts.add_parser("select", help="fill the quotas and finalise the cohort (idempotent)")
    select.add_argument("year", type=int)
    select.add_argument("--force", action="store_true", help="finalise even though some are not fully scored")
    select.add_argument("--reason", help="why forcing is right (required with --force)")
    select.set_defaults(func=_cohorts_select)

    export = cohorts.add_parser("export", help="Satu Data results of a finalised cohort")
    export.add_argument("year", type=int)
    formats = ("csv", "json", "datapackage")
    export.add_argument("--format", choices=formats, default="csv", help="datapackage: a folder, see --output")
    export.add_argument(
        "--output",
        "-o",
        help="file (default: standard output); for datapackage the folder for datapackage.json "
        "and results.csv (default: named after the package)",
    )
    export.set_defaults(func=_cohorts_export)

"""`cerdas demo`'s own rules: its cast and officials, when it stops for reminders, how it plans each region's fate."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from email_validator import validate_email

from services.demo import mentoring_plan, people
from services.demo.agenda import DAY_BEFORE, STOP_AFTER, Agenda, reminder_times
from services.demo.calendar import Dates
from services.demo.cast import TAPANULI_TENGAH, full_cast, regions_by_code, register_rows, small_cast
from services.demo.display import Display
from services.demo.monitor import samples
from shared.clock import zone_abbreviation
from shared.config import ReminderPolicy

REGISTER = regions_by_code(register_rows())


@pytest.mark.parametrize("make_cast", [full_cast, small_cast])
def test_every_applicant_is_in_the_register_once(make_cast):
    cast = make_cast()
    assert len(set(cast.applicants)) == len(cast.applicants)
    assert all(code in REGISTER for code in cast.applicants)
    selected = Counter(REGISTER[code].quota_group for code in cast.selected)
    assert dict(selected) == cast.quotas
    assert TAPANULI_TENGAH in cast.selected
    assert {zone_abbreviation(REGISTER[code].timezone) for code in cast.selected} == {"WIB", "WITA", "WIT"}


def test_the_full_cast_is_the_2023_cohort():
    cast = full_cast()
    groups = Counter(REGISTER[code].quota_group for code in cast.applicants)
    assert groups == {"provinsi": 8, "kabkota": 88}
    assert cast.quotas == {"provinsi": 2, "kabkota": 50}


def test_officials_are_fictitious_with_addresses_on_the_reserved_domain():
    addresses = set()
    for code in full_cast().applicants:
        line_up = people.officials(REGISTER[code])
        assert [o["role"] for o in line_up] == list(people.ROLES)
        for official in line_up:
            assert official["email"].endswith(f".{people.DOMAIN}")
            validate_email(official["email"], check_deliverability=False)
            addresses.add(official["email"])
    assert len(addresses) == 5 * len(full_cast().applicants)


def test_tapanuli_tengah_signs_through_its_plh_sekda_for_the_pj_bupati():
    region = REGISTER[TAPANULI_TENGAH]
    heads = {o["role"]: o for o in people.officials(region)}
    assert heads["head_of_region"]["acting"] == "Pj" and heads["head_of_region"]["position"] == "Bupati Tapanuli Tengah"
    assert heads["regional_secretary"]["acting"] == "Plh"
    signatory = people.signatory(region)
    assert signatory["position"] == "Plh Sekretaris Daerah"
    assert signatory["on_behalf_of"] == "Pj Bupati Tapanuli Tengah"
    assert people.slug(region) == "kab-tapanuli-tengah"


def test_reminder_times_are_the_sending_hour_in_the_regions_zone():
    policy = ReminderPolicy()
    due = datetime(2023, 4, 6, 14, 59, 59, tzinfo=UTC)  # 6 April, 23:59:59 WIT
    times = reminder_times(due, "Asia/Jayapura", policy)
    # 7, 3 and 1 days before, on the day, then two overdue days: 08:00 WIT is 23:00 UTC the day before.
    assert times[0] == datetime(2023, 3, 29, 23, 0, tzinfo=UTC)
    assert times[-1] == datetime(2023, 4, 7, 23, 0, tzinfo=UTC)
    assert len(times) == 6
    session = reminder_times(datetime(2023, 3, 21, 1, 0, tzinfo=UTC), "Asia/Makassar", policy, DAY_BEFORE)
    assert session == [datetime(2023, 3, 20, 0, 0, tzinfo=UTC)]  # 08:00 WITA


@pytest.mark.parametrize("make_cast", [full_cast, small_cast])
def test_each_milestone_has_its_late_and_revised_regions_in_one_zone(make_cast):
    cast = make_cast()
    pairs = [(code, REGISTER[code].timezone) for code in cast.selected]
    for position, key in enumerate(("buku_1", "sk_dewan_smart_city", "buku_2", "buku_3", "buku_4")):
        fates = mentoring_plan.assign(cast, pairs, key, position, date(2023, 6, 5))
        groups = Counter(f.group for f in fates.values())
        assert groups[mentoring_plan.LATE] == cast.late
        assert groups[mentoring_plan.REVISION] == cast.revisions
        assert groups[mentoring_plan.AFTER_REMINDER] == cast.after_reminder
        late = [code for code, f in fates.items() if f.group == mentoring_plan.LATE]
        zone = mentoring_plan.focus_zone(key, position)
        assert all(zone_abbreviation(REGISTER[code].timezone) == zone for code in late)
        assert TAPANULI_TENGAH not in late
        revised = next(f for f in fates.values() if f.group == mentoring_plan.REVISION)
        assert revised.revised_due == date(2023, 6, 15) and revised.revised_hand_in == date(2023, 6, 10)


def test_the_story_moved_to_today_keeps_its_hours_and_names_its_year():
    dates = Dates.from_today(datetime(2026, 11, 30, 5, 0, tzinfo=UTC))
    assert dates.start.astimezone(UTC).hour == 2  # 09:00 WIB
    assert dates.day(2022, 5, 23) == date(2026, 11, 30)
    assert dates.cohort_year == (date(2023, 2, 28) + dates.shift).year
    assert Dates().cohort_year == 2023 and Dates().ceremony_wall_clock() == "2023-02-28T10:00:00"


def test_metrics_samples_are_summed_by_label():
    metrics = {
        'cerdas_deliveries{status="sent"}': 3.0,
        'cerdas_deliveries{status="pending"}': 2.0,
        'cerdas_worker_tasks_total{queue="notifications",state="success",task="x"}': 5.0,
        "cerdas_reminders_late": 1.0,
    }
    assert samples(metrics, "cerdas_deliveries") == 5.0
    assert samples(metrics, "cerdas_deliveries", status="sent") == 3.0
    assert samples(metrics, "cerdas_worker_tasks_total", task="x") == 5.0
    assert samples(metrics, "cerdas_reminders_late") == 1.0


def test_a_table_lines_up_its_columns():
    out = io.StringIO()
    Display(out).table(["what", "count"], [("provinsi", 2), ("kabupaten/kota", 50)])
    lines = out.getvalue().splitlines()
    assert lines[0] == "  what            count"
    assert lines[2] == "  provinsi            2"


@dataclass
class FakeClock:
    at: datetime
    simulated: bool = True
    moves: list[datetime] = field(default_factory=list)

    def now(self) -> datetime:
        return self.at

    def move_to(self, instant: datetime) -> None:
        self.moves.append(instant)
        self.at = instant

    def finish(self) -> None:
        return None


class FakeMonitor:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def quiet(self) -> None:
        self.calls.append("quiet")

    def reminders_out(self) -> None:
        self.calls.append("reminders")


def test_the_agenda_stops_for_open_deadlines_only_and_acts_in_time_order():
    start = datetime(2023, 3, 1, tzinfo=UTC)
    clock, monitor = FakeClock(start), FakeMonitor()
    agenda = Agenda(clock, monitor, ReminderPolicy(days_before=(7,), overdue_max=1))  # type: ignore[arg-type]
    due = datetime(2023, 3, 20, 16, 59, 59, tzinfo=UTC)  # 20 March, end of the day in WIB
    agenda.deadline("open", due, "Asia/Jakarta")
    agenda.deadline("met early", due, "Asia/Jakarta")
    done: list[str] = []
    agenda.at(start + timedelta(days=2), "accept", lambda: (done.append("accept"), agenda.met("met early")))
    agenda.run()
    sending = [datetime(2023, 3, day, 1, 0, tzinfo=UTC) + STOP_AFTER for day in (13, 20, 21)]
    assert clock.moves == [start + timedelta(days=2), *sending]
    assert done == ["accept"] and agenda.stops == 3
    # What was sent is applied before time moves; at each reminder morning the reminders go out.
    assert monitor.calls == ["quiet", "quiet", "reminders", "reminders", "reminders"]


def test_an_outage_skips_its_mornings_and_refuses_to_hide_an_action():
    start = datetime(2023, 3, 1, tzinfo=UTC)
    agenda = Agenda(FakeClock(start), FakeMonitor(), ReminderPolicy())  # type: ignore[arg-type]
    agenda.deadline("late", datetime(2023, 3, 20, 16, 59, 59, tzinfo=UTC), "Asia/Jakarta")
    agenda.at(datetime(2023, 3, 15, 3, tzinfo=UTC), "hand-in", lambda: None)
    assert not agenda.outage(datetime(2023, 3, 14, tzinfo=UTC), datetime(2023, 3, 19, tzinfo=UTC))
    assert agenda.outage(datetime(2023, 3, 16, tzinfo=UTC), datetime(2023, 3, 20, tzinfo=UTC))
    agenda.run()
    assert agenda.skipped_in_outage == 2  # 3 days and 1 day before; the due date's reminder is the catch-up

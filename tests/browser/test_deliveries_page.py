"""Deliveries and dead letters: filter by status and region, resend a failed email once the mailbox is fixed,
and replay an event a consumer had parked."""

from __future__ import annotations

from datetime import UTC, datetime

import redis
from playwright.sync_api import Page, expect

from shared import events
from shared.events import new_event
from shared.messaging.dead_letters import DeadLetters
from tests.browser.pages import look, reload_until, sign_in
from tests.browser.stack import officials, selected_region

REGION, PARKED = "35.78", "35.15"
REFUSED = "kominfo@surabayakota.example"


def _parked_selection(year: int) -> dict:
    data = events.RegionSelectedV1(
        cohort_year=year,
        region_code=PARKED,
        region_name="Kabupaten Sidoarjo",
        region_kind="kabupaten",
        timezone="Asia/Jakarta",
        rank=2,
        total=81.5,
    )
    return new_event(
        "assessment.region_selected",
        source="assessment",
        subject=PARKED,
        data=data,
        occurred_at=datetime.now(UTC),
        correlation_id="replayed-from-console",
    ).to_json_dict()


def test_an_operator_resends_a_failed_email_and_replays_a_dead_letter(page: Page, stack):
    year = datetime.now(UTC).year + 3
    stack.smtp.reject_recipient(REFUSED)
    stack.call(
        "PUT",
        "assessment",
        f"/regions/{REGION}/officials",
        json={"officials": officials("surabayakota.example", "Surabaya")},
    )
    selected_region(stack, year, [REGION], quota=1)

    sign_in(page, stack, "operator-ani")
    page.goto(f"{stack.console}/deliveries?region={REGION}")
    page.get_by_label("Keadaan").select_option("failed")  # htmx swaps the table in place
    reload_until(page, page.locator("#deliveries-table").get_by_text(REFUSED).first, timeout=90)
    row = page.locator("#deliveries-table tr").filter(has_text=REFUSED).first
    expect(row).to_contain_text("gagal")
    expect(row).to_contain_text("550")
    look(page, "deliveries-failed")

    # The mailbox is fixed; the operator sends the email again and it goes out.
    stack.smtp.accept_recipient(REFUSED)
    row.get_by_role("button", name="Kirim ulang").click()
    expect(page.get_by_text(f"Email untuk {REFUSED} dijadwalkan untuk dikirim ulang.")).to_be_visible()
    page.goto(f"{stack.console}/deliveries?region={REGION}&status=sent&recipient={REFUSED}")
    reload_until(page, page.locator("#deliveries-table").get_by_text("terkirim").first, timeout=60)
    assert any(REFUSED in message.rcpt_tos for message in stack.smtp.messages)

    # An event parked on the mou queue goes back to it; the draft it makes appears.
    client = redis.Redis.from_url(stack.env["CERDAS_BROKER_URL"])
    DeadLetters(client).park("mou", _parked_selection(year), "RuntimeError('register locked')", 51, datetime.now(UTC))
    client.close()
    page.goto(f"{stack.console}/deliveries")
    dead = page.locator("#dead-letters")
    expect(dead.get_by_text("assessment.region_selected")).to_be_visible()
    look(page, "dead-letters")
    dead.get_by_role("button", name="Kirim kembali ke antrean mou").click()
    expect(page.get_by_text("1 peristiwa dikirim kembali ke antrean mou.")).to_be_visible()
    page.goto(f"{stack.console}/agreements?cohort={year}")
    reload_until(page, "Kabupaten Sidoarjo")

"""A region's own page: officials, timeline in its own zone, agreement, programme, emails and a calendar feed;
and nothing of any other region, nor a form sent without its CSRF token."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
from playwright.sync_api import Page, expect

from tests.browser.pages import look, reload_until, sign_in
from tests.browser.stack import officials, selected_region, signed_programme

REGION, NEIGHBOUR = "51.71", "51.03"


def _feed(page: Page, url: str) -> dict[str, icalendar.Event]:
    response = page.request.get(url)
    assert response.status == 200 and response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.body())
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_a_region_sees_its_own_page_subscribes_to_its_calendar_and_nothing_else(page: Page, stack):
    year = datetime.now(UTC).year + 2
    for code, domain, city in (
        (REGION, "denpasarkota.example", "Denpasar"),
        (NEIGHBOUR, "badungkab.example", "Badung"),
    ):
        stack.call("PUT", "assessment", f"/regions/{code}/officials", json={"officials": officials(domain, city)})
    agreements = selected_region(stack, year, [REGION, NEIGHBOUR], quota=2)
    programme = signed_programme(stack, agreements[REGION])

    # Signing in lands a region user on their own region's page, dates in WITA.
    sign_in(page, stack, "kominfo-denpasar")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kota Denpasar")
    expect(page.locator(".timeline").get_by_text("WITA").first).to_be_visible()
    expect(page.get_by_role("link", name=agreements[REGION]["number"])).to_be_visible()
    expect(page.get_by_text("Tahap selesai")).to_be_visible()
    reload_until(page, page.get_by_role("cell", name="kominfo@denpasarkota.example").first, timeout=90)

    # The region keeps its own officials' line-up.
    page.get_by_role("link", name="Ubah susunan pejabat").click()
    page.locator("#kominfo_head-name").fill("I Gusti Ngurah Kominfo")
    page.get_by_role("button", name="Simpan susunan pejabat").click()
    expect(page.get_by_text("I Gusti Ngurah Kominfo")).to_be_visible()

    # A calendar feed: stable UIDs, SEQUENCE rising only for the event that changed.
    page.get_by_role("button", name="Buat alamat kalender").click()
    feed_url = page.locator("#feed-url").inner_text()
    look(page, "region", readme="region.png")
    before = _feed(page, feed_url)
    book = next(m for stage in programme["stages"] for m in stage["milestones"] if m["key"] == "buku_1")
    uid = f"milestone-{book['id']}@feed.cerdas.example"
    assert int(before[uid]["SEQUENCE"]) == 0
    assert _feed(page, feed_url)[uid]["SEQUENCE"] == before[uid]["SEQUENCE"], "an unchanged event keeps its SEQUENCE"
    moved = date.fromisoformat(book["due_date"]) + timedelta(days=7)
    stack.call(
        "PATCH",
        "mentoring",
        f"/milestones/{book['id']}",
        json={"due_date": moved.isoformat(), "reason": "Bimtek I diundur"},
    )
    after = _feed(page, feed_url)
    assert int(after[uid]["SEQUENCE"]) == 1 and after[uid]["DTSTART"].dt == moved
    assert all(int(after[key]["SEQUENCE"]) == 0 for key in after if key != uid)
    page.get_by_role("button", name="Cabut alamat").click()
    expect(page.get_by_text("Alamat kalender dicabut.")).to_be_visible()
    assert page.request.get(feed_url).status == 404

    # Another region's pages and data answer 403; so do the staff pages.
    neighbour = agreements[NEIGHBOUR]
    for path in (f"/regions/{NEIGHBOUR}", f"/agreements/{neighbour['id']}", f"/cohorts/{year}", "/deliveries"):
        response = page.goto(stack.console + path)
        assert response is not None and response.status == 403, path
    expect(page.get_by_role("heading", level=1)).to_contain_text("Akses ditolak")
    look(page, "forbidden")

    # A forged form without the CSRF token changes nothing.
    forged = page.request.post(
        f"{stack.console}/regions/{REGION}/officials",
        form={"role": "kominfo_head", "kominfo_head-name": "Penyusup", "kominfo_head-email": "penyusup@evil.example"},
    )
    assert forged.status == 400
    kept = stack.call("GET", "assessment", f"/regions/{REGION}/officials?role=kominfo_head")["officials"]
    assert [o["name"] for o in kept] == ["I Gusti Ngurah Kominfo"]

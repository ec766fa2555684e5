"""A mentor works the review queue: asks for a revision with a comment, then accepts; the region enters its
monev self-assessment and an assessor confirms it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.browser.pages import look, reload_until, sign_in, sign_out
from tests.browser.stack import officials, selected_region, signed_programme

REGION = "32.73"


def _milestone(programme: dict, key: str) -> dict:
    return next(m for stage in programme["stages"] for m in stage["milestones"] if m["key"] == key)


def test_a_mentor_reviews_a_deliverable_and_the_region_reports_its_monev(page: Page, stack):
    # Last year's cohort: a year is evaluated (monev) only once it has begun.
    year = datetime.now(UTC).year - 1
    stack.call(
        "PUT", "assessment", f"/regions/{REGION}/officials", json={"officials": officials("bandung.example", "Bandung")}
    )
    agreement = selected_region(stack, year, [REGION], quota=1)[REGION]
    programme = signed_programme(stack, agreement)
    stack.call(
        "POST",
        "mentoring",
        f"/programmes/{programme['id']}/mentors",
        json={"mentor": "mentor-rina", "name": "Rina Kartika"},
    )
    decree = _milestone(programme, "sk_dewan_smart_city")

    def hand_in(link: str) -> None:
        stack.call(
            "POST",
            "mentoring",
            f"/milestones/{decree['id']}/submissions",
            role="region",
            region=REGION,
            json={"link": link},
        )

    hand_in("https://bandung.example/sk-dewan-smart-city-v1.pdf")

    # The mentor asks for a revision, with a comment and a new due date.
    sign_in(page, stack, "mentor-rina")
    page.goto(f"{stack.console}/mentoring?cohort={year}")
    item = page.locator("#review-queue li").filter(has_text="Kota Bandung")
    expect(item.get_by_role("heading")).to_have_text("Kota Bandung · SK Dewan Smart City")
    look(page, "mentoring-review-queue")
    due = datetime.now(ZoneInfo("Asia/Jakarta")).date() + timedelta(days=14)
    item.get_by_label("Catatan revisi").fill("Lampirkan susunan keanggotaan Dewan Smart City yang lengkap.")
    item.get_by_label("Batas revisi").fill(due.isoformat())
    item.get_by_role("button", name="Minta revisi").click()
    expect(page.get_by_text("Hasil tinjauan tersimpan: perlu revisi.")).to_be_visible()

    # The region hands in again; the mentor accepts.
    hand_in("https://bandung.example/sk-dewan-smart-city-v2.pdf")
    page.goto(f"{stack.console}/mentoring?cohort={year}")
    item = page.locator("#review-queue li").filter(has_text="Kota Bandung")
    expect(item).to_contain_text("Percobaan ke-2")
    item.get_by_role("button", name="Terima").click()
    expect(page.get_by_text("Hasil tinjauan tersimpan: diterima.")).to_be_visible()
    history = stack.call("GET", "mentoring", f"/milestones/{decree['id']}/submissions")
    assert [s["status"] for s in history["submissions"]] == ["revision_requested", "accepted"]
    assert history["submissions"][0]["review"]["reviewed_by"] == "mentor-rina"
    sign_out(page)

    # The rest of the plan up to the final Masterplan, handed in and accepted: monev opens after it.
    for stage in programme["stages"]:
        for milestone in stage["milestones"]:
            if milestone["id"] == decree["id"]:
                continue
            submission = stack.call(
                "POST",
                "mentoring",
                f"/milestones/{milestone['id']}/submissions",
                role="region",
                region=REGION,
                json={"link": f"https://bandung.example/{milestone['key']}.pdf"},
            )
            stack.call(
                "POST",
                "mentoring",
                f"/submissions/{submission['id']}/review",
                role="mentor",
                sub="mentor-rina",
                json={"decision": "accept"},
            )
        if any(m["kind"] == "masterplan" for m in stage["milestones"]):
            break

    # The region's monev self-assessment, with evidence for every weighted dimension.
    sign_in(page, stack, "kominfo-bandung")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kota Bandung")
    page.get_by_role("link", name="Program pendampingan").click()
    reload_until(page, "SK Dewan Smart City")
    for field in page.locator("input[name^=score_]").all():
        field.fill("80")
    for field in page.locator("textarea[name^=evidence_]").all():
        field.fill("https://bandung.example/monev/bukti.pdf")
    page.get_by_role("button", name="Simpan penilaian mandiri monev").click()
    expect(page.get_by_text("Penilaian mandiri monev tersimpan.")).to_be_visible()
    look(page, "programme")
    sign_out(page)

    # An assessor confirms it: the achievement index follows from the cohort's weights.
    sign_in(page, stack, "asesor-budi")
    page.goto(f"{stack.console}/programmes/{programme['id']}")
    page.get_by_label("Catatan asesor").fill("Bukti dukung memadai.")
    page.get_by_role("button", name="Konfirmasi monev").click()
    expect(page.get_by_text("Monev dikonfirmasi. Indeks capaian: 80.0.")).to_be_visible()
    look(page, "programme-confirmed")

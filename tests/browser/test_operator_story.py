"""An operator runs a small cohort in the browser: register, officials, cohort, scoring, selection, a ceremony
recorded with a representative, the signed PDF, and the emails that followed."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from tests.browser.pages import look, reload_until, sign_in, sign_out

SIGNED_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"xref\n0 3\n0000000000 65535 f \ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n110\n%%EOF\n"
)


def _officials(page: Page) -> None:
    rows = {
        "head_of_region": (
            "Elfin Ilyas Nainggolan",
            "S.STP., M.Si.",
            "Pj",
            "Bupati Tapanuli Tengah",
            "bupati@tapteng.example",
        ),
        "regional_secretary": ("Sugiharto Hutabarat", "S.H.", "Plh", "Sekretaris Daerah", "sekda@tapteng.example"),
        "kominfo_head": ("Fachrul Rozi", "S.Kom.", "", "Kepala Dinas Kominfo", "kominfo@tapteng.example"),
    }
    for role, (name, title, acting, position, email) in rows.items():
        page.locator(f"#{role}-name").fill(name)
        page.locator(f"#{role}-title").fill(title)
        page.locator(f"#{role}-acting").select_option(acting)
        page.locator(f"#{role}-position").fill(position)
        page.locator(f"#{role}-email").fill(email)


def test_an_operator_runs_a_cohort_to_a_signed_agreement_and_sees_the_emails(page: Page, stack):
    year = datetime.now(UTC).year
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    sign_in(page, stack, "operator-ani")

    # The region register, loaded from the copy that ships with Cerdas.
    page.get_by_role("link", name="Wilayah", exact=True).click()
    page.get_by_role("button", name="Muat register").click()
    expect(page.get_by_text("Register wilayah dimuat")).to_be_visible()
    page.get_by_label("Cari nama wilayah").fill("Tapanuli Tengah")
    page.get_by_role("button", name="Cari").click()
    look(page, "regions")
    page.get_by_role("link", name="Kabupaten Tapanuli Tengah").click()

    # The officials' line-up, with the acting regent and the acting regional secretary.
    page.get_by_role("link", name="Ubah susunan pejabat").click()
    _officials(page)
    look(page, "officials")
    page.get_by_role("button", name="Simpan susunan pejabat").click()
    expect(page.get_by_text("Susunan pejabat tersimpan.")).to_be_visible()
    expect(page.get_by_role("cell", name="sekda@tapteng.example")).to_be_visible()

    # A cohort of one kabupaten/kota, two applicants.
    page.get_by_role("link", name="Kohort", exact=True).click()
    page.get_by_label("Tahun").fill(str(year))
    page.get_by_label("Kuota provinsi").fill("0")
    page.get_by_label("Kuota kabupaten/kota").fill("1")
    page.get_by_label("Pendaftaran dibuka").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("Pendaftaran ditutup").fill((today + timedelta(days=10)).isoformat())
    page.get_by_label("Batas penilaian").fill((today + timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Buka kohort").click()
    expect(page.get_by_text(f"Kohort {year} dibuka.")).to_be_visible()
    for code in ("12.01", "72.71"):
        page.get_by_label("Ajukan lamaran atas nama wilayah").select_option(code)
        page.get_by_role("button", name="Ajukan", exact=True).click()
        expect(page.get_by_text("tercatat.")).to_be_visible()
    look(page, "cohort")
    sign_out(page)

    # The assessor's scoring sheets.
    sign_in(page, stack, "asesor-budi")
    for region, value in (("Kabupaten Tapanuli Tengah", "85"), ("Kota Palu", "70")):
        page.goto(f"{stack.console}/cohorts/{year}")
        page.get_by_role("link", name=re.compile(f"Lembar penilaian · {region}")).click()
        for field in page.locator("input[name^=score_]").all():
            field.fill(value)
        page.get_by_role("button", name="Simpan lembar penilaian").click()
        # In place through htmx, or after a reload when the script has not started yet: the same message.
        expect(page.get_by_text(f"Lembar penilaian untuk {region} tersimpan.")).to_be_visible()
    look(page, "scoring-sheet")
    sign_out(page)

    # Selection, after a confirmation that states the quotas; then the results export.
    sign_in(page, stack, "operator-ani")
    page.goto(f"{stack.console}/cohorts/{year}")
    page.get_by_role("link", name="Tetapkan seleksi").click()
    expect(page.locator("#quota-statement")).to_have_text(
        "Akan dipilih 0 provinsi dan 1 kabupaten/kota dengan nilai tertinggi."
    )
    look(page, "selection-confirmation")
    # The window is still open (it closes in ten days): the plenary decides now, and says why.
    page.get_by_label("Tetapkan sekarang juga").check()
    page.get_by_label("Alasan penetapan lebih awal").fill("Keputusan rapat pleno tim penilai")
    page.get_by_role("button", name="Ya, tetapkan seleksi").click()
    expect(page.get_by_text("1 wilayah terpilih")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh hasil (results.csv)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8"))))
    assert {row["kode_wilayah"] for row in rows} == {"12.01", "72.71"}

    # The draft agreement arrives by event; one ceremony is scheduled for it.
    page.get_by_role("link", name="Nota Kesepakatan", exact=True).click()
    page.get_by_label("Kohort").fill(str(year))
    page.get_by_role("button", name="Saring").click()
    reload_until(page, "Kabupaten Tapanuli Tengah")
    page.get_by_label(re.compile("Pilih .* Kabupaten Tapanuli Tengah")).check()
    ceremony = datetime.now(ZoneInfo("Asia/Jakarta")).replace(hour=10, minute=0) + timedelta(days=2)
    page.get_by_label("Waktu seremoni (WIB)").fill(ceremony.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Tempat atau tautan rapat").fill("https://vicon.komdigi.example/nk-2023")
    look(page, "agreements")
    page.get_by_role("button", name="Jadwalkan seremoni").click()
    expect(page.get_by_text("Seremoni dijadwalkan untuk 1 Nota Kesepakatan.")).to_be_visible()

    # The signing, with the regional secretary signing on behalf of the acting regent.
    page.get_by_role("link", name=re.compile(r"^NK-\d+.\d+$")).first.click()
    expect(page.get_by_label("Atas nama (a.n.)")).to_have_value("Pj Bupati Tapanuli Tengah")
    page.get_by_label("Status jabatan").select_option("Plh")
    page.locator("#ministry_name").fill("Semuel Abrijani Pangerapan")
    page.get_by_role("button", name="Catat penandatanganan").click()
    expect(page.get_by_text("tercatat.")).to_be_visible()
    expect(
        page.get_by_text("Sugiharto Hutabarat · Plh Sekretaris Daerah a.n. Pj Bupati Tapanuli Tengah")
    ).to_be_visible()

    # The signed PDF, and the audit trail of everything above.
    page.get_by_label("Berkas PDF bertanda tangan").set_input_files(
        files=[{"name": "nk-tapteng.pdf", "mimeType": "application/pdf", "buffer": SIGNED_PDF}]
    )
    page.get_by_role("button", name="Unggah dokumen").click()
    expect(page.get_by_text("Dokumen versi 1 tersimpan.")).to_be_visible()
    trail = page.get_by_role("table").last
    for action in ("drafted", "scheduled", "signed", "document_uploaded"):
        expect(trail.get_by_role("cell", name=action, exact=True)).to_be_visible()
    look(page, "agreement")

    # The emails that followed: selection result, invitation, signing notice, each sent.
    page.get_by_role("link", name="Pengiriman email").click()
    page.get_by_label("Kode wilayah").fill("12.01")
    page.get_by_role("button", name="Saring").click()
    reload_until(page, re.compile("Nota Kesepakatan.*ditandatangani|ditandatangani", re.I), timeout=90)
    expect(page.locator("#deliveries-table").get_by_text("kominfo@tapteng.example").first).to_be_visible()
    expect(page.locator("#deliveries-table").get_by_text("terkirim").first).to_be_visible()
    look(page, "deliveries")

    # The overview: the funnel of this cohort, by province, and the system's status.
    page.goto(f"{stack.console}/?cohort={year}")
    reload_until(page, page.get_by_role("img", name="Dalam pendampingan: 1"))
    expect(page.get_by_role("img", name="Mendaftar: 2")).to_be_visible()
    expect(page.get_by_role("img", name="Terpilih: 1")).to_be_visible()
    expect(page.get_by_role("img", name="Nota Kesepakatan ditandatangani: 1")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Sumatera Utara")).to_be_visible()
    expect(page.get_by_text("Semua layanan sehat")).to_be_visible(timeout=15000)
    look(page, "overview", readme="overview.png")

    # Every action above left a row in the console's own audit.
    engine = create_engine(stack.console_database.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        actions = set(
            connection.execute(text("SELECT action FROM audit_entries WHERE actor = 'operator-ani'")).scalars()
        )
    engine.dispose()
    assert {
        "regions.import_register",
        "regions.save_officials",
        "cohorts.open_cohort",
        "cohorts.apply",
        "cohorts.run_selection",
        "agreements.schedule_ceremony",
        "agreements.sign",
        "agreements.upload",
        "auth.login",
    } <= actions

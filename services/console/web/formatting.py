"""How pages show dates (in the region's own zone: WIB, WITA, WIT), states and roles, in the chosen language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from shared.clock import MINISTRY_ZONE, zone_abbreviation

STATUS_LABELS = {
    "submitted": _l("diajukan"),
    "under_assessment": _l("dinilai"),
    "scored": _l("sudah dinilai"),
    "selected": _l("terpilih"),
    "not_selected": _l("tidak terpilih"),
    "withdrawn": _l("ditarik"),
    "open": _l("dibuka"),
    "finalized": _l("final"),
    "draft": _l("draf"),
    "scheduled": _l("terjadwal"),
    "signed": _l("ditandatangani"),
    "expired": _l("berakhir"),
    "terminated": _l("diakhiri"),
    "active": _l("berjalan"),
    "pending": _l("menunggu"),
    "completed": _l("selesai"),
    "accepted": _l("diterima"),
    "revision_requested": _l("perlu revisi"),
    "sending": _l("sedang dikirim"),
    "sent": _l("terkirim"),
    "retrying": _l("dicoba lagi"),
    "failed": _l("gagal"),
    "self_assessed": _l("penilaian mandiri"),
    "confirmed": _l("dikonfirmasi"),
    "done": _l("selesai"),
    "overdue": _l("terlambat"),
    "upcoming": _l("akan datang"),
    "waiting": _l("menunggu tinjauan"),
    "cancelled": _l("dibatalkan"),
}
ROLE_LABELS = {
    "operator": _l("Operator kementerian"),
    "assessor": _l("Asesor"),
    "mentor": _l("Pendamping"),
    "region": _l("Pemerintah daerah"),
    "service": _l("Layanan"),
    "head_of_region": _l("Kepala daerah"),
    "regional_secretary": _l("Sekretaris daerah"),
    "kominfo_head": _l("Kepala Dinas Kominfo"),
    "bappeda_head": _l("Kepala Bappeda"),
    "bpkpad_head": _l("Kepala BPKPAD"),
}
FUNNEL_LABELS = {
    "applied": _l("Mendaftar"),
    "scored": _l("Dinilai"),
    "selected": _l("Terpilih"),
    "signed": _l("Nota Kesepakatan ditandatangani"),
    "mentoring": _l("Dalam pendampingan"),
    "masterplan": _l("Masterplan"),
    "enacted": _l("Perbup/Pergub"),
}
TIMELINE_LABELS = {
    "application_submitted": _l("Lamaran diajukan"),
    "applications_closed": _l("Pendaftaran ditutup"),
    "assessment_due": _l("Batas penilaian"),
    "selected": _l("Terpilih"),
    "selection_decided": _l("Hasil seleksi ditetapkan"),
    "agreement_terminated": _l("Nota Kesepakatan diakhiri"),
    "signing_due": _l("Batas penandatanganan Nota Kesepakatan"),
    "ceremony": _l("Seremoni penandatanganan"),
    "agreement_signed": _l("Nota Kesepakatan ditandatangani"),
}
DIMENSION_LABELS = {
    "baseline": _l("Kondisi awal (baseline)"),
    "output": _l("Keluaran (output)"),
    "outcome": _l("Hasil (outcome)"),
    "impact": _l("Dampak (impact)"),
    "quick_win": _l("Quick win"),
}
PAGE_LABELS = {
    "overview": _l("Ringkasan"),
    "cohorts": _l("Kohort"),
    "regions": _l("Wilayah"),
    "agreements": _l("Nota Kesepakatan"),
    "mentoring": _l("Pendampingan"),
    "deliveries": _l("Pengiriman email"),
    "docs": _l("Dokumentasi API"),
}
KIND_LABELS = {
    "provinsi": _l("provinsi"),
    "kabkota": _l("kabupaten/kota"),
    "kabupaten": _l("kabupaten"),
    "kota": _l("kota"),
}


def _value(value: Any) -> datetime | date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime | date):
        return value
    text = str(value)
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _pattern(with_time: bool) -> str:
    # Indonesian writes the time with a full stop (10.00), English with a colon.
    if str(get_locale()) == "en":
        return "d MMM y, HH:mm" if with_time else "d MMM y"
    return "d MMM y, HH.mm" if with_time else "d MMM y"


def local_time(value: Any, timezone: str | None = None) -> str:
    """An instant in the given region's zone, with the zone's name: '28 Feb 2023, 10.00 WIB'."""
    moment = _value(value)
    if moment is None:
        return "–"
    zone = timezone or MINISTRY_ZONE
    locale = str(get_locale())
    if not isinstance(moment, datetime):
        return format_date(moment, _pattern(False), locale=locale)
    text = format_datetime(moment, _pattern(True), tzinfo=ZoneInfo(zone), locale=locale)
    return f"{text} {zone_abbreviation(zone)}"


def local_date(value: Any, timezone: str | None = None) -> str:
    moment = _value(value)
    if moment is None:
        return "–"
    if isinstance(moment, datetime):
        moment = moment.astimezone(ZoneInfo(timezone or MINISTRY_ZONE)).date()
    return format_date(moment, _pattern(False), locale=str(get_locale()))


def datetime_local(value: Any, timezone: str | None = None) -> str:
    """The value an <input type="datetime-local"> takes, in WIB unless said otherwise."""
    moment = _value(value)
    if not isinstance(moment, datetime):
        return ""
    return moment.astimezone(ZoneInfo(timezone or MINISTRY_ZONE)).strftime("%Y-%m-%dT%H:%M:%S")


def label(value: Any, table: dict[str, Any] | None = None) -> str:
    labels = table if table is not None else STATUS_LABELS
    return str(labels.get(str(value), value if value is not None else "–"))


def install(app: Flask) -> None:
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["datetime_local"] = datetime_local
    app.jinja_env.filters["status"] = label
    app.jinja_env.filters["role"] = lambda value: label(value, ROLE_LABELS)
    app.jinja_env.filters["kind"] = lambda value: label(value, KIND_LABELS)
    app.jinja_env.filters["zone"] = zone_abbreviation
    app.jinja_env.globals["FUNNEL_LABELS"] = FUNNEL_LABELS
    app.jinja_env.globals["PAGE_LABELS"] = PAGE_LABELS
    app.jinja_env.filters["step"] = lambda value: label(value, TIMELINE_LABELS)
    app.jinja_env.filters["dimension"] = lambda value: label(value, DIMENSION_LABELS)

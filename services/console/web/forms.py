"""Reading HTML form fields into the bodies the APIs take: dates in WIB, numbers, optional text."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import request
from flask_babel import gettext as _

from shared.clock import MINISTRY_ZONE, end_of_local_day
from shared.errors import Invalid


def text(name: str) -> str | None:
    value = request.form.get(name, "").strip()
    return value or None


def required(name: str, label: str) -> str:
    value = text(name)
    if value is None:
        raise Invalid(_("%(label)s wajib diisi.", label=label), field=name)
    return value


def number(name: str, label: str, *, optional: bool = False) -> float | None:
    raw = text(name)
    if raw is None:
        if optional:
            return None
        raise Invalid(_("%(label)s wajib diisi.", label=label), field=name)
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        raise Invalid(_("%(label)s harus berupa angka.", label=label), field=name) from None


def day(name: str, label: str) -> date:
    raw = required(name, label)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(_("%(label)s harus berupa tanggal.", label=label), field=name) from None


def start_of_day(name: str, label: str) -> str:
    """A date picked on a form opens at the start of that day in WIB, the ministry's zone."""
    return datetime.combine(day(name, label), time.min, tzinfo=ZoneInfo(MINISTRY_ZONE)).isoformat()


def end_of_day(name: str, label: str) -> str:
    """A date picked as a deadline ends at the end of that day in WIB."""
    return end_of_local_day(day(name, label), MINISTRY_ZONE).isoformat()


def local_moment(name: str, label: str, timezone: str = MINISTRY_ZONE) -> str:
    """A datetime-local field (no zone) read in the given zone, WIB unless said otherwise."""
    raw = required(name, label)
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise Invalid(_("%(label)s harus berupa tanggal dan jam.", label=label), field=name) from None
    return value.replace(tzinfo=ZoneInfo(timezone)).isoformat()


def links(name: str) -> list[str]:
    """Evidence links, one per line."""
    return [line.strip() for line in request.form.get(name, "").splitlines() if line.strip()]


def compact(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if value is not None}

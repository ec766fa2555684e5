"""How officials and signatories are named in the ministry's letters: acting designation, position, titles."""

from __future__ import annotations

import re

# Acting designations as official letters abbreviate them, with a dot: penjabat, pelaksana harian, pelaksana tugas.
_ACTING = re.compile(r"^(Pj|Plh|Plt)\.?(?=\s|$)")


def with_acting_dot(text: str) -> str:
    """'Pj Bupati Tapanuli Tengah' -> 'Pj. Bupati Tapanuli Tengah'; other text as it is."""
    return _ACTING.sub(r"\1.", text.strip())


def formal_name(name: str, title: str | None, acting: str | None, position: str | None) -> str:
    """'Plh. Sekretaris Daerah Kabupaten X, Dr. Budi Santoso, S.T., M.Si.': acting designation before the
    position, academic titles after the name, as Indonesian official letters write them."""
    full = f"{name}, {title}" if title else name
    designation = with_acting_dot(acting) if acting else None
    if position:
        position = with_acting_dot(position)
        office = f"{designation} {position}" if designation and not position.startswith(designation) else position
        return f"{office}, {full}"
    return f"{designation} {full}" if designation else full


def signatory_line(
    name: str,
    position: str,
    acting: str | None,
    on_behalf_of: str | None,
    language: str = "id",
    title: str | None = None,
) -> str:
    """'Plh. Sekretaris Daerah, Sugiharto Hutabarat, S.H., a.n. Pj. Bupati Tapanuli Tengah': who signed, and
    for whom (a.n., atas nama)."""
    line = formal_name(name, title, acting, position)
    if on_behalf_of:
        principal = with_acting_dot(on_behalf_of)
        line += f", a.n. {principal}" if language == "id" else f", on behalf of {principal}"
    return line

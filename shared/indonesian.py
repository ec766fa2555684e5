"""Words every service writes the same way: the programme's one name and the Indonesian calendar."""

from __future__ import annotations

# The programme's one name, in every email, calendar entry, deadline title and open-data export.
PROGRAMME_NAME = "Gerakan Menuju Kota Cerdas"
MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

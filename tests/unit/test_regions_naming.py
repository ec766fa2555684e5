"""Regions are named as the ministry's letters name them, told apart by their Kemendagri code."""

import pytest

from shared import regions


@pytest.mark.parametrize(
    ("code", "name", "shown", "government", "regulation"),
    [
        ("12", "Sumatera Utara", "Provinsi Sumatera Utara", "Pemerintah Provinsi Sumatera Utara", "Pergub"),
        (
            "12.01",
            "Kabupaten Tapanuli Tengah",
            "Kabupaten Tapanuli Tengah",
            "Pemerintah Kabupaten Tapanuli Tengah",
            "Perbup",
        ),
        ("12.71", "Kota Medan", "Kota Medan", "Pemerintah Kota Medan", "Perwali"),
        (
            "34",
            "Daerah Istimewa Yogyakarta",
            "Daerah Istimewa Yogyakarta",
            "Pemerintah Daerah Istimewa Yogyakarta",
            "Pergub",
        ),
        ("12", "Provinsi Sumatera Utara", "Provinsi Sumatera Utara", "Pemerintah Provinsi Sumatera Utara", "Pergub"),
    ],
)
def test_names_governments_and_regulations(code, name, shown, government, regulation):
    assert regulations_short(code) == regulation
    assert regions.display_name(name, code) == shown
    assert regions.government_of(name, code) == government


def regulations_short(code):
    return regions.regulation_of(code)[0]


def test_the_head_of_region_by_kind_and_a_bad_code_is_named():
    assert [regions.head_of(c) for c in ("12", "12.01", "12.71")] == ["Gubernur", "Bupati", "Wali Kota"]
    with pytest.raises(ValueError, match="12.1"):
        regions.kind_of("12.1")

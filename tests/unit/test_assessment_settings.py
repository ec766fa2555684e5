"""The assessment service's setting: extra official roles beyond the standard five."""

import pytest

from services.assessment.views import official_roles
from shared.config import SettingsError, load_settings


def test_extra_official_roles_default_to_none_and_follow_the_standard_five():
    assert load_settings({}).assessment.extra_official_roles == ()
    extra = load_settings({"CERDAS_EXTRA_OFFICIAL_ROLES": " inspectorate_head, dukcapil_head,inspectorate_head "})
    assert extra.assessment.extra_official_roles == ("inspectorate_head", "dukcapil_head")
    roles = official_roles(extra.assessment.extra_official_roles)
    assert roles[-3:] == ("bpkpad_head", "inspectorate_head", "dukcapil_head")


def test_a_malformed_role_name_fails_at_start_naming_the_variable():
    with pytest.raises(SettingsError, match="CERDAS_EXTRA_OFFICIAL_ROLES"):
        load_settings({"CERDAS_EXTRA_OFFICIAL_ROLES": "Kepala Inspektorat"})

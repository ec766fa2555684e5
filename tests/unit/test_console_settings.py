"""The console's settings: a session key refused weak in production, OpenID Connect only when configured."""

from __future__ import annotations

import pytest

from services.console.settings import DEV_SECRET_KEY, console_database_url, load_console_settings
from shared.environment import SettingsError

STRONG = "f3b1c9e07a5d4c2b8e6f0a9d7c5b3e1f2a4c6e8b0d2f4a6c"


def test_development_has_working_defaults(tmp_path):
    settings = load_console_settings({"CERDAS_VAR_DIR": str(tmp_path)})
    assert settings.secret_key == DEV_SECRET_KEY
    assert settings.database_url == f"sqlite:///{tmp_path / 'console.db'}"
    assert settings.public_url == "http://127.0.0.1:5005"
    assert (settings.token_minutes, settings.session_hours, settings.local_accounts) == (5, 8, True)
    assert settings.oidc is None and not settings.secure_cookies


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "CERDAS_CONSOLE_SECRET_KEY is required"),
        ({"CERDAS_CONSOLE_SECRET_KEY": "short"}, "at least 32 characters"),
        ({"CERDAS_CONSOLE_SECRET_KEY": DEV_SECRET_KEY}, "published development key"),
        ({"CERDAS_CONSOLE_SECRET_KEY": "a" * 40}, "too easy to guess"),
    ],
)
def test_production_refuses_a_missing_short_published_or_guessable_key(env, message):
    with pytest.raises(SettingsError, match=message):
        load_console_settings({"CERDAS_ENV": "production", **env})


def test_production_with_tls_marks_cookies_secure_and_reads_the_key_from_a_file(tmp_path):
    key = tmp_path / "console_secret_key"
    key.write_text(STRONG + "\n")
    settings = load_console_settings(
        {
            "CERDAS_ENV": "production",
            "CERDAS_CONSOLE_SECRET_KEY_FILE": str(key),
            "CERDAS_CONSOLE_URL": "https://konsol.cerdas.example/",
            "CERDAS_CONSOLE_DATABASE_URL": "postgresql://cerdas:pw@postgres:5432/console",
        }
    )
    assert settings.secret_key == STRONG and settings.secure_cookies
    assert settings.public_url == "https://konsol.cerdas.example"
    assert settings.database_url.endswith("/console")


def test_openid_connect_is_read_when_an_issuer_is_set():
    settings = load_console_settings(
        {
            "CERDAS_CONSOLE_OIDC_ISSUER": "https://sso.example/realms/cerdas",
            "CERDAS_CONSOLE_OIDC_CLIENT_ID": "cerdas-console",
            "CERDAS_CONSOLE_OIDC_CLIENT_SECRET": "s3cret",
            "CERDAS_CONSOLE_OIDC_ROLES_CLAIM": "realm_access.roles",
            "CERDAS_CONSOLE_LOCAL_ACCOUNTS": "false",
        }
    )
    assert settings.oidc is not None and not settings.local_accounts
    assert settings.oidc.metadata_url == "https://sso.example/realms/cerdas/.well-known/openid-configuration"
    assert settings.oidc.roles_claim == "realm_access.roles"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CERDAS_CONSOLE_OIDC_ISSUER": "https://sso.example/realms/cerdas"}, "CERDAS_CONSOLE_OIDC_CLIENT_ID"),
        ({"CERDAS_CONSOLE_LOCAL_ACCOUNTS": "false"}, "nobody could sign in"),
        ({"CERDAS_CONSOLE_TOKEN_MINUTES": "0"}, "CERDAS_CONSOLE_TOKEN_MINUTES"),
        ({"CERDAS_CONSOLE_URL": "ftp://konsol"}, "CERDAS_CONSOLE_URL"),
    ],
)
def test_a_bad_setting_is_named(env, message):
    with pytest.raises(SettingsError, match=message):
        load_console_settings(env)


def test_the_database_url_is_what_cerdas_migrate_uses(tmp_path):
    assert console_database_url({"CERDAS_VAR_DIR": str(tmp_path)}) == f"sqlite:///{tmp_path / 'console.db'}"
    with pytest.raises(SettingsError, match="CERDAS_CONSOLE_DATABASE_URL"):
        console_database_url({"CERDAS_CONSOLE_DATABASE_URL": "mysql://x/y"})

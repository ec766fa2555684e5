"""Settings are read once from CERDAS_* variables and a bad one stops the start with its name."""

from datetime import UTC, datetime

import pytest

from shared.config import DEV_JWT_SECRET, SettingsError, load_settings


def test_defaults_describe_the_embedded_run(tmp_path):
    settings = load_settings({"CERDAS_VAR_DIR": str(tmp_path)})
    assert settings.env == "development"
    assert settings.database_url("mou") == f"sqlite:///{tmp_path / 'mou.db'}"
    assert settings.broker_url == "redis://127.0.0.1:6390/0"  # never the machine's 6379
    assert settings.notifications.smtp_url == "smtp://127.0.0.1:8025"
    assert settings.service_urls["assessment"] == "http://127.0.0.1:5001"
    assert settings.jwt_secret == DEV_JWT_SECRET
    assert settings.notifications.reminder_policy.days_before == (7, 3, 1)
    assert settings.notifications.reminder_policy.send_hour == 8


def test_full_urls_are_taken_as_given():
    settings = load_settings(
        {
            "CERDAS_MOU_DATABASE_URL": "postgresql://cerdas:pw@db:5432/mou",
            "CERDAS_BROKER_URL": "rediss://redis.internal:6380/2",
            "CERDAS_SMTP_URL": "smtp+starttls://user:pw@mail.internal:587",
        }
    )
    assert settings.database_url("mou") == "postgresql://cerdas:pw@db:5432/mou"
    assert settings.broker_url == "rediss://redis.internal:6380/2"


@pytest.mark.parametrize(
    "env, name",
    [
        ({"CERDAS_BROKER_URL": "amqp://guest@localhost//"}, "CERDAS_BROKER_URL"),
        ({"CERDAS_BROKER_URL": "redis://"}, "CERDAS_BROKER_URL"),
        ({"CERDAS_ASSESSMENT_DATABASE_URL": "mysql://x@y/z"}, "CERDAS_ASSESSMENT_DATABASE_URL"),
        ({"CERDAS_SMTP_URL": "http://mail"}, "CERDAS_SMTP_URL"),
        ({"CERDAS_ENV": "staging"}, "CERDAS_ENV"),
        ({"CERDAS_REMINDER_SEND_HOUR": "25"}, "CERDAS_REMINDER_SEND_HOUR"),
        ({"CERDAS_REMINDER_DAYS_BEFORE": "7,three"}, "CERDAS_REMINDER_DAYS_BEFORE"),
        ({"CERDAS_REMINDER_DAYS_BEFORE": "7,0"}, "CERDAS_REMINDER_DAYS_BEFORE"),
        ({"CERDAS_OUTBOX_SWEEP_SECONDS": "soon"}, "CERDAS_OUTBOX_SWEEP_SECONDS"),
        ({"CERDAS_CLOCK_START": "2023-02-28T03:00:00"}, "CERDAS_CLOCK_START"),
        ({"CERDAS_JWT_SECRET": "short"}, "CERDAS_JWT_SECRET"),
        ({"CERDAS_ENV": "production"}, "CERDAS_JWT_SECRET"),
        ({"CERDAS_REMINDER_ON_THE_DAY": "perhaps"}, "CERDAS_REMINDER_ON_THE_DAY"),
    ],
)
def test_a_bad_setting_is_named(env, name):
    with pytest.raises(SettingsError, match=name):
        load_settings(env)


STRONG = "9f1c2e7ab4d05c3e8f6a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6"


def test_production_requires_its_own_secret():
    settings = load_settings({"CERDAS_ENV": "production", "CERDAS_JWT_SECRET": STRONG})
    assert settings.is_production and settings.jwt_secret == STRONG


@pytest.mark.parametrize(
    "secret",
    [DEV_JWT_SECRET, "x" * 40, "abababababababababababababababab", "test-secret-for-cerdas-which-is-long-enough"],
)
def test_production_refuses_published_and_guessable_secrets(secret):
    with pytest.raises(SettingsError, match="CERDAS_JWT_SECRET"):
        load_settings({"CERDAS_ENV": "production", "CERDAS_JWT_SECRET": secret})
    # Development keeps accepting them: the embedded run and the tests need no secret of their own.
    assert load_settings({"CERDAS_JWT_SECRET": secret if len(secret) >= 32 else secret * 2}).env == "development"


def test_every_setting_may_come_from_a_file_as_docker_and_kubernetes_secrets_do(tmp_path):
    (tmp_path / "jwt").write_text(STRONG + "\n")
    (tmp_path / "db").write_text("postgresql://cerdas:s3cret@db:5432/mou\n")
    settings = load_settings(
        {
            "CERDAS_ENV": "production",
            "CERDAS_JWT_SECRET_FILE": str(tmp_path / "jwt"),
            "CERDAS_MOU_DATABASE_URL_FILE": str(tmp_path / "db"),
        }
    )
    assert settings.jwt_secret == STRONG
    assert settings.database_url("mou") == "postgresql://cerdas:s3cret@db:5432/mou"
    with pytest.raises(SettingsError, match="CERDAS_JWT_SECRET_FILE"):
        load_settings({"CERDAS_JWT_SECRET_FILE": str(tmp_path / "missing")})
    with pytest.raises(SettingsError, match="not both"):
        load_settings({"CERDAS_JWT_SECRET": STRONG, "CERDAS_JWT_SECRET_FILE": str(tmp_path / "jwt")})


def test_a_bad_url_is_named_without_its_password():
    with pytest.raises(SettingsError) as raised:
        load_settings({"CERDAS_BROKER_URL": "amqp://cerdas:hunter2-very-secret@broker:5672//"})
    assert "hunter2" not in str(raised.value) and "cerdas:***@broker" in str(raised.value)
    with pytest.raises(SettingsError) as raised:
        load_settings({"CERDAS_MOU_DATABASE_URL": "postgresql://cerdas:hunter2@db:notaport/mou"})
    assert "hunter2" not in str(raised.value)


def test_a_previous_secret_keeps_old_tokens_valid_during_a_rotation():
    from shared.auth import mint_token, verify_token
    from shared.errors import Unauthorized

    now = datetime(2023, 2, 28, tzinfo=UTC)
    old = mint_token(DEV_JWT_SECRET, sub="op", role="operator", now=now)
    settings = load_settings({"CERDAS_JWT_SECRET": STRONG, "CERDAS_JWT_PREVIOUS_SECRET": DEV_JWT_SECRET})
    assert verify_token(settings.jwt_secret, old, now, settings.jwt_previous_secret).sub == "op"
    with pytest.raises(Unauthorized):
        verify_token(settings.jwt_secret, old, now)


def test_reminder_days_are_sorted_and_deduplicated():
    settings = load_settings({"CERDAS_REMINDER_DAYS_BEFORE": "1, 7,3,7"})
    assert settings.notifications.reminder_policy.days_before == (7, 3, 1)


def test_the_demo_clock_start_is_an_aware_instant():
    settings = load_settings({"CERDAS_CLOCK_START": "2023-02-28T03:00:00Z"})
    assert settings.clock_start == datetime(2023, 2, 28, 3, 0, tzinfo=UTC)


def test_the_cli_reports_a_bad_setting_without_a_traceback(capsys, monkeypatch):
    from services.cli import main

    monkeypatch.setenv("CERDAS_ENV", "production")
    monkeypatch.delenv("CERDAS_JWT_SECRET", raising=False)
    assert main(["token", "--role", "operator"]) == 2
    assert "CERDAS_JWT_SECRET is required" in capsys.readouterr().err

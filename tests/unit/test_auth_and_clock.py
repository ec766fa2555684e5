"""Bearer tokens carry a role (and a region for regions); due dates end at local midnight."""

from datetime import UTC, date, datetime, timedelta

import jwt
import pytest

from shared.auth import Principal, check_region, check_role, mint_token, verify_token
from shared.clock import FixedClock, ShiftedClock, at_local_hour, end_of_local_day
from shared.errors import Forbidden, Unauthorized

SECRET = "a-test-secret-that-is-long-enough-1234"
NOW = datetime(2023, 2, 28, 3, 0, tzinfo=UTC)


def test_a_minted_token_verifies_to_its_claims():
    token = mint_token(SECRET, sub="kominfo-tapteng", role="region", region="12.01", now=NOW)
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert claims["sub"] == "kominfo-tapteng" and claims["role"] == "region" and claims["region"] == "12.01"
    assert claims["exp"] == int((NOW + timedelta(hours=12)).timestamp())
    assert verify_token(SECRET, token, NOW) == Principal("kominfo-tapteng", "region", "12.01")


def test_expiry_is_judged_by_the_injected_clock():
    token = mint_token(SECRET, sub="op", role="operator", now=NOW, ttl=timedelta(minutes=5))
    assert verify_token(SECRET, token, NOW + timedelta(minutes=4)).role == "operator"
    with pytest.raises(Unauthorized, match="expired"):
        verify_token(SECRET, token, NOW + timedelta(minutes=6))


def test_a_remembered_token_still_answers_to_the_secret_and_the_clock_of_each_call():
    old = "the-previous-secret-which-is-long-enough"
    token = mint_token(old, sub="op", role="operator", now=NOW, ttl=timedelta(minutes=5))
    # Verified once during a rotation (and so remembered)...
    assert verify_token(SECRET, token, NOW, previous_secret=old).sub == "op"
    # ...it is refused once the rotation ends, as it was never remembered for that combination,
    with pytest.raises(Unauthorized, match="invalid"):
        verify_token(SECRET, token, NOW)
    # once it expires, however often it was verified before,
    with pytest.raises(Unauthorized, match="expired"):
        verify_token(SECRET, token, NOW + timedelta(minutes=6), previous_secret=old)
    # and a copy with its signature changed is not the remembered token.
    head, body, signature = token.split(".")
    forged = f"{head}.{body}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    with pytest.raises(Unauthorized, match="invalid"):
        verify_token(SECRET, forged, NOW, previous_secret=old)


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        jwt.encode(
            {"sub": "x", "role": "operator", "exp": 9999999999}, "another-secret-another-secret-xx", algorithm="HS256"
        ),
        jwt.encode({"sub": "x", "role": "king", "exp": 9999999999}, SECRET, algorithm="HS256"),
        jwt.encode({"sub": "x", "role": "region", "exp": 9999999999}, SECRET, algorithm="HS256"),
        jwt.encode({"sub": "x", "role": "operator"}, SECRET, algorithm="HS256"),
    ],
)
def test_bad_tokens_are_unauthorized(token):
    with pytest.raises(Unauthorized):
        verify_token(SECRET, token, NOW)


def test_roles_and_region_scope():
    region = Principal("r", "region", "12.01")
    check_role(region, ("operator", "region"))
    with pytest.raises(Forbidden, match="role 'region' may not"):
        check_role(region, ("operator",))
    check_region(region, "12.01")
    with pytest.raises(Forbidden, match="speaks for region 12.01, not 12.02"):
        check_region(region, "12.02")
    check_region(Principal("o", "operator"), "12.02")


def test_minting_refuses_what_could_not_verify():
    with pytest.raises(ValueError, match="role must be one of"):
        mint_token(SECRET, sub="x", role="king", now=NOW)
    with pytest.raises(ValueError, match="region code"):
        mint_token(SECRET, sub="x", role="region", now=NOW)


def test_cerdas_token_prints_a_usable_token(capsys, monkeypatch):
    from services.cli import main
    from shared.config import DEV_JWT_SECRET

    monkeypatch.delenv("CERDAS_JWT_SECRET", raising=False)
    monkeypatch.delenv("CERDAS_ENV", raising=False)
    monkeypatch.delenv("CERDAS_CLOCK_START", raising=False)
    assert main(["token", "--role", "region", "--region", "12.01"]) == 0
    token = capsys.readouterr().out.strip()
    principal = verify_token(DEV_JWT_SECRET, token, datetime.now(UTC))
    assert principal == Principal("cli-region", "region", "12.01")


@pytest.mark.parametrize(
    "zone, expected_utc",
    [
        ("Asia/Jakarta", datetime(2023, 4, 29, 16, 59, 59, 999999, tzinfo=UTC)),
        ("Asia/Makassar", datetime(2023, 4, 29, 15, 59, 59, 999999, tzinfo=UTC)),
        ("Asia/Jayapura", datetime(2023, 4, 29, 14, 59, 59, 999999, tzinfo=UTC)),
    ],
)
def test_a_due_date_ends_at_local_midnight(zone, expected_utc):
    assert end_of_local_day(date(2023, 4, 29), zone) == expected_utc


def test_the_send_hour_is_local():
    assert at_local_hour(date(2023, 4, 22), 8, "Asia/Jakarta") == datetime(2023, 4, 22, 1, 0, tzinfo=UTC)
    assert at_local_hour(date(2023, 4, 22), 8, "Asia/Jayapura") == datetime(2023, 4, 21, 23, 0, tzinfo=UTC)


def test_clocks():
    fixed = FixedClock(NOW)
    fixed.advance(timedelta(days=1))
    assert fixed.now() == NOW + timedelta(days=1)
    shifted = ShiftedClock(NOW)
    assert abs(shifted.now() - NOW) < timedelta(seconds=5)
    assert shifted.now().tzinfo is not None

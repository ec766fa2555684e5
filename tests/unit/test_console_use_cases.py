"""The console's own use cases through commands and handlers, on an in-memory database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.pool import StaticPool

from services.console import commands, handlers, views
from services.console.orm import AuditEntry, User, metadata
from services.console.passwords import hash_password
from services.console.uow import UnitOfWork
from shared.clock import FixedClock
from shared.db import make_session_factory
from shared.errors import Conflict, Invalid, NotFound, Unauthorized

PASSWORD = "Kata-sandi-uji-2023!"


class Console:
    def __init__(self) -> None:
        engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
        metadata.create_all(engine)
        self.sessions = make_session_factory(engine)
        self.clock = FixedClock(datetime(2023, 2, 28, 3, 0, tzinfo=UTC))

    def run(self, handler, command):  # noqa: ANN001, ANN201
        with UnitOfWork(self.sessions, self.clock) as uow:
            result = handler(uow, command)
            uow.commit()
            return result

    def read(self, view, *args):  # noqa: ANN001, ANN002, ANN201
        with UnitOfWork(self.sessions, self.clock) as uow:
            result = view(uow, *args)
            uow.session.expunge_all()  # keep what was read as it was when the unit of work rolls back
            return result


@pytest.fixture
def console() -> Console:
    return Console()


def test_an_account_signs_in_with_its_password_and_its_hash_is_argon2(console):
    console.run(handlers.add_user, commands.AddUser("Kominfo-Tapteng", "region", "12.01", PASSWORD, "Diskominfo"))
    account = console.run(handlers.sign_in, commands.SignIn("kominfo-tapteng", PASSWORD))
    assert (account.sub, account.role, account.region, account.name) == (
        "kominfo-tapteng",
        "region",
        "12.01",
        "Diskominfo",
    )
    [user] = console.read(views.list_users)
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert user.last_sign_in_at == console.clock.now()


def test_a_wrong_password_an_unknown_name_and_a_disabled_account_get_the_same_refusal(console):
    console.run(handlers.add_user, commands.AddUser("ani", "operator", None, PASSWORD))
    messages = set()
    for username, password in (("ani", "salah-sandi-2023!"), ("tidak-ada", PASSWORD)):
        with pytest.raises(Unauthorized) as refused:
            console.run(handlers.sign_in, commands.SignIn(username, password))
        messages.add(refused.value.detail)
    console.run(handlers.disable_user, commands.DisableUser("ani"))
    with pytest.raises(Unauthorized) as refused:
        console.run(handlers.sign_in, commands.SignIn("ani", PASSWORD))
    messages.add(refused.value.detail)
    assert len(messages) == 1
    console.run(handlers.set_password, commands.SetPassword("ani", "Sandi-baru-yang-panjang-1"))
    assert console.run(handlers.sign_in, commands.SignIn("ani", "Sandi-baru-yang-panjang-1")).role == "operator"


def test_accounts_are_checked_before_they_are_stored(console):
    console.run(handlers.add_user, commands.AddUser("ani", "operator", None, PASSWORD))
    with pytest.raises(Conflict):
        console.run(handlers.add_user, commands.AddUser("ANI", "assessor", None, PASSWORD))
    with pytest.raises(Invalid):
        console.run(handlers.add_user, commands.AddUser("budi", "region", None, PASSWORD))
    with pytest.raises(NotFound):
        console.run(handlers.disable_user, commands.DisableUser("tidak-ada"))


def test_a_weaker_hash_is_replaced_at_the_next_sign_in(console):
    from argon2 import PasswordHasher

    console.run(handlers.add_user, commands.AddUser("ani", "operator", None, PASSWORD))
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with UnitOfWork(console.sessions, console.clock) as uow:
        uow.session.scalar(select(User)).password_hash = weak
        uow.commit()
    console.run(handlers.sign_in, commands.SignIn("ani", PASSWORD))
    [user] = console.read(views.list_users)
    assert user.password_hash != weak and user.password_hash != hash_password(PASSWORD)


def test_one_live_feed_token_per_region_and_revoking_it_closes_the_feed(console):
    first = console.run(handlers.issue_feed_token, commands.IssueFeedToken("12.01", "ani")).token
    second = console.run(handlers.issue_feed_token, commands.IssueFeedToken("12.01", "ani")).token
    assert first != second and len(second) >= 43
    assert console.read(views.feed_region, first) is None
    assert console.read(views.feed_region, second) == "12.01"
    assert console.run(handlers.revoke_feed_token, commands.RevokeFeedToken("12.01", "ani")) == 1
    assert console.read(views.feed_region, second) is None
    with pytest.raises(NotFound):
        console.run(handlers.revoke_feed_token, commands.RevokeFeedToken("12.01", "ani"))


def test_feed_sequences_rise_only_for_changed_events(console):
    def record(*entries):  # noqa: ANN002, ANN202
        return console.run(handlers.record_feed_entries, commands.RecordFeedEntries("12.01", entries))

    assert record(("a", "h1", "A"), ("b", "h2", "B")) == {"a": 0, "b": 0}
    assert record(("a", "h1", "A"), ("b", "h2", "B")) == {"a": 0, "b": 0}
    assert record(("a", "h1", "A"), ("b", "h3", "B moved")) == {"a": 0, "b": 1}
    console.clock.advance(timedelta(hours=1))
    assert record(("a", "h4", "A"), ("b", "h3", "B moved")) == {"a": 1, "b": 1}


def test_every_action_leaves_an_audit_row_with_its_outcome(console):
    for status in (303, 409, 502):
        console.run(
            handlers.record_action,
            commands.RecordAction(
                "ani",
                "operator",
                None,
                "agreements.sign",
                "POST",
                "/agreements/a1/sign",
                status,
                "corr-1",
                {"agreement_id": "a1"},
            ),
        )
    rows = console.read(views.recent_actions)
    assert [r.outcome for r in sorted(rows, key=lambda r: r.status_code)] == ["ok", "refused", "failed"]
    assert all(isinstance(r, AuditEntry) and r.details == {"agreement_id": "a1"} for r in rows)

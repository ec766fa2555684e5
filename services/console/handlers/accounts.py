"""Local accounts: add one, change its password, disable it, and sign in with it."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from services.console import commands
from services.console.domain import Account
from services.console.domain.accounts import check_password, check_role, check_username
from services.console.orm import User
from services.console.passwords import hash_password, needs_rehash, verify_password
from services.console.uow import UnitOfWork
from shared.errors import Conflict, NotFound, Unauthorized


def _user(uow: UnitOfWork, username: str) -> User | None:
    return uow.session.scalar(select(User).where(User.username == username.strip().lower()))


def add_user(uow: UnitOfWork, command: commands.AddUser) -> User:
    username = check_username(command.username)
    region = check_role(command.role, command.region)
    check_password(command.password, username)
    if _user(uow, username) is not None:
        raise Conflict(f"an account named {username!r} exists already; change its password instead")
    now = uow.clock.now()
    user = User(
        id=str(uuid.uuid4()),
        username=username,
        display_name=(command.display_name or "").strip() or None,
        role=command.role,
        region_code=region,
        password_hash=hash_password(command.password),
        active=True,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(user)
    uow.session.flush()
    return user


def set_password(uow: UnitOfWork, command: commands.SetPassword) -> User:
    user = _user(uow, command.username)
    if user is None:
        raise NotFound(f"no account named {command.username!r}")
    check_password(command.password, user.username)
    user.password_hash = hash_password(command.password)
    user.active = True
    user.updated_at = uow.clock.now()
    return user


def disable_user(uow: UnitOfWork, command: commands.DisableUser) -> User:
    user = _user(uow, command.username)
    if user is None:
        raise NotFound(f"no account named {command.username!r}")
    user.active = False
    user.updated_at = uow.clock.now()
    return user


def sign_in(uow: UnitOfWork, command: commands.SignIn) -> Account:
    """The account, if the password is right and the account active; one message for every refusal, so
    the answer does not tell which usernames exist."""
    user = _user(uow, command.username)
    stored = user.password_hash if user is not None else None
    if not verify_password(stored, command.password) or user is None or not user.active:
        raise Unauthorized("the username or password is not right")
    now = uow.clock.now()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(command.password)
    user.last_sign_in_at = now
    return Account(sub=user.username, role=user.role, region=user.region_code, name=user.display_name)

"""Who may sign in, as what, and which pages and actions each role is offered."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.auth import ROLES, Principal
from shared.errors import Forbidden, Invalid

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,119}$")
REGION_CODE = re.compile(r"^\d{2}(\.\d{2})?$")
MIN_PASSWORD = 12
# When a provider gives someone several Cerdas roles, the widest one is used.
PRECEDENCE = ("operator", "assessor", "mentor", "service", "region")
STAFF = ("operator", "assessor", "mentor", "service")

# Pages each role sees in the menu. The services' APIs still decide every read and write; this only
# spares a user links that would answer 403.
PAGES: dict[str, tuple[str, ...]] = {
    "overview": STAFF,
    "cohorts": STAFF,
    "regions": ROLES,
    "agreements": ROLES,
    "mentoring": ROLES,
    "deliveries": STAFF,
    "docs": ROLES,
}
# Buttons and forms each role is offered, named after what the API lets that role do.
ACTIONS: dict[str, tuple[str, ...]] = {
    "import_regions": ("operator",),
    "edit_officials": ("operator", "region"),
    "open_cohort": ("operator",),
    "apply": ("operator", "region"),
    "answer": ("operator", "region"),
    "score": ("assessor",),
    "select": ("operator",),
    "schedule": ("operator",),
    "sign": ("operator",),
    "upload_document": ("operator", "region"),
    "read_audit": ("operator", "assessor", "region"),
    "assign_mentor": ("operator",),
    "hand_in": ("operator", "region"),
    "review": ("mentor",),
    "self_assess": ("operator", "region"),
    "confirm_monev": ("assessor",),
    "resend": ("operator",),
    "replay": ("operator",),
    "manage_feed": ("operator", "region"),
    "read_status": STAFF,
}


@dataclass(frozen=True)
class Account:
    """The signed-in user, as the console mints tokens for them."""

    sub: str
    role: str
    region: str | None = None
    name: str | None = None
    source: str = "local"

    @property
    def display(self) -> str:
        return self.name or self.sub

    @property
    def principal(self) -> Principal:
        return Principal(sub=self.sub, role=self.role, region=self.region)

    def sees_page(self, page: str) -> bool:
        return self.role in PAGES.get(page, ())

    def may(self, action: str) -> bool:
        return self.role in ACTIONS.get(action, ())

    def may_view_region(self, code: str) -> bool:
        return self.role != "region" or self.region == code

    def as_session(self) -> dict[str, Any]:
        return {"sub": self.sub, "role": self.role, "region": self.region, "name": self.name, "source": self.source}

    @classmethod
    def from_session(cls, data: Mapping[str, Any]) -> Account:
        return cls(data["sub"], data["role"], data.get("region"), data.get("name"), data.get("source", "local"))


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME.fullmatch(name):
        raise Invalid(
            "a username is 2-120 characters: lower-case letters, digits and . _ @ -, starting with a letter or digit",
            field="username",
        )
    return name


def check_password(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"a password needs at least {MIN_PASSWORD} characters", field="password")
    if username and username.lower() in password.lower():
        raise Invalid("a password may not contain the username", field="password")
    if len(set(password)) < 5:
        raise Invalid("a password needs at least five different characters", field="password")


def check_role(role: str, region: str | None) -> str | None:
    """The region code an account of ``role`` carries: required for ``region``, refused for the others."""
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", field="role")
    if role == "region":
        if not region or not REGION_CODE.fullmatch(region):
            raise Invalid("a region account needs its Kemendagri code, e.g. 12.01", field="region")
        return region
    if region:
        raise Invalid(f"a {role} account speaks for every region; give no region code", field="region")
    return None


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    """A claim by dotted path: Keycloak nests realm roles under ``realm_access.roles``."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def account_from_claims(
    claims: Mapping[str, Any], *, roles_claim: str, region_claim: str, username_claim: str
) -> Account:
    """The account an identity provider's ID token or userinfo describes, or Forbidden if it names no role."""
    raw_roles = _claim(claims, roles_claim)
    roles = raw_roles.split() if isinstance(raw_roles, str) else list(raw_roles or [])
    role = next((candidate for candidate in PRECEDENCE if candidate in roles), None)
    if role is None:
        raise Forbidden(f"the identity provider gave this account no Cerdas role in the {roles_claim!r} claim")
    region = _claim(claims, region_claim)
    if isinstance(region, list):
        region = region[0] if region else None
    if role == "region" and not (isinstance(region, str) and REGION_CODE.fullmatch(region)):
        raise Forbidden(f"a region account needs its region code in the {region_claim!r} claim")
    sub = _claim(claims, username_claim) or claims.get("sub")
    if not sub:
        raise Forbidden("the identity provider gave no subject for this account")
    return Account(
        sub=str(sub),
        role=role,
        region=region if role == "region" else None,
        name=claims.get("name") if isinstance(claims.get("name"), str) else None,
        source="oidc",
    )

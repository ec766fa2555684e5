"""Bearer tokens (JWT, HS256) carrying a role, and for role ``region`` the region it speaks for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from types import MappingProxyType

import jwt

from shared.errors import Forbidden, Unauthorized

ROLES = ("operator", "assessor", "mentor", "region", "service")
ALGORITHM = "HS256"


@dataclass(frozen=True)
class Principal:
    sub: str
    role: str
    region: str | None = None

    def may_act_for(self, region_code: str) -> bool:
        """Regions act only for their own code; staff roles act for every region."""
        return self.role != "region" or self.region == region_code


def mint_token(
    secret: str,
    *,
    sub: str,
    role: str,
    now: datetime,
    region: str | None = None,
    ttl: timedelta = timedelta(hours=12),
) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role == "region" and not region:
        raise ValueError("a region token needs the region code it speaks for")
    claims = {"sub": sub, "role": role, "iat": int(now.timestamp()), "exp": int((now + ttl).timestamp())}
    if region:
        claims["region"] = region
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str, now: datetime, previous_secret: str | None = None) -> Principal:
    """The token's holder, if it was signed with the secret, or during a rotation with the previous one."""
    claims = _signed_claims(secret, token, previous_secret)
    # Expiry is checked against the injected clock so demos and tests can move time.
    if int(claims["exp"]) < int(now.timestamp()):
        raise Unauthorized("bearer token has expired")
    role = claims["role"]
    if role not in ROLES:
        raise Unauthorized(f"bearer token carries unknown role {role!r}")
    region = claims.get("region")
    if role == "region" and not region:
        raise Unauthorized("a region token must carry the region claim")
    return Principal(sub=str(claims["sub"]), role=role, region=region)


@lru_cache(maxsize=4096)
def _signed_claims(secret: str, token: str, previous_secret: str | None) -> MappingProxyType:
    """A token's claims once its signature checks out. A client sends the same token with every request
    until it expires, and the answer depends on nothing but these arguments, so it is remembered (a
    refused token raises and is never remembered); what depends on the time is checked on every call."""
    options = {"require": ["sub", "role", "exp"], "verify_exp": False, "verify_iat": False}
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options=options)
    except jwt.InvalidSignatureError as exc:
        if previous_secret is None:
            raise Unauthorized(f"invalid bearer token: {exc}") from None
        try:
            claims = jwt.decode(token, previous_secret, algorithms=[ALGORITHM], options=options)
        except jwt.PyJWTError as again:
            raise Unauthorized(f"invalid bearer token: {again}") from None
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"invalid bearer token: {exc}") from None
    return MappingProxyType(claims)


def check_role(principal: Principal, roles: tuple[str, ...]) -> None:
    if principal.role not in roles:
        raise Forbidden(f"role {principal.role!r} may not do this; allowed: {', '.join(roles)}")


def check_region(principal: Principal, region_code: str) -> None:
    if not principal.may_act_for(region_code):
        raise Forbidden(f"this token speaks for region {principal.region}, not {region_code}")

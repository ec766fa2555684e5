"""Region register and officials use cases: import, list, and the officials line-up with its history."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path

from sqlalchemy import func, select

from services.assessment import domain
from services.assessment.orm import Official, Region
from services.assessment.schemas import OfficialIn, RegionIn
from shared import events
from shared.auth import Principal
from shared.clock import local_date
from shared.errors import Invalid, NotFound
from shared.uow import UnitOfWork


def bundled_regions_csv() -> Path:
    """The Kemendagri register shipped with Cerdas: 38 provinces and 514 kabupaten/kota."""
    return Path(str(resources.files("services.assessment").joinpath("data/regions_id.csv")))


def _get_region(uow: UnitOfWork, code: str, *, lock: bool = False) -> Region:
    region = uow.session.get(Region, code, with_for_update=lock or None)
    if region is None:
        raise NotFound(f"no region with code {code!r}; import the register with `cerdas regions import`")
    return region


def upsert_regions(
    uow: UnitOfWork, regions: Iterable[RegionIn], progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Create or update regions by code, all or nothing; provinces are checked before their kab/kota.
    ``progress(done, total)`` is told every hundred regions (the CLI prints it)."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    items = sorted(regions, key=lambda r: (r.kind != "provinsi", r.code))
    seen: set[str] = set()
    now = uow.clock.now()
    for index, item in enumerate(items):
        try:
            domain.check_region_code(item.code, item.kind, item.province_code)
        except Invalid as exc:
            raise Invalid(f"region {item.code}: {exc.detail}", field=f"regions[{index}].code") from None
        if item.code in seen:
            raise Invalid(f"region {item.code} appears twice", field=f"regions[{index}].code")
        seen.add(item.code)
        if (
            item.province_code
            and item.province_code not in seen
            and uow.session.get(Region, item.province_code) is None
        ):
            raise Invalid(
                f"region {item.code}: parent province {item.province_code} is not registered",
                field=f"regions[{index}].province_code",
            )
        existing = uow.session.get(Region, item.code)
        values = item.model_dump()
        if existing is None:
            uow.session.add(Region(**values, created_at=now, updated_at=now))
            counts["created"] += 1
        elif any(getattr(existing, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(existing, key, value)
            existing.updated_at = now
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
        uow.session.flush()
        if progress is not None and ((index + 1) % 100 == 0 or index + 1 == len(items)):
            progress(index + 1, len(items))
    uow.commit()
    return counts


def read_regions_csv(path: Path) -> list[RegionIn]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        expected = {"code", "name", "kind", "province_code", "timezone"}
        if not reader.fieldnames or not expected <= set(reader.fieldnames):
            raise Invalid(f"{path}: the header must name the columns {', '.join(sorted(expected))}", field="csv")
        rows = []
        for line, row in enumerate(reader, start=2):
            try:
                rows.append(
                    RegionIn(
                        code=row["code"],
                        name=row["name"],
                        kind=row["kind"],
                        province_code=row["province_code"] or None,
                        timezone=row["timezone"],
                    )
                )
            except ValueError as exc:
                raise Invalid(f"{path}, line {line}: {exc}", field=f"line {line}") from None
    return rows


def list_regions(uow: UnitOfWork, kind: str | None, province: str | None, q: str | None) -> list[Region]:
    query = select(Region).order_by(Region.code)
    if kind == "kabkota":
        query = query.where(Region.kind.in_(("kabupaten", "kota")))
    elif kind:
        query = query.where(Region.kind == kind)
    if province:
        query = query.where((Region.province_code == province) | (Region.code == province))
    if q:
        query = query.where(func.lower(Region.name).contains(q.lower()))
    return list(uow.session.scalars(query))


def get_region(uow: UnitOfWork, code: str) -> Region:
    return _get_region(uow, code)


# --- officials -----------------------------------------------------------------------------


def _same(official: Official, item: OfficialIn) -> bool:
    return (official.name, official.title, official.position, official.email, official.acting) == (
        item.name,
        item.title,
        item.position,
        str(item.email),
        item.acting,
    )


def official_roles(extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The standard roles, most senior first, then any roles configured with CERDAS_EXTRA_OFFICIAL_ROLES."""
    return tuple(dict.fromkeys((*domain.OFFICIAL_ROLES, *extra)))


def replace_officials(
    uow: UnitOfWork,
    code: str,
    items: list[OfficialIn],
    principal: Principal,
    allowed_roles: Iterable[str] = domain.OFFICIAL_ROLES,
) -> list[Official]:
    """The body is the region's whole current line-up: changed roles get a new holder (the old one's
    term ends today, kept as history) and roles left out end."""
    # Locked so that two line-ups sent together are applied one after the other, never leaving two
    # current holders of one role.
    region = _get_region(uow, code, lock=True)
    roles = [item.role for item in items]
    domain.check_official_roles(roles, tuple(allowed_roles))
    duplicates = sorted({role for role in roles if roles.count(role) > 1})
    if duplicates:
        raise Invalid(f"each role may appear once; repeated: {', '.join(duplicates)}", field="officials")
    today = local_date(uow.clock.now(), region.timezone)
    current = {
        official.role: official
        for official in uow.session.scalars(
            select(Official).where(Official.region_code == code, Official.valid_until.is_(None))
        )
    }
    changed: list[str] = []
    wanted = {item.role: item for item in items}
    for role, official in current.items():
        if role not in wanted or not _same(official, wanted[role]):
            official.valid_until = today
            changed.append(role)
    for role, item in wanted.items():
        if role in current and _same(current[role], item):
            continue
        uow.session.add(
            Official(
                region_code=code,
                role=role,
                name=item.name,
                title=item.title,
                position=item.position,
                email=str(item.email),
                acting=item.acting,
                valid_from=item.valid_from or today,
                recorded_at=uow.clock.now(),
                recorded_by=principal.sub,
            )
        )
        if role not in changed:
            changed.append(role)
    if changed:
        uow.record(
            "assessment.officials_changed",
            code,
            events.OfficialsChangedV1(region_code=code, roles=sorted(changed)),
        )
    uow.session.flush()
    result = current_officials(uow, code, None)
    uow.commit()
    return result


def current_officials(uow: UnitOfWork, code: str, role: str | None, history: bool = False) -> list[Official]:
    _get_region(uow, code)
    query = select(Official).where(Official.region_code == code)
    if not history:
        query = query.where(Official.valid_until.is_(None))
    if role:
        query = query.where(Official.role == role)
    seniority = {role: index for index, role in enumerate(domain.OFFICIAL_ROLES)}
    officials = list(uow.session.scalars(query.order_by(Official.valid_from, Official.id)))
    return sorted(officials, key=lambda o: (seniority.get(o.role, len(seniority)), o.role, o.valid_from))

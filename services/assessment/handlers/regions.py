"""Region register and officials use cases: import the register, replace a region's line-up."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from services.assessment import commands, domain
from services.assessment.orm import Official, Region, RegisterRevision
from services.assessment.repository import get_region
from shared import events
from shared.clock import local_date
from shared.errors import Invalid
from shared.uow import UnitOfWork

REGION_FIELDS = ("code", "name", "kind", "province_code", "timezone")


def import_regions(uow: UnitOfWork, command: commands.ImportRegions) -> dict[str, int]:
    """Create or update regions by code, all or nothing; provinces are checked before their kab/kota.

    Set-based: one read of the rows the import names (and their provinces), then one multi-row insert
    and one executemany update, instead of a read and a write per region.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    items = sorted(command.regions, key=lambda r: (r.kind != "provinsi", r.code))
    wanted = {item.code for item in items} | {item.province_code for item in items if item.province_code}
    table = Region.__table__
    existing = {
        row.code: row
        for row in uow.session.execute(select(*(table.c[f] for f in REGION_FIELDS)).where(table.c.code.in_(wanted)))
    }
    seen: set[str] = set()
    now = uow.clock.now()
    created, updated = [], []
    for index, item in enumerate(items):
        try:
            domain.check_region_code(item.code, item.kind, item.province_code)
        except Invalid as exc:
            raise Invalid(f"region {item.code}: {exc.detail}", field=f"regions[{index}].code") from None
        if item.code in seen:
            raise Invalid(f"region {item.code} appears twice", field=f"regions[{index}].code")
        seen.add(item.code)
        if item.province_code and item.province_code not in seen and item.province_code not in existing:
            raise Invalid(
                f"region {item.code}: parent province {item.province_code} is not registered",
                field=f"regions[{index}].province_code",
            )
        values = {"code": item.code, "name": item.name, "kind": item.kind, "province_code": item.province_code}
        values["timezone"] = item.timezone
        current = existing.get(item.code)
        if current is None:
            created.append({**values, "created_at": now, "updated_at": now})
        elif tuple(current) != tuple(values[f] for f in REGION_FIELDS):
            updated.append({**values, "updated_at": now})
        else:
            counts["unchanged"] += 1
        if command.progress is not None and ((index + 1) % 100 == 0 or index + 1 == len(items)):
            command.progress(index + 1, len(items))
    if created:
        uow.session.execute(insert(table), created)  # Core: the ORM bulk path adds per-row bookkeeping
    if updated:
        uow.session.execute(update(Region), updated)  # by primary key, as one executemany
    if created or updated:
        bump_register_revision(uow)
    counts["created"], counts["updated"] = len(created), len(updated)
    return counts


def bump_register_revision(uow: UnitOfWork) -> None:
    """Readers compare this number to tell a cached copy of the register from a stale one."""
    bumped = uow.session.execute(
        update(RegisterRevision).where(RegisterRevision.id == 1).values(revision=RegisterRevision.revision + 1)
    )
    if bumped.rowcount == 0:  # a database created from the models rather than the migrations
        uow.session.add(RegisterRevision(id=1, revision=1))
        uow.session.flush()


def _same(official: Official, item: domain.OfficialRecord) -> bool:
    return (official.name, official.title, official.position, official.email, official.acting) == (
        item.name,
        item.title,
        item.position,
        item.email,
        item.acting,
    )


def replace_officials(uow: UnitOfWork, command: commands.ReplaceOfficials) -> list[str]:
    """The line-up becomes the region's current one: changed roles get a new holder (the old one's term
    ends today, kept as history) and roles left out end. Returns the roles that changed."""
    code = command.region_code
    # Locked so that two line-ups sent together are applied one after the other, never leaving two
    # current holders of one role.
    region = get_region(uow, code, lock=True)
    roles = [item.role for item in command.officials]
    domain.check_official_roles(roles, command.allowed_roles)
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
    wanted = {item.role: item for item in command.officials}
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
                email=item.email,
                acting=item.acting,
                valid_from=item.valid_from or today,
                recorded_at=uow.clock.now(),
                recorded_by=command.actor.sub,
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
    return sorted(changed)

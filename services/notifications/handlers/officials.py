"""Officials cache upkeep: a region's cached officials are dropped when assessment says they changed."""

from __future__ import annotations

from sqlalchemy import delete

from services.notifications.commands import ForgetOfficials
from services.notifications.orm import OfficialsCache
from shared.uow import UnitOfWork


def forget_officials(uow: UnitOfWork, command: ForgetOfficials) -> None:
    uow.session.execute(delete(OfficialsCache).where(OfficialsCache.region_code == command.region_code))

"""Thin HTTP routes of the MoU service; importing this package registers every route on ``api``."""

from services.mou.api import agreements, ceremonies, documents  # noqa: F401 (they register routes)
from services.mou.api.common import TAGS, agreements_tag, api

__all__ = ["TAGS", "agreements_tag", "api"]

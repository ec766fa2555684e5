"""Console rules that need no web, database or network: accounts and roles, feeds, the programme seen whole."""

from services.console.domain.accounts import ACTIONS, PAGES, Account, account_from_claims
from services.console.domain.feeds import FeedEvent, content_hash, feed_uid, next_sequence

__all__ = [
    "ACTIONS",
    "PAGES",
    "Account",
    "FeedEvent",
    "account_from_claims",
    "content_hash",
    "feed_uid",
    "next_sequence",
]

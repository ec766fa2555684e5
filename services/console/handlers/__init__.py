"""The console's use cases: ``handler(uow, command)``, never committing (the entrypoint does)."""

from services.console.handlers.accounts import add_user, disable_user, set_password, sign_in
from services.console.handlers.audit import record_action
from services.console.handlers.feeds import issue_feed_token, record_feed_entries, revoke_feed_token

__all__ = [
    "add_user",
    "disable_user",
    "issue_feed_token",
    "record_action",
    "record_feed_entries",
    "revoke_feed_token",
    "set_password",
    "sign_in",
]

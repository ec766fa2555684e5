"""What the console is wired from: platform and console settings, its own database, the clock."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from services.console.settings import ConsoleSettings, load_console_settings
from services.console.uow import UnitOfWork
from shared.clock import Clock, clock_for
from shared.config import Settings, load_settings
from shared.db import make_engine, make_session_factory

NAME = "console"


@dataclass
class ConsoleRuntime:
    settings: Settings
    console: ConsoleSettings
    engine: Engine
    session_factory: sessionmaker
    clock: Clock

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.clock)


def bootstrap(
    settings: Settings | None = None,
    console: ConsoleSettings | None = None,
    *,
    clock: Clock | None = None,
    configure_logs: bool = True,
) -> ConsoleRuntime:
    """Settings, JSON logs and the console database; nothing is contacted until a request needs it."""
    from shared.logging import configure_logging

    settings = settings or load_settings()
    console = console or load_console_settings()
    if configure_logs:
        configure_logging(NAME, settings.log_level, settings.log_format)
    engine = make_engine(console.database_url)
    return ConsoleRuntime(
        settings=settings,
        console=console,
        engine=engine,
        session_factory=make_session_factory(engine),
        # The timeline every process shares, so the tokens it mints are valid on the services' clocks.
        clock=clock or clock_for(settings),
    )

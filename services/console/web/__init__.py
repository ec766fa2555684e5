"""The console's pages, one blueprint per area."""

from __future__ import annotations

from flask import Flask

from services.console.web import (
    agreements,
    applications,
    auth,
    calendar,
    cohorts,
    deliveries,
    docs,
    mentoring,
    monev,
    overview,
    regions,
)

BLUEPRINTS = (
    auth.bp,
    overview.bp,
    cohorts.bp,
    applications.bp,
    regions.bp,
    agreements.bp,
    mentoring.bp,
    monev.bp,
    deliveries.bp,
    calendar.bp,
    docs.bp,
)


def register(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)

"""The stack's floor: a hello-world Flask app, served by the same gunicorn settings as every service.

With ``CERDAS_BENCH_FLOOR_DATABASE_URL`` set it also serves ``POST /floor/write``: one row inserted and
committed through SQLAlchemy's pool, nothing else (no auth, no validation, no events). That is the least
any durable write costs on this stack, so a write path's ratio can be read against it.
"""

from __future__ import annotations

import os

from flask import Flask, jsonify, request
from sqlalchemy import text

from shared.db import make_engine

FLOOR_TABLE = "CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY, body jsonb NOT NULL)"


def create_app() -> Flask:
    app = Flask("cerdas.bench.hello")

    @app.get("/hello")
    def hello():  # noqa: ANN202
        return jsonify(status="ok")

    url = os.environ.get("CERDAS_BENCH_FLOOR_DATABASE_URL")
    if url:
        engine = make_engine(url)  # the table is made by the benchmark, before any worker starts

        @app.post("/floor/write")
        def floor_write():  # noqa: ANN202
            with engine.begin() as connection:
                row = connection.execute(
                    text("INSERT INTO bench_floor (body) VALUES (CAST(:body AS jsonb)) RETURNING id"),
                    {"body": request.get_data(as_text=True) or "{}"},
                ).scalar_one()
            return jsonify(id=row), 201

    return app

"""The stack's floor: a hello-world Flask app, served by the same gunicorn settings as every service."""

from __future__ import annotations

from flask import Flask, jsonify


def create_app() -> Flask:
    app = Flask("cerdas.bench.hello")

    @app.get("/hello")
    def hello():  # noqa: ANN202
        return jsonify(status="ok")

    return app

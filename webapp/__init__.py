"""The Flask application: `create_app(config)` builds it; blueprints add the pages and API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import Migrate

from webapp.config import from_environment
from webapp.db import Database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(from_environment(Path(app.instance_path)))
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db = Database(app)
    Migrate(app, db, directory=str(MIGRATIONS), compare_type=True, render_as_batch=True)

    from webapp import cli

    cli.init_app(app)
    return app

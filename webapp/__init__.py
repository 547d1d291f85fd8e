"""The Flask application: `create_app(config)` builds it; blueprints add the pages and API."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.config import from_environment
from webapp.converters import IdConverter
from webapp.db import Database
from webapp.extensions import babel, csrf, login_manager

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    config = dict(config or {})
    instance = config.pop("INSTANCE_PATH", None) or os.environ.get("PHEDUYET_INSTANCE")
    app = Flask(__name__, instance_path=instance, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(from_environment(Path(app.instance_path), config))
    app.url_map.converters["int"] = IdConverter  # before any route is added
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        # The client address (trail, throttling) is what the trusted proxies saw.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    db = Database(app)
    Migrate(app, db, directory=str(MIGRATIONS), compare_type=True, render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app)

    from webapp import api, auth, cli, pages

    cli.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    csrf.exempt(api.bp)  # the API authenticates with bearer tokens, not cookies

    from webapp import errors, i18n, security

    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    return app

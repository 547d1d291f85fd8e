"""The database as a Flask extension: one engine per app, one session per request."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import models
from models.database import make_engine, make_session_factory


class Database:
    def __init__(self, app: Flask | None = None) -> None:
        self.engine: Engine | None = None
        self.sessions: sessionmaker[Session] | None = None
        self.metadata = models.Base.metadata  # what Flask-Migrate's env.py reads
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        self.engine = make_engine(app.config["DATABASE_URL"])
        self.sessions = make_session_factory(self.engine)
        app.extensions["pheduyet.db"] = self
        app.teardown_appcontext(_close_session)


def database() -> Database:
    return current_app.extensions["pheduyet.db"]


def session() -> Session:
    """This request's (or CLI command's) session, opened on first use."""
    if "db_session" not in g:
        g.db_session = database().sessions()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()

"""Fixtures: an app per test on a fresh database (a SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set), the seed plan, and the demo users as actors."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator

import pytest
from flask import Flask
from flask import globals as flask_globals
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from models.database import make_engine
from webapp import create_app
from workflow import seed
from workflow.policy import Actor

TEST_PASSWORD = "demo-pass-123"
FAST_HASH = "pbkdf2:sha256:1000"  # scrypt is deliberately slow; tests create many users


def reset_postgres(url: str) -> None:
    """A fresh, empty schema. Connections a previous test left open (a streamed response
    never read to its end keeps its request's session) are ended first, so the DROP never
    waits on their locks; a lock timeout turns any other wait into an error, not a hang."""
    gc.collect()  # finalise what earlier tests dropped while its connections are still alive
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        conn.exec_driver_sql("SET LOCAL lock_timeout = '20s'")
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    gc.collect()  # and what held an ended connection: here, not in the middle of the test


@pytest.fixture
def database_url(tmp_path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    return {
        "DATABASE_URL": database_url,
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "DEMO_PASSWORD": TEST_PASSWORD,
    }


@pytest.fixture
def app(app_config) -> Iterator[Flask]:
    app = create_app(app_config)
    engine = app.extensions["pheduyet.db"].engine
    models.Base.metadata.create_all(engine)
    yield app
    # A streamed response a test never closed leaves its request context pushed, and with
    # it the request's session and connection: pop them, so their teardown closes both.
    while (leftover := flask_globals._cv_request.get(None)) is not None:
        leftover.pop()
    while (leftover := flask_globals._cv_app.get(None)) is not None:
        leftover.pop()
    gc.collect()
    engine.dispose()


@pytest.fixture
def session(app) -> Iterator[Session]:
    """A session of the test's own (not the request's), for arranging and checking."""
    with app.extensions["pheduyet.db"].sessions() as s:
        yield s


@pytest.fixture
def actors(session) -> dict[str, Actor]:
    """The seed plan and demo users loaded; every demo user as an Actor, by username."""
    seed.seed_demo(session, password=TEST_PASSWORD, password_method=FAST_HASH)
    return {u.username: Actor.of(u) for u in session.execute(select(models.User)).scalars()}

"""Fixtures: an app per test on a fresh database (a SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set), the seed plan, and the demo users as actors."""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Iterator

import pytest
from flask import Flask
from flask import globals as flask_globals
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import models
from models.database import make_engine
from webapp import create_app
from workflow.core.policy import Actor
from workflow.intake import seed

TEST_PASSWORD = "demo-pass-123"
FAST_HASH = "pbkdf2:sha256:1000"  # scrypt is deliberately slow; tests create many users


FRESH = "pheduyet_fresh"  # a copy of the freshly created tables, kept beside `public`
_fresh_tables: list[str] = []  # their names, once this process has made the copy
_fresh_schema: list[str] = []  # and the fingerprint of `public` right after create_all

# Everything in `public` a test could have changed: relations (tables, indexes, sequences),
# columns, constraints, triggers and whether they are enabled, functions.
SCHEMA_FINGERPRINT = """
SELECT string_agg(x, ',' ORDER BY x) FROM (
  SELECT 'r:' || c.relname || ':' || c.relkind::text FROM pg_class c
   WHERE c.relnamespace = 'public'::regnamespace
  UNION ALL
  SELECT 'a:' || c.relname || ':' || a.attname || ':' || format_type(a.atttypid, a.atttypmod)
         || ':' || a.attnotnull::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
   WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'k:' || conname || ':' || pg_get_constraintdef(oid) FROM pg_constraint
   WHERE connamespace = 'public'::regnamespace
  UNION ALL
  SELECT 't:' || t.tgname || ':' || t.tgenabled::text FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid
   WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
  UNION ALL
  SELECT 'f:' || p.proname || ':' || md5(p.prosrc) FROM pg_proc p
   WHERE p.pronamespace = 'public'::regnamespace
) AS parts(x)
"""


def reset_postgres(url: str, reuse_tables: bool = False) -> bool:
    """A fresh schema. Connections a previous test left open (a streamed response never
    read to its end keeps its request's session) are ended first, so the reset never waits
    on their locks; a lock timeout turns any other wait into an error, not a hang.

    With `reuse_tables`, when `public` is exactly as the first `create_all` left it (same
    tables, columns, constraints, triggers enabled…; see `remember_fresh_tables`), they are
    emptied and given back their first rows (and their sequences restarted) instead of
    being dropped and created again (DDL for every table and index: most of a test's
    set-up time). Returns whether the tables were reused; otherwise `public` is empty."""
    gc.collect()  # finalise what earlier tests dropped while its connections are still alive
    engine = make_engine(url)
    reused = False
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        conn.exec_driver_sql("SET LOCAL lock_timeout = '20s'")
        if (
            reuse_tables
            and _fresh_tables
            and conn.exec_driver_sql(SCHEMA_FINGERPRINT).scalar() == _fresh_schema[0]
        ):
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")  # no triggers
            for t in _fresh_tables:  # DELETE: the rows are few; TRUNCATE makes new files
                conn.exec_driver_sql(f'DELETE FROM public."{t}"')
                conn.exec_driver_sql(f'INSERT INTO public."{t}" SELECT * FROM {FRESH}."{t}"')
            conn.exec_driver_sql(
                "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = 'public'"
            )
            reused = True
        else:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    gc.collect()  # and what held an ended connection: here, not in the middle of the test
    return reused


def _public_tables(conn) -> list[str]:
    found = conn.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return sorted(found.scalars())


def remember_fresh_tables(engine) -> None:
    """Copy the tables `create_all` has just made (with the rows it put in them) into the
    FRESH schema, once per process, for `reset_postgres(reuse_tables=True)`."""
    if _fresh_tables:
        return
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {FRESH} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {FRESH}")
        tables = _public_tables(conn)
        for t in tables:
            conn.exec_driver_sql(f'CREATE TABLE {FRESH}."{t}" AS SELECT * FROM public."{t}"')
        fingerprint = conn.exec_driver_sql(SCHEMA_FINGERPRINT).scalar()
    _fresh_tables.extend(tables)
    _fresh_schema.append(fingerprint)


@functools.cache
def postgres_test_url() -> str | None:
    """TEST_DATABASE_URL; under pytest-xdist (`-n N`), a database of each worker's own
    beside it (`<name>_gw0`, `<name>_gw1`…), created when missing, so that workers running
    at once never wipe each other's schema."""
    url = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if found.first() is None:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def database_url(request, tmp_path) -> str:
    """A SQLite file of the test's own, or the PostgreSQL test database made fresh: empty,
    or, for a test that takes the `app` fixture (which creates the tables anyway), with the
    tables emptied (see reset_postgres)."""
    url = postgres_test_url()
    if url:
        reuse = "app" in request.fixturenames
        request.node.stash[TABLES_REUSED] = reset_postgres(url, reuse_tables=reuse)
        return url
    return f"sqlite:///{tmp_path / 'test.db'}"


TABLES_REUSED = pytest.StashKey[bool]()


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
def app(request, app_config) -> Iterator[Flask]:
    app = create_app(app_config)
    engine = app.extensions["pheduyet.db"].engine
    if not request.node.stash.get(TABLES_REUSED, False):
        models.Base.metadata.create_all(engine)
        if engine.dialect.name == "postgresql":
            remember_fresh_tables(engine)
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

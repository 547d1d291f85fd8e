"""Engines and sessions for SQLite (the embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import contextlib
import os
import sqlite3

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
    # WAL + NORMAL never corrupts the database; FULL also survives a power cut right
    # after COMMIT, which is what an approval that was shown as done must do.
    "PRAGMA synchronous=FULL",
)
# Keep the planner's statistics current: SQLite's advice is `PRAGMA optimize` before a
# connection closes; pooled connections rarely close, so also every so many uses. It
# re-analyzes only tables whose statistics went stale, fully (a sampled analysis_limit
# gave estimates bad enough to pick the wrong index at 100k deliverables).
OPTIMIZE_EVERY = 500


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, **kwargs) -> Engine:
    """An engine with the project's settings for its dialect.

    On SQLite a transaction opened by `begin_write` starts with BEGIN IMMEDIATE: the one
    writer lock is taken before anything is read, so a version check and the audit chain's
    head are read under the lock that guards the write (a deferred transaction fails with
    SQLITE_BUSY when it upgrades to writing after another writer committed). Reads stay
    deferred and never block writers (WAL).

    A pooled connection is checked before each use, so the app recovers by itself when the
    database comes back after disappearing for a moment: on PostgreSQL by a ping
    (`pool_pre_ping`), on SQLite by checking the file is still the one it opened.
    """
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {}).setdefault("timeout", 10)
    else:
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    if is_sqlite(engine):
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        event.listen(engine, "checkin", _sqlite_optimize_now_and_then)
        event.listen(engine, "close", _sqlite_optimize)
        path = engine.url.database
        if path and path != ":memory:" and not path.startswith("file:"):
            _watch_sqlite_file(engine, os.path.abspath(path))
    return engine


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _sqlite_optimize(dbapi_connection, _record=None) -> None:
    # statistics are an optimisation, never an error (a busy database: next time)
    with contextlib.suppress(Exception):
        dbapi_connection.execute("PRAGMA optimize")


def _sqlite_optimize_now_and_then(dbapi_connection, record) -> None:
    if dbapi_connection is None:
        return
    uses = record.info["uses"] = record.info.get("uses", 0) + 1
    if uses % OPTIMIZE_EVERY == 0:
        _sqlite_optimize(dbapi_connection)


def _watch_sqlite_file(engine: Engine, path: str) -> None:
    """SQLite's pre-ping. A connection keeps the file it opened even after the file was
    moved or deleted, so a pooled connection whose file is no longer at `path` is dropped
    at checkout; and once the database has existed, a missing file is an error (no new,
    empty database is created in its place): requests fail until the file is back."""
    seen = {"file": False}

    def identity() -> tuple[int, int] | None:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        return stat.st_dev, stat.st_ino

    def on_do_connect(_dialect, _record, _cargs, _cparams):
        if seen["file"] and identity() is None:
            raise sqlite3.OperationalError(f"unable to open database file: {path} is missing")

    def on_connect(_dbapi_connection, record) -> None:
        record.info["pheduyet_file"] = identity()
        seen["file"] = True

    def on_checkout(_dbapi_connection, record, _proxy) -> None:
        if record.info.get("pheduyet_file") != identity():
            raise DisconnectionError(f"the database file {path} was moved or replaced")

    event.listen(engine, "do_connect", on_do_connect)
    event.listen(engine, "connect", on_connect)
    event.listen(engine, "checkout", on_checkout)


def _sqlite_begin_immediate(conn) -> None:
    # straight to the driver: this runs once per transaction, on the hot path
    begin = "BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN"
    conn.connection.driver_connection.execute(begin)


WRITE = "pheduyet_write"
FLUSHED = "pheduyet_flushed"


def _remember_flush(session: Session, _context) -> None:
    """A transaction that flushed has written: begin_write must not roll it back."""
    session.info[FLUSHED] = session.get_transaction()


def begin_write(session: Session) -> None:
    """Make the session's transaction a write transaction, started fresh if it was reading.

    A transaction that only read is rolled back first (the ORM objects it loaded expire and
    reload), so everything the writer reads next is read under the write lock. Call it
    before the first read of any operation that writes.
    """
    if session.in_transaction():
        current = session.get_transaction()
        if session.info.get(WRITE) is current or session.info.get(FLUSHED) is current:
            session.info[WRITE] = current
            return  # already writing (a flush took the write lock)
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() called with unflushed changes in the session")
        session.rollback()
    session.connection(execution_options={WRITE: True})
    session.info[WRITE] = session.get_transaction()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(engine)
    event.listen(factory, "after_flush", _remember_flush)
    return factory

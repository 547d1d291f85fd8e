"""Engine throughput: transitions per second through `perform`, against the raw-SQL floor.

One run, same machine, same SQLite settings for both sides:
- engine: `workflow.core.service.perform` (chain lock, re-read, permission, machine and guards,
  version bump, hash-chained audit row, commit), one transaction per transition;
- floor: the same work as plain SQL on a `sqlite3` connection: BEGIN IMMEDIATE, SELECT,
  UPDATE, INSERT, COMMIT, with nothing else.
Prints both rates and their ratio, for the app's settings (synchronous=FULL) and for
synchronous=NORMAL.

    .venv/bin/python bench/engine.py [--seconds 3] [--profile]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402

import models  # noqa: E402
from models import Deliverable, Task, User  # noqa: E402
from models import database as dbsettings  # noqa: E402
from workflow.core import service
from workflow.core.policy import Actor  # noqa: E402
from workflow.intake import seed  # noqa: E402

ITEMS = 500
ROUNDS = 6
# A cycle that keeps every item moving: draft → submitted → reviewed → draft.
CYCLE = (
    ("vp.chuyenvien", "submit", None),
    ("vp.thamdinh", "review", None),
    ("giamdoc", "return", "Cần bổ sung số liệu."),
)


def prepare(path: Path) -> list[int]:
    engine = dbsettings.make_engine(f"sqlite:///{path}")
    models.Base.metadata.create_all(engine)
    with dbsettings.make_session_factory(engine)() as session:
        seed.seed_demo(session, password="bench-password", password_method="pbkdf2:sha256:1000")
        task = session.execute(select(Task).where(Task.number == 1)).scalar_one()
        session.execute(
            insert(Deliverable),
            [
                {
                    "task_id": task.id,
                    "unit_id": task.owner_unit_id,
                    "title": f"Bench {n}",
                    "body": "Nội dung.",
                    "kind": "document",
                }
                for n in range(ITEMS)
            ],
        )
        session.commit()
        ids = (
            session.execute(select(Deliverable.id).where(Deliverable.title.like("Bench %")))
            .scalars()
            .all()
        )
    engine.dispose()
    return list(ids)


def run_engine(path: Path, ids: list[int], seconds: float) -> tuple[int, float]:
    engine = dbsettings.make_engine(f"sqlite:///{path}")
    with dbsettings.make_session_factory(engine)() as session:
        actors = {u.username: Actor.of(u) for u in session.execute(select(User)).scalars()}
        session.rollback()
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            for username, action, reason in CYCLE:
                for item_id in ids[:50]:
                    service.perform(
                        session, actors[username], ("deliverable", item_id), action, reason=reason
                    )
                    done += 1
            ids = ids[50:] + ids[:50]
        elapsed = time.perf_counter() - start
    engine.dispose()
    return done, elapsed


RAW_INSERT = (
    "INSERT INTO audit_event (seq, item_type, item_id, actor_id, actor_username, actor_unit_id,"
    " actor_unit, actor_roles, action, from_state, to_state, reason, created_at, client_addr,"
    " detail, prev_hash, hash) VALUES (?, 'deliverable', ?, 1, 'u', 1, 'Văn phòng Sở', 'member',"
    " ?, ?, ?, ?, '2026-01-01 00:00:00.000000', NULL, '{}', ?, ?)"
)


def run_raw(path: Path, ids: list[int], seconds: float) -> tuple[int, float]:
    conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    for pragma in dbsettings.SQLITE_PRAGMAS:
        conn.execute(pragma)
    seq = conn.execute("SELECT max(seq) FROM audit_event").fetchone()[0] + 1_000_000
    steps = (
        ("draft", "submitted", "submit"),
        ("submitted", "reviewed", "review"),
        ("reviewed", "draft", "return"),
    )
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _source, dest, action in steps:
            for item_id in ids[:50]:
                conn.execute("BEGIN IMMEDIATE")
                state, version = conn.execute(
                    "SELECT state, version FROM deliverable WHERE id = ?", (item_id,)
                ).fetchone()
                conn.execute(
                    "UPDATE deliverable SET state = ?, version = version + 1"
                    " WHERE id = ? AND version = ?",
                    (dest, item_id, version),
                )
                seq += 1
                conn.execute(
                    RAW_INSERT, (seq, item_id, action, state, dest, None, "0" * 64, f"{seq:064d}")
                )
                conn.execute("COMMIT")
                done += 1
        ids = ids[50:] + ids[:50]
    elapsed = time.perf_counter() - start
    conn.close()
    return done, elapsed


def measure(synchronous: str, seconds: float, folder: Path) -> tuple[float, float]:
    original = dbsettings.SQLITE_PRAGMAS
    dbsettings.SQLITE_PRAGMAS = tuple(
        p if not p.startswith("PRAGMA synchronous") else f"PRAGMA synchronous={synchronous}"
        for p in original
    )
    try:
        engine_db, raw_db = folder / f"engine-{synchronous}.db", folder / f"raw-{synchronous}.db"
        ids = prepare(engine_db)
        prepare(raw_db)
        run_engine(engine_db, ids, 0.3)  # warm up: compile statement caches
        # Interleave short rounds so that a busy moment of the machine or the disk weighs
        # on both sides alike.
        totals = {"engine": [0, 0.0], "raw": [0, 0.0]}
        for _ in range(ROUNDS):
            for side, run, db in (("engine", run_engine, engine_db), ("raw", run_raw, raw_db)):
                done, elapsed = run(db, ids, seconds / ROUNDS)
                totals[side][0] += done
                totals[side][1] += elapsed
        n_engine, t_engine = totals["engine"]
        n_raw, t_raw = totals["raw"]
    finally:
        dbsettings.SQLITE_PRAGMAS = original
    return n_engine / t_engine, n_raw / t_raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--profile", action="store_true", help="pyinstrument the engine side")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.profile:
            from pyinstrument import Profiler

            ids = prepare(folder / "profile.db")
            run_engine(folder / "profile.db", ids, 0.3)
            with Profiler(interval=0.0005) as profiler:
                run_engine(folder / "profile.db", ids, args.seconds)
            profiler.print(show_all=False)
            return
        print(f"{'SQLite settings':<34}{'perform/s':>12}{'raw SQL/s':>12}{'ratio':>8}")
        for synchronous, label in (
            ("FULL", "WAL, synchronous=FULL (the app)"),
            ("NORMAL", "WAL, synchronous=NORMAL"),
        ):
            engine_rate, raw_rate = measure(synchronous, args.seconds, folder)
            print(
                f"{label:<34}{engine_rate:>12,.0f}{raw_rate:>12,.0f}{engine_rate / raw_rate:>8.2f}"
            )


if __name__ == "__main__":
    main()

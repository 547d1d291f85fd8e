"""verify-audit speed: events per second, the new loop against the old one, in one run.

Builds N events (default 1,000,000) with a valid chain by bulk insert into a temporary
SQLite file (and into BENCH_DATABASE_URL when set: a scratch PostgreSQL database, whose
tables are dropped and created again), then times on the same data:
- old: the implementation before issue 9 (copied below): an ORM `select` per batch of 5000,
  a dict per event, `json.dumps` per event, the head read after the events;
- previous: the first rewrite (issue 9, copied below): raw 19-column tuples from the
  driver's cursor, the JSON array by Python's C encoder, SHA-256 in a per-event loop;
- new: `workflow.core.audit.verify` in one read snapshot: the database writes each event's
  canonical text, Python hashes a batch at a time and compares whole columns; on a long
  chain two processes take a half each (also timed with one);
Prints events/s for each and the ratios, and the floor: the new SELECT fetched with no
hashing at all. Beside each, the CPU time of this process and its worker: on a machine
shared with other work the wall time varies with the load, the CPU time much less (on
PostgreSQL the server's own CPU time is not in it).

    .venv/bin/python bench/verify_audit.py [--events 1000000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Connection, Engine, select  # noqa: E402

import models  # noqa: E402
from models import AuditEvent, AuditHead  # noqa: E402
from models import database as dbsettings  # noqa: E402
from models.audit import GENESIS_HASH  # noqa: E402
from workflow.core import audit  # noqa: E402

# --- the old implementation (workflow/audit.py before issue 9), the baseline --------------

EVENTS = AuditEvent.__table__
HEAD = AuditHead.__table__


def old_canonical(row: dict[str, Any]) -> bytes:
    values = []
    for name in audit.HASHED_FIELDS:
        value = row.get(name)
        if isinstance(value, datetime):
            value = value.strftime("%Y-%m-%dT%H:%M:%S.%f")
        values.append(value)
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()


def old_digest(row: dict[str, Any]) -> str:
    return hashlib.sha256(old_canonical(row)).hexdigest()


@dataclass(frozen=True)
class OldReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def old_rows(conn: Connection, batch: int) -> Iterator[dict[str, Any]]:
    after = 0
    while True:
        rows = (
            conn.execute(
                select(EVENTS).where(EVENTS.c.seq > after).order_by(EVENTS.c.seq).limit(batch)
            )
            .mappings()
            .all()
        )
        if not rows:
            return
        yield from rows
        after = rows[-1]["seq"]


def old_verify(conn: Connection, batch: int = 5000) -> OldReport:
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for row in old_rows(conn, batch):
        seq = row["seq"]
        if seq != expected_seq:
            return OldReport(False, checked, expected_seq, f"event {expected_seq} is missing")
        if row["prev_hash"] != expected_prev:
            return OldReport(False, checked, seq, "does not follow the previous event")
        if old_digest(dict(row)) != row["hash"]:
            return OldReport(False, checked, seq, "content does not match its hash")
        expected_prev, expected_seq, checked = row["hash"], seq + 1, checked + 1
    last_seq, last_hash = conn.execute(select(HEAD.c.last_seq, HEAD.c.last_hash)).one()
    if last_seq != checked or last_hash != expected_prev:
        return OldReport(False, checked, min(last_seq, checked) + 1, "head")
    return OldReport(True, checked)


# --- the previous version (the first rewrite of issue 9), the second baseline ---------------

PREVIOUS_CREATED_AT = {
    "sqlite": (
        "CASE WHEN created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] "
        "[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]' "
        "AND length(created_at) = 26 AND created_at >= '1000' "
        "THEN substr(created_at, 1, 10) || 'T' || substr(created_at, 12) END"
    ),
    "postgresql": (
        "CASE WHEN created_at >= '1000-01-01' AND created_at < '10000-01-01' "
        """THEN to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') END"""
    ),
}


def previous_verify(conn: Connection, batch: int = 20000) -> OldReport:
    """The per-event loop over 19-column tuples (anchors and messages left out)."""
    from json import encoder

    dialect = conn.dialect.name
    columns = ", ".join(
        PREVIOUS_CREATED_AT[dialect] if name == "created_at" else name
        for name in audit.HASHED_FIELDS
    )
    p = {"sqlite": "?", "postgresql": "%s"}[dialect]
    sql = (
        f"SELECT {columns}, hash FROM audit_event WHERE seq > {p} AND seq <= {p} "
        f"ORDER BY seq LIMIT {p}"
    )
    encode = encoder.c_make_encoder(
        None, None, encoder.c_encode_basestring, None, ":", ",", False, False, False
    )
    last_seq, last_hash = conn.execute(select(HEAD.c.last_seq, HEAD.c.last_hash)).one()
    sha256, created = hashlib.sha256, audit.HASHED_FIELDS.index("created_at")
    cursor = conn.connection.cursor()
    after, prev, expected_seq, checked = 0, GENESIS_HASH, 1, 0
    while True:
        cursor.execute(sql, (after, last_seq, batch))
        rows = cursor.fetchall()
        if not rows:
            break
        for row in rows:
            seq = row[0]
            if seq != expected_seq:
                return OldReport(False, checked, expected_seq, "missing")
            if row[17] != prev:
                return OldReport(False, checked, seq, "link")
            stored = row[18]
            if row[created] is None or (
                sha256("".join(encode(row[:18], 0)).encode()).hexdigest() != stored
            ):
                again = conn.execute(select(EVENTS).where(EVENTS.c.seq == seq)).mappings().one()
                if old_digest(dict(again)) != stored:
                    return OldReport(False, checked, seq, "content")
            prev, expected_seq, checked = stored, seq + 1, checked + 1
        after = rows[-1][0]
    cursor.close()
    if expected_seq - 1 != last_seq or prev != last_hash:
        return OldReport(False, checked, expected_seq, "head")
    return OldReport(True, checked)


# --- building the data ------------------------------------------------------------------------

ACTIONS = (
    ("submit", "draft", "submitted", None),
    ("review", "submitted", "reviewed", None),
    ("return", "reviewed", "draft", "Cần bổ sung số liệu của quý III."),
)


def events(count: int) -> Iterator[dict[str, Any]]:
    """Events like the application's: transitions of many items by a few actors."""
    start = datetime(2025, 1, 1, 7, 30)
    for n in range(count):
        action, source, target, reason = ACTIONS[n % 3]
        yield {
            "item_type": "deliverable",
            "item_id": n // 3 % 50000 + 1,
            "actor_id": n % 11 + 1,
            "actor_username": f"chuyenvien{n % 11}",
            "actor_unit_id": n % 9 + 1,
            "actor_unit": "Chi cục Quản lý thị trường",
            "actor_roles": "member,reviewer",
            "action": action,
            "from_state": source,
            "to_state": target,
            "reason": reason,
            "created_at": start + timedelta(seconds=n * 7, microseconds=n % 999983),
            "client_addr": "10.1.2.3",
            "detail": f'{{"version": {n // 3 + 1}}}',
        }


def build(engine: Engine, count: int) -> None:
    models.Base.metadata.drop_all(engine)
    models.Base.metadata.create_all(engine)
    began = time.perf_counter()
    with engine.begin() as conn:
        audit.append_many(conn, events(count), batch=20000)
    took = time.perf_counter() - began
    print(f"  built {count:,} events in {took:.1f} s ({count / took:,.0f} events/s)")


def cpu_seconds() -> float:
    """This process's CPU time and its waited-for children's (verify's worker)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(label: str, engine: Engine, count: int, run) -> float:
    began, cpu = time.perf_counter(), cpu_seconds()
    with audit.read_snapshot(engine) as conn:
        report = run(conn)
    took, cpu = time.perf_counter() - began, cpu_seconds() - cpu
    assert report.ok and report.checked == count, report
    rate = count / took
    print(
        f"  {label:22s} {took:6.2f} s  {rate:10,.0f} events/s"
        f"  (CPU here {cpu:6.2f} s: {count / cpu:10,.0f} events per CPU-second)"
    )
    return rate


def fetch_only(conn: Connection) -> OldReport:
    """The floor: the new loop's SELECT through the driver's cursor, with no hashing."""
    sql = audit._fast_select(conn.dialect.name)
    last_seq = conn.execute(select(HEAD.c.last_seq)).scalar_one()
    cursor = conn.connection.cursor()
    after, fetched = 0, 0
    while True:
        cursor.execute(sql, (after, last_seq, 50000))
        rows = cursor.fetchall()
        if not rows:
            break
        fetched += len(rows)
        after = rows[-1][0]
    cursor.close()
    return OldReport(True, fetched)


def bench(url: str, count: int, repeat: int) -> None:
    engine = dbsettings.make_engine(url)
    print(f"{engine.dialect.name}: {count:,} events")
    build(engine, count)
    old = max(timed("old verify:", engine, count, old_verify) for _ in range(repeat))
    previous = max(timed("previous verify:", engine, count, previous_verify) for _ in range(repeat))
    one = max(
        timed("new verify, 1 process:", engine, count, lambda c: audit.verify(c, workers=1))
        for _ in range(repeat)
    )
    new = max(timed("new verify:", engine, count, audit.verify) for _ in range(repeat))
    print(
        f"  ratio new/old: {new / old:.1f}x, new/previous: {new / previous:.1f}x, "
        f"1 process/previous: {one / previous:.1f}x (target: >= 200,000 events/s)"
    )
    floor = max(timed("fetch only:", engine, count, fetch_only) for _ in range(repeat))
    print(f"  the new SELECT alone (1 process) takes {one / floor:.0%} of verify's time")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{Path(tmp) / 'bench.db'}", args.events, args.repeat)
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        bench(url, args.events, args.repeat)


if __name__ == "__main__":
    main()

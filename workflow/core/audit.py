"""Append to the hash chain, and verify it.

Writers call `append` inside their own transaction; it locks the chain's head row (FOR
UPDATE on PostgreSQL; on SQLite the transaction already holds the database's write lock,
see models.database), so concurrent writers queue up and the chain stays one line.

The canonical form an event's hash covers (README, "Audit trail format"): the JSON array
of the HASHED_FIELDS' values in that order, compact (no spaces), non-ASCII left as UTF-8,
created_at written "YYYY-MM-DDTHH:MM:SS.ffffff" (naive UTC, always six digits of
microseconds); the hash is the lowercase hex SHA-256 of its UTF-8 bytes, and prev_hash
(one of the fields) is the previous event's hash, "0" * 64 before the first.

`verify` recomputes the chain without an ORM row or a dict per event: the database writes
each event's canonical text (in C: SQLite's json_array, PostgreSQL's to_json), Python
computes every SHA-256 itself and compares whole batches at once; an event whose text does
not give its stored hash is read again in full and checked with the reference `canonical`,
so the fast path can cost time but never change a verdict. A long chain is walked in two
halves by two processes. Call it inside one read snapshot (`read_snapshot`), so a writer
committing meanwhile never looks like tampering.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from operator import methodcaller
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, update

from models import AuditEvent, AuditHead, utcnow
from models.audit import GENESIS_HASH
from workflow.core.errors import WorkflowError

EVENTS = AuditEvent.__table__
HEAD = AuditHead.__table__

# The fields the hash covers, in a fixed order (everything but the hash itself).
HASHED_FIELDS = (
    "seq",
    "item_type",
    "item_id",
    "actor_id",
    "actor_username",
    "actor_unit_id",
    "actor_unit",
    "actor_roles",
    "on_behalf_of_id",
    "on_behalf_of_username",
    "action",
    "from_state",
    "to_state",
    "reason",
    "created_at",
    "client_addr",
    "detail",
    "prev_hash",
)

_LOCK_HEAD = select(HEAD.c.last_seq, HEAD.c.last_hash).where(HEAD.c.id == 1).with_for_update()
_MOVE_HEAD = (
    update(HEAD)
    .where(HEAD.c.id == 1)
    .values(last_seq=bindparam("new_seq"), last_hash=bindparam("new_hash"))
)
_INSERT_EVENT = EVENTS.insert()


def canonical(row: Mapping[str, Any]) -> bytes:
    """The reference canonical form (see the module's docstring); `verify` is its fast twin."""
    values = []
    for name in HASHED_FIELDS:
        value = row.get(name)
        if isinstance(value, datetime):
            value = value.strftime("%Y-%m-%dT%H:%M:%S.%f")
        values.append(value)
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()


def digest(row: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


def detail_json(detail: dict[str, Any] | None) -> str:
    return json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)


def actor_fields(actor: Any) -> dict[str, Any]:
    """Who acted, as they were at that moment (an Actor; id 0 is the system)."""
    return {
        "actor_id": actor.id or None,
        "actor_username": actor.username,
        "actor_unit_id": actor.unit_id,
        "actor_unit": actor.unit_name,
        "actor_roles": ",".join(sorted(actor.roles)),
    }


def lock_head(conn: Connection) -> tuple[int, str]:
    last_seq, last_hash = conn.execute(_LOCK_HEAD).one()
    return last_seq, last_hash


def append(conn: Connection, head: tuple[int, str] | None = None, **fields: Any) -> dict[str, Any]:
    """Write one event at the end of the chain; returns the row as written.

    `fields` are AuditEvent columns (item_type, item_id, actor_*, action, from_state,
    to_state, reason, client_addr, detail as a dict). Pass `head` when the caller already
    locked it in this transaction.
    """
    last_seq, last_hash = head if head is not None else lock_head(conn)
    row = {name: None for name in HASHED_FIELDS}
    row.update(fields)
    row["actor_unit"] = row["actor_unit"] or ""
    row["actor_roles"] = row["actor_roles"] or ""
    row["detail"] = detail_json(fields.get("detail"))
    row["seq"] = last_seq + 1
    row["prev_hash"] = last_hash
    row["created_at"] = row["created_at"] or utcnow()
    row["hash"] = digest(row)
    conn.execute(_INSERT_EVENT, row)
    conn.execute(_MOVE_HEAD, {"new_seq": row["seq"], "new_hash": row["hash"]})
    return row


# --- many events at once (seed data, load generation, benchmarks) --------------------------


def chain_rows(
    events: Iterable[Mapping[str, Any]], last_seq: int, last_hash: str
) -> Iterator[dict[str, Any]]:
    """The events as rows ready to insert, numbered and chained after (last_seq, last_hash).

    Each event is a mapping of AuditEvent columns (as for `append`; `detail` may be a dict
    or its JSON text, `created_at` is required). Yields the complete rows, `hash` included;
    the last row's seq and hash are the chain's new head.
    """
    for fields in events:
        row = dict.fromkeys(HASHED_FIELDS)
        row.update(fields)
        row["actor_unit"] = row["actor_unit"] or ""
        row["actor_roles"] = row["actor_roles"] or ""
        detail = row["detail"]
        row["detail"] = detail if isinstance(detail, str) else detail_json(detail)
        last_seq += 1
        row["seq"] = last_seq
        row["prev_hash"] = last_hash
        last_hash = row["hash"] = digest(row)
        yield row


def append_many(
    conn: Connection, events: Iterable[Mapping[str, Any]], batch: int = 5000
) -> tuple[int, str]:
    """Append many events in the caller's write transaction (bulk INSERT, one head move).

    Returns the chain's new head (seq, hash). For load generation and benchmarks: the rows
    are exactly those `append` would write one by one.
    """
    last_seq, last_hash = lock_head(conn)
    pending: list[dict[str, Any]] = []
    for row in chain_rows(events, last_seq, last_hash):
        pending.append(row)
        last_seq, last_hash = row["seq"], row["hash"]
        if len(pending) >= batch:
            conn.execute(_INSERT_EVENT, pending)
            pending = []
    if pending:
        conn.execute(_INSERT_EVENT, pending)
    conn.execute(_MOVE_HEAD, {"new_seq": last_seq, "new_hash": last_hash})
    return last_seq, last_hash


# --- verification ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""
    # The head the check went up to: what a checkpoint may sign when ok.
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    subject: str = "nhật ký bị thay đổi"
    # Events the fast path could not confirm, checked again through `canonical`.
    fallbacks: int = 0

    @property
    def message(self) -> str:
        """One line for people: "nhật ký bị thay đổi tại sự kiện #12: …"."""
        return f"{self.subject} tại sự kiện #{self.first_bad_seq}: {self.problem}."


class ChainBroken(WorkflowError):
    """The chain failed verification where it had to hold (before signing a checkpoint)."""

    code = "audit_chain_broken"
    http_status = 409

    def __init__(self, report: ChainReport) -> None:
        super().__init__(report.message)
        self.report = report


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection in one read-only snapshot of the database, for `verify`.

    PostgreSQL: REPEATABLE READ, READ ONLY (every statement sees the same snapshot, so the
    events and the head agree even while writers commit). SQLite: one deferred read
    transaction (WAL gives it a snapshot at its first read).
    """
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        try:
            yield conn
        finally:
            conn.rollback()


# --- the fast path: the database writes the canonical text, Python hashes it ----------------
#
# Each event comes back as (seq, canonical text, prev_hash, hash): the database writes the
# JSON array in C (SQLite's json_array, PostgreSQL's to_json; both escape strings exactly
# as json.dumps(ensure_ascii=False) does, pinned by tests/test_audit_fast_path.py), and
# Python computes the SHA-256 itself and compares, a batch at a time, with C-level
# comparisons of whole columns. Why a text that matches proves what `canonical` proves: the
# database's text is valid JSON of the stored values, so if its SHA-256 is the stored hash
# it is the very text the writer hashed (collision resistance), and the stored values are
# the ones that were written. A text that does not match only costs time: that event is
# read again in full and checked with the reference `canonical` (`ChainReport.fallbacks`
# counts them), so a difference of escaping can never change a verdict. (SQLite keeps any
# type in any column: text in an integer column renders as a JSON string, as the reference
# reads it; a REAL, which the application never writes, renders with "." or an exponent,
# never like an integer; a BLOB stops the query with an error, as it stops `canonical`.)
#
# created_at is rendered only in the form SQLAlchemy stores it ("YYYY-MM-DD HH:MM:SS.ffffff"
# on SQLite, whose text then equals the written one exactly; a timestamp of years 1000-9999
# on PostgreSQL), anything else as null, which sends that event to the reference path.
_CREATED_AT_TEXT = {
    "sqlite": (
        "CASE WHEN length(created_at) = 26 AND substr(created_at, 11, 1) = ' ' "
        "THEN substr(created_at, 1, 10) || 'T' || substr(created_at, 12) END"
    ),
    "postgresql": (
        "CASE WHEN created_at >= '1000-01-01' AND created_at < '10000-01-01' "
        """THEN '"' || to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') || '"' END"""
    ),
}
_INTEGER_FIELDS = frozenset({"seq", "item_id", "actor_id", "actor_unit_id", "on_behalf_of_id"})
_PARAM = {"sqlite": "?", "postgresql": "%s"}
_FAST_DIALECTS = frozenset(_CREATED_AT_TEXT)


def _canonical_sql(dialect: str) -> str:
    """The SQL expression of an event's canonical text (SQLite: its UTF-8 bytes)."""
    if dialect == "sqlite":
        values = ", ".join(
            _CREATED_AT_TEXT[dialect] if name == "created_at" else name for name in HASHED_FIELDS
        )
        return f"CAST(json_array({values}) AS BLOB)"
    parts = []
    for name in HASHED_FIELDS:
        if name == "created_at":
            parts.append(f"coalesce({_CREATED_AT_TEXT[dialect]}, 'null')")
        elif name in _INTEGER_FIELDS:
            parts.append(f"coalesce({name}::text, 'null')")
        else:
            parts.append(f"coalesce(to_json({name})::text, 'null')")
    return "'[' || " + " || ',' || ".join(parts) + " || ']'"


def _fast_select(dialect: str) -> str:
    p = _PARAM[dialect]
    return (
        f"SELECT seq, {_canonical_sql(dialect)}, prev_hash, hash FROM audit_event "
        f"WHERE seq > {p} AND seq <= {p} ORDER BY seq LIMIT {p}"
    )


def _reference_digest(conn: Connection, seq: int) -> tuple[str, str] | None:
    """(recomputed hash, stored hash) of one event through the ORM types: the slow twin."""
    row = conn.execute(select(EVENTS).where(EVENTS.c.seq == seq)).mappings().one_or_none()
    return None if row is None else (digest(row), row["hash"])


@dataclass
class _Walk:
    """How far a walk along the chain got: events (start, reached] are good."""

    reached: int
    prev: str | None  # the hash of event `reached`; None: take the first event's link as given
    checked: int = 0
    fallbacks: int = 0
    first_link: str | None = None  # the first event's prev_hash (a worker's range)
    bad: ChainReport | None = None


def _walk(
    conn: Connection, walk: _Walk, upto: int, anchors: Mapping[int, str], batch: int
) -> _Walk:
    """Check the events after walk.reached up to `upto`, in order, a batch at a time."""
    dialect = conn.dialect.name
    sql = _fast_select(dialect)
    to_bytes = dialect != "sqlite"  # SQLite hands over the bytes already
    sha256, hexdigest, encode = hashlib.sha256, methodcaller("hexdigest"), str.encode
    todo = sorted(seq for seq in anchors if walk.reached < seq <= upto)
    cursor = conn.connection.cursor()  # the same transaction, raw tuples
    try:
        while walk.reached < upto:
            cursor.execute(sql, (walk.reached, upto, batch))
            rows = cursor.fetchall()
            if not rows:
                break
            seqs, bodies, links, stored = zip(*rows, strict=True)
            if walk.prev is None:
                walk.prev = walk.first_link = links[0]
            first, count = walk.reached + 1, len(rows)
            if to_bytes:
                bodies = map(encode, bodies)
            signed = [seq for seq in todo if seq < first + count]
            if (
                seqs == tuple(range(first, first + count))
                and links[0] == walk.prev
                and links[1:] == stored[:-1]
                and tuple(map(hexdigest, map(sha256, bodies))) == stored
                and all(stored[seq - first] == anchors[seq] for seq in signed)
            ):
                walk.reached, walk.prev = first + count - 1, stored[-1]
                walk.checked += count
                todo = todo[len(signed) :]
            elif not _walk_rows(conn, rows, walk, anchors):
                break
            else:
                todo = [seq for seq in todo if seq > walk.reached]
    finally:
        cursor.close()
    return walk


def _walk_rows(
    conn: Connection, rows: Sequence[tuple], walk: _Walk, anchors: Mapping[int, str]
) -> bool:
    """A batch that did not pass whole, event by event: the first bad one goes in walk.bad."""
    for seq, body, link, stored in rows:
        expected, prev = walk.reached + 1, walk.prev or ""
        if seq != expected:
            walk.bad = _bad(walk.checked, expected, f"thiếu sự kiện #{expected}", prev)
            return False
        if link != prev:
            walk.bad = _bad(walk.checked, seq, "không nối tiếp sự kiện trước", prev)
            return False
        text = body.encode() if isinstance(body, str) else body
        if hashlib.sha256(text).hexdigest() != stored:
            walk.fallbacks += 1
            again = _reference_digest(conn, seq)
            if again is None or again[0] != stored:
                walk.bad = _bad(walk.checked, seq, "nội dung không khớp với mã băm", prev)
                return False
        if seq in anchors and stored != anchors[seq]:
            walk.bad = _bad(walk.checked, seq, _ANCHOR_MISMATCH, prev)
            return False
        walk.reached, walk.prev, walk.checked = seq, stored, walk.checked + 1
    return True


# --- two processes over two halves ----------------------------------------------------------
#
# With two cores, a long chain is checked in two halves at once: a forked worker walks the
# second half on its own connection (PostgreSQL: in the very snapshot of the caller,
# exported; SQLite: a read transaction of its own, whose rows up to the head read first are
# the same, the trail being append-only) and sends back how its half begins and ends. The
# halves join when the worker's first event links to the caller's last one. Anything else
# (a worker that failed, found a bad event, or did not start where it should) and the caller
# walks the second half itself: the report is the one a single walk gives.

PARALLEL_FROM = 200_000  # events; shorter chains are walked in one process


def _workers(conn: Connection, events: int, workers: int | None) -> int:
    if workers is None:
        workers = 2 if events >= PARALLEL_FROM and (os.cpu_count() or 1) >= 2 else 1
        if threading.active_count() > 1:  # forking a threaded process is unsafe
            workers = 1
    database = conn.engine.url.database or ""
    if conn.dialect.name == "sqlite" and (database in ("", ":memory:") or "memory" in database):
        return 1
    return min(workers, 2)


def _walk_parallel(
    conn: Connection, walk: _Walk, upto: int, anchors: Mapping[int, str], batch: int
) -> _Walk:
    split = walk.reached + (upto - walk.reached) // 2
    snapshot = None
    if conn.dialect.name == "postgresql":
        snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    worker = context.Process(
        target=_walk_worker,
        args=(writer, conn.engine.url, snapshot, split, upto, anchors, batch),
        daemon=True,
    )
    worker.start()
    writer.close()
    try:
        began = time.monotonic()
        _walk(conn, walk, split, anchors, batch)
        # the worker's half is as long as ours: give it ample time, then do it ourselves
        patience = 30 + 4 * (time.monotonic() - began)
        try:
            theirs = reader.recv() if reader.poll(patience) else None
        except (EOFError, OSError):
            theirs = None
    finally:
        reader.close()
        worker.join(5)
        if worker.is_alive():
            worker.kill()
            worker.join()
    if walk.bad is not None:
        return walk
    if theirs is not None and walk.reached == split and theirs[4] == walk.prev:
        walk.reached, walk.prev = theirs[0], theirs[1]
        walk.checked += theirs[2]
        walk.fallbacks += theirs[3]
        return walk
    return _walk(conn, walk, upto, anchors, batch)


def _walk_worker(pipe, url, snapshot, after, upto, anchors, batch) -> None:  # noqa: ANN001
    """In the forked worker: walk (after, upto]; send (reached, last hash, checked,
    fallbacks, first link), or None when anything went wrong."""
    result = None
    try:
        from sqlalchemy.pool import NullPool

        from models.database import make_engine

        engine = make_engine(url.render_as_string(hide_password=False), poolclass=NullPool)
        with read_snapshot(engine) as conn:
            if snapshot is not None:
                conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            mine = _walk(conn, _Walk(after, None), upto, anchors, batch)
        if mine.bad is None and mine.first_link is not None:
            result = (mine.reached, mine.prev, mine.checked, mine.fallbacks, mine.first_link)
    except BaseException:  # noqa: BLE001 - the caller walks this half itself
        result = None
    finally:
        try:
            pipe.send(result)
            pipe.close()
        finally:
            os._exit(0)  # never run the parent's exit handlers (its connections) here


def verify(
    conn: Connection,
    *,
    anchors: Mapping[int, str] | None = None,
    start: tuple[int, str] | None = None,
    batch: int = 50000,
    workers: int | None = None,
) -> ChainReport:
    """Recompute the chain; report the first event that is changed, missing or out of place.

    Reads the head first, then the events up to it: run it in one snapshot
    (`read_snapshot`). `anchors` (seq → hash) are hashes known from elsewhere (signed
    checkpoints): the event at each seq must have exactly that hash. `start` (seq, hash)
    begins after an event already known good (its hash is checked as an anchor).
    `workers`: 1 or 2 processes (default: 2 for long chains on 2 cores, see above).
    """
    last_seq, last_hash = conn.execute(select(HEAD.c.last_seq, HEAD.c.last_hash)).one()
    anchors = dict(anchors or {})
    after, prev = start if start is not None else (0, GENESIS_HASH)
    if start is not None and after > 0:
        anchors.setdefault(after, prev)
        known = _reference_digest(conn, after)
        if known is None or known[0] != prev or known[1] != prev:
            return ChainReport(False, 0, after, "không còn khớp với điểm kiểm chứng đã ký")
    beyond = [seq for seq in anchors if seq > last_seq]
    if conn.dialect.name not in _FAST_DIALECTS:
        return _verify_reference(conn, last_seq, last_hash, anchors, after, prev, beyond)
    walk = _Walk(after, prev)
    if _workers(conn, last_seq - after, workers) > 1:
        _walk_parallel(conn, walk, last_seq, anchors, batch)
    else:
        _walk(conn, walk, last_seq, anchors, batch)
    if walk.bad is not None:
        report = walk.bad
    else:
        report = _finish(conn, walk.checked, walk.reached, walk.prev, last_seq, last_hash, beyond)
    return replace(report, fallbacks=walk.fallbacks)


_ANCHOR_MISMATCH = "khác với mã băm đã ký ở điểm kiểm chứng (chuỗi đã bị viết lại)"


def _bad(checked: int, seq: int, problem: str, prev: str) -> ChainReport:
    return ChainReport(False, checked, seq, problem, seq - 1, prev)


def _finish(
    conn: Connection,
    checked: int,
    reached: int,
    prev: str,
    last_seq: int,
    last_hash: str,
    beyond: list[int],
) -> ChainReport:
    if reached != last_seq or prev != last_hash:
        return _bad(
            checked,
            min(last_seq, reached) + 1,
            f"đầu chuỗi ghi {last_seq} sự kiện, tìm thấy {reached}",
            prev,
        )
    if beyond:
        return _bad(
            checked,
            last_seq + 1,
            f"chuỗi dừng ở sự kiện #{last_seq} nhưng điểm kiểm chứng đã ký sự kiện #{min(beyond)}",
            prev,
        )
    extra = conn.execute(
        select(EVENTS.c.seq).where(EVENTS.c.seq > last_seq).order_by(EVENTS.c.seq).limit(1)
    ).scalar()
    if extra is not None:
        return _bad(checked, last_seq + 1, f"có sự kiện #{extra} sau đầu chuỗi (#{last_seq})", prev)
    return ChainReport(True, checked, last_seq=last_seq, last_hash=last_hash)


def _verify_reference(
    conn: Connection,
    last_seq: int,
    last_hash: str,
    anchors: Mapping[int, str],
    after: int,
    prev: str,
    beyond: list[int],
    batch: int = 5000,
) -> ChainReport:
    """The same checks through the ORM's types, for a database the fast loop does not know."""
    expected_seq, checked = after + 1, 0
    while True:
        rows = (
            conn.execute(
                select(EVENTS)
                .where(EVENTS.c.seq > after, EVENTS.c.seq <= last_seq)
                .order_by(EVENTS.c.seq)
                .limit(batch)
            )
            .mappings()
            .all()
        )
        if not rows:
            break
        for row in rows:
            seq = row["seq"]
            if seq != expected_seq:
                return _bad(checked, expected_seq, f"thiếu sự kiện #{expected_seq}", prev)
            if row["prev_hash"] != prev:
                return _bad(checked, seq, "không nối tiếp sự kiện trước", prev)
            if digest(row) != row["hash"]:
                return _bad(checked, seq, "nội dung không khớp với mã băm", prev)
            if seq in anchors and anchors[seq] != row["hash"]:
                return _bad(checked, seq, _ANCHOR_MISMATCH, prev)
            prev, expected_seq, checked = row["hash"], seq + 1, checked + 1
        after = rows[-1]["seq"]
    return _finish(conn, checked, expected_seq - 1, prev, last_seq, last_hash, beyond)

"""Append to the hash chain, and verify it.

Writers call `append` inside their own transaction; it locks the chain's head row (FOR
UPDATE on PostgreSQL; on SQLite the transaction already holds the database's write lock,
see models.database), so concurrent writers queue up and the chain stays one line.

The canonical form an event's hash covers (README, "Audit trail format"): the JSON array
of the HASHED_FIELDS' values in that order, compact (no spaces), non-ASCII left as UTF-8,
created_at written "YYYY-MM-DDTHH:MM:SS.ffffff" (naive UTC, always six digits of
microseconds); the hash is the lowercase hex SHA-256 of its UTF-8 bytes, and prev_hash
(one of the fields) is the previous event's hash, "0" * 64 before the first.

`verify` recomputes the chain from raw database rows in a tight loop (no dict, no ORM row
per event); call it inside one read snapshot (`read_snapshot`), so a writer committing
meanwhile never looks like tampering.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from json import encoder as _json_encoder
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, update

from models import AuditEvent, AuditHead, utcnow
from models.audit import GENESIS_HASH
from workflow.errors import WorkflowError

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


# The hashed fields as the database returns them for the fast loop: created_at already in its
# canonical text ("…T…ffffff") when the stored value has the usual form, else NULL (that
# row then takes the reference path); the stored hash last.
_CREATED_AT_TEXT = {
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
_CREATED_AT = HASHED_FIELDS.index("created_at")
_PARAM = {"sqlite": "?", "postgresql": "%s"}


def _fast_select(dialect: str) -> str:
    columns = ", ".join(
        _CREATED_AT_TEXT[dialect] if name == "created_at" else name for name in HASHED_FIELDS
    )
    p = _PARAM[dialect]
    return (
        f"SELECT {columns}, hash FROM audit_event WHERE seq > {p} AND seq <= {p} "
        f"ORDER BY seq LIMIT {p}"
    )


def _json_array_encoder() -> Callable[[tuple, int], Sequence[str]]:
    """A callable: (tuple of plain values, 0) → chunks of its compact JSON text, exactly as
    `canonical` writes it (json's C encoder, made once instead of once per event)."""
    make = getattr(_json_encoder, "c_make_encoder", None)
    if make is not None:
        quote = _json_encoder.c_encode_basestring or _json_encoder.py_encode_basestring
        return make(None, None, quote, None, ":", ",", False, False, False)
    plain = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    return lambda values, _level: (plain.encode(values),)


def _reference_digest(conn: Connection, seq: int) -> tuple[str, str] | None:
    """(recomputed hash, stored hash) of one event through the ORM types: the slow twin."""
    row = conn.execute(select(EVENTS).where(EVENTS.c.seq == seq)).mappings().one_or_none()
    return None if row is None else (digest(row), row["hash"])


def verify(
    conn: Connection,
    *,
    anchors: Mapping[int, str] | None = None,
    start: tuple[int, str] | None = None,
    batch: int = 20000,
) -> ChainReport:
    """Recompute the chain; report the first event that is changed, missing or out of place.

    Reads the head first, then the events up to it: run it in one snapshot
    (`read_snapshot`). `anchors` (seq → hash) are hashes known from elsewhere (signed
    checkpoints): the event at each seq must have exactly that hash. `start` (seq, hash)
    begins after an event already known good (its hash is checked as an anchor).
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
    todo = iter(sorted(seq for seq in anchors if seq > after))
    dialect = conn.dialect.name
    if dialect not in _FAST_DIALECTS:
        return _verify_reference(conn, last_seq, last_hash, anchors, after, prev, beyond)

    sql = _fast_select(dialect)
    encode = _json_array_encoder()
    sha256 = hashlib.sha256
    created = _CREATED_AT
    cursor = conn.connection.cursor()  # the same transaction, raw tuples
    next_anchor = next(todo, None)
    expected_seq, checked = after + 1, 0
    try:
        while True:
            cursor.execute(sql, (after, last_seq, batch))
            rows = cursor.fetchall()
            if not rows:
                break
            for row in rows:
                seq = row[0]
                if seq != expected_seq:
                    return _bad(checked, expected_seq, f"thiếu sự kiện #{expected_seq}", prev)
                if row[17] != prev:
                    return _bad(checked, seq, "không nối tiếp sự kiện trước", prev)
                stored = row[18]
                if row[created] is None or (
                    sha256("".join(encode(row[:18], 0)).encode()).hexdigest() != stored
                ):
                    again = _reference_digest(conn, seq)
                    if again is None or again[0] != stored:
                        return _bad(checked, seq, "nội dung không khớp với mã băm", prev)
                if seq == next_anchor:
                    if stored != anchors[seq]:
                        return _bad(checked, seq, _ANCHOR_MISMATCH, prev)
                    next_anchor = next(todo, None)
                prev, expected_seq, checked = stored, seq + 1, checked + 1
            after = rows[-1][0]
    finally:
        cursor.close()
    return _finish(conn, checked, expected_seq - 1, prev, last_seq, last_hash, beyond)


_FAST_DIALECTS = frozenset(_CREATED_AT_TEXT)
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

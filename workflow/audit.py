"""Append to the hash chain, and verify it.

Writers call `append` inside their own transaction; it locks the chain's head row (FOR
UPDATE on PostgreSQL; on SQLite the transaction already holds the database's write lock,
see models.database), so concurrent writers queue up and the chain stays one line.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from models import AuditEvent, AuditHead, utcnow
from models.audit import GENESIS_HASH

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


def canonical(row: dict[str, Any]) -> bytes:
    values = []
    for name in HASHED_FIELDS:
        value = row.get(name)
        if isinstance(value, datetime):
            value = value.strftime("%Y-%m-%dT%H:%M:%S.%f")
        values.append(value)
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()


def digest(row: dict[str, Any]) -> str:
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


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def _rows(conn: Connection, batch: int) -> Iterator[dict[str, Any]]:
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


def verify(conn: Connection, batch: int = 5000) -> ChainReport:
    """Recompute the chain; report the first event that is changed, missing or out of place."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for row in _rows(conn, batch):
        seq = row["seq"]
        if seq != expected_seq:
            return ChainReport(False, checked, expected_seq, f"event {expected_seq} is missing")
        if row["prev_hash"] != expected_prev:
            return ChainReport(False, checked, seq, "does not follow the previous event")
        if digest(dict(row)) != row["hash"]:
            return ChainReport(False, checked, seq, "content does not match its hash")
        expected_prev, expected_seq, checked = row["hash"], seq + 1, checked + 1
    last_seq, last_hash = conn.execute(select(HEAD.c.last_seq, HEAD.c.last_hash)).one()
    if last_seq != checked or last_hash != expected_prev:
        bad = min(last_seq, checked) + 1
        return ChainReport(
            False, checked, bad, f"the chain's head says {last_seq} events, found {checked}"
        )
    return ChainReport(True, checked)

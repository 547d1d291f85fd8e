"""The hash format is pinned (a known answer an outside verifier can reproduce), and every
hashed column is covered: changing any one of them, even by a microsecond, is found."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text

from models import AuditEvent
from tests.helpers import bring_to, office_deliverable
from workflow.core import audit

# One event, as the README's "Audit trail format" shows it.
KNOWN_EVENT = {
    "seq": 7,
    "item_type": "deliverable",
    "item_id": 12,
    "actor_id": 3,
    "actor_username": "vp.thamdinh",
    "actor_unit_id": 1,
    "actor_unit": "Văn phòng Sở",
    "actor_roles": "member,reviewer",
    "on_behalf_of_id": None,
    "on_behalf_of_username": None,
    "action": "return",
    "from_state": "submitted",
    "to_state": "draft",
    "reason": 'Thiếu "phụ lục"\nbổ sung',
    "created_at": datetime(2025, 11, 30, 23, 30, 5, 120),
    "client_addr": "10.0.0.5",
    "detail": '{"version": 4}',
    "prev_hash": "ab" * 32,
}
KNOWN_CANONICAL = (
    '[7,"deliverable",12,3,"vp.thamdinh",1,"Văn phòng Sở","member,reviewer",null,null,'
    '"return","submitted","draft","Thiếu \\"phụ lục\\"\\nbổ sung",'
    '"2025-11-30T23:30:05.000120","10.0.0.5","{\\"version\\": 4}",' + '"' + "ab" * 32 + '"]'
)
KNOWN_HASH = "a1ef68d3ed037b35f25f3ca00107490fa9991ee1b2168153133905982244e524"


def test_a_fixed_event_has_a_fixed_canonical_form_and_hash():
    assert audit.canonical(KNOWN_EVENT).decode() == KNOWN_CANONICAL
    assert hashlib.sha256(KNOWN_CANONICAL.encode("utf-8")).hexdigest() == KNOWN_HASH
    assert audit.digest(KNOWN_EVENT) == KNOWN_HASH


def test_every_column_but_the_hash_is_hashed_in_a_fixed_order():
    columns = [c.name for c in AuditEvent.__table__.columns]
    assert sorted(audit.HASHED_FIELDS) == sorted(c for c in columns if c != "hash")
    assert audit.HASHED_FIELDS[0] == "seq" and audit.HASHED_FIELDS[-1] == "prev_hash"


def test_an_event_stored_and_read_back_verifies_with_the_known_hash(session, actors):
    """The database round trip (microseconds included) keeps the canonical form."""
    session.rollback()
    with session.bind.begin() as conn:
        head = audit.lock_head(conn)
        fields = {k: v for k, v in KNOWN_EVENT.items() if k not in ("seq", "prev_hash")}
        row = audit.append(conn, head, **{**fields, "detail": {"version": 4}})
    known = {**KNOWN_EVENT, "seq": row["seq"], "prev_hash": row["prev_hash"]}
    assert row["hash"] == audit.digest(known)
    stored = session.execute(select(AuditEvent).where(AuditEvent.seq == row["seq"])).scalar_one()
    assert stored.created_at == KNOWN_EVENT["created_at"]
    assert verify(session).ok


@pytest.fixture
def trail(session, actors):
    bring_to(session, actors, ("deliverable", office_deliverable(session).id), "approved")
    session.commit()
    report = verify(session)
    assert report.ok and report.checked > 10
    return report.checked


def drop_guards(session) -> None:
    if session.bind.dialect.name == "sqlite":
        session.execute(text("DROP TRIGGER audit_event_no_update"))
        session.execute(text("DROP TRIGGER audit_event_no_delete"))
    else:
        session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
    session.commit()


def verify(session) -> audit.ChainReport:
    session.rollback()
    with audit.read_snapshot(session.bind) as conn:
        return audit.verify(conn)


def changed(value, column: str):
    """A small change of the column's value (its type kept)."""
    if column == "created_at":
        return value + timedelta(microseconds=1)
    if column in ("item_id", "actor_id", "actor_unit_id", "on_behalf_of_id"):
        return 1 if value is None else value + 1
    if column == "detail":
        return value.replace("}", ', "x": 1}') if value != "{}" else '{"x": 1}'
    return "x" if value is None else value + "x"


TAMPERED_SEQ = 9
CONTENT_COLUMNS = [c for c in audit.HASHED_FIELDS if c not in ("seq", "prev_hash")]


@pytest.mark.parametrize("column", CONTENT_COLUMNS)
def test_changing_any_hashed_column_is_found_at_that_event(session, trail, column):
    drop_guards(session)
    value = session.execute(
        select(AuditEvent.__table__.c[column]).where(AuditEvent.seq == TAMPERED_SEQ)
    ).scalar_one()
    session.execute(
        text(f"UPDATE audit_event SET {column} = :v WHERE seq = :s"),
        {"v": changed(value, column), "s": TAMPERED_SEQ},
    )
    session.commit()
    report = verify(session)
    assert not report.ok and report.first_bad_seq == TAMPERED_SEQ, report
    assert "mã băm" in report.problem


@pytest.mark.parametrize(
    "truncate",
    [
        lambda t: t.replace(second=0, microsecond=0),  # to the minute
        lambda t: t.replace(microsecond=0),  # to the second
    ],
    ids=["minute", "second"],
)
def test_a_truncated_time_is_found(session, trail, truncate):
    drop_guards(session)
    moment = session.execute(
        select(AuditEvent.created_at).where(AuditEvent.seq == TAMPERED_SEQ)
    ).scalar_one()
    if truncate(moment) == moment:  # a recorded time with nothing to cut: make one
        moment = moment.replace(second=17, microsecond=4242)
        rewrite_chain(session, {TAMPERED_SEQ: {"created_at": moment}})
        assert verify(session).ok
    session.execute(
        text("UPDATE audit_event SET created_at = :t WHERE seq = :s"),
        {"t": truncate(moment), "s": TAMPERED_SEQ},
    )
    session.commit()
    report = verify(session)
    assert not report.ok and report.first_bad_seq == TAMPERED_SEQ


def test_a_changed_link_to_the_previous_event_is_found(session, trail):
    drop_guards(session)
    session.execute(
        text("UPDATE audit_event SET prev_hash = :h WHERE seq = :s"),
        {"h": "e" * 64, "s": TAMPERED_SEQ},
    )
    session.commit()
    report = verify(session)
    assert not report.ok and report.first_bad_seq == TAMPERED_SEQ
    assert "nối tiếp" in report.problem


def test_a_changed_stored_hash_is_found(session, trail):
    drop_guards(session)
    session.execute(
        text("UPDATE audit_event SET hash = :h WHERE seq = :s"), {"h": "e" * 64, "s": 4}
    )
    session.commit()
    report = verify(session)
    assert not report.ok and report.first_bad_seq == 4


def test_a_time_stored_in_another_text_form_still_verifies(session, trail):
    """An administrator's correction may store a time without microseconds (SQLite keeps the
    text as given): the verifier reads it as the time it is, the way the writer hashed it."""
    drop_guards(session)
    moment = datetime(2025, 11, 30, 23, 30)
    rewrite_chain(session, {3: {"created_at": moment}})
    if session.bind.dialect.name == "sqlite":
        session.execute(
            text("UPDATE audit_event SET created_at = '2025-11-30 23:30:00' WHERE seq = 3")
        )
        session.commit()
    assert verify(session).ok


def rewrite_chain(session, changes: dict[int, dict]) -> None:
    """What a database owner could do: change events, recompute every hash and the head."""
    session.rollback()
    rows = session.execute(select(AuditEvent.__table__).order_by(AuditEvent.seq)).mappings().all()
    prev = audit.GENESIS_HASH
    for row in rows:
        new = {**row, **changes.get(row["seq"], {}), "prev_hash": prev}
        new["hash"] = audit.digest(new)
        assigns = ", ".join(f"{k} = :{k}" for k in new if k != "seq")
        session.execute(text(f"UPDATE audit_event SET {assigns} WHERE seq = :seq"), new)
        prev = new["hash"]
    session.execute(
        text("UPDATE audit_head SET last_seq = :s, last_hash = :h WHERE id = 1"),
        {"s": rows[-1]["seq"], "h": prev},
    )
    session.commit()


def test_a_whole_rewritten_chain_passes_without_checkpoints(session, trail):
    """Why checkpoints are needed (tests/test_audit_checkpoints.py): hashes alone cannot tell."""
    drop_guards(session)
    rewrite_chain(session, {5: {"reason": "đã sửa"}})
    assert verify(session).ok


def test_bulk_appended_events_are_those_append_writes(session, actors):
    """append_many (load generation, benchmarks) writes a chain verify accepts."""
    start = datetime(2025, 12, 1, 8, 0)
    events = [
        {
            "item_type": "deliverable",
            "item_id": n % 7 + 1,
            "actor_id": 2,
            "actor_username": "vp.chuyenvien",
            "actor_unit_id": 1,
            "actor_unit": "Văn phòng Sở",
            "actor_roles": "member",
            "action": "comment",
            "created_at": start + timedelta(seconds=n, microseconds=n),
            "detail": {"n": n},
        }
        for n in range(120)
    ]
    session.rollback()
    with session.bind.begin() as conn:
        last_seq, last_hash = audit.append_many(conn, events, batch=50)
    report = verify(session)
    assert report.ok and report.last_seq == last_seq and report.last_hash == last_hash
    row = session.execute(select(AuditEvent).where(AuditEvent.seq == last_seq)).scalar_one()
    assert row.detail == '{"n": 119}'

"""verify's fast path (the database writes the canonical text, Python hashes it) says what
the reference `canonical` says, for awkward values too, and the two-process walk gives the
very report a single walk gives."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text

from models import AuditEvent
from tests.helpers import bring_to, office_deliverable
from workflow.core import audit

# Every character json.dumps escapes, and those it leaves alone but a careless escaper
# would not: DEL, U+2028/2029, a BOM, non-BMP (emoji), Vietnamese in both normal forms.
CONTROL = "".join(chr(c) for c in range(1, 0x20))
AWKWARD = [
    CONTROL,
    'nói "không"\\ \\" \\\\n /',
    "\x7f\u2028\u2029\ufeff\u00a0\uffff",
    "😀🇻🇳 \U0010ffff 𝔘",
    unicodedata.normalize("NFD", "Hồ sơ đã được phê duyệt, Quảng Ngãi"),
    unicodedata.normalize("NFC", "Hồ sơ đã được phê duyệt, Quảng Ngãi"),
    "",
    " ",
    "null",
    '["x",1]',
]
TEXT_COLUMNS = (
    "actor_username",
    "actor_unit",
    "actor_roles",
    "on_behalf_of_username",
    "action",
    "from_state",
    "to_state",
    "reason",
    "client_addr",
)


def width(column: str) -> int | None:
    return AuditEvent.__table__.c[column].type.length


def awkward_events(dialect: str) -> list[dict]:
    values = list(AWKWARD)
    if dialect == "sqlite":  # PostgreSQL text cannot hold NUL
        values.append("a\x00b")
    start = datetime(2025, 12, 31, 23, 59, 59, 999999)
    events = []
    for n, value in enumerate(values):
        fields = {name: value[: width(name)] for name in TEXT_COLUMNS}
        events.append(
            {
                **fields,
                "item_type": value[: width("item_type")],
                "item_id": 2**31 - 1 - n,
                "actor_id": n,
                "actor_unit_id": -n,
                "on_behalf_of_id": n or None,
                "created_at": start + timedelta(microseconds=n),
                "detail": {"lý do": value, "n": n},
            }
        )
    # None wherever a column takes it; the earliest time with microseconds of 0
    events.append(
        {
            "item_type": "deliverable",
            "actor_username": "hethong",
            "action": "comment",
            "created_at": datetime(1000, 1, 1),
            "detail": None,
        }
    )
    events.append(
        {
            "item_type": "plan",
            "actor_username": "u",
            "action": "return",
            "reason": "Lý do rất dài. " * 20000 + '\n\t"cuối"',
            "created_at": datetime(9999, 12, 31, 23, 59, 59, 1),
            "detail": {"x": "y" * 5000},
        }
    )
    return events


def verify(session, **options) -> audit.ChainReport:
    session.rollback()
    with audit.read_snapshot(session.bind) as conn:
        return audit.verify(conn, **options)


def test_the_databases_canonical_text_is_the_reference_one_for_awkward_values(session, actors):
    dialect = session.bind.dialect.name
    session.rollback()
    with session.bind.begin() as conn:
        last_seq, _ = audit.append_many(conn, awkward_events(dialect))
    rows = session.execute(select(AuditEvent.__table__).order_by(AuditEvent.seq)).mappings().all()
    written = session.execute(
        text(f"SELECT seq, {audit._canonical_sql(dialect)} FROM audit_event ORDER BY seq")
    ).all()
    assert len(written) == len(rows) == last_seq
    for row, (seq, body) in zip(rows, written, strict=True):
        body = body.encode() if isinstance(body, str) else body
        assert (seq, body) == (row["seq"], audit.canonical(row)), seq
    report = verify(session)
    assert report.ok and report.checked == last_seq
    assert report.fallbacks == 0  # every event confirmed by the fast path alone


def test_an_event_the_fast_path_cannot_render_is_checked_by_the_reference(session, actors):
    """A time stored without microseconds (SQLite keeps the text as given) is rendered as
    null by the fast path: that one event is read again and checked with `canonical`."""
    if session.bind.dialect.name != "sqlite":
        pytest.skip("PostgreSQL stores a timestamp, never its text")
    session.rollback()
    with session.bind.begin() as conn:
        last, _ = audit.append_many(
            conn,
            [
                {
                    "item_type": "plan",
                    "actor_username": "u",
                    "action": "comment",
                    "created_at": datetime(2025, 11, 30, 23, 30, n),
                    "detail": {},
                }
                for n in range(3)
            ],
        )
        conn.execute(text("DROP TRIGGER audit_event_no_update"))
        conn.execute(
            text("UPDATE audit_event SET created_at = '2025-11-30 23:30:01' WHERE seq = :s"),
            {"s": last - 1},
        )
    report = verify(session)
    assert report.ok and report.checked == last and report.fallbacks == 1
    stored = session.execute(
        text("SELECT created_at FROM audit_event WHERE seq = :s"), {"s": last - 1}
    )
    assert stored.scalar() == "2025-11-30 23:30:01"
    session.rollback()
    with session.bind.begin() as conn:  # and a real change of that event is still found
        conn.execute(
            text("UPDATE audit_event SET created_at = '2025-11-30 23:30:02' WHERE seq = :s"),
            {"s": last - 1},
        )
    report = verify(session)
    assert not report.ok and report.first_bad_seq == last - 1 and report.fallbacks == 1


# --- two processes ---------------------------------------------------------------------------


@pytest.fixture
def trail(session, actors):
    bring_to(session, actors, ("deliverable", office_deliverable(session).id), "approved")
    session.commit()
    report = verify(session, workers=1)
    assert report.ok and report.checked > 10
    return report


def drop_guards(session) -> None:
    if session.bind.dialect.name == "sqlite":
        session.execute(text("DROP TRIGGER audit_event_no_update"))
        session.execute(text("DROP TRIGGER audit_event_no_delete"))
    else:
        session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
    session.commit()


def test_two_processes_check_the_two_halves_and_join_them(session, trail, monkeypatch):
    walks = []
    walk = audit._walk

    def spy(conn, state, upto, anchors, batch):
        walks.append((state.reached, upto))
        return walk(conn, state, upto, anchors, batch)

    monkeypatch.setattr(audit, "_walk", spy)
    report = verify(session, workers=2, batch=4)
    assert report == trail
    # the caller walked its half only: the worker's half joined on
    assert walks == [(0, trail.last_seq // 2)]


def tamper(session, statements: list[str]) -> None:
    drop_guards(session)
    for statement in statements:
        session.execute(text(statement))
    session.commit()


@pytest.mark.parametrize(
    "statements",
    [
        ["UPDATE audit_event SET reason = 'đã sửa' WHERE seq = {late}"],
        ["UPDATE audit_event SET reason = 'đã sửa' WHERE seq = {early}"],
        ["DELETE FROM audit_event WHERE seq = {first_of_second}"],
        ["DELETE FROM audit_event WHERE seq = {split}"],
        ["UPDATE audit_event SET prev_hash = '{fake}' WHERE seq = {first_of_second}"],
        [
            "UPDATE audit_event SET seq = -1 WHERE seq = {split}",
            "UPDATE audit_event SET seq = {split} WHERE seq = {first_of_second}",
            "UPDATE audit_event SET seq = {first_of_second} WHERE seq = -1",
        ],
        ["DELETE FROM audit_event WHERE seq = {last}"],
        ["UPDATE audit_event SET hash = '{fake}' WHERE seq = {last}"],
    ],
    ids=[
        "edit-second-half",
        "edit-first-half",
        "delete-first-of-second-half",
        "delete-last-of-first-half",
        "relink-at-the-split",
        "swap-across-the-split",
        "delete-last",
        "rehash-last",
    ],
)
def test_two_processes_report_what_one_does(session, trail, statements):
    last = trail.last_seq
    split = last // 2
    names = {
        "early": 3,
        "split": split,
        "first_of_second": split + 1,
        "late": last - 2,
        "last": last,
        "fake": "e" * 64,
    }
    tamper(session, [s.format(**names) for s in statements])
    one = verify(session, workers=1, batch=4)
    two = verify(session, workers=2, batch=4)
    assert not one.ok
    assert two == one


def test_two_processes_check_a_signed_hash_in_the_second_half(session, trail):
    late = trail.last_seq - 1
    stored = session.execute(select(AuditEvent.hash).where(AuditEvent.seq == late)).scalar()
    session.rollback()
    assert verify(session, workers=2, anchors={late: stored}).ok
    report = verify(session, workers=2, anchors={late: "f" * 64})
    assert not report.ok and report.first_bad_seq == late
    assert report == verify(session, workers=1, anchors={late: "f" * 64})

"""The audit trail is append-only and hash-chained; verify-audit names the first bad event."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.helpers import bring_to, office_deliverable
from workflow.core import audit


@pytest.fixture
def trail(session, actors):
    """A trail of a few dozen events: the seed, then a deliverable approved."""
    bring_to(session, actors, ("deliverable", office_deliverable(session).id), "approved")
    session.commit()
    report = audit.verify(session.connection())
    assert report.ok and report.checked > 10
    session.rollback()
    return report.checked


def drop_guards(session) -> None:
    """What an attacker with the database's owner rights would do first."""
    if session.bind.dialect.name == "sqlite":
        session.execute(text("DROP TRIGGER audit_event_no_update"))
        session.execute(text("DROP TRIGGER audit_event_no_delete"))
    else:
        session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
    session.commit()


def verify(session) -> audit.ChainReport:
    session.rollback()
    return audit.verify(session.connection())


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET reason = 'x'", "DELETE FROM audit_event"]
)
def test_the_database_refuses_to_change_or_delete_audit_events(session, trail, statement):
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text(statement))
    session.rollback()
    assert verify(session).ok


def test_an_edited_event_is_found(session, trail):
    drop_guards(session)
    session.execute(text("UPDATE audit_event SET reason = 'đã sửa' WHERE seq = 5"))
    session.commit()
    report = verify(session)
    assert not report.ok and report.first_bad_seq == 5


def test_a_deleted_event_is_found(session, trail):
    drop_guards(session)
    session.execute(text("DELETE FROM audit_event WHERE seq = 7"))
    session.commit()
    report = verify(session)
    assert not report.ok and report.first_bad_seq == 7


def test_a_deleted_last_event_is_found(session, trail):
    drop_guards(session)
    session.execute(text(f"DELETE FROM audit_event WHERE seq = {trail}"))
    session.commit()
    report = verify(session)
    assert not report.ok and report.first_bad_seq == trail


def test_two_swapped_events_are_found(session, trail):
    drop_guards(session)
    session.execute(text("UPDATE audit_event SET seq = -1 WHERE seq = 3"))
    session.execute(text("UPDATE audit_event SET seq = 3 WHERE seq = 4"))
    session.execute(text("UPDATE audit_event SET seq = 4 WHERE seq = -1"))
    session.commit()
    report = verify(session)
    assert not report.ok and report.first_bad_seq == 3


def test_an_inserted_event_is_found(session, trail):
    drop_guards(session)
    session.execute(text(f"UPDATE audit_event SET seq = {trail + 1} WHERE seq = {trail}"))
    session.execute(
        text(
            "INSERT INTO audit_event (seq, item_type, actor_username, actor_unit, actor_roles,"
            " action, created_at, detail, prev_hash, hash) SELECT :seq, 'deliverable',"
            " 'giamdoc', '', '', 'approve', created_at, '{}', hash, :h FROM audit_event"
            " WHERE seq = :prev"
        ),
        {"seq": trail, "prev": trail - 1, "h": "f" * 64},
    )
    session.commit()
    report = verify(session)
    assert not report.ok and report.first_bad_seq == trail


def test_trail_date_filter_uses_vietnamese_days(session, actors):
    """An event at 23:30 UTC on 30/11 happened on 01/12 in Quảng Ngãi."""
    from datetime import date, datetime

    from models import AuditEvent
    from workflow.reads import trail

    drop_guards(session)
    session.execute(
        text("UPDATE audit_event SET created_at = :t WHERE seq = 1"),
        {"t": datetime(2025, 11, 30, 23, 30)},
    )
    session.commit()
    director = actors["giamdoc"]
    on_first = trail.TrailFilter(date_from=date(2025, 12, 1), date_to=date(2025, 12, 1))
    events, _ = trail.events_page(session, director, on_first)
    assert [e.seq for e in events] == [1]
    on_30th = trail.TrailFilter(date_from=date(2025, 11, 30), date_to=date(2025, 11, 30))
    assert trail.events_page(session, director, on_30th)[0] == []
    assert session.get(AuditEvent, 1).created_at == datetime(2025, 11, 30, 23, 30)

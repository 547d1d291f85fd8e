"""Reading the audit trail: one item's events, and the whole trail filtered and paginated."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from models import AuditEvent
from workflow.core import clock, policy, service
from workflow.core.errors import NotPermitted
from workflow.core.policy import Actor

MAX_PAGE = 200


@dataclass(frozen=True)
class TrailFilter:
    item_type: str | None = None
    item_id: int | None = None
    username: str | None = None
    unit_id: int | None = None
    action: str | None = None
    date_from: date | None = None  # inclusive, days in Asia/Ho_Chi_Minh (as users see them)
    date_to: date | None = None  # inclusive


def _utc_start_of(day: date) -> datetime:
    """Local midnight of `day`, as the naive UTC the trail stores."""
    local = datetime.combine(day, time.min, tzinfo=clock.LOCAL)
    return local.astimezone(UTC).replace(tzinfo=None)


def event_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "item_type": event.item_type,
        "item_id": event.item_id,
        "actor": event.actor_username,
        # the delegator whose authority the actor used (ủy quyền), else None
        "on_behalf_of": event.on_behalf_of_username,
        "actor_unit": event.actor_unit,
        "actor_roles": [r for r in event.actor_roles.split(",") if r],
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "at": event.created_at.isoformat() + "Z",
        "client_addr": event.client_addr,
        "detail": json.loads(event.detail or "{}"),
    }


def item_events(session: Session, actor: Actor, kind: str, item_id: int) -> list[AuditEvent]:
    """An item's events, oldest first; NotFound if the actor may not see the item."""
    conn = session.connection()
    service.require_view(conn, actor, service.load_snapshot(conn, kind, item_id))
    return list(
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.item_type == kind, AuditEvent.item_id == item_id)
            .order_by(AuditEvent.seq)
        ).scalars()
    )


def _filtered(query, where: TrailFilter):
    if where.item_type:
        query = query.where(AuditEvent.item_type == where.item_type)
    if where.item_id is not None:
        query = query.where(AuditEvent.item_id == where.item_id)
    if where.username:
        query = query.where(AuditEvent.actor_username == where.username.strip().lower())
    if where.unit_id is not None:
        query = query.where(AuditEvent.actor_unit_id == where.unit_id)
    if where.action:
        query = query.where(AuditEvent.action == where.action)
    if where.date_from:
        query = query.where(AuditEvent.created_at >= _utc_start_of(where.date_from))
    if where.date_to:
        query = query.where(
            AuditEvent.created_at < _utc_start_of(where.date_to + timedelta(days=1))
        )
    return query


def events_page(
    session: Session,
    actor: Actor,
    where: TrailFilter = TrailFilter(),
    *,
    before_seq: int | None = None,
    limit: int = 50,
) -> tuple[list[AuditEvent], int | None]:
    """Newest first, keyset-paginated on seq; returns (events, cursor for the next page)."""
    if not policy.can_read_full_audit(actor):
        raise NotPermitted("Bạn không có quyền xem toàn bộ nhật ký.")
    limit = max(1, min(limit, MAX_PAGE))
    query = _filtered(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit + 1), where)
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    events = list(session.execute(query).scalars())
    cursor = events[limit - 1].seq if len(events) > limit else None
    return events[:limit], cursor


_E = AuditEvent.__table__.c
# What a bulk export reads, in this order; the time as stored text on SQLite (parsed once
# with `datetime.fromisoformat`, much faster than the generic result processor).
EXPORT_COLUMNS = (
    _E.seq, type_coerce(_E.created_at, String), _E.actor_username, _E.actor_roles,
    _E.actor_unit, _E.action, _E.item_type, _E.item_id, _E.from_state, _E.to_state,
    _E.reason, _E.client_addr, _E.detail, _E.on_behalf_of_username,
)  # fmt: skip


def export_page(
    session: Session, where: TrailFilter, *, before_seq: int | None, limit: int
) -> tuple[list[tuple], int | None]:
    """Like `events_page` (the caller checked permission), as plain tuples (EXPORT_COLUMNS)
    for a bulk export: no ORM objects, pages as large as asked."""
    query = _filtered(select(*EXPORT_COLUMNS).order_by(_E.seq.desc()).limit(limit + 1), where)
    if before_seq is not None:
        query = query.where(_E.seq < before_seq)
    rows = session.execute(query).all()
    cursor = rows[limit - 1][0] if len(rows) > limit else None
    return rows[:limit], cursor

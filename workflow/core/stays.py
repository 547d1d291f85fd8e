"""Time in state, kept as items move: each transition of a deliverable writes how long it
stayed in the state it leaves (`state_stay`), in the same transaction as the transition, so
the dashboard's medians read a small indexed table per plan instead of the whole trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select

from models import Deliverable, StateStay, Task

_D, _T, _S = Deliverable.__table__, Task.__table__, StateStay.__table__
_STARTED = (
    select(_T.c.plan_id, func.coalesce(_D.c.state_entered_at, _D.c.created_at))
    .select_from(_D.join(_T, _T.c.id == _D.c.task_id))
    .where(_D.c.id == bindparam("item_id"))
)
_INSERT = _S.insert()


@dataclass(frozen=True, slots=True)
class Started:
    deliverable_id: int
    plan_id: int
    entered_at: datetime


def started(conn: Connection, deliverable_id: int) -> Started:
    """When the deliverable entered its current state (its creation if it never moved)."""
    plan_id, entered = conn.execute(_STARTED, {"item_id": deliverable_id}).one()
    return Started(deliverable_id, plan_id, entered)


def record(conn: Connection, stay: Started, state: str, ended_at: datetime) -> None:
    conn.execute(
        _INSERT,
        {
            "plan_id": stay.plan_id,
            "deliverable_id": stay.deliverable_id,
            "state": state,
            "seconds": max(0.0, (ended_at - stay.entered_at).total_seconds()),
            "ended_at": ended_at,
        },
    )

"""Engine objects as JSON-ready dicts. Dates are YYYY-MM-DD, times ISO 8601 UTC ("Z")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from models import AuditEvent, Deliverable, Task
from workflow import policy
from workflow.policy import Actor
from workflow.queries import TaskRow
from workflow.service import available_actions, snapshot_of
from workflow.trail import event_dict


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def moment(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value is not None else None


def task(row: TaskRow, item: Task, actor: Actor) -> dict[str, Any]:
    return {
        "id": row.id,
        "plan_id": row.plan_id,
        "number": row.number,
        "title": row.title,
        "lead_units": row.lead_units,
        "coordinating_units": row.coordinating_units,
        "timing_kind": row.timing_kind,
        "timing_text": row.timing_text,
        "due_date": day(row.due_date),
        "state": row.state,
        "version": row.version,
        "progress": {"approved": row.approved, "total": row.total},
        "allowed_actions": available_actions(actor, item),
    }


def task_detail(row: TaskRow, item: Task, actor: Actor, deliverables: list[Any]) -> dict[str, Any]:
    data = task(row, item, actor)
    data.update(
        content=item.content,
        lead_text=item.lead_text,
        coordinating_text=item.coordinating_text,
        deliverables=[deliverable(d, number, unit, actor) for d, number, unit in deliverables],
    )
    return data


def deliverable(item: Deliverable, task_number: int, unit_name: str, actor: Actor) -> dict:
    snap = snapshot_of(item)
    return {
        "id": item.id,
        "task_id": item.task_id,
        "task_number": task_number,
        "unit_id": item.unit_id,
        "unit": unit_name,
        "kind": item.kind,
        "title": item.title,
        "due_date": day(item.due_date),
        "required": bool(item.required),
        "state": item.state,
        "version": item.version,
        "updated_at": moment(item.updated_at),
        "allowed_actions": available_actions(actor, snap),
        "editable": policy.can_edit(actor, snap),
    }


def deliverable_detail(item: Deliverable, actor: Actor) -> dict[str, Any]:
    data = deliverable(item, item.task.number, item.unit.name, actor)
    data.update(body=item.body, created_at=moment(item.created_at))
    return data


def event(e: AuditEvent, actor: Actor) -> dict[str, Any]:
    """An audit event, with the delegator when the actor used a delegation; the client
    address only for those who may read the whole trail."""
    data = event_dict(e)
    data.setdefault("on_behalf_of", getattr(e, "on_behalf_of_username", None))
    if not policy.can_read_full_audit(actor):
        data.pop("client_addr", None)
    return data

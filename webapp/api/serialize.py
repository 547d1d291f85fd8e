"""The read models of workflow/reads (the same the pages show) as JSON-ready dicts. Dates
are YYYY-MM-DD, times ISO 8601 UTC ("Z")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import object_session

from models import Deliverable, Task
from workflow.core import policy
from workflow.core.policy import NO_PARTICIPATION, Actor, Participation
from workflow.core.service import available_actions, participations, snapshot_of
from workflow.items.council import Tally
from workflow.reads.attachments import AttachmentRow
from workflow.reads.contributions import ContributionRow
from workflow.reads.dashboard import DashboardPage, Progress
from workflow.reads.delegations import DelegationRow
from workflow.reads.queries import TaskRow
from workflow.reads.trail import EventRow
from workflow.reads.versions import VersionDiff, VersionRow, VersionsPage
from workflow.reads.votes import VoteSheet


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def moment(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value is not None else None


def task(
    row: TaskRow, item: Task, actor: Actor, participation: Participation | None = None
) -> dict[str, Any]:
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
        "allowed_actions": available_actions(actor, item, participation),
    }


def task_detail(row: TaskRow, item: Task, actor: Actor, deliverables: list[Any]) -> dict[str, Any]:
    data = task(row, item, actor)
    taken = participations(
        object_session(item).connection(), [snapshot_of(d) for d, _, _ in deliverables]
    )
    data.update(
        content=item.content,
        lead_text=item.lead_text,
        coordinating_text=item.coordinating_text,
        deliverables=[
            deliverable(d, number, unit, actor, taken.get(("deliverable", d.id), NO_PARTICIPATION))
            for d, number, unit in deliverables
        ],
    )
    return data


def deliverable(
    item: Deliverable,
    task_number: int,
    unit_name: str,
    actor: Actor,
    participation: Participation | None = None,
) -> dict:
    """`participation`: loaded for a whole list (service.participations); None for one
    item (read here when its actions depend on it)."""
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
        "period_start": day(item.period_start),
        "required": bool(item.required),
        "state": item.state,
        "version": item.version,
        "updated_at": moment(item.updated_at),
        "allowed_actions": available_actions(
            actor, item if participation is None else snap, participation
        ),
        "editable": policy.can_edit(actor, snap),
    }


def attachment(a: AttachmentRow) -> dict[str, Any]:
    return {
        "id": a.id,
        "filename": a.filename,
        "purpose": a.purpose,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "uploaded_at": moment(a.created_at),
    }


def deliverable_detail(
    item: Deliverable, files: list[AttachmentRow], actor: Actor
) -> dict[str, Any]:
    data = deliverable(item, item.task.number, item.unit.name, actor)
    data.update(
        body=item.body,
        data=item.data or {},
        round=item.round,
        attachments=[attachment(a) for a in files],
        created_at=moment(item.created_at),
    )
    return data


def tally(t: Tally, state: str) -> dict[str, Any]:
    return {
        "council": t.council,
        "quorum": t.quorum,
        "members": t.members,
        "votes_for": t.votes_for,
        "votes_against": t.votes_against,
        "reached": t.reached,
        "state": state,
    }


def vote_sheet(sheet: VoteSheet) -> dict[str, Any]:
    return {
        "round": sheet.round,
        "tally": tally(sheet.tally, sheet.state) if sheet.tally is not None else None,
        "items": [
            {
                "voter": v.username,
                "voter_name": v.full_name,
                "in_favour": v.in_favour,
                "comment": v.comment,
                "at": moment(v.at),
            }
            for v in sheet.votes
        ],
    }


def contribution(c: ContributionRow) -> dict[str, Any]:
    return {
        "id": c.id,
        "unit": c.unit_name,
        "author": c.author,
        "author_name": c.author_name,
        "body": c.body,
        "at": moment(c.created_at),
        "files": [attachment(a) for a in c.files],
    }


def delegation(d: DelegationRow) -> dict[str, Any]:
    return {
        "id": d.id,
        "delegator": d.delegator,
        "delegator_name": d.delegator_name,
        "delegate": d.delegate,
        "delegate_name": d.delegate_name,
        "starts_on": day(d.starts_on),
        "ends_on": day(d.ends_on),
        "note": d.note,
        "created_at": moment(d.created_at),
        "revoked_at": moment(d.revoked_at),
        "active": d.active,
    }


def versions(page: VersionsPage) -> dict[str, Any]:
    """The versions oldest first (the page lists them newest first)."""
    return {"items": [version(v) for v in reversed(page.versions)]}


def version(v: VersionRow) -> dict[str, Any]:
    return {
        "number": v.number,
        "created_at": moment(v.created_at),
        "in_force": bool(v.in_force),
        "effective_date": day(v.effective_date),
        "body": v.body,
    }


def version_diff(d: VersionDiff) -> dict[str, Any]:
    return {
        "number": d.version.number,
        "previous": d.previous,
        "lines": [{"op": line.tag, "line": line.text} for line in d.lines],
    }


def progress(p: Progress, **key: Any) -> dict[str, Any]:
    return {
        **key,
        "label": p.label,
        "counts": dict(p.counts),
        "total": p.total,
        "overdue": p.overdue,
        "approved_percent": round(p.approved_percent, 1),
    }


def dashboard(page: DashboardPage) -> dict[str, Any]:
    d = page.board
    assert d is not None  # a plan was asked for by its id
    return {
        "plan_id": page.plan_id,
        "today": day(page.today),
        "overall": progress(d.overall),
        "by_task": [progress(p, task_number=p.key) for p in d.by_task],
        "by_unit": [progress(p, unit_id=p.key) for p in d.by_unit],
        "median_hours": dict(d.median_hours),
        "stays_measured": dict(d.stays_measured),
    }


def event(e: EventRow, actor: Actor) -> dict[str, Any]:
    """An audit event (with the delegator, when the actor used a delegation); the client
    address only for those who may read the whole trail."""
    data = {
        "seq": e.seq,
        "item_type": e.item_type,
        "item_id": e.item_id,
        "actor": e.actor,
        # the delegator whose authority the actor used (ủy quyền), else None
        "on_behalf_of": e.on_behalf_of,
        "actor_unit": e.unit,
        "actor_roles": e.roles,
        "action": e.action,
        "from_state": e.from_state,
        "to_state": e.to_state,
        "reason": e.reason,
        "at": moment(e.at),
        "client_addr": e.client_addr,
        "detail": e.detail,
    }
    if not policy.can_read_full_audit(actor):
        data.pop("client_addr", None)
    return data

"""Read side: lists and lookups, each one query (or a fixed few), filtered by visibility."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models import Deliverable, Plan, Task, TaskUnit, Unit, User
from workflow.core import policy, service
from workflow.core.errors import InvalidInput, NotFound
from workflow.core.machine import APPROVED, STATES
from workflow.core.policy import Actor


@dataclass(frozen=True)
class TaskRow:
    id: int
    plan_id: int
    number: int
    title: str
    lead_units: list[str]
    coordinating_units: list[str]
    timing_kind: str
    timing_text: str
    due_date: date | None
    state: str
    version: int
    approved: int
    total: int


@dataclass(frozen=True)
class UnitOption:
    id: int
    name: str
    short_name: str


def units(session: Session) -> list[UnitOption]:
    """Every unit, for a filter's choices (the plan overview, the audit page)."""
    return [
        UnitOption(u.id, u.name, u.short_name)
        for u in session.execute(select(Unit).order_by(Unit.id)).scalars()
    ]


def default_plan(session: Session) -> Plan | None:
    return session.execute(select(Plan).order_by(Plan.id).limit(1)).scalar_one_or_none()


def plan_by_code(session: Session, code: str) -> Plan:
    plan = session.execute(select(Plan).where(Plan.code == code)).scalar_one_or_none()
    if plan is None:
        raise NotFound(f"Không có kế hoạch mã “{code}”.")
    return plan


def task_rows(session: Session, plan_id: int | None = None) -> list[TaskRow]:
    """A plan's tasks with their units and deliverable progress: three queries in all."""
    if plan_id is None:
        plan = default_plan(session)
        if plan is None:
            return []
        plan_id = plan.id
    tasks = (
        session.execute(select(Task).where(Task.plan_id == plan_id).order_by(Task.number))
        .scalars()
        .all()
    )
    ids = [t.id for t in tasks]
    units: dict[tuple[int, str], list[str]] = {}
    for task_id, role, name in session.execute(
        select(TaskUnit.task_id, TaskUnit.role, Unit.name)
        .join(Unit, Unit.id == TaskUnit.unit_id)
        .where(TaskUnit.task_id.in_(ids))
        .order_by(TaskUnit.task_id, TaskUnit.role, TaskUnit.position)
    ):
        units.setdefault((task_id, role), []).append(name)
    progress = {
        task_id: (approved, total)
        for task_id, approved, total in session.execute(
            select(
                Deliverable.task_id,
                func.sum(case((Deliverable.state == APPROVED, 1), else_=0)),
                func.count(),
            )
            .where(Deliverable.task_id.in_(ids))
            .group_by(Deliverable.task_id)
        )
    }
    return [
        TaskRow(
            id=t.id,
            plan_id=t.plan_id,
            number=t.number,
            title=t.title,
            lead_units=units.get((t.id, "lead"), []),
            coordinating_units=units.get((t.id, "coordinating"), []),
            timing_kind=t.timing_kind,
            timing_text=t.timing_text,
            due_date=t.due_date,
            state=t.state,
            version=t.version,
            approved=int(progress.get(t.id, (0, 0))[0] or 0),
            total=int(progress.get(t.id, (0, 0))[1]),
        )
        for t in tasks
    ]


def task_by_number(session: Session, number: int, plan_id: int | None = None) -> Task:
    query = select(Task).where(Task.number == number)
    if plan_id is not None:
        query = query.where(Task.plan_id == plan_id)
    task = session.execute(query.order_by(Task.plan_id).limit(1)).scalar_one_or_none()
    if task is None:
        raise NotFound(f"Không có nhiệm vụ số {number}.")
    return task


def unit_by_code_or_name(session: Session, text: str) -> Unit:
    unit = session.execute(
        select(Unit).where((Unit.code == text.lower()) | (Unit.name == text))
    ).scalar_one_or_none()
    if unit is None:
        raise InvalidInput(f"Không có đơn vị “{text}”.")
    return unit


def deliverable_rows(
    session: Session,
    actor: Actor | None = None,
    *,
    task_number: int | None = None,
    task_id: int | None = None,
    state: str | None = None,
    unit_id: int | None = None,
    after_id: int | None = None,
    limit: int | None = None,
) -> list[Any]:
    """Deliverables with their task number and unit, keyset-paginated by id.

    `actor` None means a trusted caller (the administrator's CLI) that sees everything.
    """
    if state is not None and state not in STATES:
        raise InvalidInput(f"Trạng thái “{state}” không hợp lệ; chọn trong: {', '.join(STATES)}.")
    query = (
        select(Deliverable, Task.number.label("task_number"), Unit.name.label("unit_name"))
        .join(Task, Task.id == Deliverable.task_id)
        .join(Unit, Unit.id == Deliverable.unit_id)
        .order_by(Deliverable.id)
    )
    if actor is not None:
        query = query.where(policy.visible_deliverables(actor, Deliverable))
    if task_number is not None:
        query = query.where(Task.number == task_number)
    if task_id is not None:
        query = query.where(Deliverable.task_id == task_id)
    if state is not None:
        query = query.where(Deliverable.state == state)
    if unit_id is not None:
        query = query.where(Deliverable.unit_id == unit_id)
    if after_id is not None:
        query = query.where(Deliverable.id > after_id)
    if limit is not None:
        query = query.limit(limit)
    return session.execute(query).all()


def user_by_username(session: Session, username: str) -> User:
    user = session.execute(
        select(User).where(User.username == username.strip().lower())
    ).scalar_one_or_none()
    if user is None:
        raise NotFound(f"Không có người dùng “{username}”.")
    return user


def get_item(session: Session, actor: Actor, kind: str, item_id: int) -> Task | Deliverable:
    """A task or deliverable the actor may see; NotFound otherwise (same answer either way)."""
    model = {"task": Task, "deliverable": Deliverable}.get(kind)
    item = session.get(model, item_id) if model is not None else None
    if item is None:
        raise NotFound("Không tìm thấy mục này, hoặc bạn không có quyền xem.")
    service.require_view(session.connection(), actor, service.snapshot_of(item))
    return item

"""Many plans: the list of plans (filters, search, keyset pages) with each plan's progress,
and the province-level figures across plans and units. Every query is bounded and indexed:
progress is counted for the shown plans only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from models import Deliverable, Plan, Task, Unit
from workflow.core import clock
from workflow.core.errors import NotPermitted
from workflow.core.machine import APPROVED, STATES
from workflow.core.policy import Actor
from workflow.reads.dashboard import Progress

PAGE = 20
MAX_SEARCH = 200


@dataclass(frozen=True)
class PlanListRow:
    id: int
    code: str
    number: str
    title: str
    issuer: str
    issue_date: date | None
    period_start: date | None
    period_end: date | None
    tasks: int
    progress: Progress


@dataclass(frozen=True)
class PlanFilter:
    q: str = ""  # words of the title, number or code
    issuer: str = ""
    year: int | None = None  # plans whose period covers this year


@dataclass(frozen=True)
class PlanList:
    rows: list[PlanListRow]
    next_before: int | None  # keyset: the next page lists plans with a smaller id
    issuers: list[str]
    years: list[int]
    total: int
    today: date = field(default_factory=clock.today_local)


def _where(where: PlanFilter) -> list:
    conditions = []
    q = where.q.strip()[:MAX_SEARCH]
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                Plan.title.ilike(pattern, escape="\\"),
                Plan.number.ilike(pattern, escape="\\"),
                Plan.code.ilike(pattern, escape="\\"),
            )
        )
    if where.issuer:
        conditions.append(Plan.issuer == where.issuer)
    if where.year is not None:
        conditions.append(
            or_(Plan.period_start.is_(None), Plan.period_start <= date(where.year, 12, 31))
        )
        conditions.append(or_(Plan.period_end.is_(None), Plan.period_end >= date(where.year, 1, 1)))
    return conditions


def plan_list(
    session: Session,
    actor: Actor,
    where: PlanFilter = PlanFilter(),
    *,
    before: int | None = None,
    limit: int = PAGE,
    today: date | None = None,
) -> PlanList:
    """Newest plans first (keyset on id), with tasks, deliverables by state, % approved and
    overdue for the plans shown. Every signed-in user may see the list (figures only)."""
    if not actor.active:
        raise NotPermitted("Tài khoản đã bị khóa.")
    today = today or clock.today_local()
    conditions = _where(where)
    query = select(Plan).where(*conditions).order_by(Plan.id.desc()).limit(limit + 1)
    if before is not None:
        query = query.where(Plan.id < before)
    plans = list(session.execute(query).scalars())
    more = len(plans) > limit
    plans = plans[:limit]
    ids = [p.id for p in plans]
    progress = {pid: Progress("", pid) for pid in ids}
    tasks = dict.fromkeys(ids, 0)
    if ids:
        overdue = case(
            ((Deliverable.due_date < today) & (Deliverable.state != APPROVED), 1), else_=0
        )
        for plan_id, state, count, late in session.execute(
            select(Task.plan_id, Deliverable.state, func.count(), func.sum(overdue))
            .select_from(Task)
            .join(Deliverable, Deliverable.task_id == Task.id)
            .where(Task.plan_id.in_(ids))
            .group_by(Task.plan_id, Deliverable.state)
        ):
            progress[plan_id].counts[state] += count
            progress[plan_id].overdue += int(late or 0)
        tasks.update(
            session.execute(
                select(Task.plan_id, func.count())
                .where(Task.plan_id.in_(ids))
                .group_by(Task.plan_id)
            ).all()
        )
    rows = [
        PlanListRow(
            p.id, p.code, p.number, p.title, p.issuer, p.issue_date, p.period_start,
            p.period_end, tasks[p.id], progress[p.id],
        )
        for p in plans
    ]  # fmt: skip
    issuers = list(
        session.execute(select(Plan.issuer).distinct().order_by(Plan.issuer).limit(50)).scalars()
    )
    first, last = session.execute(
        select(func.min(Plan.period_start), func.max(Plan.period_end))
    ).one()
    years = list(range(first.year, min(last.year, first.year + 30) + 1)) if first and last else []
    total = session.execute(select(func.count()).select_from(Plan).where(*conditions)).scalar()
    return PlanList(rows, plans[-1].id if more else None, issuers, years, total or 0, today)


@dataclass(frozen=True)
class Province:
    today: date
    plans: int
    overall: Progress
    by_unit: list[Progress]


def province(session: Session, actor: Actor, today: date | None = None) -> Province:
    """Every plan together: deliverables by state and overdue, overall and per unit (two
    grouped scans of the (unit_id, state, due_date, id) index)."""
    if not actor.active:
        raise NotPermitted("Tài khoản đã bị khóa.")
    today = today or clock.today_local()
    overall = Progress("Toàn tỉnh")
    units: dict[int, Progress] = {}
    names = dict(session.execute(select(Unit.id, Unit.name)).all())
    for unit_id, state, count in session.execute(
        select(Deliverable.unit_id, Deliverable.state, func.count()).group_by(
            Deliverable.unit_id, Deliverable.state
        )
    ):
        row = units.setdefault(unit_id, Progress(names.get(unit_id, ""), unit_id))
        row.counts[state] += count
        overall.counts[state] += count
    # Overdue per unit: a range count of the (unit_id, state, due_date, id) index for each
    # unit and open state (correlated, one statement).
    late = [
        select(func.count())
        .select_from(Deliverable)
        .where(
            Deliverable.unit_id == Unit.id,
            Deliverable.state == state,
            Deliverable.due_date < today,
        )
        .correlate(Unit)
        .scalar_subquery()
        for state in STATES
        if state != APPROVED
    ]
    for unit_id, *counts in session.execute(select(Unit.id, *late)):
        count = sum(counts)
        if count:
            units.setdefault(unit_id, Progress(names.get(unit_id, ""), unit_id)).overdue += count
            overall.overdue += count
    plans = session.execute(select(func.count()).select_from(Plan)).scalar() or 0
    return Province(today, plans, overall, sorted(units.values(), key=lambda p: p.key))

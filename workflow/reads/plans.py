"""Plans: one plan's overview (its tasks, filtered by unit and state), the list of plans
(filters, search, keyset pages) with each plan's progress, and the province-level figures
across plans and units. Every query is bounded and indexed: progress is counted for the
shown plans only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from models import Deliverable, Plan, Task, Unit
from workflow.core import clock
from workflow.core.errors import NotFound, NotPermitted
from workflow.core.machine import APPROVED, STATES
from workflow.core.policy import Actor
from workflow.reads import deadlines, queries
from workflow.reads.dashboard import Progress

PAGE = 20
MAX_SEARCH = 200


@dataclass(frozen=True)
class PlanInfo:
    id: int
    code: str
    number: str
    title: str
    issuer: str
    parent_ref: str
    period_end: date | None


@dataclass(frozen=True)
class PlanRow:
    task: queries.TaskRow
    overdue: bool


@dataclass(frozen=True)
class PlanOverview:
    plan: PlanInfo | None
    rows: list[PlanRow]
    units: list[queries.UnitOption]
    total_tasks: int


def plan_overview(
    session: Session,
    actor: Actor,
    *,
    unit_id: int | None = None,
    state: str | None = None,
    today: date | None = None,
    plan_id: int | None = None,
) -> PlanOverview:
    """A plan's tasks (every signed-in user may see tasks), filtered by unit and state; the
    first plan when no `plan_id` is given (NotFound for a plan that does not exist)."""
    if not actor.active:
        raise NotPermitted("Tài khoản đã bị khóa.")
    if state is not None and state not in STATES:
        state = None
    today = today or deadlines.local_today()
    plan = queries.default_plan(session) if plan_id is None else session.get(Plan, plan_id)
    if plan is None and plan_id is not None:
        raise NotFound("Không tìm thấy kế hoạch này.")
    info = (
        PlanInfo(
            plan.id, plan.code, plan.number, plan.title, plan.issuer, plan.parent_ref,
            plan.period_end,
        )
        if plan is not None
        else None
    )  # fmt: skip
    options = queries.units(session)
    names = {u.id: u.name for u in options}
    all_rows = queries.task_rows(session, plan.id) if plan is not None else []
    rows = [
        PlanRow(r, deadlines.is_overdue(r.due_date, r.state, today))
        for r in all_rows
        if (state is None or r.state == state)
        and (
            unit_id is None
            or names.get(unit_id) in r.lead_units
            or names.get(unit_id) in r.coordinating_units
        )
    ]
    return PlanOverview(info, rows, options, len(all_rows))


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

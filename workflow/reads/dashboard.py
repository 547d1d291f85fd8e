"""The plan's true progress: items by state, % approved and overdue per task and per unit,
and the median time items spent in each state (from the stays each transition wrote). The
dashboard page and the API read the same `DashboardPage`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models import Deliverable, Plan, StateStay, Task, Unit, utcnow
from workflow.core import checkpoints, clock
from workflow.core.errors import NotFound, NotPermitted
from workflow.core.machine import APPROVED, STATES
from workflow.core.policy import Actor
from workflow.reads import queries


@dataclass
class Progress:
    label: str
    key: object = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def approved_percent(self) -> float:
        return 100.0 * self.counts[APPROVED] / self.total if self.total else 0.0


@dataclass
class Dashboard:
    by_task: list[Progress]
    by_unit: list[Progress]
    overall: Progress
    # state → median hours spent there (None: no item has left that state yet)
    median_hours: dict[str, float | None]
    stays_measured: dict[str, int]


def _progress(session: Session, plan_id: int, today: date, group, label, order) -> list[Progress]:
    overdue = case(((Deliverable.due_date < today) & (Deliverable.state != APPROVED), 1), else_=0)
    rows = session.execute(
        select(group, label, Deliverable.state, func.count(), func.sum(overdue))
        .select_from(Deliverable)
        .join(Task, Task.id == Deliverable.task_id)
        .join(Unit, Unit.id == Deliverable.unit_id)
        .where(Task.plan_id == plan_id)
        .group_by(group, label, Deliverable.state)
        .order_by(order)
    ).all()
    result: dict[object, Progress] = {}
    for key, name, state, count, late in rows:
        progress = result.setdefault(key, Progress(str(name), key))
        progress.counts[state] += count
        progress.overdue += int(late or 0)
    return list(result.values())


def _median_hours(session: Session, plan_id: int, now: datetime) -> tuple[dict, dict]:
    """Each stay of an item in a state is the time between entering and leaving it; an item
    is in draft from its creation. Stays not yet ended are left out. Read from `state_stay`
    (written by each transition), two indexed look-ups per state."""
    medians: dict[str, float | None] = {}
    measured: dict[str, int] = {}
    for state in STATES:
        where = (StateStay.plan_id == plan_id, StateStay.state == state)
        n = session.execute(select(func.count()).select_from(StateStay).where(*where)).scalar()
        measured[state] = n or 0
        if not n:
            medians[state] = None
            continue
        middle = list(
            session.execute(
                select(StateStay.seconds)
                .where(*where)
                .order_by(StateStay.seconds)
                .offset((n - 1) // 2)
                .limit(2 if n % 2 == 0 else 1)
            ).scalars()
        )
        medians[state] = round(sum(middle) / len(middle) / 3600, 1)
    return medians, measured


def dashboard(
    session: Session, plan_id: int, today: date, now: datetime | None = None
) -> Dashboard:
    by_task = _progress(session, plan_id, today, Task.number, Task.title, Task.number)
    for row in by_task:
        row.label = f"{row.key}. {row.label}"
    by_unit = _progress(session, plan_id, today, Unit.id, Unit.name, Unit.id)
    overall = Progress("Toàn kế hoạch")
    for row in by_task:
        for state, count in row.counts.items():
            overall.counts[state] += count
        overall.overdue += row.overdue
    medians, measured = _median_hours(session, plan_id, now or utcnow())
    return Dashboard(by_task, by_unit, overall, medians, measured)


@dataclass(frozen=True)
class DashboardPage:
    plan_id: int | None
    plan_title: str
    plan_code: str
    today: date
    board: Dashboard | None
    # The audit trail's latest signed checkpoint, for the page's footer line (issue 9).
    audit_checkpoint: checkpoints.Checkpoint | None = None


def dashboard_page(
    session: Session, actor: Actor, today: date | None = None, plan_id: int | None = None
) -> DashboardPage:
    """A plan's progress in figures (counts only, no item's content), the first plan's
    without `plan_id`: for every signed-in user, as the plan overview shows progress to
    everyone. The dashboard page and the API's."""
    if not actor.active:
        raise NotPermitted("Tài khoản đã bị khóa.")
    today = today or clock.today_local()
    plan = queries.default_plan(session) if plan_id is None else session.get(Plan, plan_id)
    if plan is None and plan_id is not None:
        raise NotFound("Không tìm thấy kế hoạch này.")
    latest = checkpoints.latest(session)
    if plan is None:
        return DashboardPage(None, "", "", today, None, latest)
    return DashboardPage(
        plan.id, plan.title, plan.code, today, dashboard(session, plan.id, today), latest
    )

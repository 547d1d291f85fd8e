"""Periodic reports (báo cáo định kỳ): for every "Thường xuyên" task, one report per lead unit
per period (monthly by default, or quarterly) over the plan's period, created idempotently."""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Deliverable, Plan, Task, TaskUnit, Unit
from workflow.accounts.users import SYSTEM
from workflow.core import audit
from workflow.core.errors import InvalidInput, NotFound
from workflow.core.transaction import Write, write_transaction

FREQUENCIES = {"monthly": 1, "quarterly": 3}


def periods(start: date, end: date, months: int) -> Iterator[tuple[date, date]]:
    """Calendar periods of `months` months covering [start, end], aligned to the calendar
    (quarters start in January, April, July, October)."""
    month = start.month - (start.month - 1) % months
    year = start.year
    while date(year, month, 1) <= end:
        last_month = month + months - 1
        last_year = year + (last_month - 1) // 12
        last_month = (last_month - 1) % 12 + 1
        yield (
            date(year, month, 1),
            date(last_year, last_month, calendar.monthrange(last_year, last_month)[1]),
        )
        month += months
        if month > 12:
            year, month = year + 1, month - 12


QUARTERS = ("I", "II", "III", "IV")


def label(first: date, last: date) -> str:
    if first.month == last.month:
        return f"tháng {first.month:02d}/{first.year}"
    return f"quý {QUARTERS[(first.month - 1) // 3]}/{first.year}"


def ensure_periodic_reports(session: Session, plan_id: int, frequency: str = "monthly") -> int:
    """Create the missing periodic reports of a plan's ongoing tasks, in one write
    transaction of their own; returns how many."""
    with write_transaction(session) as write:
        return add_periodic_reports(write, plan_id, frequency)


def add_periodic_reports(write: Write, plan_id: int, frequency: str = "monthly") -> int:
    """The missing periodic reports of a plan's ongoing tasks, created inside the caller's
    write transaction (one audit event for them all); returns how many."""
    if frequency not in FREQUENCIES:
        raise InvalidInput(f"Chu kỳ không hợp lệ; chọn trong: {', '.join(FREQUENCIES)}.")
    session = write.session
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("Không tìm thấy kế hoạch.")
    start = plan.period_start or (plan.issue_date or plan.created_at.date()).replace(day=1)
    end = plan.period_end
    if end is None:
        raise InvalidInput("Kế hoạch chưa có thời hạn kết thúc; không thể chia kỳ báo cáo.")
    leads = session.execute(
        select(Task.id, TaskUnit.unit_id, Unit.name)
        .join(TaskUnit, TaskUnit.task_id == Task.id)
        .join(Unit, Unit.id == TaskUnit.unit_id)
        .where(Task.plan_id == plan_id, Task.timing_kind == "ongoing", TaskUnit.role == "lead")
        .order_by(Task.number, TaskUnit.position)
    ).all()
    existing = set(
        session.execute(
            select(Deliverable.task_id, Deliverable.unit_id, Deliverable.period_start)
            .join(Task, Task.id == Deliverable.task_id)
            .where(Task.plan_id == plan_id, Deliverable.kind == "periodic_report")
        ).all()
    )
    shared = Counter(task_id for task_id, _, _ in leads)  # tasks several units lead
    created = []
    for first, last in periods(start, end, FREQUENCIES[frequency]):
        for task_id, unit_id, unit_name in leads:
            if (task_id, unit_id, first) in existing:
                continue
            suffix = f" — {unit_name}" if shared[task_id] > 1 else ""
            created.append(
                Deliverable(
                    task_id=task_id,
                    unit_id=unit_id,
                    kind="periodic_report",
                    title=f"Báo cáo định kỳ {label(first, last)}{suffix}",
                    period_start=first,
                    due_date=min(last, end),
                    data={},
                )
            )
    if created:
        session.add_all(created)
        session.flush()
        write.append(
            item_type="plan",
            item_id=plan_id,
            action="periodic_reports",
            detail={"frequency": frequency, "created": len(created)},
            **audit.actor_fields(SYSTEM),
        )
    return len(created)

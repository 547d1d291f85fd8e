"""Periodic reports for "Thường xuyên" tasks: one per lead unit per period."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from models import Deliverable, Plan, Task
from workflow.core import errors
from workflow.items import periodic


def test_monthly_and_quarterly_periods_follow_the_calendar():
    months = list(periodic.periods(date(2025, 11, 1), date(2025, 12, 31), 1))
    assert months == [
        (date(2025, 11, 1), date(2025, 11, 30)),
        (date(2025, 12, 1), date(2025, 12, 31)),
    ]
    quarters = list(periodic.periods(date(2025, 11, 1), date(2026, 5, 31), 3))
    assert [periodic.label(*q) for q in quarters] == ["quý IV/2025", "quý I/2026", "quý II/2026"]


def test_seed_plan_gets_a_report_per_lead_unit_per_month_once(session, actors):
    plan_id = session.execute(select(Plan.id)).scalar_one()
    # seed-demo made them: ongoing tasks 1, 4, 6, 9 have one lead, 5 and 8 have six;
    # November and December 2025
    made = session.execute(
        select(func.count()).select_from(Deliverable).where(Deliverable.kind == "periodic_report")
    ).scalar_one()
    assert made == (4 + 6 + 6) * 2
    assert periodic.ensure_periodic_reports(session, plan_id) == 0
    reports = session.execute(
        select(Task.number, Deliverable.title, Deliverable.period_start, Deliverable.due_date)
        .join(Task, Task.id == Deliverable.task_id)
        .where(Deliverable.kind == "periodic_report", Task.number == 1)
        .order_by(Deliverable.period_start)
    ).all()
    assert [(r.title, r.period_start, r.due_date) for r in reports] == [
        ("Báo cáo định kỳ tháng 11/2025", date(2025, 11, 1), date(2025, 11, 30)),
        ("Báo cáo định kỳ tháng 12/2025", date(2025, 12, 1), date(2025, 12, 31)),
    ]
    no_deadline_tasks = session.execute(
        select(func.count())
        .select_from(Deliverable)
        .join(Task, Task.id == Deliverable.task_id)
        .where(Deliverable.kind == "periodic_report", Task.timing_kind != "ongoing")
    ).scalar_one()
    assert no_deadline_tasks == 0


def test_quarterly_reports_for_the_same_plan(session, actors):
    plan_id = session.execute(select(Plan.id)).scalar_one()
    # quý IV/2025 starts on 1 October: a new period beside the monthly ones
    assert periodic.ensure_periodic_reports(session, plan_id, "quarterly") == 16


def test_an_unknown_frequency_is_refused(session, actors):
    plan_id = session.execute(select(Plan.id)).scalar_one()
    with pytest.raises(errors.InvalidInput):
        periodic.ensure_periodic_reports(session, plan_id, "weekly")


def test_periodic_reports_of_a_task_led_by_several_units_name_the_unit(session, actors):
    titles = (
        session.execute(
            select(Deliverable.title)
            .join(Task, Task.id == Deliverable.task_id)
            .where(Task.number == 5, Deliverable.period_start == date(2025, 11, 1))
        )
        .scalars()
        .all()
    )
    assert "Báo cáo định kỳ tháng 11/2025 — Chi cục Quản lý thị trường" in titles
    assert len(titles) == 6


def test_periodic_reports_command(app, actors):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["periodic-reports"])
    assert result.exit_code == 0 and "Đã tạo 0" in result.output  # seed-demo made them
    unknown = runner.invoke(args=["periodic-reports", "--plan", "KH-khong-co"])
    assert unknown.exit_code != 0 and unknown.output.startswith("Lỗi:")

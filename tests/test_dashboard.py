"""The dashboard's figures on a known data set, and its SVG chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta

from sqlalchemy import select, text

from documents.charts import stacked_bars
from models import Deliverable, Plan, Task
from tests.helpers import bring_to, fill
from workflow.core import service
from workflow.core.machine import STATE_LABELS
from workflow.reads import dashboard

TODAY = date(2025, 12, 1)  # task 2 and 3's deadlines have passed, task 7's has not


def deliverable_of(session, kind: str) -> int:
    return session.execute(select(Deliverable.id).where(Deliverable.kind == kind)).scalar_one()


def test_counts_percentages_and_overdue_per_task_and_unit(session, actors):
    bring_to(session, actors, ("deliverable", deliverable_of(session, "regulation")), "approved")
    bring_to(
        session, actors, ("deliverable", deliverable_of(session, "steering_committee")), "submitted"
    )
    plan_id = session.execute(select(Plan.id)).scalar_one()
    board = dashboard.dashboard(session, plan_id, TODAY)

    task = {row.key: row for row in board.by_task}
    assert task[3].counts == {"draft": 0, "submitted": 0, "reviewed": 0, "approved": 1}
    assert task[3].approved_percent == 100.0 and task[3].overdue == 0
    assert task[2].counts["submitted"] == 1 and task[2].counts["draft"] == 2
    assert task[2].overdue == 3  # due 15/11/2025, none approved
    assert task[7].overdue == 0 and task[7].total == 6
    unit = {row.label: row for row in board.by_unit}
    # tasks 5 and 8: a periodic report per month (2 each), task 7: one report
    assert unit["Chi cục Quản lý thị trường"].total == 5
    assert board.overall.total == 43 and board.overall.counts["approved"] == 1
    assert round(board.overall.approved_percent, 1) == round(100 / 43, 1)


def test_median_time_in_each_state_is_kept_by_each_transition(session, actors, monkeypatch):
    """Each transition writes how long the item stayed in the state it leaves (the
    dashboard does not re-read the whole trail)."""
    regulation = deliverable_of(session, "regulation")
    # Created at 0 h, submitted +10 h, reviewed +14 h, approved +20 h.
    start = datetime(2025, 11, 1, 0, 0)
    session.execute(
        text("UPDATE deliverable SET created_at = :t WHERE id = :id"),
        {"t": start, "id": regulation},
    )
    session.commit()
    fill(session, actors, regulation)  # its content first: the clock below is the transitions'
    times = iter(start + timedelta(hours=h) for h in (10, 14, 20))
    monkeypatch.setattr(service, "utcnow", lambda: next(times))
    bring_to(session, actors, ("deliverable", regulation), "approved")
    plan_id = session.execute(select(Plan.id)).scalar_one()
    board = dashboard.dashboard(session, plan_id, TODAY)
    assert board.median_hours == {
        "draft": 10.0,
        "submitted": 4.0,
        "reviewed": 6.0,
        "approved": None,
    }
    assert board.stays_measured == {"draft": 1, "submitted": 1, "reviewed": 1, "approved": 0}
    entered = session.execute(
        select(Deliverable.state_entered_at, Deliverable.last_action).where(
            Deliverable.id == regulation
        )
    ).one()
    assert entered == (start + timedelta(hours=20), "approve")


def test_median_of_an_even_number_of_stays_is_the_mean_of_the_middle_two(
    session, actors, monkeypatch
):
    start = datetime(2025, 11, 1, 0, 0)
    ids = [deliverable_of(session, "regulation"), deliverable_of(session, "steering_committee")]
    for item_id in ids:
        session.execute(
            text("UPDATE deliverable SET created_at = :t WHERE id = :id"),
            {"t": start, "id": item_id},
        )
    session.commit()
    for item_id in ids:  # their content first: the clock below is the transitions'
        fill(session, actors, item_id)
    times = iter(start + timedelta(hours=h) for h in (2, 6))
    monkeypatch.setattr(service, "utcnow", lambda: next(times))
    for item_id in ids:
        bring_to(session, actors, ("deliverable", item_id), "submitted")
    board = dashboard.dashboard(session, session.execute(select(Plan.id)).scalar_one(), TODAY)
    assert board.median_hours["draft"] == 4.0 and board.stays_measured["draft"] == 2


def test_chart_is_valid_svg_with_every_row_and_count(session, actors):
    plan_id = session.execute(select(Plan.id)).scalar_one()
    board = dashboard.dashboard(session, plan_id, TODAY)
    svg = stacked_bars(
        [(r.label, r.counts) for r in board.by_task], STATE_LABELS, title="Tiến độ <theo> nhiệm vụ"
    )
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    texts = "".join(root.itertext())
    assert "Dự thảo" in texts and "Đã phê duyệt" in texts
    tasks = session.execute(select(Task.number)).scalars().all()
    for number in tasks:
        assert f"{number}. " in texts
    assert "&lt;theo&gt;" in svg  # escaped

"""The results report's data: states, on time or late, what was done, counts, range, queries.

`arrange` is shared by the other test_report_* modules: it moves three deliverables of the
seed plan through the workflow (with perform) so the report has something to tell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from models import Deliverable, Plan, Task, Unit
from tests.helpers import bring_to, fill
from workflow.core import service
from workflow.core.errors import InvalidInput, NotFound
from workflow.items import editing
from workflow.reads import reporting
from workflow.reads.reporting import LATE, ON_TIME, ONGOING, OVERDUE, PENDING, UNKNOWN

FUTURE = date(2099, 12, 31)
ON_TIME_BODY = "Đã ban hành Quy chế <mới> & gửi các phòng.\n=SUM(A1:A9) không phải công thức."
LATE_BODY = "Quyết định số 12/QĐ-SCT kiện toàn Ban Chỉ đạo."


@dataclass(frozen=True)
class Arranged:
    plan_id: int
    on_time: int  # regulation of task 3, due in the future, approved
    late: int  # steering committee of task 2, due 15/11/2025, approved
    reviewed: int  # task 1's report, due 31/12/2025, reviewed only
    task3: int


def _deliverable(session, kind: str, task_number: int) -> Deliverable:
    return session.execute(
        select(Deliverable)
        .join(Task, Task.id == Deliverable.task_id)
        .where(Deliverable.kind == kind, Task.number == task_number)
        .order_by(Deliverable.id)
        .limit(1)
    ).scalar_one()


def arrange(session, actors, *, approve_task3: bool = False) -> Arranged:
    plan_id = session.execute(select(Plan.id)).scalar_one()
    regulation = _deliverable(session, "regulation", 3)
    committee = _deliverable(session, "steering_committee", 2)
    task1_report = _deliverable(session, "periodic_report", 1)  # November's
    ids = (regulation.id, committee.id, task1_report.id, regulation.task_id)
    clerk = actors["vp.chuyenvien"]
    editing.change_due_date(
        session, actors["vp.thamdinh"], ids[0], FUTURE, "Kế hoạch điều chỉnh thời hạn."
    )
    editing.edit_deliverable(session, clerk, ids[0], {"body": ON_TIME_BODY})
    for username, action in (
        ("vp.chuyenvien", "submit"),
        ("vp.thamdinh", "review"),
        ("giamdoc", "approve"),
    ):
        service.perform(session, actors[username], ("deliverable", ids[0]), action)
    fill(session, actors, ids[1])  # the committee's members, decision and files
    editing.edit_deliverable(session, clerk, ids[1], {"body": LATE_BODY})
    for username, action in (
        ("vp.chuyenvien", "submit"),
        ("vp.thamdinh", "review"),
        ("phogiamdoc", "approve"),
    ):
        service.perform(session, actors[username], ("deliverable", ids[1]), action)
    bring_to(session, actors, ("deliverable", ids[2]), "reviewed")
    if approve_task3:
        task = session.get(Task, ids[3])
        task.due_date = FUTURE  # arrangement only: tasks' dates are not editable yet
        session.commit()
        bring_to(session, actors, ("task", ids[3]), "approved")
    session.rollback()
    return Arranged(plan_id, *ids)


def today() -> date:
    return reporting.local_today()


def test_every_task_with_its_state_units_and_deliverables(session, actors):
    a = arrange(session, actors)
    report = reporting.report_data(session, a.plan_id)
    assert [t.number for t in report.tasks] == list(range(1, 10))
    assert report.plan.issuer == "Sở Công Thương tỉnh Quảng Ngãi"
    assert report.plan.parent_body == "UBND TỈNH QUẢNG NGÃI"
    assert report.plan.agency == "SỞ CÔNG THƯƠNG"
    assert report.plan.place == "Quảng Ngãi" and report.plan.symbol == "SCT"
    assert report.title == (
        "Kết quả thực hiện Kế hoạch thực hiện dân chủ ở cơ sở và công tác dân vận chính "
        "quyền từ nay đến cuối năm 2025"
    )
    assert report.signer_name == "Trần Minh Đức"  # the one director
    t2 = report.tasks[1]
    assert t2.lead_units == ("Văn phòng Sở",)
    assert t2.due_date == date(2025, 11, 15) and t2.deadline_text == "15/11/2025"
    assert t2.state_label == "Dự thảo"
    assert [d.state for d in t2.deliverables] == ["approved", "draft", "draft"]
    t5 = report.tasks[4]
    assert len(t5.lead_units) == 6 and t5.timing_text == "Thường xuyên"
    assert t5.leads_text == "Văn phòng Sở; Các phòng thuộc Sở; Chi cục Quản lý thị trường"
    assert t5.deadline_text == "Thường xuyên" and t5.timeliness == ONGOING
    assert t2.timing_line == "Hoàn thành trước ngày 15/11/2025"
    assert report.tasks[6].timing_line == "Năm 2025 (hạn 31/12/2025)"
    assert t5.timing_line == "Thường xuyên"
    assert sum(len(t.deliverables) for t in report.tasks) == 43


def test_on_time_late_and_overdue(session, actors):
    a = arrange(session, actors)
    report = reporting.report_data(session, a.plan_id)
    items = {d.id: d for d in report.deliverables}
    on_time, late, reviewed = items[a.on_time], items[a.late], items[a.reviewed]
    assert on_time.timeliness == ON_TIME and on_time.timeliness_label == "Đúng hạn"
    assert on_time.approved_by == "giamdoc" and on_time.approved_at.date() == today()
    assert late.timeliness == LATE and late.timeliness_label == "Trễ hạn"
    assert late.approved_by == "phogiamdoc"
    assert reviewed.state_label == "Đã thẩm định" and reviewed.approved_at is None
    assert reviewed.timeliness == OVERDUE  # due 31/12/2025, not approved, as of today
    s = report.summary
    assert (s.deliverables_approved, s.deliverables_total) == (2, 43)
    assert (s.on_time, s.late, s.overdue, s.pending) == (1, 1, 41, 0)
    assert s.tasks_total == 9 and s.tasks_in("draft") == 9
    # Tasks: 2, 3 and 7 have past deadlines and are not approved; the rest are ongoing.
    assert dict(s.task_timeliness) == {OVERDUE: 3, ONGOING: 6}


def test_an_approved_task_on_time(session, actors):
    a = arrange(session, actors, approve_task3=True)
    report = reporting.report_data(session, a.plan_id)
    t3 = report.tasks[2]
    assert t3.state == "approved" and t3.state_label == "Đã phê duyệt"
    assert t3.timeliness == ON_TIME and t3.approved_at.date() == today()
    assert report.summary.tasks_in("approved") == 1


def test_what_was_done_is_the_bodies_approved_within_the_range(session, actors):
    a = arrange(session, actors)
    report = reporting.report_data(session, a.plan_id, today(), today())
    done = {t.number: t.done for t in report.tasks}
    assert [d.body for d in done[3]] == [ON_TIME_BODY.strip()]
    assert [d.body for d in done[2]] == [LATE_BODY]
    assert done[2][0].unit == "Văn phòng Sở" and done[2][0].approved_on == today()
    assert not done[1]  # reviewed, not approved
    assert report.summary.deliverables_approved_in_range == 2
    # The approvals happened today: a range that ends yesterday holds none of them …
    before = reporting.report_data(session, a.plan_id, None, today() - timedelta(days=1))
    assert all(not t.done for t in before.tasks) and before.events == ()
    # … but states and on-time status are those of now, whatever the range.
    assert {d.id: d.timeliness for d in before.deliverables}[a.on_time] == ON_TIME


def test_events_of_the_range_only_this_plans_items(session, actors):
    a = arrange(session, actors)
    report = reporting.report_data(session, a.plan_id, today(), today())
    actions = [(e.item_type, e.action) for e in report.events]
    # seed's plan creation + 2 edits, 2×(submit, review, approve), 1 fill + submit + review
    assert actions.count(("deliverable", "approve")) == 2
    assert ("plan", "create") in actions
    assert all(e.item_type in ("plan", "task", "deliverable") for e in report.events)
    assert [e.seq for e in report.events] == sorted(e.seq for e in report.events)
    approve = next(e for e in report.events if e.action == "approve")
    assert approve.action_label == "Phê duyệt" and approve.to_state == "Đã phê duyệt"
    assert approve.item_label.startswith("NV ") and approve.at.date() == today()
    future = reporting.report_data(session, a.plan_id, today() + timedelta(days=1), FUTURE)
    assert future.events == () and future.summary.deliverables_approved_in_range == 0


def test_a_fixed_number_of_queries(app, session, actors):
    a = arrange(session, actors)
    engine = app.extensions["pheduyet.db"].engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        session.rollback()
        reporting.report_data(session, a.plan_id)
        few = len(statements)
        drafts = session.execute(
            select(Deliverable.id)
            .join(Unit, Unit.id == Deliverable.unit_id)
            .where(Deliverable.state == "draft", Unit.code == "vp")
        ).scalars()
        for item_id in list(drafts)[:5]:  # more approvals and events, the same queries
            bring_to(session, actors, ("deliverable", item_id), "approved")
        session.rollback()
        statements.clear()
        report = reporting.report_data(session, a.plan_id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == few == 10  # issue 9: the latest audit checkpoint; 12: names
    assert report.summary.deliverables_approved == 7


def test_bad_input(session, actors):
    plan_id = session.execute(select(Plan.id)).scalar_one()
    with pytest.raises(InvalidInput, match="sau ngày kết thúc"):
        reporting.report_data(session, plan_id, date(2025, 12, 2), date(2025, 12, 1))
    with pytest.raises(NotFound):
        reporting.report_data(session, plan_id + 99)
    with pytest.raises(NotFound, match="KH-KHONG-CO"):
        reporting.find_plan(session, "KH-KHONG-CO")
    assert reporting.find_plan(session, str(plan_id)).id == plan_id
    assert reporting.find_plan(session, "KH-SCT-DCCS-2025").id == plan_id
    with pytest.raises(ValueError, match="ngày không hợp lệ"):
        reporting.parse_date("31/02/2025")
    assert reporting.parse_date("05/11/2025") == reporting.parse_date("2025-11-05")


@pytest.mark.parametrize(
    ("due", "state", "approved", "as_of", "expected"),
    [
        (date(2025, 11, 15), "approved", datetime(2025, 11, 15, 23, 59), date(2026, 1, 1), ON_TIME),
        (date(2025, 11, 15), "approved", datetime(2025, 11, 16, 0, 1), date(2026, 1, 1), LATE),
        (date(2025, 11, 15), "approved", None, date(2026, 1, 1), UNKNOWN),
        (None, "approved", datetime(2025, 11, 16), date(2026, 1, 1), ONGOING),
        (date(2025, 11, 15), "reviewed", None, date(2025, 11, 15), PENDING),
        (date(2025, 11, 15), "reviewed", None, date(2025, 11, 16), OVERDUE),
        (None, "draft", None, date(2026, 1, 1), ONGOING),
    ],
)
def test_timeliness_rules(due, state, approved, as_of, expected):
    assert reporting.timeliness(due, state, approved, as_of) == expected


def test_dates_are_local_to_viet_nam():
    # 15/11/2025 20:00 UTC is 16/11/2025 03:00 in Hà Nội: a due date of 15/11 is missed.
    local = reporting.to_local(datetime(2025, 11, 15, 20, 0))
    assert local == datetime(2025, 11, 16, 3, 0)
    assert reporting.timeliness(date(2025, 11, 15), "approved", local, date(2026, 1, 1)) == LATE
    assert reporting.local_day_start_utc(date(2025, 11, 16)) == datetime(2025, 11, 15, 17, 0)


def test_issuer_and_plan_reference_variants():
    parts = reporting.describe_issuer("Sở Tư pháp thành phố Hà Nội")
    assert parts["parent_body"] == "UBND THÀNH PHỐ HÀ NỘI" and parts["agency"] == "SỞ TƯ PHÁP"
    assert parts["parent_short"] == "UBND thành phố" and parts["place"] == "Hà Nội"
    assert reporting.describe_issuer("Bộ Công Thương")["parent_body"] == ""
    assert reporting.agency_symbol("12/KH-UBND", "Ủy ban") == "UBND"
    assert reporting.agency_symbol("", "Sở Tư pháp") == "STP"
    assert reporting.group_units(
        ["A", "P1", "B", "P2"], {"Các phòng": ["P1", "P2"], "Một": ["A"]}
    ) == ["A", "Các phòng", "B"]

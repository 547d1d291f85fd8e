"""The seed plan: nine tasks with the plan's lead and coordinating units and due dates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from models import Deliverable, Plan, User
from tests.conftest import FAST_HASH, TEST_PASSWORD
from workflow.accounts.users import password_matches
from workflow.intake import seed
from workflow.reads import queries

OFFICE = ["Văn phòng Sở"]
DIVISIONS = [name for _, name in seed.DEFAULT_DIVISIONS]
QLTT = "Chi cục Quản lý thị trường"
EVERYONE = OFFICE + DIVISIONS + [QLTT]

# number: (lead units, coordinating units, due date, timing text)
EXPECTED = {
    1: (OFFICE, DIVISIONS + [QLTT], None, "Thường xuyên"),
    2: (OFFICE, DIVISIONS + [QLTT], date(2025, 11, 15), "Hoàn thành trước ngày 15/11/2025"),
    3: (OFFICE, DIVISIONS + [QLTT], date(2025, 11, 20), "Hoàn thành trước ngày 20/11/2025"),
    4: (OFFICE, DIVISIONS + [QLTT], None, "Thường xuyên"),
    5: (EVERYONE, [], None, "Thường xuyên"),
    6: (OFFICE, DIVISIONS + [QLTT], None, "Thường xuyên"),
    7: (EVERYONE, [], date(2025, 12, 31), "Năm 2025"),
    8: (EVERYONE, [], None, "Thường xuyên"),
    9: (OFFICE, DIVISIONS + [QLTT], None, "Thường xuyên"),
}


def test_seed_plan_has_nine_tasks_with_their_units_and_due_dates(session, actors):
    rows = queries.task_rows(session)
    assert [r.number for r in rows] == list(range(1, 10))
    for row in rows:
        leads, coordinating, due, timing = EXPECTED[row.number]
        assert row.lead_units == leads, row.number
        assert row.coordinating_units == coordinating, row.number
        assert row.due_date == due, row.number
        assert row.timing_text == timing, row.number


def test_seed_plan_header(session, actors):
    plan = session.execute(select(Plan)).scalar_one()
    assert plan.number == "/KH-SCT"
    assert plan.issuer == "Sở Công Thương tỉnh Quảng Ngãi"
    assert "67/KH-UBND ngày 26/10/2025" in plan.parent_ref
    assert plan.period_end == date(2025, 12, 31)
    assert "Dân vận khéo" in plan.source_text


def test_seed_deliverables_follow_the_plan(session, actors):
    by_task = {r.number: r.total for r in queries.task_rows(session)}
    # ongoing tasks: a periodic report per lead unit for November and December 2025
    assert by_task == {1: 2, 2: 3, 3: 1, 4: 2, 5: 12, 6: 2, 7: 6, 8: 12, 9: 1 + 2}
    kinds = dict(
        session.execute(select(Deliverable.kind, func.count()).group_by(Deliverable.kind)).all()
    )
    assert kinds["steering_committee"] == 1
    assert kinds["regulation"] == 1
    assert kinds["nominations"] == 1
    assert kinds["periodic_report"] == 32
    task7 = queries.deliverable_rows(session, task_number=7)
    assert sorted(unit for _, _, unit in task7) == sorted(EVERYONE)
    assert all(d.due_date == date(2025, 12, 31) for d, _, _ in task7)


def test_seed_is_idempotent(session, actors):
    again = seed.seed_demo(session, password=TEST_PASSWORD, password_method=FAST_HASH)
    assert again.units_created == 0 and again.users_created == [] and not again.plan_created
    assert session.execute(select(func.count()).select_from(Plan)).scalar_one() == 1


def test_demo_users_cover_every_role_with_hashed_passwords(session, actors):
    roles = set().union(*(a.roles for a in actors.values()))
    assert roles == {"member", "reviewer", "deputy_director", "director", "admin", "auditor"}
    user = session.execute(select(User).where(User.username == "giamdoc")).scalar_one()
    assert TEST_PASSWORD not in user.password_hash
    assert password_matches(user, TEST_PASSWORD)
    assert not password_matches(user, "wrong-password")
    for code, _ in seed.DEFAULT_DIVISIONS:
        assert f"{code}.chuyenvien" in actors


def test_without_a_demo_password_a_random_one_is_made_and_reported(session):
    report = seed.seed_demo(session, password=None, password_method=FAST_HASH)
    assert report.password and len(report.password) >= 12
    user = session.execute(select(User).where(User.username == "admin")).scalar_one()
    assert password_matches(user, report.password)


def test_divisions_are_configurable(session):
    divisions = seed.parse_divisions("ql1=Phòng Một;ql2=Phòng Hai")
    seed.seed_demo(session, password=TEST_PASSWORD, divisions=divisions, password_method=FAST_HASH)
    rows = {r.number: r for r in queries.task_rows(session)}
    assert rows[1].coordinating_units == ["Phòng Một", "Phòng Hai", QLTT]
    assert "ql2.chuyenvien" in set(session.execute(select(User.username)).scalars())

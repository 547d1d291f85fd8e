"""Separation of duties, guards, stale versions and the audit row each action leaves."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEvent, Deliverable, Task, User
from tests.conftest import FAST_HASH, TEST_PASSWORD
from tests.helpers import audit_count, bring_to, fill, office_deliverable, state_and_version
from workflow.accounts import users as accounts
from workflow.core import errors, service
from workflow.core.policy import Actor


def make_user(session, username: str, unit: str, *roles: str) -> Actor:
    accounts.create_user(
        session,
        username=username,
        full_name=username,
        unit_code=unit,
        roles=roles,
        password=TEST_PASSWORD,
        password_method=FAST_HASH,
    )
    session.commit()
    return Actor.of(session.execute(select(User).where(User.username == username)).scalar_one())


def test_office_member_who_submitted_cannot_review_it(session, actors):
    both = make_user(session, "vp.kiemnhiem", "vp", "member", "reviewer")
    item = ("deliverable", office_deliverable(session).id)
    fill(session, actors, item[1])
    service.perform(session, both, item, "submit")
    with pytest.raises(errors.NotPermitted, match="tách bạch"):
        service.perform(session, both, item, "review")
    assert state_and_version(session, item)[0] == "submitted"


def test_another_office_reviewer_may_review_what_a_colleague_submitted(session, actors):
    both = make_user(session, "vp.kiemnhiem", "vp", "member", "reviewer")
    item = ("deliverable", office_deliverable(session).id)
    bring_to(session, actors, item, "submitted")  # submitted by vp.chuyenvien
    assert service.perform(session, both, item, "review").to_state == "reviewed"


def test_director_cannot_approve_what_they_reviewed(session, actors):
    boss = make_user(session, "gd.kiemnhiem", "bgd", "director", "reviewer")
    item = ("deliverable", office_deliverable(session).id)
    bring_to(session, actors, item, "submitted")
    service.perform(session, boss, item, "review")
    with pytest.raises(errors.NotPermitted, match="tách bạch"):
        service.perform(session, boss, item, "approve")


def test_director_cannot_approve_what_they_submitted(session, actors):
    boss = make_user(session, "gd.chuyenvien", "vp", "director", "member")
    item = ("deliverable", office_deliverable(session).id)
    fill(session, actors, item[1])
    service.perform(session, boss, item, "submit")
    service.perform(session, actors["vp.thamdinh"], item, "review")
    with pytest.raises(errors.NotPermitted):
        service.perform(session, boss, item, "approve")
    assert service.perform(session, actors["phogiamdoc"], item, "approve").to_state == "approved"


def test_director_cannot_approve_what_was_not_reviewed(session, actors):
    item = ("deliverable", office_deliverable(session).id)
    bring_to(session, actors, item, "submitted")
    with pytest.raises(errors.InvalidTransition):
        service.perform(session, actors["giamdoc"], item, "approve")


def test_a_deliverable_without_content_cannot_be_submitted(session, actors):
    item = ("deliverable", office_deliverable(session).id)
    events = audit_count(session)
    with pytest.raises(errors.Incomplete, match="Chưa thể trình: thiếu số và ngày quyết định"):
        service.perform(session, actors["vp.chuyenvien"], item, "submit")
    assert audit_count(session) == events
    assert state_and_version(session, item) == ("draft", 1)


def test_a_task_cannot_be_submitted_until_its_deliverables_are_approved(session, actors):
    task = session.execute(select(Task).where(Task.number == 2)).scalar_one()
    ids = [d.id for d in task.deliverables]
    item = ("task", task.id)
    for deliverable_id in ids[:-1]:
        bring_to(session, actors, ("deliverable", deliverable_id), "approved")
    with pytest.raises(errors.Incomplete, match="1 sản phẩm"):
        service.perform(session, actors["vp.chuyenvien"], item, "submit")
    bring_to(session, actors, ("deliverable", ids[-1]), "approved")
    assert service.perform(session, actors["vp.chuyenvien"], item, "submit").to_state == "submitted"


def test_a_deliverable_not_required_does_not_hold_the_task_back(session, actors):
    task = session.execute(select(Task).where(Task.number == 3)).scalar_one()
    task.deliverables[0].required = False
    session.commit()
    assert service.perform(session, actors["vp.chuyenvien"], ("task", task.id), "submit")


def test_two_users_act_on_the_same_loaded_version_only_one_wins(session, actors, app):
    """Both loaded version 1; the first click wins, the second is told the item changed."""
    item_id = office_deliverable(session).id
    fill(session, actors, item_id)
    sessions = app.extensions["pheduyet.db"].sessions
    with sessions() as first, sessions() as second:
        loaded_by_first = first.get(Deliverable, item_id).version
        first.commit()
        loaded_by_second = second.get(Deliverable, item_id).version
        second.commit()
        events = audit_count(session)
        service.perform(
            first,
            actors["vp.chuyenvien"],
            ("deliverable", item_id),
            "submit",
            expected_version=loaded_by_first,
        )
        with pytest.raises(errors.StaleVersion):
            service.perform(
                second,
                actors["vp.chuyenvien"],
                ("deliverable", item_id),
                "submit",
                expected_version=loaded_by_second,
            )
    assert audit_count(session) == events + 1


def test_an_orm_item_carries_the_version_it_was_loaded_with(session, actors, app):
    item_id = office_deliverable(session).id
    fill(session, actors, item_id)
    with app.extensions["pheduyet.db"].sessions() as other:
        stale = other.get(Deliverable, item_id)
        service.perform(session, actors["vp.chuyenvien"], ("deliverable", item_id), "submit")
        with pytest.raises(errors.StaleVersion):
            service.perform(other, actors["vp.chuyenvien"], stale, "withdraw")


def test_each_action_leaves_one_audit_row_with_who_what_and_why(session, actors):
    item = ("deliverable", office_deliverable(session).id)
    bring_to(session, actors, item, "submitted")
    service.perform(
        session,
        actors["vp.thamdinh"],
        item,
        "return",
        reason="Thiếu danh sách thành viên",
        client_addr="10.0.0.7",
    )
    event = session.execute(
        select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)
    ).scalar_one()
    assert (event.item_type, event.item_id) == item
    assert (event.actor_username, event.actor_unit, event.actor_roles) == (
        "vp.thamdinh",
        "Văn phòng Sở",
        "reviewer",
    )
    assert (event.action, event.from_state, event.to_state) == ("return", "submitted", "draft")
    assert event.reason == "Thiếu danh sách thành viên"
    assert event.client_addr == "10.0.0.7"


def test_available_actions_follow_the_same_rules(session, actors):
    deliverable = office_deliverable(session)
    assert service.available_actions(actors["vp.chuyenvien"], deliverable) == ["submit"]
    assert service.available_actions(actors["vp.thamdinh"], deliverable) == []
    assert service.available_actions(actors["qltt.chuyenvien"], deliverable) == []
    bring_to(session, actors, ("deliverable", deliverable.id), "reviewed")
    session.refresh(deliverable)
    assert service.available_actions(actors["giamdoc"], deliverable) == [
        "return",
        "send_back",
        "approve",
    ]
    assert service.available_actions(actors["phogiamdoc"], deliverable) == [
        "return",
        "send_back",
        "approve",
    ]


def test_an_inactive_user_can_do_nothing(session, actors):
    user = session.execute(select(User).where(User.username == "vp.chuyenvien")).scalar_one()
    user.active = False
    session.commit()
    item = ("deliverable", office_deliverable(session).id)
    fill(session, actors, item[1])
    with pytest.raises(errors.WorkflowError):
        service.perform(session, Actor.of(user), item, "submit")

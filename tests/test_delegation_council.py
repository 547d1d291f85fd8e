"""Delegation (ủy quyền), send-back, council votes and regulation versions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import AuditEvent, Deliverable, RegulationVersion, User
from tests.conftest import FAST_HASH, TEST_PASSWORD
from tests.helpers import bring_to, fill, office_deliverable, state_and_version
from workflow.accounts import users as accounts
from workflow.core import clock, errors, service
from workflow.core.policy import Actor
from workflow.items import council, delegation, editing, regulation

TODAY = clock.today_local()


def last_event(session) -> AuditEvent:
    session.rollback()
    return session.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()


def make_user(session, username: str, unit: str, *roles: str) -> Actor:
    accounts.create_user(
        session, username=username, full_name=username, unit_code=unit, roles=roles,
        password=TEST_PASSWORD, password_method=FAST_HASH,
    )  # fmt: skip
    session.commit()
    return Actor.of(session.execute(select(User).where(User.username == username)).scalar_one())


# --- delegation ---------------------------------------------------------------------------


def test_a_delegate_approves_on_behalf_and_the_trail_names_both(session, actors):
    # Issue 9: the Director delegates to a Deputy Director (before, to a division member).
    item = ("deliverable", office_deliverable(session, "regulation").id)
    bring_to(session, actors, item, "reviewed")
    delegation.delegate(
        session,
        actors["giamdoc"],
        delegate_username="phogiamdoc",
        starts_on=TODAY,
        ends_on=TODAY,
    )
    outcome = service.perform(
        session, actors["phogiamdoc"], item, "approve", on_behalf_of="giamdoc"
    )
    assert outcome.to_state == "approved"
    event = last_event(session)
    assert (event.actor_username, event.on_behalf_of_username) == ("phogiamdoc", "giamdoc")


def test_without_the_delegation_the_colleague_cannot_approve(session, actors):
    item = ("deliverable", office_deliverable(session, "regulation").id)
    bring_to(session, actors, item, "reviewed")
    with pytest.raises(errors.NotPermitted):
        service.perform(session, actors["qltt.chuyenvien"], item, "approve")
    with pytest.raises(errors.NotPermitted, match="ủy quyền"):
        service.perform(session, actors["qltt.chuyenvien"], item, "approve", on_behalf_of="giamdoc")


def test_an_expired_delegation_gives_no_authority(session, actors):
    item = ("deliverable", office_deliverable(session, "regulation").id)
    bring_to(session, actors, item, "reviewed")
    delegation.delegate(
        session,
        actors["giamdoc"],
        delegate_username="phogiamdoc",
        starts_on=TODAY - timedelta(days=10),
        ends_on=TODAY - timedelta(days=1),
    )
    with pytest.raises(errors.NotPermitted, match="ủy quyền"):
        service.perform(session, actors["phogiamdoc"], item, "approve", on_behalf_of="giamdoc")


def test_a_revoked_delegation_gives_no_authority_and_both_steps_are_audited(session, actors):
    item = ("deliverable", office_deliverable(session, "regulation").id)
    bring_to(session, actors, item, "reviewed")
    made = delegation.delegate(
        session,
        actors["giamdoc"],
        delegate_username="phogiamdoc",
        starts_on=TODAY,
        ends_on=TODAY,
    )
    assert last_event(session).action == "delegate"
    delegation.revoke(session, actors["giamdoc"], made.id)
    assert last_event(session).action == "revoke"
    with pytest.raises(errors.NotPermitted):
        service.perform(session, actors["phogiamdoc"], item, "approve", on_behalf_of="giamdoc")
    assert state_and_version(session, item)[0] == "reviewed"


def test_a_delegate_who_submitted_cannot_approve_it_on_behalf(session, actors):
    # Issue 9: a delegate must hold the authority's role, so the submitter here is a Deputy
    # Director who is also a member of the Office (before: a plain member as delegate).
    both = make_user(session, "pgd.kiemnhiem", "vp", "deputy_director", "member")
    item = ("deliverable", office_deliverable(session, "regulation").id)
    fill(session, actors, item[1])
    service.perform(session, both, item, "submit")
    service.perform(session, actors["vp.thamdinh"], item, "review")
    delegation.delegate(
        session, actors["giamdoc"], delegate_username="pgd.kiemnhiem",
        starts_on=TODAY, ends_on=TODAY + timedelta(days=5),
    )  # fmt: skip
    with pytest.raises(errors.NotPermitted, match="tách bạch"):
        service.perform(session, both, item, "approve", on_behalf_of="giamdoc")


def test_only_approvers_and_reviewers_can_delegate(session, actors):
    with pytest.raises(errors.NotPermitted):
        delegation.delegate(
            session,
            actors["vp.chuyenvien"],
            delegate_username="qltt.chuyenvien",
            starts_on=TODAY,
            ends_on=TODAY,
        )
    with pytest.raises(errors.InvalidInput):
        delegation.delegate(
            session,
            actors["giamdoc"],
            delegate_username="qltt.chuyenvien",
            starts_on=TODAY,
            ends_on=TODAY - timedelta(days=1),
        )


# --- send back ----------------------------------------------------------------------------


def test_director_sends_a_reviewed_item_back_to_the_office_with_a_reason(session, actors):
    item = ("deliverable", office_deliverable(session).id)
    bring_to(session, actors, item, "reviewed")
    with pytest.raises(errors.ReasonRequired):
        service.perform(session, actors["giamdoc"], item, "send_back")
    outcome = service.perform(
        session, actors["giamdoc"], item, "send_back", reason="Thẩm định lại thành phần"
    )
    assert outcome.to_state == "submitted"
    # the Office reviews again (the reviewer may be the same person as before)
    assert service.perform(session, actors["vp.thamdinh"], item, "review").to_state == "reviewed"


# --- council votes ------------------------------------------------------------------------


@pytest.fixture
def nominations(session, actors):
    item = ("deliverable", office_deliverable(session, "nominations").id)
    fill(session, actors, item[1])
    service.perform(session, actors["vp.chuyenvien"], item, "submit")
    return item


def vote(session, actors, username, item, in_favour=True):
    return council.cast_vote(session, actors[username], item[1], in_favour=in_favour, comment="ok")


def test_council_quorum_reached_makes_the_item_reviewed(session, actors, nominations):
    assert vote(session, actors, "phogiamdoc", nominations).votes_for == 1
    assert vote(session, actors, "khtc.chuyenvien", nominations).votes_for == 2
    assert state_and_version(session, nominations)[0] == "submitted"
    result = vote(session, actors, "qltt.chuyenvien", nominations)
    assert result.reached and result.votes_for == 3
    assert state_and_version(session, nominations)[0] == "reviewed"
    actions = (
        session.execute(
            select(AuditEvent.action)
            .where(AuditEvent.item_type == "deliverable", AuditEvent.item_id == nominations[1])
            .order_by(AuditEvent.seq)
        )
        .scalars()
        .all()
    )
    assert actions[-4:] == ["vote", "vote", "vote", "review"]
    assert (
        service.perform(session, actors["giamdoc"], nominations, "approve").to_state == "approved"
    )


def test_council_quorum_not_reached_keeps_it_submitted(session, actors, nominations):
    vote(session, actors, "phogiamdoc", nominations)
    vote(session, actors, "khtc.chuyenvien", nominations, in_favour=False)
    vote(session, actors, "qltt.chuyenvien", nominations, in_favour=False)
    assert state_and_version(session, nominations)[0] == "submitted"
    with pytest.raises(errors.Incomplete, match="phiếu"):
        service.perform(session, actors["vp.thamdinh"], nominations, "review")


def test_only_council_members_vote_once_per_round(session, actors, nominations):
    with pytest.raises(errors.NotPermitted):
        vote(session, actors, "giamdoc", nominations)
    vote(session, actors, "phogiamdoc", nominations)
    with pytest.raises(errors.InvalidTransition):
        vote(session, actors, "phogiamdoc", nominations)


def test_a_resubmission_opens_a_new_round_of_votes(session, actors, nominations):
    vote(session, actors, "phogiamdoc", nominations)
    service.perform(session, actors["vp.thamdinh"], nominations, "return", reason="Bổ sung")
    service.perform(session, actors["vp.chuyenvien"], nominations, "submit")
    assert vote(session, actors, "phogiamdoc", nominations).votes_for == 1


# --- regulation versions ------------------------------------------------------------------


def test_each_resubmission_after_a_return_is_a_new_version_with_a_diff(session, actors):
    item_id = office_deliverable(session, "regulation").id
    member = actors["vp.chuyenvien"]
    editing.edit_deliverable(
        session, member, item_id, {"body": "Điều 1. Phạm vi.\nĐiều 2. Đối tượng."}
    )
    service.perform(session, member, ("deliverable", item_id), "submit")
    service.perform(
        session, actors["vp.thamdinh"], ("deliverable", item_id), "return", reason="Sửa"
    )
    editing.edit_deliverable(
        session, member, item_id, {"body": "Điều 1. Phạm vi điều chỉnh.\nĐiều 2. Đối tượng."}
    )
    service.perform(session, member, ("deliverable", item_id), "submit")
    first, second = regulation.versions(session, item_id)
    assert (first.number, second.number) == (1, 2)
    changes = regulation.diff(first.body, second.body)
    assert ("-", "Điều 1. Phạm vi.") in changes
    assert ("+", "Điều 1. Phạm vi điều chỉnh.") in changes
    assert (" ", "Điều 2. Đối tượng.") in changes
    service.perform(session, actors["vp.thamdinh"], ("deliverable", item_id), "review")
    service.perform(session, actors["giamdoc"], ("deliverable", item_id), "approve")
    session.rollback()
    in_force = (
        session.execute(select(RegulationVersion).where(RegulationVersion.in_force.is_(True)))
        .scalars()
        .all()
    )
    assert [v.number for v in in_force] == [2]
    assert in_force[0].effective_date == TODAY


def test_resubmitting_an_unchanged_text_keeps_the_version(session, actors):
    item = ("deliverable", office_deliverable(session, "regulation").id)
    bring_to(session, actors, item, "submitted")
    service.perform(session, actors["vp.chuyenvien"], item, "withdraw")
    service.perform(session, actors["vp.chuyenvien"], item, "submit")
    assert [v.number for v in regulation.versions(session, item[1])] == [1]


def test_effective_date_comes_from_the_regulation_when_given(session, actors):
    item = ("deliverable", office_deliverable(session, "regulation").id)
    fill(session, actors, item[1])
    editing.edit_deliverable(
        session, actors["vp.chuyenvien"], item[1], {"data": {"effective_date": "2026-01-01"}}
    )
    for username, action in (
        ("vp.chuyenvien", "submit"),
        ("vp.thamdinh", "review"),
        ("giamdoc", "approve"),
    ):
        service.perform(session, actors[username], item, action)
    (version,) = regulation.versions(session, item[1])
    assert version.in_force and version.effective_date == date(2026, 1, 1)
    assert session.get(Deliverable, item[1]).state == "approved"


def test_sending_nominations_back_needs_a_new_vote(session, actors, nominations):
    for member in ("phogiamdoc", "khtc.chuyenvien", "qltt.chuyenvien"):
        vote(session, actors, member, nominations)
    assert state_and_version(session, nominations)[0] == "reviewed"
    service.perform(session, actors["giamdoc"], nominations, "send_back", reason="Xét lại")
    with pytest.raises(errors.Incomplete, match="hiện có 0"):
        service.perform(session, actors["vp.thamdinh"], nominations, "review")
    assert vote(session, actors, "phogiamdoc", nominations).votes_for == 1

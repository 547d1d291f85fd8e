"""The inbox's rules (issue 12): who is told of what, in the transaction of the action;
an item that moves on settles what was asked about it; the unread count is bounded;
`remind` tells a unit's members once of what falls due within three days."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from models import Deliverable, Notification, User
from tests.helpers import bring_to
from tests.web.conftest import outsider  # noqa: F401 (a fixture)
from workflow.core import service
from workflow.core.errors import InvalidTransition, NotFound
from workflow.notify import notifications
from workflow.notify import outbox as notify


def inbox_of(session, username: str, *, unread: bool = True) -> list[Notification]:
    user_id = session.execute(select(User.id).where(User.username == username)).scalar_one()
    found = select(Notification).where(Notification.user_id == user_id)
    if unread:
        found = found.where(Notification.read_at.is_(None))
    return list(session.execute(found.order_by(Notification.id)).scalars())


@pytest.fixture
def rules(session, actors) -> Deliverable:
    return session.execute(
        select(Deliverable).where(Deliverable.title == "Quy chế làm việc của Ban Chỉ đạo")
    ).scalar_one()


def test_submit_tells_the_reviewers_and_review_settles_it_and_tells_the_approvers(
    session, actors, rules
):
    bring_to(session, actors, ("deliverable", rules.id), "submitted")
    [waiting] = inbox_of(session, "vp.thamdinh")
    assert (waiting.kind, waiting.item_id) == ("to_review", rules.id)
    assert waiting.actor_name == "Nguyễn Thị Lan (Văn phòng Sở)"
    assert inbox_of(session, "vp.chuyenvien") == []  # never told of one's own action
    service.perform(session, actors["vp.thamdinh"], ("deliverable", rules.id), "review")
    assert inbox_of(session, "vp.thamdinh") == []  # done: settled
    for approver in ("giamdoc", "phogiamdoc"):
        assert [n.kind for n in inbox_of(session, approver)] == ["to_approve"]


def test_a_return_tells_the_owning_units_members_who_and_why(session, actors, rules):
    bring_to(session, actors, ("deliverable", rules.id), "submitted")
    service.perform(
        session, actors["vp.thamdinh"], ("deliverable", rules.id), "return", reason="Thiếu căn cứ."
    )
    [returned] = inbox_of(session, "vp.chuyenvien")
    assert returned.kind == "returned" and returned.reason == "Thiếu căn cứ."
    assert returned.actor_name == "Phạm Quốc Huy (Văn phòng Sở)"
    assert inbox_of(session, "qltt.chuyenvien") == []  # another unit's member


def test_a_refused_action_tells_nobody(session, actors, rules):
    before = session.execute(select(func.count()).select_from(Notification)).scalar_one()
    with pytest.raises(InvalidTransition):
        service.perform(session, actors["giamdoc"], ("deliverable", rules.id), "approve")
    session.rollback()
    assert session.execute(select(func.count()).select_from(Notification)).scalar_one() == before


def test_the_unread_count_stops_at_its_cap(session, actors):
    me = actors["vp.chuyenvien"]
    session.add_all(
        Notification(
            user_id=me.id,
            kind="due_soon",
            item_type="deliverable",
            item_id=1,
            title="x",
            actor_name="",
        )  # fmt: skip
        for _ in range(notifications.UNREAD_CAP + 20)
    )
    session.commit()
    assert notifications.unread_count(session, me.id) == notifications.UNREAD_CAP
    assert notifications.mark_all_read(session, me) == notifications.UNREAD_CAP + 20
    assert notifications.unread_count(session, me.id) == 0


def test_pages_go_back_in_time_each_row_once(session, actors):
    me = actors["vp.chuyenvien"]
    session.add_all(
        Notification(
            user_id=me.id,
            kind="due_soon",
            item_type="deliverable",
            item_id=n,
            title=f"#{n}",
            actor_name="",
        )  # fmt: skip
        for n in range(1, 71)
    )
    session.commit()
    seen, before = [], None
    while True:
        page = notifications.page(session, me, before=before)
        assert len(page.rows) <= notifications.PAGE_SIZE
        seen += [r.id for r in page.rows]
        if page.next_before is None:
            break
        before = page.next_before
    assert len(seen) == len(set(seen)) == 70 and seen == sorted(seen, reverse=True)


def test_nobody_marks_anothers_notification_read(session, actors, rules):
    bring_to(session, actors, ("deliverable", rules.id), "submitted")
    [theirs] = inbox_of(session, "vp.thamdinh")
    with pytest.raises(NotFound):
        notifications.mark_read(session, actors["giamdoc"], theirs.id)
    notifications.mark_read(session, actors["vp.thamdinh"], theirs.id)
    assert inbox_of(session, "vp.thamdinh") == []


def test_remind_tells_each_member_once_of_what_is_due_within_three_days(session, actors):
    notify.remind(session, today=date(2025, 11, 13))
    due = inbox_of(session, "vp.chuyenvien")
    assert due and {n.kind for n in due} == {"due_soon"}
    assert all(date(2025, 11, 13) <= n.due_date <= date(2025, 11, 16) for n in due)
    notify.remind(session, today=date(2025, 11, 14))  # the next day: nothing new to tell
    assert len(inbox_of(session, "vp.chuyenvien")) == len(due)


def test_title_search_reads_a_bounded_window_per_request_and_finds_every_match_once(
    session, actors, monkeypatch
):
    director = actors["giamdoc"]
    expected = set(
        session.execute(
            select(Deliverable.id).where(Deliverable.title.ilike("%báo cáo%"))
        ).scalars()
    )
    monkeypatch.setattr(notifications, "SEARCH_WINDOW", 7)
    seen, after, requests = [], None, 0
    while True:
        page = notifications.search(session, director, "Báo cáo", after=after, limit=4)
        assert all(r.id <= (after or 0) + 7 for r in page.rows)  # one window at most
        seen += [r.id for r in page.rows]
        requests += 1
        if page.next_after is None:
            break
        after = page.next_after
    assert expected and sorted(seen) == sorted(expected) and len(seen) == len(set(seen))
    assert requests > 1
    assert notifications.search(session, director, "B").rows == []  # too short: nothing read


def test_title_search_never_shows_a_draft_the_member_may_not_see(session, actors, outsider):  # noqa: F811
    from workflow.core.policy import Actor

    user = session.execute(select(User).where(User.username == outsider)).scalar_one()
    found = notifications.search(session, Actor.of(user), "Quy chế làm việc")
    assert found.rows == []  # Văn phòng Sở's draft
    assert notifications.search(session, actors["vp.chuyenvien"], "Quy chế làm việc").rows

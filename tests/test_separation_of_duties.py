"""Separation of duties: who took part in an item's round may not decide its next
step; who may delegate to whom; due dates stay the plan's; the pages and the API answer as
the engine does.

The matrix grows a dimension over tests/test_workflow_matrix.py: *who* the person is to the
item (author, editor, uploader, submitter, in-favour voter, delegate acting for the
submitter, independent) × the decision (review, return, approve, send back) — the person
always holds every role those decisions need, so only their part in the item decides.
Expectations are written here from the issue, independently of workflow/policy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from models import AuditEvent, CouncilMember, Delegation, Deliverable, Task, User
from tests.conftest import FAST_HASH, TEST_PASSWORD
from tests.helpers import audit_count, bring_to, fill, office_deliverable, state_and_version
from tests.web.conftest import Web
from workflow.accounts import users as accounts
from workflow.core import clock, errors, policy, service
from workflow.core.policy import Actor
from workflow.items import council, delegation, editing
from workflow.reads import dashboard, item_detail, votes

TODAY = clock.today_local()
API = "/api/v1"
ALL_DECISION_ROLES = ("member", "reviewer", "deputy_director")


def make_user(session, username: str, unit: str, *roles: str) -> Actor:
    accounts.create_user(
        session, username=username, full_name=f"Người {username}", unit_code=unit,
        roles=roles, password=TEST_PASSWORD, password_method=FAST_HASH,
    )  # fmt: skip
    session.commit()
    return Actor.of(session.execute(select(User).where(User.username == username)).scalar_one())


def join_council(session, actor: Actor) -> None:
    council_id = council.council_for(session.connection(), "nominations").id
    session.add(CouncilMember(council_id=council_id, user_id=actor.id))
    session.commit()


# --- the matrix: who × decision -----------------------------------------------------------

WHO = (
    "author",  # created the deliverable (its title is theirs)
    "editor",  # edited the content a colleague submitted (probe 2)
    "uploader",  # attached one of its files
    "submitter",  # pressed "submit" (probe 5 for return)
    "in_favour_voter",  # voted for it in the council, not the last voter (probe 1)
    "delegate_of_submitter",  # acts with the submitter's delegated authority
    "independent",  # took no part: may decide
)
# decision → (the state it is taken from, the action, a reason if the action needs one)
DECISIONS = {
    "review": ("submitted", "review", None),
    "return": ("submitted", "return", "Cần bổ sung."),
    "approve": ("reviewed", "approve", None),
    "send_back": ("reviewed", "send_back", "Thẩm định lại."),
    "return_reviewed": ("reviewed", "return", "Chưa đạt."),
}
REVIEW_STAGE = {"review", "return"}
# The cells that succeed. A council's voters review by voting: "review" by hand is not
# theirs to press (the quorum guard), so that cell is left out rather than guessed.
ALLOWED = {("independent", d) for d in DECISIONS} | {("in_favour_voter", d) for d in REVIEW_STAGE}
CELLS = [(who, d) for who in WHO for d in DECISIONS if (who, d) != ("in_favour_voter", "review")]


def _path(session, actors, person: Actor, boss: Actor, who: str, stage: str):
    """An item brought to `stage`'s state with `person` in the part `who` names. Returns
    (item, on_behalf_of). The others are demo users who are independent of `person`."""
    member, reviewer = actors["vp.chuyenvien"], actors["vp.thamdinh"]
    on_behalf_of = None
    if who == "author":
        task2 = session.execute(select(Task.id).where(Task.number == 2)).scalar_one()
        made = editing.create_deliverable(session, person, task2, title="Quyết định bổ sung")
        item = ("deliverable", made.id)
        editing.edit_deliverable(session, member, made.id, {"body": "Nội dung đầy đủ."})
    elif who == "in_favour_voter":
        item = ("deliverable", office_deliverable(session, "nominations").id)
        fill(session, actors, item[1])
    else:
        item = ("deliverable", office_deliverable(session).id)
        fill(session, actors, item[1])
    if who == "editor":
        body = "Nội dung đầy đủ, do đồng nghiệp viết lại."
        editing.edit_deliverable(session, person, item[1], {"body": body})
    if who == "uploader":
        editing.record_attachment(
            session, person, item[1], filename="phu-luc.pdf", content_type="application/pdf",
            size=10, sha256="a" * 64,
        )  # fmt: skip
    submitter = {"submitter": person, "delegate_of_submitter": boss}.get(who, member)
    service.perform(session, submitter, item, "submit")
    if who == "delegate_of_submitter":
        delegation.delegate(
            session, boss, delegate_username=person.username, starts_on=TODAY, ends_on=TODAY
        )
        on_behalf_of = boss.username
    if who == "in_favour_voter":
        council.cast_vote(session, person, item[1], in_favour=True)
        if DECISIONS[stage][0] == "reviewed":
            for other in ("khtc.chuyenvien", "qltt.chuyenvien"):  # the quorum: 3 of 4
                council.cast_vote(session, actors[other], item[1], in_favour=True)
    elif DECISIONS[stage][0] == "reviewed":
        service.perform(session, reviewer, item, "review")
    assert state_and_version(session, item)[0] == DECISIONS[stage][0]
    return item, on_behalf_of


@pytest.fixture
def people(session, actors) -> tuple[Actor, Actor]:
    """`person` holds every role the decisions need (an Office member who also reviews and
    is a Deputy Director) and sits on the council; `boss` is the same kind of colleague."""
    person = make_user(session, "vp.kiemnhiem", "vp", *ALL_DECISION_ROLES)
    join_council(session, person)
    boss = make_user(session, "vp.kiemnhiem2", "vp", *ALL_DECISION_ROLES)
    return person, boss


@pytest.mark.parametrize(("who", "decision"), CELLS, ids=["-".join(c) for c in CELLS])
def test_who_took_part_may_not_decide_the_next_step(session, actors, people, who, decision):
    person, boss = people
    item, on_behalf_of = _path(session, actors, person, boss, who, decision)
    _, action, reason = DECISIONS[decision]
    before, events = state_and_version(session, item), audit_count(session)
    session.rollback()
    if on_behalf_of is None:  # what the item's page and the API list offer
        offered = action in service.available_actions(person, session.get(Deliverable, item[1]))
        offered = (
            offered and action in item_detail.deliverable_detail(session, person, item[1]).actions
        )
    else:  # what the page offers to take with the delegated authority
        offered = on_behalf_of in {
            username for username, _ in _lent(session, person, item).get(action, [])
        }
    session.rollback()

    if (who, decision) in ALLOWED:
        service.check_action(session, person, item, action, on_behalf_of)  # the page's check
        outcome = service.perform(
            session, person, item, action, reason=reason, on_behalf_of=on_behalf_of
        )
        assert outcome.from_state == before[0]
        assert offered
    else:
        with pytest.raises(errors.NotPermitted, match="tách bạch") as page_check:
            service.check_action(session, person, item, action, on_behalf_of)
        with pytest.raises(errors.NotPermitted, match="tách bạch") as refused:
            service.perform(session, person, item, action, reason=reason, on_behalf_of=on_behalf_of)
        assert refused.value.message == page_check.value.message
        assert state_and_version(session, item) == before
        assert audit_count(session) == events
        assert not offered


def _lent(session, person: Actor, item) -> dict[str, list[tuple[str, str]]]:
    """What the item's page offers `person` to take with someone's delegated authority."""
    return item_detail.deliverable_detail(session, person, item[1]).acting_for


def test_the_director_still_approves_what_a_council_voter_could_not(session, actors):
    """Probe 1 with the demo people: phogiamdoc voted for a "Dân vận khéo" list, the quorum
    was met by a later vote; phogiamdoc may not approve it, giamdoc may."""
    item = ("deliverable", office_deliverable(session, "nominations").id)
    fill(session, actors, item[1])
    service.perform(session, actors["vp.chuyenvien"], item, "submit")
    for voter in ("phogiamdoc", "khtc.chuyenvien", "qltt.chuyenvien"):
        council.cast_vote(session, actors[voter], item[1], in_favour=True)
    assert state_and_version(session, item)[0] == "reviewed"
    session.rollback()
    assert session.get(Deliverable, item[1]).reviewed_by_id == actors["qltt.chuyenvien"].id
    with pytest.raises(errors.NotPermitted, match="bỏ phiếu tán thành"):
        service.perform(session, actors["phogiamdoc"], item, "approve")
    assert "approve" not in service.available_actions(
        actors["phogiamdoc"], session.get(Deliverable, item[1])
    )
    assert service.perform(session, actors["giamdoc"], item, "approve").to_state == "approved"


def test_a_council_member_who_voted_against_may_still_approve(session, actors):
    item = ("deliverable", office_deliverable(session, "nominations").id)
    fill(session, actors, item[1])
    service.perform(session, actors["vp.chuyenvien"], item, "submit")
    council.cast_vote(session, actors["phogiamdoc"], item[1], in_favour=False)
    for voter in ("vp.thamdinh", "khtc.chuyenvien", "qltt.chuyenvien"):
        council.cast_vote(session, actors[voter], item[1], in_favour=True)
    assert service.perform(session, actors["phogiamdoc"], item, "approve").to_state == "approved"


def test_an_editor_may_not_vote_on_the_list_they_wrote(session, actors, people):
    person, _ = people
    item = ("deliverable", office_deliverable(session, "nominations").id)
    fill(session, actors, item[1])
    editing.edit_deliverable(session, person, item[1], {"body": "Danh sách do tôi soạn."})
    service.perform(session, actors["vp.chuyenvien"], item, "submit")
    with pytest.raises(errors.NotPermitted, match="tách bạch"):
        council.cast_vote(session, person, item[1], in_favour=True)
    on_council, waiting = votes.votes_waiting(session, person)
    assert on_council and item[1] not in waiting
    with pytest.raises(errors.NotPermitted, match="tách bạch"):
        votes.check_can_vote(session, person, item[1])


def test_a_reopened_item_starts_a_new_round(session, actors, people):
    """Who took part before an approval does not bind the work after the Director reopens
    it (the round is the item's history since creation or the last reopening)."""
    person, _ = people
    item = ("deliverable", office_deliverable(session).id)
    fill(session, actors, item[1])
    editing.edit_deliverable(session, person, item[1], {"body": "Bản đầu."})
    service.perform(session, actors["vp.chuyenvien"], item, "submit")
    service.perform(session, actors["vp.thamdinh"], item, "review")
    service.perform(session, actors["giamdoc"], item, "approve")
    service.perform(session, actors["giamdoc"], item, "reopen", reason="Cập nhật thành phần.")
    editing.edit_deliverable(session, actors["vp.chuyenvien"], item[1], {"body": "Bản sau."})
    service.perform(session, actors["vp.chuyenvien"], item, "submit")
    assert service.perform(session, person, item, "review").to_state == "reviewed"


def test_an_editor_stays_bound_after_a_return_and_resubmission(session, actors, people):
    person, _ = people
    item = ("deliverable", office_deliverable(session).id)
    fill(session, actors, item[1])
    editing.edit_deliverable(session, person, item[1], {"body": "Tôi viết đoạn này."})
    service.perform(session, actors["vp.chuyenvien"], item, "submit")
    service.perform(session, actors["vp.thamdinh"], item, "return", reason="Bổ sung.")
    editing.edit_deliverable(session, actors["vp.chuyenvien"], item[1], {"body": "Sửa thêm."})
    service.perform(session, actors["vp.chuyenvien"], item, "submit")
    with pytest.raises(errors.NotPermitted, match="tách bạch"):
        service.perform(session, person, item, "review")


def test_participation_reads_only_the_items_own_events(app, session, actors):
    """The facts come from one query over the item's events (its index), however long the
    rest of the trail: the statement names the item and is the same for any trail."""
    item = ("deliverable", office_deliverable(session).id)
    fill(session, actors, item[1])
    service.perform(session, actors["vp.chuyenvien"], item, "submit")
    statements: list[str] = []
    engine = app.extensions["pheduyet.db"].engine

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        session.rollback()
        snap = service.load_snapshot(session.connection(), *item)
        statements.clear()
        found = service.participation_of(session.connection(), snap)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert actors["vp.chuyenvien"].id in found.authors | found.submitters
    [query] = statements
    assert "audit_event.item_type" in query and "audit_event.item_id" in query


# --- delegation: who may delegate to whom --------------------------------------------------

# delegator → delegate: the only pairs that are accepted (the delegation probe).
DELEGATORS = ("director", "deputy", "reviewer", "member", "admin", "auditor")
DELEGATES = (
    "director", "deputy", "other_deputy", "reviewer", "other_reviewer", "member", "admin",
    "auditor", "auditor_deputy", "self",
)  # fmt: skip
ACCEPTED = {
    ("director", "deputy"),
    ("director", "other_deputy"),
    ("deputy", "director"),
    ("deputy", "other_deputy"),
    ("reviewer", "other_reviewer"),
}
MAY_DELEGATE = {"director", "deputy", "reviewer"}
USERNAMES = {
    "director": "giamdoc",
    "deputy": "phogiamdoc",
    "reviewer": "vp.thamdinh",
    "member": "vp.chuyenvien",
    "admin": "admin",
    "auditor": "kiemtra",
    "other_deputy": "pgd2",
    "other_reviewer": "vp.thamdinh2",
    "auditor_deputy": "kiemtra.pgd",
}


@pytest.fixture
def colleagues(session, actors) -> dict[str, Actor]:
    found = {role: actors[name] for role, name in USERNAMES.items() if name in actors}
    found["other_deputy"] = make_user(session, "pgd2", "bgd", "deputy_director")
    found["other_reviewer"] = make_user(session, "vp.thamdinh2", "vp", "reviewer")
    found["auditor_deputy"] = make_user(session, "kiemtra.pgd", "bgd", "deputy_director", "auditor")
    return found


DELEGATION_CELLS = [(a, b) for a in DELEGATORS for b in DELEGATES]


@pytest.mark.parametrize(
    ("delegator", "delegate"), DELEGATION_CELLS, ids=["→".join(c) for c in DELEGATION_CELLS]
)
def test_who_may_delegate_to_whom(session, colleagues, delegator, delegate):
    by = colleagues[delegator]
    to = by if delegate == "self" else colleagues[delegate]
    events = audit_count(session)
    if (delegator, delegate) in ACCEPTED:
        made = delegation.delegate(
            session, by, delegate_username=to.username, starts_on=TODAY, ends_on=TODAY
        )
        assert (made.delegator_id, made.delegate_id) == (by.id, to.id)
        assert audit_count(session) == events + 1
        return
    expected = errors.InvalidInput if delegator in MAY_DELEGATE else errors.NotPermitted
    with pytest.raises(expected):
        delegation.delegate(
            session, by, delegate_username=to.username, starts_on=TODAY, ends_on=TODAY
        )
    assert audit_count(session) == events
    session.rollback()
    assert session.execute(select(func.count()).select_from(Delegation)).scalar_one() == 0


def test_a_delegation_to_an_auditor_made_before_the_rule_gives_no_authority(web, session, actors):
    """Probe 3: the Director's delegation to the auditor (a row written before this rule)
    lends nothing: the auditor cannot approve "thay mặt giamdoc", and is not offered to."""
    item = ("deliverable", office_deliverable(session, "regulation").id)
    fill(session, actors, item[1])
    service.perform(session, actors["vp.chuyenvien"], item, "submit")
    service.perform(session, actors["vp.thamdinh"], item, "review")
    session.add(
        Delegation(
            delegator_id=actors["giamdoc"].id,
            delegate_id=actors["kiemtra"].id,
            starts_on=TODAY,
            ends_on=TODAY,
        )
    )
    session.commit()
    with pytest.raises(errors.NotPermitted, match="không còn hợp lệ"):
        service.perform(session, actors["kiemtra"], item, "approve", on_behalf_of="giamdoc")
    assert state_and_version(session, item)[0] == "reviewed"
    page = web("kiemtra").get(f"/deliverables/{item[1]}").get_data(as_text=True)
    assert 'name="on_behalf_of"' not in page


def test_the_delegation_form_offers_only_who_may_hold_the_authority(web, session, actors):
    page = web("giamdoc").get("/delegations").get_data(as_text=True)
    form = page.split('name="delegate"')[1].split("</select>")[0]
    assert 'value="phogiamdoc"' in form
    for other in ("kiemtra", "admin", "vp.chuyenvien", "qltt.chuyenvien", "vp.thamdinh"):
        assert f'value="{other}"' not in form, other
    refused = web("giamdoc").post(
        "/delegations",
        {"delegate": "kiemtra", "starts_on": TODAY.strftime("%d/%m/%Y"),
         "ends_on": TODAY.strftime("%d/%m/%Y")},
    )  # fmt: skip
    assert refused.status_code == 400
    assert "Không ủy quyền cho kiểm tra nhật ký" in refused.get_data(as_text=True)


# --- due dates come from the plan (probe 4) ------------------------------------------------


def overdue_count(session, today: date) -> int:
    plan_id = session.execute(select(Task.plan_id).limit(1)).scalar_one()
    return dashboard.dashboard(session, plan_id, today).overall.overdue


def test_a_unit_cannot_move_its_own_deadline(session, actors, client, bearer):
    item = office_deliverable(session)
    item_id, due = item.id, item.due_date
    after = due + timedelta(days=1)
    before = overdue_count(session, after)
    session.rollback()
    with pytest.raises(errors.NotPermitted, match="kế hoạch"):
        editing.edit_deliverable(
            session, actors["vp.chuyenvien"], item_id, {"due_date": date(2999, 12, 31)}
        )
    # through the API: a clear 403, nothing changed
    r = client.patch(
        f"{API}/deliverables/{item_id}",
        headers=bearer("vp.chuyenvien"),
        json={"due_date": "2999-12-31"},
    )
    assert r.status_code == 403 and "kế hoạch" in r.get_json()["message"]
    # echoing the current date back (a client sending the whole object) is fine
    r = client.patch(
        f"{API}/deliverables/{item_id}",
        headers=bearer("vp.chuyenvien"),
        json={"due_date": due.isoformat(), "body": "Dự thảo."},
    )
    assert r.status_code == 200 and r.get_json()["due_date"] == due.isoformat()
    session.rollback()
    assert session.get(Deliverable, item_id).due_date == due
    assert overdue_count(session, after) == before


def test_a_new_deliverable_takes_the_plans_date(session, actors, client, bearer):
    task9 = session.execute(select(Task.id).where(Task.number == 9)).scalar_one()
    session.rollback()
    headers = bearer("vp.chuyenvien")
    body = {"task_id": task9, "title": "Danh sách đợt 2", "kind": "nominations"}
    r = client.post(f"{API}/deliverables", headers=headers, json={**body, "due_date": "2999-12-31"})
    assert r.status_code == 403 and "kế hoạch" in r.get_json()["message"]
    r = client.post(f"{API}/deliverables", headers=headers, json=body)
    assert r.status_code == 201 and r.get_json()["due_date"] == "2025-12-31"  # the plan's end


def test_the_edit_page_shows_the_due_date_read_only_and_ignores_a_posted_one(web, session):
    item = office_deliverable(session)
    item_id, due = item.id, item.due_date
    session.rollback()
    owner = web("vp.chuyenvien")
    page = owner.get(f"/deliverables/{item_id}/edit").get_data(as_text=True)
    assert 'name="due_date"' not in page and due.strftime("%d/%m/%Y") in page
    saved = owner.post(
        f"/deliverables/{item_id}/edit",
        {"title": item.title, "body": "x", "due_date": "31/12/2999", "version": "1"},
    )
    assert saved.status_code == 303
    session.rollback()
    assert session.get(Deliverable, item_id).due_date == due


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("vp.thamdinh", True),
        ("giamdoc", True),
        ("phogiamdoc", False),
        ("vp.chuyenvien", False),
        ("kiemtra", False),
        ("admin", False),
    ],
)
def test_only_the_office_reviewer_or_the_director_change_a_due_date(
    session, actors, username, allowed
):
    item_id = office_deliverable(session).id
    session.rollback()
    new = date(2025, 12, 20)
    events = audit_count(session)
    if not allowed:
        with pytest.raises(errors.NotPermitted):
            editing.change_due_date(session, actors[username], item_id, new, "Lùi hạn.")
        assert audit_count(session) == events
        return
    with pytest.raises(errors.ReasonRequired):
        editing.change_due_date(session, actors[username], item_id, new, "  ")
    old = session.get(Deliverable, item_id).due_date
    session.rollback()
    version = editing.change_due_date(
        session, actors[username], item_id, new, "Theo chỉ đạo của UBND tỉnh."
    )
    session.rollback()
    assert session.get(Deliverable, item_id).due_date == new
    assert session.get(Deliverable, item_id).version == version
    event = session.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).scalar()
    assert (event.action, event.actor_username, event.reason) == (
        "change_due_date",
        username,
        "Theo chỉ đạo của UBND tỉnh.",
    )
    assert f'"from": "{old.isoformat()}"' in event.detail and '"to": "2025-12-20"' in event.detail


def test_an_approved_item_keeps_its_due_date(session, actors):
    item = ("deliverable", office_deliverable(session).id)
    bring_to(session, actors, item, "approved")
    with pytest.raises(errors.InvalidTransition):
        editing.change_due_date(session, actors["giamdoc"], item[1], date(2026, 1, 31), "Lùi hạn.")


def test_the_item_page_offers_the_due_date_form_to_the_office_reviewer(
    web, session, client, bearer
):
    item_id = office_deliverable(session).id
    session.rollback()
    url = f"/deliverables/{item_id}"
    assert "due-date-form" not in web("vp.chuyenvien").get(url).get_data(as_text=True)
    reviewer = web("vp.thamdinh")
    assert "due-date-form" in reviewer.get(url).get_data(as_text=True)
    without_csrf = reviewer.post(
        f"{url}/due-date",
        {"due_date": "20/12/2025", "reason": "Lùi hạn.", "version": "1"},
        csrf=False,
    )
    assert without_csrf.status_code == 400
    no_reason = reviewer.post(f"{url}/due-date", {"due_date": "20/12/2025", "version": "1"})
    assert no_reason.status_code == 400
    done = reviewer.post(
        f"{url}/due-date", {"due_date": "20/12/2025", "reason": "Lùi hạn.", "version": "1"}
    )
    assert done.status_code == 303
    page = reviewer.get(url).get_data(as_text=True)
    assert "20/12/2025" in page and "Đổi hạn hoàn thành" in page
    member = web("vp.chuyenvien")
    refused = member.post(
        f"{url}/due-date", {"due_date": "31/12/2999", "reason": "x", "version": "2"}
    )
    assert refused.status_code == 403
    # the API: the same rule
    r = client.post(
        f"{API}/deliverables/{item_id}/due-date",
        headers=bearer("vp.chuyenvien"),
        json={"due_date": "2999-12-31", "reason": "x"},
    )
    assert r.status_code == 403
    r = client.post(
        f"{API}/deliverables/{item_id}/due-date",
        headers=bearer("giamdoc"),
        json={"due_date": "2025-12-22", "reason": "Theo kế hoạch mới.", "version": 2},
    )
    assert r.status_code == 200 and r.get_json()["due_date"] == "2025-12-22"


# --- the pages and the API answer as the engine does -------------------------------------


@pytest.fixture
def web(app, actors) -> Callable[..., Web]:
    def make(username: str) -> Web:
        browser = Web(app)
        assert browser.login(username).status_code == 303
        return browser

    return make


@pytest.fixture
def client(app, actors, session):
    session.rollback()
    return app.test_client()


@pytest.fixture
def bearer(client) -> Callable[[str], dict[str, str]]:
    issued: dict[str, dict[str, str]] = {}

    def headers(username: str) -> dict[str, str]:
        if username not in issued:
            r = client.post(
                f"{API}/auth/token", json={"username": username, "password": TEST_PASSWORD}
            )
            issued[username] = {"Authorization": f"Bearer {r.get_json()['token']}"}
        return issued[username]

    return headers


def test_versions_of_a_deliverable_that_is_no_regulation_are_404_on_both(
    web, session, client, bearer
):
    item_id = office_deliverable(session).id
    session.rollback()
    for username in ("vp.chuyenvien", "giamdoc"):
        page = web(username).get(f"/deliverables/{item_id}/versions")
        api = client.get(f"{API}/deliverables/{item_id}/versions", headers=bearer(username))
        assert (page.status_code, api.status_code) == (404, 404), username
        assert api.get_json()["error"] == "not_found"


@pytest.mark.parametrize(
    ("case", "username", "status"),
    [
        ("stranger", "vp.thamdinh", 404),
        ("delegate", "phogiamdoc", 403),
        ("missing", "giamdoc", 404),
        ("revoked", "giamdoc", 409),
    ],
)
def test_revoking_a_delegation_answers_the_same_on_the_page_and_the_api(
    web, session, actors, client, bearer, case, username, status
):
    def given() -> int:
        made = delegation.delegate(
            session, actors["giamdoc"], delegate_username="phogiamdoc",
            starts_on=TODAY, ends_on=TODAY,
        ).id  # fmt: skip
        if case == "revoked":
            delegation.revoke(session, actors["giamdoc"], made)
        session.rollback()
        return 999_999 if case == "missing" else made

    page_id, api_id = given(), given()
    page = web(username).post(f"/delegations/{page_id}/revoke", {"confirm": "y"})
    api = client.delete(f"{API}/delegations/{api_id}", headers=bearer(username))
    assert (page.status_code, api.status_code) == (status, status)


def test_the_action_pre_check_and_the_api_refuse_a_voter_alike(
    web, session, actors, client, bearer
):
    item = ("deliverable", office_deliverable(session, "nominations").id)
    fill(session, actors, item[1])
    service.perform(session, actors["vp.chuyenvien"], item, "submit")
    for voter in ("phogiamdoc", "khtc.chuyenvien", "qltt.chuyenvien"):
        council.cast_vote(session, actors[voter], item[1], in_favour=True)
    version = state_and_version(session, item)[1]
    deputy = web("phogiamdoc")
    page = deputy.get(f"/deliverables/{item[1]}").get_data(as_text=True)
    assert 'class="action-form action-approve"' not in page
    unconfirmed = deputy.post(
        f"/deliverables/{item[1]}/act", {"action": "approve", "version": str(version)}
    )
    api = client.post(f"{API}/deliverables/{item[1]}/actions/approve", headers=bearer("phogiamdoc"))
    assert (unconfirmed.status_code, api.status_code) == (403, 403)
    assert (
        "tách bạch" in unconfirmed.get_data(as_text=True)
        and "tách bạch" in (api.get_json()["message"])
    )
    listed = client.get(f"{API}/deliverables?state=reviewed", headers=bearer("phogiamdoc"))
    [row] = [d for d in listed.get_json()["items"] if d["id"] == item[1]]
    assert "approve" not in row["allowed_actions"]


def test_who_contributed_to_the_draft_is_one_of_its_authors():
    """A coordinating unit's member who put text or files into the draft may not review it,
    even if they also hold the reviewer role."""
    part = policy.participation([("create", 1, None, False), ("contribute", 7, None, False)])
    assert part.authors == frozenset({1, 7})
    assert 7 not in part.reviewers

"""Workflow actions through the API: each refusal with its status, and the whole story."""

from __future__ import annotations

from datetime import timedelta

from tests.api.conftest import API, error_of
from tests.helpers import bring_to
from workflow.core import clock
from workflow.items import delegation


def act(client, headers, item_id, action, **body):
    return client.post(f"{API}/deliverables/{item_id}/actions/{action}", headers=headers,
                       json=body)  # fmt: skip


def test_submit_200_returns_state_version_and_audit_seq(client, bearer, filled_id):
    r = act(client, bearer("vp.chuyenvien"), filled_id, "submit", version=2)
    assert r.status_code == 200
    data = r.get_json()
    assert (data["from_state"], data["state"], data["version"]) == ("draft", "submitted", 3)
    assert data["audit_seq"] > 0 and data["action"] == "submit" and data["id"] == filled_id


def test_an_empty_body_is_allowed_for_actions(client, bearer, filled_id):
    r = client.post(f"{API}/deliverables/{filled_id}/actions/submit",
                    headers=bearer("vp.chuyenvien"))  # fmt: skip
    assert r.status_code == 200


def test_reviewer_cannot_submit_a_draft_403(client, bearer, filled_id):
    r = act(client, bearer("vp.thamdinh"), filled_id, "submit")
    assert r.status_code == 403 and error_of(r) == "not_permitted"


def test_the_submitter_cannot_review_their_own_submission_403(client, bearer, filled_id):
    member = bearer("vp.chuyenvien")
    act(client, member, filled_id, "submit")
    r = act(client, member, filled_id, "review")
    assert r.status_code == 403


def test_approve_of_a_draft_is_409(client, bearer, filled_id):
    r = act(client, bearer("giamdoc"), filled_id, "approve")
    assert r.status_code == 409 and error_of(r) == "invalid_transition"


def test_submit_of_an_incomplete_draft_is_409(client, bearer, draft_id):
    r = act(client, bearer("vp.chuyenvien"), draft_id, "submit")
    assert r.status_code == 409 and error_of(r) == "incomplete"


def test_stale_version_is_409(client, bearer, filled_id):
    r = act(client, bearer("vp.chuyenvien"), filled_id, "submit", version=1)
    assert r.status_code == 409 and error_of(r) == "stale_version"
    assert r.get_json()["detail"]["current_version"] == 2


def test_return_without_reason_is_400(client, bearer, filled_id):
    act(client, bearer("vp.chuyenvien"), filled_id, "submit")
    for body in [{}, {"reason": ""}, {"reason": "   "}, {"reason": None}]:
        r = act(client, bearer("vp.thamdinh"), filled_id, "return", **body)
        assert r.status_code == 400 and error_of(r) == "reason_required", body


def test_unknown_action_is_400(client, bearer, filled_id):
    r = act(client, bearer("vp.chuyenvien"), filled_id, "publish")
    assert r.status_code == 400 and error_of(r) == "unknown_action"


def test_wrong_action_body_is_400(client, bearer, filled_id):
    headers = bearer("vp.chuyenvien")
    url = f"{API}/deliverables/{filled_id}/actions/submit"
    r = client.post(url, headers=headers, data="reason=x", content_type="text/plain")
    assert r.status_code == 400 and error_of(r) == "invalid_json"
    for body in [{"version": "2"}, {"version": True}, {"reason": 7}, {"why": "x"}, {"version": -1}]:
        r = client.post(url, headers=headers, json=body)
        assert r.status_code == 400 and error_of(r) == "invalid_input", body


def test_the_whole_story_through_the_api(client, bearer, filled_id):
    """Office member submits, Office reviewer reviews, Director approves; the audit shows
    the three events in order; a return with a reason reaches the submitter's list."""
    member, reviewer = bearer("vp.chuyenvien"), bearer("vp.thamdinh")
    director, auditor = bearer("giamdoc"), bearer("kiemtra")
    url = f"{API}/deliverables/{filled_id}"

    # a return first: the reason is recorded and the item is a draft of the unit again
    assert act(client, member, filled_id, "submit").status_code == 200
    r = act(client, reviewer, filled_id, "return", reason="Thiếu danh sách thành viên.")
    assert r.status_code == 200 and r.get_json()["state"] == "draft"
    drafts = client.get(f"{API}/deliverables?state=draft&unit=vp", headers=member).get_json()
    assert filled_id in [d["id"] for d in drafts["items"]]
    trail = client.get(f"{url}/audit", headers=member).get_json()["items"]
    assert trail[-1]["action"] == "return"
    assert trail[-1]["reason"] == "Thiếu danh sách thành viên."

    version = client.get(url, headers=member).get_json()["version"]
    steps = [(member, "submit"), (reviewer, "review"), (director, "approve")]
    seqs = []
    for who, action in steps:
        r = act(client, who, filled_id, action, version=version)
        assert r.status_code == 200, r.get_json()
        version = r.get_json()["version"]
        seqs.append(r.get_json()["audit_seq"])
    final = client.get(url, headers=member).get_json()
    assert final["state"] == "approved" and final["version"] == version
    assert final["allowed_actions"] == []
    assert client.get(url, headers=director).get_json()["allowed_actions"] == ["reopen"]

    trail = client.get(f"{url}/audit", headers=auditor).get_json()["items"]
    last_three = [(e["action"], e["actor"], e["from_state"], e["to_state"]) for e in trail[-3:]]
    assert last_three == [
        ("submit", "vp.chuyenvien", "draft", "submitted"),
        ("review", "vp.thamdinh", "submitted", "reviewed"),
        ("approve", "giamdoc", "reviewed", "approved"),
    ]
    assert [e["seq"] for e in trail[-3:]] == seqs == sorted(seqs)
    assert trail[-1]["actor_roles"] == ["director"] and trail[-1]["actor_unit"] == "Ban Giám đốc Sở"
    assert trail[-1]["client_addr"] == "127.0.0.1"
    assert {e["on_behalf_of"] for e in trail} == {None}  # everyone acted in their own right

    # the whole trail, newest first, filtered to the item
    page = client.get(
        f"{API}/audit?item_type=deliverable&item_id={filled_id}&limit=3", headers=auditor
    ).get_json()
    assert [e["action"] for e in page["items"]] == ["approve", "review", "submit"]
    assert page["next_cursor"] == seqs[0]


def test_acting_under_a_delegation_records_both_people(client, bearer, session, actors, draft_id):
    """Only the Director may reopen; the Deputy may, with the Director's delegation."""
    bring_to(session, actors, ("deliverable", draft_id), "approved")
    today = clock.today_local()
    delegation.delegate(
        session,
        actors["giamdoc"],
        delegate_username="phogiamdoc",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=7),
    )
    deputy = bearer("phogiamdoc")
    r = act(client, deputy, draft_id, "reopen", reason="Bổ sung thành viên.")
    assert r.status_code == 403
    r = act(client, deputy, draft_id, "reopen", reason="Thiếu.", on_behalf_of="phogiamdoc")
    assert r.status_code == 403  # no delegation from oneself
    r = act(client, deputy, draft_id, "reopen", reason="Bổ sung.", on_behalf_of="giamdoc")
    assert r.status_code == 200 and r.get_json()["state"] == "draft"
    event = client.get(f"{API}/deliverables/{draft_id}/audit", headers=deputy).get_json()
    last = event["items"][-1]
    assert last["actor"] == "phogiamdoc" and last["action"] == "reopen"
    assert last["on_behalf_of"] == "giamdoc"

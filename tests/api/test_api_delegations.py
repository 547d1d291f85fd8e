"""Delegation (ủy quyền) through the API: create (201, 400, 403), list mine with the active
flag, act on behalf (both names in the trail), revoke (204, 403, 404, 409)."""

from __future__ import annotations

from datetime import timedelta

from tests.api.conftest import API, error_of
from tests.helpers import bring_to
from workflow.core import clock

DELEGATIONS = f"{API}/delegations"
TODAY = clock.today_local()  # the engine's date (Việt Nam), not the machine's UTC one


def period(first: int, last: int) -> dict[str, str]:
    """Days relative to today, as the request's starts_on / ends_on."""
    return {
        "starts_on": (TODAY + timedelta(days=first)).isoformat(),
        "ends_on": (TODAY + timedelta(days=last)).isoformat(),
    }


def delegate(client, headers, to="phogiamdoc", days=(-1, 7), **extra):
    body = {"delegate": to, **period(*days), **extra}
    return client.post(DELEGATIONS, headers=headers, json=body)


def test_delegate_approves_on_behalf_and_trail_names_both(
    client, bearer, session, actors, filled_id
):
    # Issue 9: the Director delegates to a Deputy Director (before: to the Office reviewer,
    # whom the delegation rule now refuses as a delegate of the Director's authority).
    director, deputy, reviewer = bearer("giamdoc"), bearer("phogiamdoc"), bearer("vp.thamdinh")
    r = delegate(client, director, to="vp.thamdinh")
    assert r.status_code == 400 and error_of(r) == "invalid_input"
    r = delegate(client, director, to="phogiamdoc", note="Nghỉ phép")
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert (made["delegator"], made["delegate"]) == ("giamdoc", "phogiamdoc")
    assert made["note"] == "Nghỉ phép"
    assert made["active"] is True and made["revoked_at"] is None
    assert made["starts_on"] == period(-1, 7)["starts_on"] and made["delegate_name"]
    mine = client.get(DELEGATIONS, headers=director).get_json()
    assert mine == {"given": [made], "received": []}
    theirs = client.get(DELEGATIONS, headers=deputy).get_json()
    assert theirs == {"given": [], "received": [made]}
    assert client.get(DELEGATIONS, headers=reviewer).get_json() == {"given": [], "received": []}

    # the Office reviewed it; the deputy sends it back with the Director's authority
    bring_to(session, actors, ("deliverable", filled_id), "submitted")
    url = f"{API}/deliverables/{filled_id}"
    assert client.post(f"{url}/actions/review", headers=reviewer).status_code == 200
    body = {"reason": "Kiểm tra lại danh sách.", "on_behalf_of": "giamdoc"}
    r = client.post(f"{url}/actions/send_back", headers=deputy, json=body)
    assert r.status_code == 200 and r.get_json()["state"] == "submitted"

    trail = client.get(f"{url}/audit", headers=bearer("vp.chuyenvien")).get_json()["items"]
    last = trail[-1]
    assert (last["action"], last["actor"], last["on_behalf_of"]) == (
        "send_back",
        "phogiamdoc",
        "giamdoc",
    )
    assert trail[-2]["action"] == "review" and trail[-2]["on_behalf_of"] is None
    page = client.get(f"{API}/audit?action=send_back", headers=bearer("kiemtra")).get_json()
    assert [(e["actor"], e["on_behalf_of"]) for e in page["items"]] == [("phogiamdoc", "giamdoc")]
    page = client.get(f"{API}/audit?item_type=delegation", headers=bearer("kiemtra")).get_json()
    assert [(e["action"], e["actor"]) for e in page["items"]] == [("delegate", "giamdoc")]

    # revoked: the authority is gone at once
    assert client.post(f"{url}/actions/review", headers=reviewer).status_code == 200
    r = client.delete(f"{DELEGATIONS}/{made['id']}", headers=director)
    assert r.status_code == 204 and r.data == b""
    [given] = client.get(DELEGATIONS, headers=director).get_json()["given"]
    assert given["active"] is False and given["revoked_at"].endswith("Z")
    body = {"reason": "Thiếu.", "on_behalf_of": "giamdoc"}
    r = client.post(f"{url}/actions/return", headers=deputy, json=body)
    assert r.status_code == 403 and error_of(r) == "not_permitted"
    # acting in one's own right still works
    r = client.post(f"{url}/actions/return", headers=deputy, json={"reason": "Thiếu."})
    assert r.status_code == 200 and r.get_json()["state"] == "draft"


def test_a_delegation_outside_its_dates_is_inactive_and_gives_no_authority(
    client, bearer, session, actors, filled_id
):
    director, deputy = bearer("giamdoc"), bearer("phogiamdoc")
    for days in [(-10, -1), (1, 10)]:  # ended yesterday, starts tomorrow
        assert delegate(client, director, days=days).status_code == 201
    received = client.get(DELEGATIONS, headers=deputy).get_json()["received"]
    assert [d["active"] for d in received] == [False, False]
    bring_to(session, actors, ("deliverable", filled_id), "approved")
    body = {"reason": "Bổ sung.", "on_behalf_of": "giamdoc"}
    r = client.post(f"{API}/deliverables/{filled_id}/actions/reopen", headers=deputy, json=body)
    assert r.status_code == 403 and error_of(r) == "not_permitted"


def test_members_and_auditors_cannot_delegate_403(client, bearer):
    for username in ["vp.chuyenvien", "qltt.chuyenvien", "kiemtra", "admin"]:
        r = delegate(client, bearer(username), to="khtc.chuyenvien")
        assert r.status_code == 403 and error_of(r) == "not_permitted", username
    assert client.get(DELEGATIONS, headers=bearer("khtc.chuyenvien")).get_json()["received"] == []


def test_delegation_with_bad_input_400(client, bearer):
    director = bearer("giamdoc")
    good = {"delegate": "phogiamdoc", **period(0, 3)}
    for body in [
        {},
        {"delegate": "phogiamdoc"},
        {**good, "starts_on": None},
        {**good, "ends_on": "31/12/2025"},
        {**good, "starts_on": "2025-02-30"},
        {**good, "delegate": 7},
        {**good, "note": "x" * 2001},
        {**good, "scope": "all"},
        {**good, **period(3, 0)},  # ends before it starts (the engine says)
        {**good, "delegate": "nobody"},  # no such user (the engine says)
        {**good, "delegate": "giamdoc"},  # oneself (the engine says)
    ]:
        r = client.post(DELEGATIONS, headers=director, json=body)
        assert r.status_code == 400 and error_of(r) == "invalid_input", body
    assert client.get(DELEGATIONS, headers=director).get_json()["given"] == []


def test_revoking_is_for_the_delegator_or_an_admin_403_404(client, bearer):
    # Issue 9: as on the page, the delegate is refused (403) and to anyone else the
    # delegation does not exist (404; before: 403 for them too).
    made = delegate(client, bearer("giamdoc")).get_json()
    url = f"{DELEGATIONS}/{made['id']}"
    r = client.delete(url, headers=bearer("phogiamdoc"))
    assert r.status_code == 403 and error_of(r) == "not_permitted"
    for username in ["vp.thamdinh", "vp.chuyenvien"]:
        r = client.delete(url, headers=bearer(username))
        assert r.status_code == 404 and error_of(r) == "not_found", username
    r = client.delete(f"{DELEGATIONS}/99999", headers=bearer("giamdoc"))
    assert r.status_code == 404 and error_of(r) == "not_found"
    assert client.delete(url, headers=bearer("admin")).status_code == 204
    # revoking twice: a conflict with its state (409, as the page; before: 400)
    r = client.delete(url, headers=bearer("giamdoc"))
    assert r.status_code == 409 and error_of(r) == "invalid_transition"
    [given] = client.get(DELEGATIONS, headers=bearer("giamdoc")).get_json()["given"]
    assert given["active"] is False

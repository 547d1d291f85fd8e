"""Contributions of coordinating units (đơn vị phối hợp) through the API: only they may
add one (201, 403), to a draft only (409), to an item they can see (404), with a body (400)."""

from __future__ import annotations

from tests.api.conftest import API, error_of
from tests.helpers import bring_to

NOTE = "Đề nghị bổ sung Trưởng phòng Quản lý thị trường vào Ban Chỉ đạo."


def contribute(client, headers, item_id, **body):
    return client.post(f"{API}/deliverables/{item_id}/contributions", headers=headers, json=body)


def test_coordinating_unit_contributes_201(client, bearer, draft_id):
    """Task 2 is led by the Office and coordinated by the divisions and Chi cục QLTT: they
    see the lead's draft, add their input, and cannot submit it."""
    other = bearer("qltt.chuyenvien")
    assert client.get(f"{API}/deliverables/{draft_id}", headers=other).status_code == 200
    r = contribute(client, other, draft_id, body=f"  {NOTE}  ")
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert made["unit"] == "Chi cục Quản lý thị trường" and made["author"] == "qltt.chuyenvien"
    assert made["body"] == NOTE and made["files"] == [] and made["at"].endswith("Z")
    r = contribute(client, bearer("khtc.chuyenvien"), draft_id, body="Phòng KH-TC thống nhất.")
    assert r.status_code == 201

    # the lead unit and the reviewer read them, oldest first
    for username in ["vp.chuyenvien", "vp.thamdinh"]:
        r = client.get(f"{API}/deliverables/{draft_id}/contributions", headers=bearer(username))
        assert r.status_code == 200
        assert [(c["unit"], c["body"]) for c in r.get_json()["items"]] == [
            ("Chi cục Quản lý thị trường", NOTE),
            ("Phòng Kế hoạch - Tài chính", "Phòng KH-TC thống nhất."),
        ]
    trail = client.get(f"{API}/deliverables/{draft_id}/audit", headers=other).get_json()
    assert [(e["action"], e["actor"]) for e in trail["items"]] == [
        ("contribute", "qltt.chuyenvien"),
        ("contribute", "khtc.chuyenvien"),
    ]
    # contributing is not owning: no submit, no edit
    r = client.post(f"{API}/deliverables/{draft_id}/actions/submit", headers=other)
    assert r.status_code == 403
    r = client.patch(f"{API}/deliverables/{draft_id}", headers=other, json={"body": "x"})
    assert r.status_code == 403


def test_only_coordinating_members_contribute_403(client, bearer, draft_id):
    for username in ["vp.chuyenvien", "vp.thamdinh", "giamdoc", "admin"]:
        r = contribute(client, bearer(username), draft_id, body=NOTE)
        assert r.status_code == 403 and error_of(r) == "not_permitted", username
    r = client.get(f"{API}/deliverables/{draft_id}/contributions", headers=bearer("giamdoc"))
    assert r.get_json() == {"items": []}


def test_contribution_after_submission_409(client, bearer, session, actors, draft_id):
    bring_to(session, actors, ("deliverable", draft_id), "submitted")
    r = contribute(client, bearer("qltt.chuyenvien"), draft_id, body=NOTE)
    assert r.status_code == 409 and error_of(r) == "invalid_transition"


def test_contribution_to_an_item_one_may_not_see_404(client, bearer, foreign_draft_id):
    """Task 5: each unit leads its own part and nobody coordinates."""
    other = bearer("qltt.chuyenvien")
    for item in [foreign_draft_id, 99_999]:
        r = contribute(client, other, item, body=NOTE)
        assert r.status_code == 404 and error_of(r) == "not_found", item
        r = client.get(f"{API}/deliverables/{item}/contributions", headers=other)
        assert r.status_code == 404 and error_of(r) == "not_found", item


def test_contribution_with_a_bad_body_400(client, bearer, draft_id):
    other = bearer("qltt.chuyenvien")
    for body in [{}, {"body": ""}, {"body": "   "}, {"body": 5}, {"body": None},
                 {"body": "x", "files": []}, {"body": "a\u0000b"}]:  # fmt: skip
        r = contribute(client, other, draft_id, **body)
        assert r.status_code == 400 and error_of(r) == "invalid_input", body
    r = client.get(f"{API}/deliverables/{draft_id}/contributions", headers=other)
    assert r.get_json() == {"items": []}

"""A regulation's versions and their diff through the API (200, 404)."""

from __future__ import annotations

from tests.api.conftest import API, deliverable_of, error_of

FIRST = "Điều 1. Phạm vi điều chỉnh.\nĐiều 2. Đối tượng.\nĐiều 3. Trách nhiệm."
SECOND = "Điều 1. Phạm vi điều chỉnh.\nĐiều 2. Đối tượng áp dụng.\nĐiều 3. Trách nhiệm."


def test_regulation_diff(client, bearer, session, actors):
    """Each changed resubmission is a new version; the diff shows what changed; the approved
    version is in force from its effective date."""
    item = deliverable_of(session, 3, "vp", "regulation")
    url = f"{API}/deliverables/{item}"
    member, reviewer = bearer("vp.chuyenvien"), bearer("vp.thamdinh")

    def act(who, action, **body):
        r = client.post(f"{url}/actions/{action}", headers=who, json=body)
        assert r.status_code == 200, r.get_json()

    assert client.get(f"{url}/versions", headers=member).get_json() == {"items": []}
    assert client.patch(url, headers=member, json={"body": FIRST}).status_code == 200
    act(member, "submit")
    act(reviewer, "return", reason="Điều 2 cần nêu rõ đối tượng áp dụng.")
    act(member, "submit")  # resubmitted unchanged: still version 1
    act(reviewer, "return", reason="Chưa sửa Điều 2.")
    r = client.patch(url, headers=member,
                     json={"body": SECOND, "data": {"effective_date": "2026-01-01"}})  # fmt: skip
    assert r.status_code == 200 and r.get_json()["data"] == {"effective_date": "2026-01-01"}
    act(member, "submit")

    versions = client.get(f"{url}/versions", headers=reviewer).get_json()["items"]
    assert [(v["number"], v["body"], v["in_force"]) for v in versions] == [
        (1, FIRST, False),
        (2, SECOND, False),
    ]
    r = client.get(f"{url}/versions/2/diff", headers=reviewer)
    assert r.status_code == 200
    assert r.get_json() == {
        "number": 2,
        "previous": 1,
        "lines": [
            {"op": " ", "line": "Điều 1. Phạm vi điều chỉnh."},
            {"op": "-", "line": "Điều 2. Đối tượng."},
            {"op": "+", "line": "Điều 2. Đối tượng áp dụng."},
            {"op": " ", "line": "Điều 3. Trách nhiệm."},
        ],
    }
    first = client.get(f"{url}/versions/1/diff", headers=reviewer).get_json()
    assert first["previous"] is None and {d["op"] for d in first["lines"]} == {"+"}
    assert [d["line"] for d in first["lines"]] == FIRST.splitlines()

    act(reviewer, "review")
    act(bearer("giamdoc"), "approve")
    versions = client.get(f"{url}/versions", headers=member).get_json()["items"]
    assert [(v["in_force"], v["effective_date"]) for v in versions] == [
        (False, None),
        (True, "2026-01-01"),
    ]
    # a coordinating unit reads them too (Chi cục QLTT coordinates task 3)
    r = client.get(f"{url}/versions", headers=bearer("qltt.chuyenvien"))
    assert r.status_code == 200 and len(r.get_json()["items"]) == 2


def test_a_version_that_does_not_exist_is_404(client, bearer, session, actors):
    item = deliverable_of(session, 3, "vp", "regulation")
    headers = bearer("giamdoc")
    for n in [1, 3, 2**31 - 1]:
        r = client.get(f"{API}/deliverables/{item}/versions/{n}/diff", headers=headers)
        assert r.status_code == 404 and error_of(r) == "not_found", n
    for path in ["versions/0/diff", "versions/-1/diff", "versions/x/diff", "versions/1"]:
        r = client.get(f"{API}/deliverables/{item}/{path}", headers=headers)
        assert r.status_code == 404 and error_of(r) == "not_found", path


def test_other_kinds_have_no_versions(client, bearer, draft_id):
    # Issue 9: 404 as on the page (before: 200 with an empty list)
    r = client.get(f"{API}/deliverables/{draft_id}/versions", headers=bearer("vp.chuyenvien"))
    assert r.status_code == 404 and error_of(r) == "not_found"


def test_versions_of_an_item_one_may_not_see_404(client, bearer, foreign_draft_id):
    other = bearer("qltt.chuyenvien")
    for path in ["versions", "versions/1/diff"]:
        for item in [foreign_draft_id, 99_999]:
            r = client.get(f"{API}/deliverables/{item}/{path}", headers=other)
            assert r.status_code == 404 and error_of(r) == "not_found", (item, path)

"""Deliverables: list with filters and a keyset cursor, one item, a new draft, edits."""

from __future__ import annotations

from sqlalchemy import select

from models import Deliverable, Task
from tests.api.conftest import API, error_of
from workflow import editing

LIST = f"{API}/deliverables"


def all_pages(client, headers, query="", limit=3):
    seen, cursor, pages = [], None, 0
    while True:
        url = f"{LIST}?limit={limit}{query}" + (f"&cursor={cursor}" if cursor else "")
        r = client.get(url, headers=headers)
        assert r.status_code == 200, r.get_json()
        data = r.get_json()
        assert len(data["items"]) <= limit
        seen += [d["id"] for d in data["items"]]
        pages += 1
        cursor = data["next_cursor"]
        if cursor is None:
            return seen, pages


def test_keyset_pagination_returns_every_deliverable_exactly_once(client, bearer, session, actors):
    task = session.execute(select(Task).where(Task.number == 1)).scalar_one()
    for i in range(10):  # more than the seed's, and interleaved with other units' drafts
        editing.create_deliverable(session, actors["vp.chuyenvien"], task.id, title=f"Thêm {i}")
    expected = session.execute(select(Deliverable.id).order_by(Deliverable.id)).scalars().all()
    session.rollback()
    seen, pages = all_pages(client, bearer("giamdoc"))
    assert seen == expected and len(set(seen)) == len(seen)
    assert pages == -(-len(expected) // 3) or pages == len(expected) // 3 + 1
    # the default page size takes them all in one page
    r = client.get(LIST, headers=bearer("giamdoc")).get_json()
    assert [d["id"] for d in r["items"]] == expected and r["next_cursor"] is None


def test_pagination_with_filters_and_visibility(client, bearer, session, actors):
    office = bearer("vp.chuyenvien")
    seen, _ = all_pages(client, office, "&state=draft&unit=vp", limit=2)
    assert seen and all(
        d["unit"] == "Văn phòng Sở" and d["state"] == "draft"
        for d in (client.get(f"{LIST}/{i}", headers=office).get_json() for i in seen)
    )
    # another unit's member sees none of the Office's drafts of a task it does not
    # coordinate (task 5: each unit leads its own part), in any page
    task5 = client.get(f"{API}/tasks", headers=office).get_json()["items"][4]["id"]
    other, _ = all_pages(client, bearer("qltt.chuyenvien"), f"&unit=vp&task={task5}", limit=2)
    assert other == []
    own, _ = all_pages(client, bearer("qltt.chuyenvien"), f"&task={task5}", limit=2)
    assert len(own) == 1
    r = client.get(f"{LIST}?task=2", headers=office).get_json()
    assert {d["task_number"] for d in r["items"]} == {2} and len(r["items"]) == 3


def test_list_items_carry_state_version_and_allowed_actions(client, bearer, filled_id):
    r = client.get(f"{LIST}?task=2", headers=bearer("vp.chuyenvien"))
    item = next(d for d in r.get_json()["items"] if d["id"] == filled_id)
    assert item["state"] == "draft" and item["version"] == 2
    assert item["allowed_actions"] == ["submit"] and item["editable"] is True
    r = client.get(f"{LIST}/{filled_id}", headers=bearer("vp.thamdinh"))
    assert r.get_json()["allowed_actions"] == [] and r.get_json()["editable"] is False


def test_bad_list_parameters_are_400(client, bearer):
    headers = bearer("giamdoc")
    for query in [
        "state=finished",
        "limit=0",
        "limit=201",
        "limit=ten",
        "cursor=-1",
        "cursor=99999999999",
        "task=1.5",
        "unit=nowhere",
        "unit=%00",
        "state=",
        "cursor=",
        "stat=draft",
    ]:
        r = client.get(f"{LIST}?{query}", headers=headers)
        assert r.status_code == 400 and error_of(r) == "invalid_input", query


def test_one_deliverable_200_with_body(client, bearer, filled_id):
    r = client.get(f"{LIST}/{filled_id}", headers=bearer("vp.chuyenvien"))
    assert r.status_code == 200
    d = r.get_json()
    assert d["body"] == "Nội dung đầy đủ." and d["kind"] == "steering_committee"
    assert d["task_number"] == 2 and d["unit"] == "Văn phòng Sở"


def test_member_cannot_see_another_units_draft_404(client, bearer, foreign_draft_id):
    headers = bearer("qltt.chuyenvien")
    item = foreign_draft_id
    assert client.get(f"{LIST}/{item}", headers=bearer("vp.chuyenvien")).status_code == 200
    for method, path in [
        ("get", f"/deliverables/{item}"),
        ("get", f"/deliverables/{item}/audit"),
        ("patch", f"/deliverables/{item}"),
        ("post", f"/deliverables/{item}/actions/submit"),
    ]:
        r = getattr(client, method)(API + path, headers=headers, json={})
        assert r.status_code == 404 and error_of(r) == "not_found", path
    # the same answer as for an id that does not exist
    missing = client.get(f"{LIST}/99999", headers=headers)
    assert missing.status_code == 404 and missing.get_json() == r.get_json()


def test_create_a_draft_201(client, bearer, session):
    r = client.post(
        LIST,
        headers=bearer("vp.chuyenvien"),
        json={"task_id": 9, "title": "Danh sách đề nghị khen thưởng đợt 2", "kind": "nominations",
              "body": "Tập thể A; cá nhân B.", "due_date": "2025-12-15"},
    )  # fmt: skip
    assert r.status_code == 201, r.get_json()
    d = r.get_json()
    assert r.headers["Location"].endswith(f"/api/v1/deliverables/{d['id']}")
    assert (d["state"], d["version"], d["unit"]) == ("draft", 1, "Văn phòng Sở")
    assert d["due_date"] == "2025-12-15" and d["allowed_actions"] == ["submit"]
    r = client.get(f"{LIST}/{d['id']}/audit", headers=bearer("vp.chuyenvien"))
    assert [e["action"] for e in r.get_json()["items"]] == ["create"]


def test_create_for_a_task_the_unit_does_not_lead_is_403(client, bearer):
    r = client.post(LIST, headers=bearer("qltt.chuyenvien"), json={"task_id": 1, "title": "X"})
    assert r.status_code == 403 and error_of(r) == "not_permitted"
    r = client.post(LIST, headers=bearer("vp.thamdinh"), json={"task_id": 1, "title": "X"})
    assert r.status_code == 403


def test_create_for_a_missing_task_is_404(client, bearer):
    r = client.post(LIST, headers=bearer("vp.chuyenvien"), json={"task_id": 999, "title": "X"})
    assert r.status_code == 404 and error_of(r) == "not_found"


def test_create_with_wrong_input_is_400(client, bearer):
    headers = bearer("vp.chuyenvien")
    for body in [
        {"title": "no task"},
        {"task_id": "1", "title": "X"},
        {"task_id": True, "title": "X"},
        {"task_id": 1, "title": ""},
        {"task_id": 1, "title": "   "},
        {"task_id": 1, "title": 5},
        {"task_id": 1, "title": "X", "kind": "poem"},
        {"task_id": 1, "title": "X", "due_date": "15/12/2025"},
        {"task_id": 1, "title": "X", "due_date": "2025-02-30"},
        {"task_id": 1, "title": "X", "due_date": "0001-01-01"},
        {"task_id": 1, "title": "X", "body": ["a"]},
        {"task_id": 1, "title": "X\u0000"},
        {"task_id": 1, "title": "X", "owner": "me"},
        {"task_id": 2**40, "title": "X"},
    ]:
        r = client.post(LIST, headers=headers, json=body)
        assert r.status_code == 400 and error_of(r) == "invalid_input", body
    r = client.post(LIST, headers=headers, data='{"task_id": 1, "title": "\\ud800"}')
    assert r.status_code == 400, "a lone surrogate cannot be stored"


def test_edit_a_draft_200(client, bearer, draft_id):
    r = client.patch(
        f"{LIST}/{draft_id}",
        headers=bearer("vp.chuyenvien"),
        json={"title": "Quyết định kiện toàn BCĐ", "body": "Dự thảo.", "due_date": None,
              "version": 1},
    )  # fmt: skip
    assert r.status_code == 200, r.get_json()
    d = r.get_json()
    assert (d["title"], d["body"], d["due_date"], d["version"]) == (
        "Quyết định kiện toàn BCĐ",
        "Dự thảo.",
        None,
        2,
    )
    r = client.get(f"{LIST}/{draft_id}/audit", headers=bearer("vp.chuyenvien"))
    [event] = r.get_json()["items"]
    assert event["action"] == "edit" and event["detail"]["changes"]["body"] == ["", "Dự thảo."]


def test_edit_with_a_stale_version_is_409(client, bearer, filled_id):
    r = client.patch(f"{LIST}/{filled_id}", headers=bearer("vp.chuyenvien"),
                     json={"title": "Mới", "version": 1})  # fmt: skip
    assert r.status_code == 409 and error_of(r) == "stale_version"
    assert r.get_json()["detail"]["current_version"] == 2


def test_edit_after_submission_is_409(client, bearer, filled_id):
    member = bearer("vp.chuyenvien")
    client.post(f"{LIST}/{filled_id}/actions/submit", headers=member)
    r = client.patch(f"{LIST}/{filled_id}", headers=member, json={"title": "Mới"})
    assert r.status_code == 409 and error_of(r) == "invalid_transition"


def test_edit_by_someone_outside_the_owning_unit_is_403(client, bearer, draft_id):
    r = client.patch(f"{LIST}/{draft_id}", headers=bearer("vp.thamdinh"), json={"title": "Mới"})
    assert r.status_code == 403 and error_of(r) == "not_permitted"


def test_edit_with_wrong_input_is_400(client, bearer, draft_id):
    headers = bearer("vp.chuyenvien")
    for body in [
        {"title": None},
        {"title": ""},
        {"state": "approved"},
        {"version": "1"},
        {"version": 1.0},
        {"due_date": 20251231},
        {"body": "x" * (editing.MAX_BODY + 1)},
    ]:
        r = client.patch(f"{LIST}/{draft_id}", headers=headers, json=body)
        assert r.status_code == 400 and error_of(r) == "invalid_input", body

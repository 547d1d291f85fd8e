"""Deliverables: list with filters and a keyset cursor, one item, a new draft, edits."""

from __future__ import annotations

import copy

from sqlalchemy import select

from models import Deliverable, Task
from tests.api.conftest import API, deliverable_of, error_of
from tests.helpers import COMPLETE_DATA
from webapp.api.parsing import DEFAULT_LIMIT, MAX_LIMIT
from workflow.items import editing

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
    # the seed and these outnumber the default page (50): it ends where the next begins
    assert len(expected) > DEFAULT_LIMIT
    r = client.get(LIST, headers=bearer("giamdoc")).get_json()
    assert [d["id"] for d in r["items"]] == expected[:DEFAULT_LIMIT]
    assert r["next_cursor"] == expected[DEFAULT_LIMIT - 1]
    # the largest page takes them all, and says there is no more
    r = client.get(f"{LIST}?limit={MAX_LIMIT}", headers=bearer("giamdoc")).get_json()
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
    # its own part: one periodic report per month of the plan (November, December 2025)
    own, _ = all_pages(client, bearer("qltt.chuyenvien"), f"&task={task5}", limit=1)
    mine = [client.get(f"{LIST}/{i}", headers=bearer("qltt.chuyenvien")).get_json() for i in own]
    assert [(d["unit"], d["kind"], d["period_start"]) for d in mine] == [
        ("Chi cục Quản lý thị trường", "periodic_report", "2025-11-01"),
        ("Chi cục Quản lý thị trường", "periodic_report", "2025-12-01"),
    ]
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
              "body": "Tập thể A; cá nhân B."},
    )  # fmt: skip
    assert r.status_code == 201, r.get_json()
    d = r.get_json()
    assert r.headers["Location"].endswith(f"/api/v1/deliverables/{d['id']}")
    assert (d["state"], d["version"], d["unit"]) == ("draft", 1, "Văn phòng Sở")
    # Issue 9: the due date is the plan's (task 9 is ongoing: the plan's end), not the unit's
    assert d["due_date"] == "2025-12-31" and d["allowed_actions"] == ["submit"]
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
        json={"title": "Quyết định kiện toàn BCĐ", "body": "Dự thảo.", "due_date": "2025-11-15",
              "version": 1},
    )  # fmt: skip
    assert r.status_code == 200, r.get_json()
    d = r.get_json()
    # Issue 9: the due date is the plan's; sent back unchanged it is accepted (a change: 403)
    assert (d["title"], d["body"], d["due_date"], d["version"]) == (
        "Quyết định kiện toàn BCĐ",
        "Dự thảo.",
        "2025-11-15",
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


def test_the_detail_carries_the_kinds_fields_round_and_files(client, bearer, session, filled_id):
    r = client.get(f"{LIST}/{filled_id}", headers=bearer("vp.thamdinh"))
    d = r.get_json()
    assert d["data"] == COMPLETE_DATA["steering_committee"]
    assert d["round"] == 0 and d["period_start"] is None
    assert [(a["purpose"], a["filename"], a["size"]) for a in d["attachments"]] == [
        ("working_rules", "working_rules.pdf", 1234),
        ("assignment_notice", "assignment_notice.pdf", 1234),
    ]
    assert {(len(a["sha256"]), a["content_type"]) for a in d["attachments"]} == {
        (64, "application/pdf")
    }
    november = deliverable_of(session, 1, "vp")
    report = client.get(f"{LIST}/{november}", headers=bearer("vp.thamdinh")).get_json()
    assert (report["kind"], report["period_start"], report["due_date"]) == (
        "periodic_report",
        "2025-11-01",
        "2025-11-30",
    )
    assert report["attachments"] == [] and report["data"] == {}


def test_patching_the_kinds_fields_makes_the_committee_complete(client, bearer, draft_id):
    member = bearer("vp.chuyenvien")
    url = f"{LIST}/{draft_id}"
    r = client.patch(url, headers=member, json={"data": COMPLETE_DATA["steering_committee"]})
    assert r.status_code == 200 and r.get_json()["version"] == 2
    assert len(r.get_json()["data"]["members"]) == 3
    # the engine normalises: spaces trimmed, empty rows dropped, the role defaulted
    head = {"full_name": "Nguyễn Văn A", "position": "Chánh Văn phòng", "unit": "Văn phòng Sở"}
    blank = {"full_name": "", "position": None, "unit": ""}
    fields = {"decision_number": " 45/QĐ-SCT ", "members": [head, blank]}
    r = client.patch(url, headers=member, json={"data": fields})
    assert r.status_code == 200
    assert r.get_json()["data"] == {
        "decision_number": "45/QĐ-SCT",
        "decision_date": "",
        "members": [
            {
                "full_name": "Nguyễn Văn A",
                "position": "Chánh Văn phòng",
                "unit": "Văn phòng Sở",
                "committee_role": "thanh_vien",
            },  # fmt: skip
        ],
    }
    trail = client.get(f"{url}/audit", headers=member).get_json()["items"]
    assert [e["action"] for e in trail] == ["edit", "edit"]
    assert trail[-1]["detail"]["changes"]["data"][1]["decision_number"] == "45/QĐ-SCT"
    # a member without a position: submit names exactly what is missing
    lacking = copy.deepcopy(COMPLETE_DATA["steering_committee"])
    lacking["members"][2]["position"] = ""
    client.patch(url, headers=member, json={"data": lacking})
    r = client.post(f"{url}/actions/submit", headers=member)
    assert r.status_code == 409 and error_of(r) == "incomplete"
    assert r.get_json()["detail"]["missing"] == ["thành viên thiếu họ tên, chức vụ hoặc đơn vị"]
    # Issue 12: complete fields are enough; task 2's working rules and assignment notice
    # are products of their own, not files the decision asks for again.
    client.patch(url, headers=member, json={"data": COMPLETE_DATA["steering_committee"]})
    r = client.post(f"{url}/actions/submit", headers=member)
    assert r.status_code == 200, r.get_json()


def test_the_kinds_fields_are_checked_400(client, bearer, draft_id):
    member = bearer("vp.chuyenvien")
    url = f"{LIST}/{draft_id}"
    before = client.get(url, headers=member).get_json()
    for data in [
        [],
        "members",
        {"colour": "red"},  # not a field of the steering committee (the engine)
        {"decision_date": "2025-13-01"},  # (the engine)
        {"members": [{"full_name": "A", "committee_role": "chu_tich"}]},  # (the engine)
        {"members": "Nguyễn Văn A"},  # (the engine)
        {"members": [{"committee_role": ["truong_ban"]}]},
        {"members": [["Nguyễn Văn A"]]},
        {"members": [{"full_name": 7}]},
        {"decision_number": 45},
        {"decision_number": {"so": "45"}},
        {"decision_number": "45\u0000"},
        {"members": [{"full_name": "A"}] * 1001},
    ]:
        r = client.patch(url, headers=member, json={"data": data})
        assert r.status_code == 400 and error_of(r) == "invalid_input", data
    assert client.get(url, headers=member).get_json() == before


def test_create_with_the_kinds_fields_201_or_nothing_400(client, bearer):
    member = bearer("vp.chuyenvien")
    entries = COMPLETE_DATA["nominations"]["entries"]
    body = {"task_id": 9, "title": "Đề nghị đợt 2", "kind": "nominations"}
    r = client.post(LIST, headers=member, json={**body, "data": {"entries": entries}})
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert made["data"] == {"entries": entries} and made["version"] == 2
    trail = client.get(f"{LIST}/{made['id']}/audit", headers=member).get_json()["items"]
    assert [e["action"] for e in trail] == ["create", "edit"]
    r = client.post(f"{LIST}/{made['id']}/actions/submit", headers=member)
    assert r.status_code == 200  # complete from the start
    count = len(client.get(f"{LIST}?limit=200", headers=member).get_json()["items"])
    for body in [
        {"kind": "nominations", "data": {"entries": [{"type": "team"}]}},
        {"kind": "document", "data": {"entries": []}},
        {"data": {"done": "x"}},  # a document has no fields of its own
    ]:
        r = client.post(LIST, headers=member, json={"task_id": 9, "title": "X", **body})
        assert r.status_code == 400 and error_of(r) == "invalid_input", body
    assert len(client.get(f"{LIST}?limit=200", headers=member).get_json()["items"]) == count

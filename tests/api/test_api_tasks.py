"""Tasks: the list and one task (200, 404), and actions on a task's own record."""

from __future__ import annotations

from tests.api.conftest import API, error_of


def test_tasks_list_the_nine_tasks_with_state_version_and_allowed_actions_200(client, bearer):
    r = client.get(f"{API}/tasks", headers=bearer("vp.chuyenvien"))
    assert r.status_code == 200
    items = r.get_json()["items"]
    assert [t["number"] for t in items] == list(range(1, 10))
    first = items[0]
    assert first["lead_units"] == ["Văn phòng Sở"]
    assert "Chi cục Quản lý thị trường" in first["coordinating_units"]
    assert first["state"] == "draft" and first["version"] == 1
    assert first["allowed_actions"] == ["submit"]  # the Office leads it; rules say when
    # an ongoing task: the Office's monthly reports for November and December 2025
    assert first["timing_kind"] == "ongoing" and first["due_date"] is None
    assert first["progress"] == {"approved": 0, "total": 2}


def test_allowed_actions_are_the_callers(client, bearer):
    r = client.get(f"{API}/tasks", headers=bearer("qltt.chuyenvien"))
    assert r.get_json()["items"][0]["allowed_actions"] == []  # not the owning unit


def test_one_task_with_its_visible_deliverables_200(client, bearer):
    r = client.get(f"{API}/tasks/2", headers=bearer("vp.thamdinh"))
    assert r.status_code == 200
    task = r.get_json()
    assert task["number"] == 2 and task["due_date"] == "2025-11-15"
    assert task["timing_kind"] == "deadline"
    assert {d["kind"] for d in task["deliverables"]} == {"steering_committee", "document"}
    assert len(task["deliverables"]) == task["progress"]["total"] == 3
    # in task 5 every unit leads its own part (six units, two monthly reports each): a
    # member sees the task and only their unit's drafts, not the other units'
    r = client.get(f"{API}/tasks/5", headers=bearer("qltt.chuyenvien"))
    assert r.status_code == 200
    seen = r.get_json()["deliverables"]
    assert [(d["unit"], d["period_start"]) for d in seen] == [
        ("Chi cục Quản lý thị trường", "2025-11-01"),
        ("Chi cục Quản lý thị trường", "2025-12-01"),
    ]
    assert seen[0]["title"] == "Báo cáo định kỳ tháng 11/2025 — Chi cục Quản lý thị trường"
    assert r.get_json()["progress"]["total"] == 12
    r = client.get(f"{API}/tasks/5", headers=bearer("vp.thamdinh"))  # the reviewer sees all
    assert len(r.get_json()["deliverables"]) == 12


def test_unknown_task_is_404(client, bearer):
    for path in ["/tasks/999", "/tasks/0", "/tasks/999/audit", "/tasks/99999999999"]:
        r = client.get(API + path, headers=bearer("giamdoc"))
        assert r.status_code == 404 and error_of(r) == "not_found", path


def test_submitting_a_task_before_its_deliverables_are_approved_is_409(client, bearer):
    r = client.post(f"{API}/tasks/1/actions/submit", headers=bearer("vp.chuyenvien"), json={})
    assert r.status_code == 409 and error_of(r) == "incomplete"
    assert r.get_json()["detail"]["missing"]


def test_a_reviewer_cannot_submit_a_task_403(client, bearer):
    r = client.post(f"{API}/tasks/1/actions/submit", headers=bearer("vp.thamdinh"))
    assert r.status_code == 403 and error_of(r) == "not_permitted"


def test_a_task_action_on_a_missing_task_is_404(client, bearer):
    r = client.post(f"{API}/tasks/999/actions/submit", headers=bearer("vp.chuyenvien"))
    assert r.status_code == 404 and error_of(r) == "not_found"


def test_a_task_completes_through_the_api_once_its_deliverables_are_approved(client, bearer):
    """Task 1 (ongoing) has two monthly reports: fill in and approve each through the API;
    the task's own record can be submitted only after the last one is approved."""
    member, reviewer, director = (bearer(u) for u in ("vp.chuyenvien", "vp.thamdinh", "giamdoc"))
    reports = client.get(f"{API}/tasks/1", headers=member).get_json()["deliverables"]
    assert [d["kind"] for d in reports] == ["periodic_report", "periodic_report"]
    for n, report in enumerate(reports):
        url = f"{API}/deliverables/{report['id']}"
        r = client.post(f"{url}/actions/submit", headers=member)
        assert r.status_code == 409 and error_of(r) == "incomplete"  # "done", "results" empty
        sections = {"done": "Đã phổ biến Luật.", "results": "100% công chức tham gia."}
        r = client.patch(url, headers=member, json={"data": sections})
        assert r.status_code == 200 and r.get_json()["data"]["results"] == sections["results"]
        for who, action in [(member, "submit"), (reviewer, "review"), (director, "approve")]:
            r = client.post(f"{url}/actions/{action}", headers=who)
            assert r.status_code == 200, r.get_json()
        if n == 0:  # the December report is still a draft
            r = client.post(f"{API}/tasks/1/actions/submit", headers=member)
            assert r.status_code == 409 and error_of(r) == "incomplete"
    task = client.get(f"{API}/tasks/1", headers=member).get_json()
    assert task["progress"] == {"approved": 2, "total": 2} and task["version"] == 1
    r = client.post(f"{API}/tasks/1/actions/submit", headers=member, json={"version": 1})
    assert r.status_code == 200
    assert r.get_json()["state"] == "submitted" and r.get_json()["version"] == 2
    r = client.get(f"{API}/tasks/1/audit", headers=bearer("qltt.chuyenvien"))
    assert r.status_code == 200
    events = r.get_json()["items"]
    assert [(e["action"], e["actor"]) for e in events] == [("submit", "vp.chuyenvien")]
    assert "client_addr" not in events[0]  # addresses only for those who read the whole trail

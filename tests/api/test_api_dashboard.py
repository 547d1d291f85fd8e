"""A plan's dashboard through the API: figures that agree with the deliverables the API
lists, per task and per unit; medians once items moved; 404 for a missing plan."""

from __future__ import annotations

from collections import Counter

from tests.api.conftest import API, error_of
from tests.helpers import bring_to
from workflow.core.machine import STATES

# The seed plan's deliverables per task: ongoing tasks have a report per lead unit for
# November and December 2025 (task 5 and 8: six units); task 2 three, task 7 six, task 9
# the nominations besides its two reports.
TOTALS = {1: 2, 2: 3, 3: 1, 4: 2, 5: 12, 6: 2, 7: 6, 8: 12, 9: 3}


def everything(client, headers) -> list[dict]:
    r = client.get(f"{API}/deliverables?limit=200", headers=headers).get_json()
    assert r["next_cursor"] is None
    return r["items"]


def test_dashboard_figures_agree_with_the_deliverables(client, bearer, session, actors, filled_id):
    bring_to(session, actors, ("deliverable", filled_id), "approved")
    director = bearer("giamdoc")
    plan = client.get(f"{API}/tasks", headers=director).get_json()["items"][0]["plan_id"]
    r = client.get(f"{API}/plans/{plan}/dashboard", headers=director)
    assert r.status_code == 200
    board = r.get_json()
    items = everything(client, director)
    assert len(items) == sum(TOTALS.values()) == 43

    overall = board["overall"]
    assert overall["counts"] == {**dict.fromkeys(STATES, 0), "draft": 42, "approved": 1}
    assert overall["total"] == 43 and overall["approved_percent"] == round(100 / 43, 1)
    late = [d for d in items if d["due_date"] and d["due_date"] < board["today"]]
    assert overall["overdue"] == len([d for d in late if d["state"] != "approved"])

    assert {t["task_number"]: t["total"] for t in board["by_task"]} == TOTALS
    task2 = next(t for t in board["by_task"] if t["task_number"] == 2)
    assert task2["counts"]["approved"] == 1 and task2["approved_percent"] == 33.3
    assert task2["label"].startswith("2. ")
    units = Counter(d["unit_id"] for d in items)
    assert {u["unit_id"]: u["total"] for u in board["by_unit"]} == dict(units)
    office = next(u for u in board["by_unit"] if u["label"] == "Văn phòng Sở")
    assert office["counts"]["approved"] == 1
    assert sum(u["overdue"] for u in board["by_unit"]) == overall["overdue"]
    assert sum(t["overdue"] for t in board["by_task"]) == overall["overdue"]

    # one item went draft → submitted → reviewed → approved: each stay it left is measured
    assert board["stays_measured"] == {"draft": 1, "submitted": 1, "reviewed": 1, "approved": 0}
    hours = board["median_hours"]
    assert all(hours[s] >= 0 for s in ("draft", "submitted", "reviewed"))
    assert hours["approved"] is None


def test_every_signed_in_user_sees_the_figures_and_a_missing_plan_is_404(client, bearer):
    plan = client.get(f"{API}/tasks", headers=bearer("giamdoc")).get_json()["items"][0]["plan_id"]
    for username in ["qltt.chuyenvien", "vp.thamdinh", "kiemtra"]:
        r = client.get(f"{API}/plans/{plan}/dashboard", headers=bearer(username))
        assert r.status_code == 200 and r.get_json()["overall"]["total"] == 43, username
    for missing in [plan + 1, 99_999]:
        r = client.get(f"{API}/plans/{missing}/dashboard", headers=bearer("giamdoc"))
        assert r.status_code == 404 and error_of(r) == "not_found"
    assert client.get(f"{API}/plans/{plan}/dashboard").status_code == 401

"""The whole audit trail: who may read it (200, 403), filters and the keyset cursor (400)."""

from __future__ import annotations

from tests.api.conftest import API, error_of

AUDIT = f"{API}/audit"


def test_roles_that_see_everything_read_the_trail_200_members_do_not_403(client, bearer):
    for username in ["kiemtra", "giamdoc", "phogiamdoc", "vp.thamdinh", "admin"]:
        r = client.get(AUDIT, headers=bearer(username))
        assert r.status_code == 200, username
    for username in ["vp.chuyenvien", "qltt.chuyenvien"]:
        r = client.get(AUDIT, headers=bearer(username))
        assert r.status_code == 403 and error_of(r) == "not_permitted", username


def test_the_trail_pages_newest_first_and_every_event_once(client, bearer, filled_id):
    headers = bearer("kiemtra")
    seen, cursor = [], None
    while True:
        r = client.get(f"{AUDIT}?limit=4" + (f"&cursor={cursor}" if cursor else ""),
                       headers=headers)  # fmt: skip
        assert r.status_code == 200
        data = r.get_json()
        seen += [e["seq"] for e in data["items"]]
        cursor = data["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True) and seen[-1] == 1
    assert sorted(seen) == list(range(1, len(seen) + 1))


def test_the_trail_filters(client, bearer, filled_id):
    client.post(f"{API}/deliverables/{filled_id}/actions/submit", headers=bearer("vp.chuyenvien"))
    headers = bearer("kiemtra")
    r = client.get(f"{AUDIT}?user=vp.chuyenvien&action=submit", headers=headers).get_json()
    assert [(e["actor"], e["action"], e["item_id"]) for e in r["items"]] == [
        ("vp.chuyenvien", "submit", filled_id)
    ]
    r = client.get(f"{AUDIT}?unit=vp&item_type=deliverable", headers=headers).get_json()
    assert {e["actor_unit"] for e in r["items"]} == {"Văn phòng Sở"}
    r = client.get(f"{AUDIT}?date_from=2000-01-01&date_to=2000-12-31", headers=headers)
    assert r.get_json()["items"] == []
    r = client.get(f"{AUDIT}?item_type=user&action=api_token_issue", headers=headers).get_json()
    assert {e["actor"] for e in r["items"]} == {"vp.chuyenvien", "kiemtra"}


def test_bad_trail_parameters_are_400(client, bearer):
    headers = bearer("kiemtra")
    for query in [
        "limit=0",
        "limit=201",
        "cursor=abc",
        "item_type=file",
        "item_id=-3",
        "date_from=2025-13-01",
        "date_to=9999-12-31",
        "unit=nowhere",
        "user=" + "x" * 81,
        "item_type=",
        "who=giamdoc",
    ]:
        r = client.get(f"{AUDIT}?{query}", headers=headers)
        assert r.status_code == 400 and error_of(r) == "invalid_input", query

"""Council votes through the API: who may vote (201, 403), when (409), what (400), on what
(404), and the quorum that makes the nominations reviewed."""

from __future__ import annotations

from sqlalchemy import select

from models import Council, CouncilMember, User
from tests.api.conftest import API, deliverable_of, error_of
from tests.helpers import bring_to


def vote(client, headers, item_id, **body):
    return client.post(f"{API}/deliverables/{item_id}/votes", headers=headers, json=body)


def submitted_nominations(session, actors) -> int:
    """Task 9's "Dân vận khéo" nominations of Văn phòng Sở, filled and submitted."""
    item = deliverable_of(session, 9, "vp", "nominations")
    bring_to(session, actors, ("deliverable", item), "submitted")
    session.rollback()
    return item


def test_council_member_votes_and_quorum_makes_it_reviewed_201(client, bearer, session, actors):
    item = submitted_nominations(session, actors)
    url = f"{API}/deliverables/{item}"
    reviewer = bearer("vp.thamdinh")
    # the Office reviewer's plain review does not replace the council
    r = client.post(f"{url}/actions/review", headers=reviewer)
    assert r.status_code == 409 and error_of(r) == "incomplete"

    expected = [  # (voter, in favour, votes for, votes against, state after)
        ("khtc.chuyenvien", True, 1, 0, "submitted"),
        ("qltt.chuyenvien", False, 1, 1, "submitted"),
        ("phogiamdoc", True, 2, 1, "submitted"),
        ("vp.thamdinh", True, 3, 1, "reviewed"),  # the third vote for: quorum reached
    ]
    for voter, in_favour, votes_for, votes_against, state in expected:
        r = vote(client, bearer(voter), item, in_favour=in_favour, comment=f"Ý kiến của {voter}")
        assert r.status_code == 201, r.get_json()
        assert r.get_json() == {
            "council": "Hội đồng Thi đua - Khen thưởng Sở",
            "quorum": 3,
            "members": 4,
            "votes_for": votes_for,
            "votes_against": votes_against,
            "reached": votes_for >= 3,
            "state": state,
        }

    # every viewer reads this round's votes, in order, with their comments
    sheet = client.get(f"{url}/votes", headers=bearer("vp.chuyenvien")).get_json()
    assert sheet["round"] == 1 and sheet["tally"]["reached"] is True
    assert sheet["tally"]["state"] == "reviewed"
    assert [(v["voter"], v["in_favour"], v["comment"]) for v in sheet["items"]] == [
        (voter, in_favour, f"Ý kiến của {voter}") for voter, in_favour, *_ in expected
    ]
    assert all(v["at"].endswith("Z") and v["voter_name"] for v in sheet["items"])

    detail = client.get(url, headers=reviewer).get_json()
    assert detail["state"] == "reviewed" and detail["round"] == 1
    trail = client.get(f"{url}/audit", headers=reviewer).get_json()["items"]
    assert [(e["action"], e["actor"]) for e in trail[-5:]] == [
        ("vote", "khtc.chuyenvien"),
        ("vote", "qltt.chuyenvien"),
        ("vote", "phogiamdoc"),
        ("vote", "vp.thamdinh"),
        ("review", "vp.thamdinh"),
    ]
    assert trail[-4]["detail"]["in_favour"] is False
    # the Director approves the list the council reviewed
    r = client.post(f"{url}/actions/approve", headers=bearer("giamdoc"))
    assert r.status_code == 200 and r.get_json()["state"] == "approved"


def test_non_member_vote_403(client, bearer, session, actors):
    item = submitted_nominations(session, actors)
    for username in ["giamdoc", "vp.chuyenvien", "qlcn.chuyenvien", "kiemtra"]:
        r = vote(client, bearer(username), item, in_favour=True)
        assert r.status_code == 403 and error_of(r) == "not_permitted", username
    sheet = client.get(f"{API}/deliverables/{item}/votes", headers=bearer("giamdoc")).get_json()
    assert sheet["items"] == [] and sheet["tally"]["votes_for"] == 0


def test_the_submitter_cannot_vote_even_on_the_council_403(client, bearer, session, actors):
    council = session.execute(select(Council.id).where(Council.code == "hd-thi-dua")).scalar_one()
    member = session.execute(select(User.id).where(User.username == "vp.chuyenvien")).scalar_one()
    session.add(CouncilMember(council_id=council, user_id=member))
    session.commit()
    item = submitted_nominations(session, actors)
    r = vote(client, bearer("vp.chuyenvien"), item, in_favour=True)
    assert r.status_code == 403 and error_of(r) == "not_permitted"
    assert "tách bạch" in r.get_json()["message"]


def test_second_vote_409(client, bearer, session, actors):
    item = submitted_nominations(session, actors)
    member = bearer("khtc.chuyenvien")
    assert vote(client, member, item, in_favour=True).status_code == 201
    r = vote(client, member, item, in_favour=False, comment="Đổi ý")
    assert r.status_code == 409 and error_of(r) == "invalid_transition"
    sheet = client.get(f"{API}/deliverables/{item}/votes", headers=member).get_json()
    assert [(v["voter"], v["in_favour"]) for v in sheet["items"]] == [("khtc.chuyenvien", True)]


def test_vote_on_a_draft_409(client, bearer, session, actors):
    """Chi cục QLTT coordinates task 9, so it sees the draft; voting waits for submission."""
    item = deliverable_of(session, 9, "vp", "nominations")
    r = vote(client, bearer("qltt.chuyenvien"), item, in_favour=True)
    assert r.status_code == 409 and error_of(r) == "invalid_transition"


def test_a_new_round_after_a_return_counts_afresh(client, bearer, session, actors):
    item = submitted_nominations(session, actors)
    assert vote(client, bearer("khtc.chuyenvien"), item, in_favour=True).status_code == 201
    url = f"{API}/deliverables/{item}/actions"
    member = bearer("vp.chuyenvien")
    assert client.post(f"{url}/withdraw", headers=member).status_code == 200
    assert client.post(f"{url}/submit", headers=member).status_code == 200
    sheet = client.get(f"{API}/deliverables/{item}/votes", headers=member).get_json()
    assert sheet["round"] == 2 and sheet["items"] == [] and sheet["tally"]["votes_for"] == 0
    assert vote(client, bearer("khtc.chuyenvien"), item, in_favour=True).status_code == 201


def test_vote_with_a_bad_body_400(client, bearer, session, actors):
    item = submitted_nominations(session, actors)
    member = bearer("khtc.chuyenvien")
    url = f"{API}/deliverables/{item}/votes"
    for body in [
        {},
        {"in_favour": "yes"},
        {"in_favour": 1},
        {"in_favour": None},
        {"in_favour": True, "comment": 5},
        {"in_favour": True, "comment": "x" * 10_001},
        {"in_favour": True, "weight": 2},
    ]:
        r = client.post(url, headers=member, json=body)
        assert r.status_code == 400 and error_of(r) == "invalid_input", body
    r = client.post(url, headers=member, data="in_favour=1", content_type="text/plain")
    assert r.status_code == 400 and error_of(r) == "invalid_json"
    assert client.get(url, headers=member).get_json()["items"] == []


def test_vote_on_a_kind_without_a_council_400(client, bearer, session, actors, filled_id):
    bring_to(session, actors, ("deliverable", filled_id), "submitted")
    r = vote(client, bearer("phogiamdoc"), filled_id, in_favour=True)
    assert r.status_code == 400 and error_of(r) == "invalid_input"
    sheet = client.get(f"{API}/deliverables/{filled_id}/votes", headers=bearer("phogiamdoc"))
    assert sheet.get_json() == {"round": 1, "tally": None, "items": []}


def test_votes_of_an_item_one_may_not_see_404(client, bearer, foreign_draft_id):
    other = bearer("qltt.chuyenvien")
    for item in [foreign_draft_id, 99_999]:
        r = vote(client, other, item, in_favour=True)
        assert r.status_code == 404 and error_of(r) == "not_found", item
        r = client.get(f"{API}/deliverables/{item}/votes", headers=other)
        assert r.status_code == 404 and error_of(r) == "not_found", item

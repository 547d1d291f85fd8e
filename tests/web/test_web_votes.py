"""Council votes on the "Dân vận khéo" nominations page: the tally, the vote form for the
emulation council's members, the quorum moving the list to reviewed, refusals."""

from __future__ import annotations

from sqlalchemy import select

from models import AuditEvent
from tests.helpers import bring_to, state_and_version


def text(response) -> str:
    return response.get_data(as_text=True)


def vote(browser, item_id: int, choice: str, comment: str = ""):
    return browser.post(f"/deliverables/{item_id}/vote", {"vote": choice, "comment": comment})


def test_members_vote_and_the_quorum_makes_it_reviewed(web, session, actors, nominations):
    item = f"/deliverables/{nominations.id}"
    bring_to(session, actors, ("deliverable", nominations.id), "submitted")

    # The reviewer sees the review as waiting for the council, with the tally.
    reviewer_page = text(web("vp.thamdinh").get(item))
    assert "Biểu quyết của Hội đồng Thi đua - Khen thưởng Sở" in reviewer_page
    assert 'class="action-form is-blocked action-review"' in reviewer_page
    assert "cần 3 phiếu tán thành, hiện có 0" in reviewer_page

    # A council member finds it in their queue, then votes with a comment.
    member = web("khtc.chuyenvien")
    queue = text(member.get("/"))
    assert "Chờ bạn bỏ phiếu (Hội đồng)" in queue and nominations.title in queue
    page = text(member.get(item))
    assert 'class="vote-form stack"' in page
    assert 'name="vote" value="for"' in page and 'name="vote" value="against"' in page
    voted = vote(member, nominations.id, "for", "Mô hình hiệu quả, nhân rộng được.")
    assert voted.status_code == 303
    page = text(member.get(item))
    assert "Đã ghi phiếu tán thành: 1/3 phiếu tán thành cần thiết." in page
    assert "Mô hình hiệu quả, nhân rộng được." in page
    assert "Bạn đã bỏ phiếu cho lần trình này." in page
    assert 'class="vote-form stack"' not in page
    assert nominations.title not in text(member.get("/")).split("Chờ bạn bỏ phiếu")[1][:2000]
    # Once per submission.
    again = vote(member, nominations.id, "against")
    assert again.status_code == 409
    assert "đã bỏ phiếu" in text(again)

    # A vote against counts but does not review it.
    against = vote(web("vp.thamdinh"), nominations.id, "against", "Cần bổ sung số liệu.")
    assert against.status_code == 303
    assert state_and_version(session, ("deliverable", nominations.id))[0] == "submitted"
    assert vote(web("qltt.chuyenvien"), nominations.id, "for").status_code == 303
    deputy = web("phogiamdoc")
    reached = vote(deputy, nominations.id, "for", "Đồng ý.")
    assert reached.status_code == 303
    page = text(deputy.get(reached.headers["Location"]))
    assert "Đã đủ số phiếu tán thành: sản phẩm chuyển sang Đã thẩm định." in page
    assert state_and_version(session, ("deliverable", nominations.id))[0] == "reviewed"

    # The page and the trail: 3 for of 3 needed, 1 against, who voted, comments.
    page = text(web("giamdoc").get(item))
    assert "Đã đủ số phiếu tán thành: Hội đồng thông qua danh sách." in page
    assert "4/4 thành viên đã bỏ phiếu" in page
    for name in ("Chuyên viên Phòng Kế hoạch - Tài chính", "Phạm Quốc Huy", "Võ Văn Tâm",
                 "Lê Thị Hồng Nhung", "Cần bổ sung số liệu."):  # fmt: skip
        assert name in page, name
    trail = page.split("Nhật ký của sản phẩm")[1]
    assert trail.count("Bỏ phiếu") == 4
    assert "Đủ 3/3 phiếu tán thành của Hội đồng Thi đua - Khen thưởng Sở" in trail
    assert "Đã trình → Đã thẩm định" in trail
    session.rollback()
    votes = session.execute(select(AuditEvent).where(AuditEvent.action == "vote")).scalars().all()
    assert [e.actor_username for e in votes] == [
        "khtc.chuyenvien",
        "vp.thamdinh",
        "qltt.chuyenvien",
        "phogiamdoc",
    ]


def test_non_members_see_the_tally_and_are_refused(web, session, actors, nominations):
    item = f"/deliverables/{nominations.id}"
    bring_to(session, actors, ("deliverable", nominations.id), "submitted")
    outsider = web("qlcn.chuyenvien")
    page = text(outsider.get(item))
    assert "Chỉ thành viên Hội đồng Thi đua - Khen thưởng Sở mới bỏ phiếu" in page
    assert 'class="vote-form stack"' not in page
    refused = vote(outsider, nominations.id, "for")
    assert refused.status_code == 403
    assert "không phải thành viên Hội đồng Thi đua - Khen thưởng Sở" in text(refused)
    # The submitter may not vote either (separation of duties); neither may the Director.
    assert vote(web("vp.chuyenvien"), nominations.id, "for").status_code == 403
    assert vote(web("giamdoc"), nominations.id, "for").status_code == 403
    assert "Chờ bạn bỏ phiếu" not in text(outsider.get("/"))
    assert state_and_version(session, ("deliverable", nominations.id))[0] == "submitted"


def test_votes_only_while_submitted_and_with_a_choice(web, session, actors, nominations):
    member = web("khtc.chuyenvien")
    draft = vote(member, nominations.id, "for")
    assert draft.status_code == 409
    assert "Đã trình" in text(draft)
    page = text(member.get(f"/deliverables/{nominations.id}"))
    assert "Hội đồng bỏ phiếu sau khi sản phẩm được trình." in page
    assert "bỏ phiếu khi sản phẩm ở trạng thái Đã trình" in page
    bring_to(session, actors, ("deliverable", nominations.id), "submitted")
    assert vote(member, nominations.id, "maybe").status_code == 400
    no_token = member.post(f"/deliverables/{nominations.id}/vote", {"vote": "for"}, csrf=False)
    assert no_token.status_code == 400
    assert state_and_version(session, ("deliverable", nominations.id))[0] == "submitted"
    session.rollback()
    assert session.execute(select(AuditEvent).where(AuditEvent.action == "vote")).first() is None


def test_a_kind_without_a_council_has_no_vote(web, session, actors, rules_doc):
    bring_to(session, actors, ("deliverable", rules_doc.id), "submitted")
    page = text(web("khtc.chuyenvien").get(f"/deliverables/{rules_doc.id}"))
    assert "Biểu quyết" not in page
    assert vote(web("khtc.chuyenvien"), rules_doc.id, "for").status_code == 400

"""On a reviewed item the Director or a Deputy chooses between returning it to the unit and
sending it back to the Office for another review; each needs a reason, and the reason
reaches whoever must act next."""

from __future__ import annotations

from sqlalchemy import select

from models import AuditEvent
from tests.helpers import bring_to, state_and_version


def text(response) -> str:
    return response.get_data(as_text=True)


def act(browser, item: str, action: str, version: int, **extra):
    return browser.post(f"{item}/act", {"action": action, "version": str(version), **extra})


def test_two_clearly_separated_choices_each_with_a_reason(web, session, actors, rules_doc):
    bring_to(session, actors, ("deliverable", rules_doc.id), "reviewed")
    for username in ("giamdoc", "phogiamdoc"):
        page = text(web(username).get(f"/deliverables/{rules_doc.id}"))
        # issue 12: the pair sits in the sticky action bar, each way back in its own form
        choices = page.split('class="send-back-choices no-print"')[1].split(
            '<p class="print-state">'
        )[0]
        assert "Chưa phê duyệt? Chọn một trong hai hướng" in choices
        back_to_unit = choices.split('class="action-form action-return"')[1].split("</form>")[0]
        assert ">Trả lại đơn vị</button>" in back_to_unit
        assert "Lý do (bắt buộc, đơn vị chủ trì sẽ đọc khi sửa)" in back_to_unit
        assert 'name="reason" rows="3" maxlength="4000" required' in back_to_unit
        to_office = choices.split('class="action-form action-send_back"')[1].split("</form>")[0]
        assert ">Chuyển Văn phòng thẩm định lại</button>" in to_office
        assert "Lý do (bắt buộc, Văn phòng Sở sẽ đọc khi thẩm định lại)" in to_office
        assert 'name="reason" rows="3" maxlength="4000" required' in to_office
        # Approving stays apart from the two ways back.
        before = page.split('class="send-back-choices no-print"')[0]
        assert 'class="action-form action-approve"' in before


def test_send_back_reaches_the_reviewers_queue_with_its_reason(web, session, actors, rules_doc):
    item = f"/deliverables/{rules_doc.id}"
    bring_to(session, actors, ("deliverable", rules_doc.id), "reviewed")
    director = web("giamdoc")
    version = state_and_version(session, ("deliverable", rules_doc.id))[1]
    no_reason = act(director, item, "send_back", version, reason="  ")
    assert no_reason.status_code == 400
    assert state_and_version(session, ("deliverable", rules_doc.id))[0] == "reviewed"
    reason = "Đề nghị Văn phòng rà soát lại căn cứ pháp lý tại Điều 2."
    sent = act(director, item, "send_back", version, reason=reason)
    assert sent.status_code == 303
    assert state_and_version(session, ("deliverable", rules_doc.id))[0] == "submitted"

    reviewer = web("vp.thamdinh")
    queue = text(reviewer.get("/"))
    to_review = queue.split('class="panel queue-to_review"')[1].split("</section>")[0]
    assert rules_doc.title in to_review
    assert "Lãnh đạo chuyển Văn phòng thẩm định lại" in to_review
    assert reason in to_review and "Trần Minh Đức (Ban Giám đốc Sở)" in to_review  # issue 12
    page = text(reviewer.get(item))
    note = page.split("note-send-back")[1].split("</div>")[0]
    assert reason in note
    # The unit that submitted it sees it waiting, with the same note.
    owner_queue = text(web("vp.chuyenvien").get("/"))
    assert reason in owner_queue.split('class="panel queue-waiting"')[1]
    # Reviewed again: the note goes away.
    version = state_and_version(session, ("deliverable", rules_doc.id))[1]
    assert act(reviewer, item, "review", version).status_code == 303
    assert reason not in text(reviewer.get("/"))
    session.rollback()
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "send_back")).scalar_one()
    assert (event.from_state, event.to_state, event.reason) == ("reviewed", "submitted", reason)


def test_return_to_the_unit_reaches_the_submitter(web, session, actors, rules_doc):
    item = f"/deliverables/{rules_doc.id}"
    bring_to(session, actors, ("deliverable", rules_doc.id), "reviewed")
    reason = "Bổ sung phụ lục danh sách thành viên."
    version = state_and_version(session, ("deliverable", rules_doc.id))[1]
    assert act(web("phogiamdoc"), item, "return", version, reason=reason).status_code == 303
    assert state_and_version(session, ("deliverable", rules_doc.id))[0] == "draft"
    returned = text(web("vp.chuyenvien").get("/")).split('class="panel queue-returned"')[1]
    assert rules_doc.title in returned and reason in returned
    assert reason not in text(web("vp.thamdinh").get("/"))

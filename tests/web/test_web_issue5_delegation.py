"""Ủy quyền on the pages: delegating for a date range, acting on behalf (the trail names
both), revoking with confirmation, an expired delegation not offered."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import AuditEvent, Delegation
from tests.conftest import FAST_HASH, TEST_PASSWORD
from tests.helpers import bring_to, state_and_version
from workflow import clock, delegation, service
from workflow.accounts import create_user
from workflow.policy import Actor


def text(response) -> str:
    return response.get_data(as_text=True)


def ddmmyyyy(day) -> str:
    return day.strftime("%d/%m/%Y")


TODAY = clock.today_local()


def test_director_delegates_and_the_delegate_approves_on_behalf(web, session, actors, rules_doc):
    director = web("giamdoc")
    page = text(director.get("/delegations"))
    assert 'name="starts_on"' in page and 'name="ends_on"' in page
    assert f'value="{ddmmyyyy(TODAY)}"' in page  # starts today unless changed
    assert '<option value="qltt.chuyenvien">Võ Văn Tâm (qltt.chuyenvien)' in page
    created = director.post(
        "/delegations",
        {
            "delegate": "qltt.chuyenvien",
            "starts_on": ddmmyyyy(TODAY),
            "ends_on": ddmmyyyy(TODAY + timedelta(days=6)),
            "note": "Nghỉ phép",
        },
    )
    assert created.status_code == 303
    page = text(director.get("/delegations"))
    assert "Đã ủy quyền cho qltt.chuyenvien" in page
    given = page.split("Tôi đã ủy quyền")[1]
    assert "Võ Văn Tâm" in given and "Đang có hiệu lực" in given and "Nghỉ phép" in given
    assert f"{ddmmyyyy(TODAY)} – {ddmmyyyy(TODAY + timedelta(days=6))}" in given

    # The delegate sees it received, and on a reviewed item may approve on the Director's
    # behalf (they have no approving role of their own: no "myself" choice).
    delegate = web("qltt.chuyenvien")
    assert "Trần Minh Đức" in text(delegate.get("/delegations")).split("Được ủy quyền cho tôi")[1]
    bring_to(session, actors, ("deliverable", rules_doc.id), "reviewed")
    item = f"/deliverables/{rules_doc.id}"
    page = text(delegate.get(item))
    approve = page.split('class="action-form action-approve"')[1].split("</form>")[0]
    assert '<select id="as-approve" name="on_behalf_of"' in approve
    assert '<option value="giamdoc">Thực hiện thay mặt Trần Minh Đức</option>' in approve
    assert "Chính tôi" not in approve
    version = state_and_version(session, ("deliverable", rules_doc.id))[1]
    unconfirmed = delegate.post(
        f"{item}/act", {"action": "approve", "version": str(version), "on_behalf_of": "giamdoc"}
    )
    assert unconfirmed.status_code == 400  # permitted on behalf, but the box is not ticked
    assert "đánh dấu ô xác nhận" in text(unconfirmed)
    done = delegate.post(
        f"{item}/act",
        {"action": "approve", "version": str(version), "confirm": "y", "on_behalf_of": "giamdoc"},
    )
    assert done.status_code == 303, text(done)
    assert state_and_version(session, ("deliverable", rules_doc.id))[0] == "approved"
    trail = text(delegate.get(item)).split("Nhật ký của sản phẩm")[1]
    assert 'Võ Văn Tâm <span class="on-behalf-of">(thay mặt Trần Minh Đức)</span>' in trail
    session.rollback()
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "approve")).scalar_one()
    assert (event.actor_username, event.on_behalf_of_username) == ("qltt.chuyenvien", "giamdoc")
    # The whole trail (audit page) names both too.
    assert "(thay mặt Trần Minh Đức)" in text(web("kiemtra").get("/audit"))


def test_a_reviewer_with_a_delegation_chooses_myself_or_on_behalf(
    web, session, actors, rules_doc, steering
):
    delegation.delegate(
        session, actors["giamdoc"], delegate_username="vp.thamdinh",
        starts_on=TODAY, ends_on=TODAY,
    )  # fmt: skip
    bring_to(session, actors, ("deliverable", rules_doc.id), "submitted")
    page = text(web("vp.thamdinh").get(f"/deliverables/{rules_doc.id}"))
    # Submitted: review and return are the reviewer's own; the Director's authority adds
    # nothing here, so no choice is offered.
    assert 'class="action-form action-review"' in page
    assert 'name="on_behalf_of"' not in page
    # Reviewed by another reviewer: the reviewer may send back or approve only on the
    # Director's behalf.
    bring_to_reviewed_by_other_reviewer(session, actors, rules_doc.id)
    page = text(web("vp.thamdinh").get(f"/deliverables/{rules_doc.id}"))
    for action in ("send_back", "approve"):
        form = page.split(f'class="action-form action-{action}"')[1].split("</form>")[0]
        assert '<option value="giamdoc">Thực hiện thay mặt Trần Minh Đức</option>' in form
        assert "Chính tôi" not in form
    # Reviewed by this reviewer: approving it on anyone's behalf would break separation of
    # duties, so it is not offered (send-back and return still are).
    bring_to(session, actors, ("deliverable", steering.id), "reviewed")
    page = text(web("vp.thamdinh").get(f"/deliverables/{steering.id}"))
    assert 'class="action-form action-approve"' not in page
    assert 'class="action-form action-send_back"' in page
    version = state_and_version(session, ("deliverable", steering.id))[1]
    refused = web("vp.thamdinh").post(
        f"/deliverables/{steering.id}/act",
        {"action": "approve", "version": str(version), "confirm": "y", "on_behalf_of": "giamdoc"},
    )
    assert refused.status_code == 403
    assert "tách bạch nhiệm vụ" in text(refused)


def bring_to_reviewed_by_other_reviewer(session, actors, item_id: int) -> None:
    """Reviewed by a second Office reviewer, so vp.thamdinh stays independent of it."""
    user = create_user(
        session, username="vp.thamdinh2", full_name="Lý Thị Thẩm", unit_code="vp",
        roles=["reviewer"], password=TEST_PASSWORD, password_method=FAST_HASH,
    )  # fmt: skip
    session.commit()
    service.perform(session, Actor.of(user), ("deliverable", item_id), "review")


def test_revoke_needs_confirmation_and_ends_the_authority(web, session, actors, rules_doc):
    given = delegation.delegate(
        session, actors["giamdoc"], delegate_username="qltt.chuyenvien",
        starts_on=TODAY, ends_on=TODAY + timedelta(days=3),
    )  # fmt: skip
    bring_to(session, actors, ("deliverable", rules_doc.id), "reviewed")
    item = f"/deliverables/{rules_doc.id}"
    delegate = web("qltt.chuyenvien")
    assert 'name="on_behalf_of"' in text(delegate.get(item))

    director = web("giamdoc")
    page = text(director.get("/delegations"))
    assert f'action="/delegations/{given.id}/revoke"' in page
    assert 'name="confirm" value="y" required' in page
    unconfirmed = director.post(f"/delegations/{given.id}/revoke")
    assert unconfirmed.status_code == 400
    assert "đánh dấu ô xác nhận" in text(unconfirmed)
    # Only the delegator (or an administrator) revokes; others do not even see it.
    assert delegate.post(f"/delegations/{given.id}/revoke", {"confirm": "y"}).status_code == 403
    assert (
        web("phogiamdoc").post(f"/delegations/{given.id}/revoke", {"confirm": "y"}).status_code
        == 404
    )
    assert director.post("/delegations/999999/revoke", {"confirm": "y"}).status_code == 404
    revoked = director.post(f"/delegations/{given.id}/revoke", {"confirm": "y"})
    assert revoked.status_code == 303
    page = text(director.get("/delegations"))
    assert "Đã thu hồi ủy quyền" in page and "Đã thu hồi</span>" in page
    assert f'action="/delegations/{given.id}/revoke"' not in page
    assert director.post(f"/delegations/{given.id}/revoke", {"confirm": "y"}).status_code == 409

    # No more acting on behalf: not offered, and refused if sent anyway.
    page = text(delegate.get(item))
    assert 'name="on_behalf_of"' not in page
    version = state_and_version(session, ("deliverable", rules_doc.id))[1]
    refused = delegate.post(
        f"{item}/act",
        {"action": "approve", "version": str(version), "confirm": "y", "on_behalf_of": "giamdoc"},
    )
    assert refused.status_code == 403
    assert "ủy quyền" in text(refused)
    session.rollback()
    actions = [e.action for e in session.execute(
        select(AuditEvent).where(AuditEvent.item_type == "delegation")
    ).scalars()]  # fmt: skip
    assert actions == ["delegate", "revoke"]


def test_an_expired_or_future_delegation_is_not_offered(web, session, actors, rules_doc):
    delegation.delegate(
        session, actors["giamdoc"], delegate_username="qltt.chuyenvien",
        starts_on=TODAY - timedelta(days=10), ends_on=TODAY - timedelta(days=1),
    )  # fmt: skip
    delegation.delegate(
        session, actors["phogiamdoc"], delegate_username="qltt.chuyenvien",
        starts_on=TODAY + timedelta(days=1), ends_on=TODAY + timedelta(days=5),
    )  # fmt: skip
    bring_to(session, actors, ("deliverable", rules_doc.id), "reviewed")
    delegate = web("qltt.chuyenvien")
    page = text(delegate.get(f"/deliverables/{rules_doc.id}"))
    assert 'name="on_behalf_of"' not in page
    assert "Bạn không có thao tác nào" in page
    received = text(delegate.get("/delegations")).split("Được ủy quyền cho tôi")[1]
    assert "Đã hết hạn" in received and "Chưa đến ngày" in received
    version = state_and_version(session, ("deliverable", rules_doc.id))[1]
    refused = delegate.post(
        f"/deliverables/{rules_doc.id}/act",
        {"action": "approve", "version": str(version), "confirm": "y", "on_behalf_of": "giamdoc"},
    )
    assert refused.status_code == 403


def test_who_may_delegate_and_bad_input(web, session, actors):
    member = web("vp.chuyenvien")
    page = text(member.get("/delegations"))
    assert "không ủy quyền được" in page and 'name="starts_on"' not in page
    refused = member.post(
        "/delegations",
        {"delegate": "qltt.chuyenvien", "starts_on": "01/12/2025", "ends_on": "31/12/2025"},
    )
    assert refused.status_code == 403
    director = web("giamdoc")
    for form, message in (
        ({"delegate": "qltt.chuyenvien", "starts_on": "31/12/2025", "ends_on": "01/12/2025"},
         "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."),
        ({"delegate": "qltt.chuyenvien", "starts_on": "32/12/2025", "ends_on": "01/01/2026"},
         "không hợp lệ; hãy nhập theo dạng dd/mm/yyyy"),
        ({"delegate": "", "starts_on": "01/12/2025", "ends_on": "02/12/2025"},
         "Hãy nhập đủ người được ủy quyền"),
        ({"delegate": "giamdoc", "starts_on": "01/12/2025", "ends_on": "02/12/2025"},
         "Không thể ủy quyền cho chính mình."),
        ({"delegate": "nobody", "starts_on": "01/12/2025", "ends_on": "02/12/2025"},
         "Không có người dùng đang hoạt động"),
    ):  # fmt: skip
        answer = director.post("/delegations", form)
        assert answer.status_code == 400, form
        page = text(answer)
        assert message in page, form
        assert 'name="ends_on"' in page  # the form comes back
    session.rollback()
    assert session.execute(select(Delegation)).first() is None

"""Ủy quyền on the pages: delegating for a date range, acting on behalf (the trail names
both), revoking with confirmation, an expired delegation not offered."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import AuditEvent, Delegation
from tests.helpers import bring_to, state_and_version
from workflow.core import clock, service
from workflow.items import delegation


def text(response) -> str:
    return response.get_data(as_text=True)


def ddmmyyyy(day) -> str:
    return day.strftime("%d/%m/%Y")


TODAY = clock.today_local()


def test_director_delegates_and_the_delegate_approves_on_behalf(web, session, actors, rules_doc):
    # Issue 9: the Director delegates to a Deputy Director (before: to a division member,
    # which the delegation rule now refuses); the form offers only who may hold his authority.
    director = web("giamdoc")
    page = text(director.get("/delegations"))
    assert 'name="starts_on"' in page and 'name="ends_on"' in page
    assert f'value="{ddmmyyyy(TODAY)}"' in page  # starts today unless changed
    assert '<option value="phogiamdoc">Lê Thị Hồng Nhung (phogiamdoc)' in page
    assert '<option value="qltt.chuyenvien">' not in page
    created = director.post(
        "/delegations",
        {
            "delegate": "phogiamdoc",
            "starts_on": ddmmyyyy(TODAY),
            "ends_on": ddmmyyyy(TODAY + timedelta(days=6)),
            "note": "Nghỉ phép",
        },
    )
    assert created.status_code == 303
    page = text(director.get("/delegations"))
    assert "Đã ủy quyền cho Lê Thị Hồng Nhung (Ban Giám đốc Sở)" in page  # issue 12
    given = page.split("Tôi đã ủy quyền")[1]
    assert "Lê Thị Hồng Nhung" in given and "Đang có hiệu lực" in given and "Nghỉ phép" in given
    assert f"{ddmmyyyy(TODAY)} – {ddmmyyyy(TODAY + timedelta(days=6))}" in given

    # The delegate sees it received, and on a reviewed item may approve in their own right
    # or on the Director's behalf.
    delegate = web("phogiamdoc")
    assert "Trần Minh Đức" in text(delegate.get("/delegations")).split("Được ủy quyền cho tôi")[1]
    bring_to(session, actors, ("deliverable", rules_doc.id), "reviewed")
    item = f"/deliverables/{rules_doc.id}"
    page = text(delegate.get(item))
    approve = page.split('class="action-form action-approve"')[1].split("</form>")[0]
    assert '<select id="as-approve" name="on_behalf_of"' in approve
    assert '<option value="giamdoc">Thực hiện thay mặt Trần Minh Đức</option>' in approve
    assert "Chính tôi" in approve
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
    assert (  # issue 12: both by name and unit
        'Lê Thị Hồng Nhung (Ban Giám đốc Sở) <span class="on-behalf-of">'
        "(thay mặt Trần Minh Đức (Ban Giám đốc Sở))</span>"
    ) in trail
    session.rollback()
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "approve")).scalar_one()
    assert (event.actor_username, event.on_behalf_of_username) == ("phogiamdoc", "giamdoc")
    # The whole trail (audit page) names both too.
    assert "(thay mặt Trần Minh Đức (Ban Giám đốc Sở))" in text(web("kiemtra").get("/audit"))


def test_a_deputy_with_a_delegation_chooses_myself_or_on_behalf(
    web, session, actors, rules_doc, nominations
):
    # Issue 9: before, the Director delegated to the Office reviewer; a delegate must now
    # hold the Director's authority in their own right (a Deputy Director).
    delegation.delegate(
        session, actors["giamdoc"], delegate_username="phogiamdoc",
        starts_on=TODAY, ends_on=TODAY,
    )  # fmt: skip
    bring_to(session, actors, ("deliverable", rules_doc.id), "submitted")
    page = text(web("phogiamdoc").get(f"/deliverables/{rules_doc.id}"))
    # Submitted: nothing for a Deputy Director, nor for the Director's authority.
    assert 'name="on_behalf_of"' not in page and 'class="action-form action-' not in page
    # Approved: reopening is the Director's alone, so it is offered only on his behalf.
    bring_to_approved(session, actors, rules_doc.id)
    page = text(web("phogiamdoc").get(f"/deliverables/{rules_doc.id}"))
    form = page.split('class="action-form action-reopen"')[1].split("</form>")[0]
    assert '<option value="giamdoc">Thực hiện thay mặt Trần Minh Đức</option>' in form
    assert "Chính tôi" not in form
    # Reviewed by the council with this deputy's vote for it: approving it, on anyone's
    # behalf, would break separation of duties, so it is not offered; forced, it is refused.
    bring_to(session, actors, ("deliverable", nominations.id), "reviewed")  # phogiamdoc voted
    page = text(web("phogiamdoc").get(f"/deliverables/{nominations.id}"))
    assert 'class="action-form action-approve"' not in page
    version = state_and_version(session, ("deliverable", nominations.id))[1]
    refused = web("phogiamdoc").post(
        f"/deliverables/{nominations.id}/act",
        {"action": "approve", "version": str(version), "confirm": "y", "on_behalf_of": "giamdoc"},
    )
    assert refused.status_code == 403
    assert "tách bạch nhiệm vụ" in text(refused)


def bring_to_approved(session, actors, item_id: int) -> None:
    """From submitted: reviewed by the Office, approved by the Director."""
    service.perform(session, actors["vp.thamdinh"], ("deliverable", item_id), "review")
    service.perform(session, actors["giamdoc"], ("deliverable", item_id), "approve")


def test_revoke_needs_confirmation_and_ends_the_authority(web, session, actors, rules_doc):
    given = delegation.delegate(
        session, actors["giamdoc"], delegate_username="phogiamdoc",
        starts_on=TODAY, ends_on=TODAY + timedelta(days=3),
    )  # fmt: skip
    bring_to(session, actors, ("deliverable", rules_doc.id), "approved")
    item = f"/deliverables/{rules_doc.id}"
    delegate = web("phogiamdoc")
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
        web("vp.thamdinh").post(f"/delegations/{given.id}/revoke", {"confirm": "y"}).status_code
        == 404
    )
    assert director.post("/delegations/999999/revoke", {"confirm": "y"}).status_code == 404
    revoked = director.post(f"/delegations/{given.id}/revoke", {"confirm": "y"})
    assert revoked.status_code == 303
    page = text(director.get("/delegations"))
    assert (
        "Đã chấm dứt ủy quyền" in page and "Đã chấm dứt</span>" in page
    )  # issue 12: "Thu hồi" is withdraw only
    assert f'action="/delegations/{given.id}/revoke"' not in page
    assert director.post(f"/delegations/{given.id}/revoke", {"confirm": "y"}).status_code == 409

    # No more acting on behalf: not offered, and refused if sent anyway.
    page = text(delegate.get(item))
    assert 'name="on_behalf_of"' not in page
    version = state_and_version(session, ("deliverable", rules_doc.id))[1]
    refused = delegate.post(
        f"{item}/act",
        {"action": "reopen", "version": str(version), "reason": "Bổ sung.",
         "on_behalf_of": "giamdoc"},
    )  # fmt: skip
    assert refused.status_code == 403
    assert "ủy quyền" in text(refused)
    session.rollback()
    actions = [e.action for e in session.execute(
        select(AuditEvent).where(AuditEvent.item_type == "delegation")
    ).scalars()]  # fmt: skip
    assert actions == ["delegate", "revoke"]


def test_an_expired_or_future_delegation_is_not_offered(web, session, actors, rules_doc):
    delegation.delegate(
        session, actors["giamdoc"], delegate_username="phogiamdoc",
        starts_on=TODAY - timedelta(days=10), ends_on=TODAY - timedelta(days=1),
    )  # fmt: skip
    delegation.delegate(
        session, actors["giamdoc"], delegate_username="phogiamdoc",
        starts_on=TODAY + timedelta(days=1), ends_on=TODAY + timedelta(days=5),
    )  # fmt: skip
    bring_to(session, actors, ("deliverable", rules_doc.id), "approved")
    delegate = web("phogiamdoc")
    page = text(delegate.get(f"/deliverables/{rules_doc.id}"))
    assert 'name="on_behalf_of"' not in page
    assert "Bạn không có thao tác nào" in page
    received = text(delegate.get("/delegations")).split("Được ủy quyền cho tôi")[1]
    assert "Đã hết hạn" in received and "Chưa đến ngày" in received
    version = state_and_version(session, ("deliverable", rules_doc.id))[1]
    refused = delegate.post(
        f"/deliverables/{rules_doc.id}/act",
        {"action": "reopen", "version": str(version), "reason": "Bổ sung.",
         "on_behalf_of": "giamdoc"},
    )  # fmt: skip
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

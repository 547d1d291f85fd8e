"""Issue 12, fixing mistakes without an administrator: a wrong file comes off a draft, a
mistaken draft is deleted (confirmed first, audited, the trail keeps its record); the
edit form keeps what was typed and says what is wrong next to the field; the returned
item's reason is on its edit page; the audit filter says when a date is not one."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from models import Attachment, AuditEvent, Deliverable, Unit, User
from tests.helpers import bring_to
from tests.web.test_web_files import EXE, PDF
from workflow.core import service
from workflow.items import editing
from workflow.reads import deadlines

TITLE = "Báo cáo tạo nhầm"


def body(response) -> str:
    return response.get_data(as_text=True)


def new_draft(web, session, task_id: int, username: str = "vp.chuyenvien") -> int:
    """A draft the unit adds itself, through the page."""
    browser = web(username)
    created = browser.post(f"/tasks/{task_id}/deliverables", {"title": TITLE, "kind": "document"})
    assert created.status_code == 303, body(created)
    session.rollback()
    return session.execute(select(Deliverable.id).where(Deliverable.title == TITLE)).scalar_one()


def attach(browser, deliverable_id: int, name: str = "Nhầm.pdf"):
    return browser.post(
        f"/deliverables/{deliverable_id}/attachments",
        {"file": (io.BytesIO(PDF), name), "back": "view"},
        content_type="multipart/form-data",
    )


def events(session, action: str) -> list[AuditEvent]:
    session.rollback()
    return list(
        session.execute(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        ).scalars()
    )


# --- deleting a mistaken draft ------------------------------------------------------------


def test_a_member_deletes_a_mistaken_draft_after_confirming_and_the_trail_keeps_it(
    web, session, task2
):
    draft = new_draft(web, session, task2.id)
    owner = web("vp.chuyenvien")
    assert attach(owner, draft).status_code == 303
    owner.post(f"/deliverables/{draft}/comments", {"body": "Tạo nhầm, sẽ xóa."})
    item_page = body(owner.get(f"/deliverables/{draft}"))
    assert f'href="/deliverables/{draft}/delete"' in item_page and "Xóa dự thảo" in item_page
    confirm = owner.get(f"/deliverables/{draft}/delete")
    assert confirm.status_code == 200
    page = body(confirm)
    assert "Xóa dự thảo?" in page and TITLE in page and "1 tệp đính kèm" in page
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    unconfirmed = owner.post(f"/deliverables/{draft}/delete", {"version": version})
    assert unconfirmed.status_code == 400 and "đánh dấu ô xác nhận" in body(unconfirmed)
    session.rollback()
    assert session.get(Deliverable, draft) is not None
    deleted = owner.post(f"/deliverables/{draft}/delete", {"version": version, "confirm": "y"})
    assert deleted.status_code == 303 and deleted.headers["Location"].endswith(f"/tasks/{task2.id}")
    assert f"Đã xóa dự thảo “{TITLE}”" in body(owner.get(deleted.headers["Location"]))
    session.rollback()
    assert session.get(Deliverable, draft) is None
    assert (
        session.execute(
            select(func.count()).select_from(Attachment).where(Attachment.item_id == draft)
        ).scalar_one()
        == 0
    )
    (event,) = events(session, "delete")
    assert (event.item_type, event.item_id, event.actor_username) == (
        "deliverable",
        draft,
        "vp.chuyenvien",
    )
    assert event.from_state == "draft" and TITLE in event.detail
    # The trail keeps the record: create, attach, comment, delete, on the audit page.
    kept = [
        e.action
        for e in session.execute(
            select(AuditEvent)
            .where(AuditEvent.item_type == "deliverable", AuditEvent.item_id == draft)
            .order_by(AuditEvent.seq)
        ).scalars()
    ]
    assert kept == ["create", "attach", "comment", "delete"]
    audit = body(web("kiemtra").get(f"/audit?item_type=deliverable&item_id={draft}"))
    assert "Xóa dự thảo" in audit and TITLE in audit
    assert web("vp.chuyenvien").get(f"/deliverables/{draft}").status_code == 404


def test_only_its_author_or_the_owning_units_members_may_delete_a_draft(
    web, session, task2, outsider
):
    draft = new_draft(web, session, task2.id)
    for username in ("vp.thamdinh", "giamdoc", "admin", "kiemtra", "qltt.chuyenvien"):
        browser = web(username)  # qltt coordinates task 2: sees the draft, may not delete it
        assert browser.get(f"/deliverables/{draft}/delete").status_code == 403, username
        refused = browser.post(f"/deliverables/{draft}/delete", {"version": "1", "confirm": "y"})
        assert refused.status_code == 403, username
        assert 'class="btn btn-small btn-ghost delete-draft"' not in body(
            browser.get(f"/deliverables/{draft}")
        )
    unseen = web(outsider)
    assert unseen.get(f"/deliverables/{draft}/delete").status_code == 404
    assert unseen.post(f"/deliverables/{draft}/delete", {"confirm": "y"}).status_code == 404
    assert events(session, "delete") == []
    session.rollback()
    assert session.get(Deliverable, draft) is not None


def test_a_draft_submitted_once_or_the_plans_own_product_cannot_be_deleted(
    web, session, actors, task2, steering
):
    draft = new_draft(web, session, task2.id)
    member = actors["vp.chuyenvien"]
    editing.edit_deliverable(session, member, draft, {"body": "Nội dung."})
    service.perform(session, member, ("deliverable", draft), "submit")
    service.perform(session, member, ("deliverable", draft), "withdraw")  # a draft again
    owner = web("vp.chuyenvien")
    again = owner.get(f"/deliverables/{draft}/delete")
    assert again.status_code == 409 and "chưa từng được trình" in body(again)
    assert owner.post(f"/deliverables/{draft}/delete", {"confirm": "y"}).status_code == 409
    # The Steering Committee decision is one of the plan's products: it is fixed, not deleted.
    planned = owner.get(f"/deliverables/{steering.id}/delete")
    assert planned.status_code == 409 and "do kế hoạch quy định" in body(planned)
    assert "delete-draft" not in body(owner.get(f"/deliverables/{steering.id}"))
    assert events(session, "delete") == []


def test_a_stale_confirmation_does_not_delete_what_changed_meanwhile(web, session, actors, task2):
    draft = new_draft(web, session, task2.id)
    owner = web("vp.chuyenvien")
    owner.get(f"/deliverables/{draft}/delete")
    editing.edit_deliverable(session, actors["vp.chuyenvien"], draft, {"body": "Đã sửa."})
    stale = owner.post(f"/deliverables/{draft}/delete", {"version": "1", "confirm": "y"})
    assert stale.status_code == 409
    session.rollback()
    assert session.get(Deliverable, draft) is not None


# --- taking a wrong file off -----------------------------------------------------------


def test_the_uploader_takes_a_wrong_file_off_a_draft_after_confirming(web, session, steering):
    owner = web("vp.chuyenvien")
    assert attach(owner, steering.id, "Sai tệp.pdf").status_code == 303
    session.rollback()
    attachment = session.execute(
        select(Attachment.id).where(Attachment.item_id == steering.id)
    ).scalar_one()
    page = body(owner.get(f"/deliverables/{steering.id}"))
    assert f'href="/attachments/{attachment}/delete"' in page
    confirm = owner.get(f"/attachments/{attachment}/delete")
    assert confirm.status_code == 200 and "Gỡ tệp khỏi dự thảo?" in body(confirm)
    assert owner.post(f"/attachments/{attachment}/delete", {}).status_code == 400
    removed = owner.post(f"/attachments/{attachment}/delete", {"confirm": "y"})
    assert removed.status_code == 303
    assert "Đã gỡ tệp “Sai tệp.pdf”" in body(owner.get(removed.headers["Location"]))
    session.rollback()
    assert session.get(Attachment, attachment) is None
    (event,) = events(session, "detach")
    assert event.item_id == steering.id and "Sai tệp.pdf" in event.detail
    assert event.actor_username == "vp.chuyenvien"
    trail = body(owner.get(f"/deliverables/{steering.id}")).split("Nhật ký của sản phẩm")[1]
    assert "Gỡ tệp" in trail and "Sai tệp.pdf" in trail


def test_others_may_not_take_a_file_off_and_not_once_submitted(
    web, session, actors, rules_doc, outsider
):
    owner = web("vp.chuyenvien")
    assert attach(owner, rules_doc.id).status_code == 303
    session.rollback()
    attachment = session.execute(
        select(Attachment.id).where(Attachment.item_id == rules_doc.id)
    ).scalar_one()
    for username in ("vp.thamdinh", "giamdoc", "admin", "qltt.chuyenvien"):
        browser = web(username)
        assert browser.get(f"/attachments/{attachment}/delete").status_code == 403, username
        posted = browser.post(f"/attachments/{attachment}/delete", {"confirm": "y"})
        assert posted.status_code == 403, username
    assert web(outsider).get(f"/attachments/{attachment}/delete").status_code == 404
    assert web("giamdoc").get("/attachments/424242/delete").status_code == 404
    bring_to(session, actors, ("deliverable", rules_doc.id), "submitted")
    late = owner.post(f"/attachments/{attachment}/delete", {"confirm": "y"})
    assert late.status_code == 409 and "Dự thảo" in body(late)
    session.rollback()
    assert session.get(Attachment, attachment) is not None
    assert events(session, "detach") == []


def test_the_edit_form_takes_files_off_and_on_in_the_same_save(web, session, steering):
    owner = web("vp.chuyenvien")
    assert attach(owner, steering.id, "Cũ.pdf").status_code == 303
    session.rollback()
    old = session.execute(select(Attachment.id).where(Attachment.item_id == steering.id)).scalar()
    form = body(owner.get(f"/deliverables/{steering.id}/edit"))
    assert 'enctype="multipart/form-data"' in form and f'name="remove" value="{old}"' in form
    saved = owner.post(
        f"/deliverables/{steering.id}/edit",
        {
            "kind": "steering_committee",
            "version": "1",
            "title": steering.title,
            "body": "Bản sửa.",
            "decision_number": "77/QĐ-SCT",
            "remove": str(old),
            "file": (io.BytesIO(PDF), "Mới.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert saved.status_code == 303, body(saved)
    session.rollback()
    names = session.execute(
        select(Attachment.filename).where(Attachment.item_id == steering.id)
    ).scalars()
    assert list(names) == ["Mới.pdf"]
    assert session.get(Deliverable, steering.id).data["decision_number"] == "77/QĐ-SCT"
    actions = [e.action for e in events(session, "detach") + events(session, "attach")]
    assert actions.count("detach") == 1 and actions.count("attach") == 2


# --- the edit form keeps what was typed ------------------------------------------------


def test_a_refused_save_keeps_every_field_and_marks_the_wrong_one(web, session, steering):
    owner = web("vp.chuyenvien")
    refused = owner.post(
        f"/deliverables/{steering.id}/edit",
        {
            "kind": "steering_committee",
            "version": "1",
            "title": steering.title,
            "body": "Nội dung đang soạn dở.",
            "decision_number": "88/QĐ-SCT",
            "decision_date": "31/02/2025",
            "members-count": "5",
            "members-0-full_name": "Trần Minh Đức",
            "members-0-committee_role": "truong_ban",
            "file": (io.BytesIO(EXE), "quyet-dinh.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    page = body(refused)
    assert 'id="decision_date"' in page and 'value="31/02/2025"' in page
    assert 'aria-invalid="true" aria-describedby="err-decision_date"' in page
    assert 'id="err-decision_date"' in page and "dd/mm/yyyy" in page
    assert 'value="88/QĐ-SCT"' in page and 'value="Trần Minh Đức"' in page
    assert "Nội dung đang soạn dở." in page
    assert 'aria-describedby="err-file"' in page and "chọn lại tệp" in page
    session.rollback()
    assert session.get(Deliverable, steering.id).version == 1  # nothing saved
    # The date right, the file still an executable: refused by content, next to the file.
    wrong_file = owner.post(
        f"/deliverables/{steering.id}/edit",
        {
            "kind": "steering_committee",
            "version": "1",
            "title": steering.title,
            "body": "Nội dung đang soạn dở.",
            "decision_date": "10/11/2025",
            "file": (io.BytesIO(EXE), "quyet-dinh.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert wrong_file.status_code == 400
    page = body(wrong_file)
    assert 'id="err-file"' in page and "Chỉ nhận tệp PDF, DOCX, XLSX, PNG hoặc JPG" in page
    assert 'value="10/11/2025"' in page and "Nội dung đang soạn dở." in page


def test_add_row_without_javascript_keeps_the_input_and_saves_nothing(web, session, steering):
    owner = web("vp.chuyenvien")
    form = {
        "kind": "steering_committee",
        "version": "1",
        "title": steering.title,
        "body": "Chưa lưu.",
        "members-count": "5",
        **{f"members-{i}-full_name": f"Người {i + 1}" for i in range(5)},
        "add_row_members": "Thêm dòng",
    }
    grown = owner.post(f"/deliverables/{steering.id}/edit", form)
    assert grown.status_code == 200
    page = body(grown)
    assert 'name="members-count" value="6"' in page
    new_row = re.search(r'<input name="members-5-full_name"[^>]*>', page).group(0)
    assert 'value=""' in new_row and "autofocus" in new_row  # the new row, focused
    assert 'value="Người 5"' in page and "Chưa lưu." in page
    session.rollback()
    assert session.get(Deliverable, steering.id).version == 1


def test_a_form_too_large_to_read_is_answered_on_the_form_saying_so(web, session, steering):
    owner = web("vp.chuyenvien")
    too_many = {f"members-{i}-unit": "x" for i in range(2_100)}  # more parts than any form
    refused = owner.post(
        f"/deliverables/{steering.id}/edit",
        {"title": steering.title, "version": "1", **too_many, "file": (io.BytesIO(PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 413
    page = body(refused)
    assert "Sửa sản phẩm dự thảo" in page and "Biểu mẫu gửi lên quá lớn" in page
    assert "chưa được lưu" in page
    # The longest list a kind takes (200 rows of 6 fields) still fits in one form.
    nominations = session.execute(
        select(Deliverable).where(Deliverable.kind == "nominations")
    ).scalar_one()
    rows = {
        f"entries-{i}-{field}": f"{field} {i}"
        for i in range(200)
        for field in ("name", "unit", "model_name", "achievements", "proposed_form")
    }
    saved = owner.post(
        f"/deliverables/{nominations.id}/edit",
        {
            "kind": "nominations",
            "title": nominations.title,
            "version": str(nominations.version),
            "entries-count": "200",
            **rows,
            "file": (io.BytesIO(PDF), "Danh sách.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert saved.status_code == 303, body(saved)[:2000]
    session.rollback()
    assert len(session.get(Deliverable, nominations.id).data["entries"]) == 200


def test_a_stale_save_keeps_what_was_typed(web, session, actors, steering):
    owner = web("vp.chuyenvien")
    editing.edit_deliverable(session, actors["vp.chuyenvien"], steering.id, {"body": "Bản khác"})
    stale = owner.post(
        f"/deliverables/{steering.id}/edit",
        {"title": steering.title, "body": "Bản của tôi, dài và quý.", "version": "1"},
    )
    assert stale.status_code == 409
    page = body(stale)
    assert "Bản của tôi, dài và quý." in page and "vừa được người khác thay đổi" in page
    assert 'name="version" type="hidden" value="2"' in page


# --- the return reason where the fix happens -------------------------------------------


def test_the_edit_page_of_a_returned_item_shows_why_who_and_when(web, session, actors, rules_doc):
    bring_to(session, actors, ("deliverable", rules_doc.id), "submitted")
    service.perform(
        session,
        actors["vp.thamdinh"],
        ("deliverable", rules_doc.id),
        "return",
        reason="Bổ sung điều khoản về họp định kỳ.",
    )
    session.rollback()
    reviewer = session.execute(select(User).where(User.username == "vp.thamdinh")).scalar_one()
    unit = session.get(Unit, reviewer.unit_id).name
    event = events(session, "return")[-1]
    when = deadlines.LOCAL_TZ and event.created_at
    page = body(web("vp.chuyenvien").get(f"/deliverables/{rules_doc.id}/edit"))
    note = page.split('id="ly-do-tra-lai"')[1].split("</div>")[0]
    assert "Bị trả lại" in note and "Bổ sung điều khoản về họp định kỳ." in note
    assert f"{reviewer.full_name} ({unit})" in note and "vp.thamdinh" not in note
    from webapp.i18n import local_time

    assert local_time(when) in note and re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", note)
    # The note is at the top: before the form.
    assert page.index('id="ly-do-tra-lai"') < page.index('class="stack panel edit-form"')
    # A draft never returned has no such note.
    fresh = body(web("vp.chuyenvien").get(f"/deliverables/{rules_doc.id + 1}/edit"))
    assert 'id="ly-do-tra-lai"' not in fresh


# --- words ------------------------------------------------------------------------------


def test_the_regulations_text_is_labelled_as_its_error_names_it(web, session):
    regulation = session.execute(
        select(Deliverable.id).where(Deliverable.kind == "regulation")
    ).scalar_one()
    owner = web("vp.chuyenvien")
    page = body(owner.get(f"/deliverables/{regulation}/edit"))
    assert '<label for="body">Toàn văn quy chế</label>' in page
    item = body(owner.get(f"/deliverables/{regulation}"))
    assert "Toàn văn quy chế" in item and "thiếu toàn văn quy chế" in item


def test_a_comment_is_ý_kiến_in_the_trail_and_thu_hồi_is_only_withdraw(web, session, steering):
    owner = web("vp.chuyenvien")
    owner.post(f"/deliverables/{steering.id}/comments", {"body": "Xem lại thành phần."})
    trail = body(owner.get(f"/deliverables/{steering.id}")).split("Nhật ký của sản phẩm")[1]
    assert "Ý kiến" in trail and "Góp ý" not in trail
    from webapp.pages.labels import DELEGATION_STATUS_LABELS
    from workflow.reads.wording import EVENT_LABELS

    with web("giamdoc").client.application.test_request_context():
        labels = [v for action, v in EVENT_LABELS.items() if action != "withdraw"]
        labels += [str(v) for v in DELEGATION_STATUS_LABELS.values()]
    assert EVENT_LABELS["withdraw"] == "Thu hồi"
    assert not [label for label in labels if "thu hồi" in label.lower()]


# --- the audit filter says what is wrong -----------------------------------------------


def test_an_invalid_date_in_the_audit_filter_is_said_next_to_it(web):
    auditor = web("kiemtra")
    page = body(auditor.get("/audit?from=32/01/2025&to=05/11/2025"))
    assert "Ngày không hợp lệ: “32/01/2025”, nhập dd/mm/yyyy" in page
    assert 'id="a-from" name="from" value="32/01/2025"' in page
    assert 'aria-invalid="true" aria-describedby="err-from"' in page
    assert 'aria-describedby="err-to"' not in page
    csv = auditor.get("/audit.csv?from=2025-13-45")
    assert csv.status_code == 400 and csv.mimetype == "text/html"
    assert "Ngày không hợp lệ: “2025-13-45”" in body(csv)

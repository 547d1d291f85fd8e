"""The pages, each for the roles that use them: queue, plan, task, deliverable, editing,
actions (with reasons and confirmation), comments, errors, headers, language."""

from __future__ import annotations

import io
import re
from datetime import date

from sqlalchemy import select

from models import AuditEvent, Task, Unit
from tests.helpers import bring_to, state_and_version
from webapp.i18n import local_time
from workflow.core import service
from workflow.items import editing
from workflow.reads import plans, workqueue

# --- helpers ---------------------------------------------------------------------------


def text(response) -> str:
    return response.get_data(as_text=True)


def act(browser, item: str, action: str, version: int, **extra):
    """As the page's form posts it; submit and withdraw with their confirmation ticked, as
    approve must say it explicitly (issue 12: all three ask)."""
    if action in ("submit", "withdraw"):
        extra.setdefault("confirm", "y")
    return browser.post(f"{item}/act", {"action": action, "version": str(version), **extra})


# --- the queue -------------------------------------------------------------------------


def test_member_queue_shows_own_unit_drafts_only(web, steering, qltt_report):
    office = text(web("vp.chuyenvien").landing)
    assert "Dự thảo của đơn vị" in office
    assert steering.title in office
    assert qltt_report.title not in office
    market = text(web("qltt.chuyenvien").landing)
    assert qltt_report.title in market
    assert steering.title not in market


def test_reviewer_and_director_queues_follow_the_work(web, session, actors, steering):
    reviewer = web("vp.thamdinh")
    assert "Chờ thẩm định" in text(reviewer.landing)
    assert steering.title not in text(reviewer.landing)
    bring_to(session, actors, ("deliverable", steering.id), "submitted")
    assert steering.title in text(reviewer.get("/"))
    director = web("giamdoc")
    assert "Chờ phê duyệt" in text(director.landing)
    assert steering.title not in text(director.landing)
    service.perform(session, actors["vp.thamdinh"], ("deliverable", steering.id), "review")
    page = text(director.get("/"))
    assert steering.title in page
    assert steering.title not in text(reviewer.get("/"))
    # The submitting unit sees it as "waiting" in its own queue.
    assert "Đơn vị đã trình" in text(web("vp.chuyenvien").landing)


def test_auditor_and_admin_queues_are_empty_and_count_only_what_they_list(web):
    # Issue 12: the chips are the lists' own counts (the plan's figures are on the
    # dashboard), so an empty queue counts nothing.
    for username in ("kiemtra", "admin"):
        page = text(web(username).landing)
        assert "Hiện không có việc nào chờ bạn xử lý." in page
        assert '<span class="count-n">0</span> Quá hạn' in page
        assert "Đã phê duyệt" not in page


def test_returned_item_shows_the_reason_in_the_submitters_queue(web, session, actors, steering):
    bring_to(session, actors, ("deliverable", steering.id), "submitted")
    reviewer = web("vp.thamdinh")
    _, version = state_and_version(session, ("deliverable", steering.id))
    item = f"/deliverables/{steering.id}"
    missing = act(reviewer, item, "return", version)
    assert missing.status_code == 400
    assert "cần ghi rõ lý do" in text(missing)
    reason = "Thiếu danh sách thành viên Ban Chỉ đạo."
    done = act(reviewer, item, "return", version, reason=reason)
    assert done.status_code == 303
    assert state_and_version(session, ("deliverable", steering.id))[0] == "draft"
    page = text(web("vp.chuyenvien").landing)
    returned = page.split("Bị trả lại — cần sửa và trình lại")[1].split("</section>")[0]
    assert steering.title in returned and reason in returned
    assert "Phạm Quốc Huy (Văn phòng Sở)" in returned and "vp.thamdinh" not in returned
    detail = text(web("vp.chuyenvien").get(item))
    assert "Bị trả lại" in detail and reason in detail


def test_queue_puts_overdue_first_and_counts_by_state(session, actors):
    queue = workqueue.my_queue(session, actors["vp.chuyenvien"], today=date(2025, 11, 16))
    drafts = next(s for s in queue.sections if s.key == "drafts").rows
    overdue = [r for r in drafts if r.overdue]
    assert overdue and all(r.due_date == date(2025, 11, 15) for r in overdue)
    assert drafts[: len(overdue)] == overdue
    assert queue.counts["drafts"] == next(s for s in queue.sections if s.key == "drafts").total
    early = workqueue.my_queue(session, actors["vp.chuyenvien"], today=date(2025, 11, 1))
    assert early.overdue == 0 and not any(r.overdue for s in early.sections for r in s.rows)


def test_queue_query_count_does_not_grow_with_rows(session, actors, app):
    """A bounded handful of queries however many items wait (no query per row), and every
    section bounded: the rest is counted and paged ("Xem thêm")."""
    from sqlalchemy import event

    engine = app.extensions["pheduyet.db"].engine
    statements: list[str] = []

    def count(*_args):
        statements.append("x")

    task = session.execute(select(Task).where(Task.number == 2)).scalar_one()
    first = workqueue.my_queue(session, actors["vp.chuyenvien"]).total
    event.listen(engine, "before_cursor_execute", count)
    try:
        session.rollback()
        workqueue.my_queue(session, actors["vp.chuyenvien"])
        few = len(statements)
        for n in range(30):
            editing.create_deliverable(
                session, actors["vp.chuyenvien"], task.id, title=f"Sản phẩm thêm {n}"
            )
        session.rollback()
        statements.clear()
        queue = workqueue.my_queue(session, actors["vp.chuyenvien"])
        many = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert queue.total >= first + 30
    assert all(len(s.rows) <= workqueue.SECTION_LIMIT for s in queue.sections)
    drafts = next(s for s in queue.sections if s.key == "drafts")
    assert drafts.next_after is not None
    assert many <= few <= 40  # a fixed number: index-range counts per state and section


# --- plan and task pages ---------------------------------------------------------------


def test_plan_overview_lists_tasks_with_units_timing_and_progress(web):
    page = text(web("qltt.chuyenvien").get("/plan"))
    assert page.count('href="/tasks/') == 9
    assert "Thực hiện dân chủ ở cơ sở và công tác dân vận chính quyền" in page
    assert "Thường xuyên" in page and "15/11/2025" in page and "20/11/2025" in page
    assert "Chi cục Quản lý thị trường" in page
    assert "0/3" in page  # task 2: three deliverables, none approved
    assert "9 / 9 nhiệm vụ" in page


def test_plan_filters_by_unit_and_state(web, session, actors, steering):
    bring_to(session, actors, ("deliverable", steering.id), "approved")
    browser = web("giamdoc")
    assert "1/3" in text(browser.get("/plan"))
    division = session.execute(select(Unit).where(Unit.code == "khtc")).scalar_one()
    by_unit = text(browser.get(f"/plan?unit={division.id}"))
    assert "9 / 9 nhiệm vụ" in by_unit  # a division leads or coordinates every task
    office = session.execute(select(Unit).where(Unit.code == "bgd")).scalar_one()
    assert "0 / 9 nhiệm vụ" in text(browser.get(f"/plan?unit={office.id}"))
    assert "0 / 9 nhiệm vụ" in text(browser.get("/plan?state=approved"))
    assert "9 / 9 nhiệm vụ" in text(browser.get("/plan?state=draft"))
    assert "9 / 9 nhiệm vụ" in text(browser.get("/plan?state=nonsense"))


def test_plan_overview_flags_overdue_tasks(session, actors):
    overview = plans.plan_overview(session, actors["giamdoc"], today=date(2025, 11, 16))
    flagged = {row.task.number for row in overview.rows if row.overdue}
    assert flagged == {2}
    later = plans.plan_overview(session, actors["giamdoc"], today=date(2026, 1, 1))
    assert {row.task.number for row in later.rows if row.overdue} == {2, 3, 7}


def test_task_page_shows_content_units_and_visible_deliverables(web, session, task2, qltt_report):
    page = text(web("qltt.chuyenvien").get(f"/tasks/{task2.id}"))
    assert "Nhiệm vụ 2." in page
    assert "Hoàn thành trước ngày 15/11/2025" in page
    assert "Văn phòng Sở" in page and "Phòng Kế hoạch - Tài chính" in page
    assert "Củng cố, kiện toàn hoặc thành lập Ban Chỉ đạo" in page
    office = text(web("vp.chuyenvien").get(f"/tasks/{task2.id}"))
    assert "Quy chế làm việc của Ban Chỉ đạo" in office
    assert "Thêm sản phẩm cho đơn vị của bạn" in office
    # The task record cannot be submitted while its deliverables are open.
    assert "còn 3 sản phẩm bắt buộc chưa được phê duyệt" in office
    assert 'class="action-form action-submit"' not in office
    # Task 5: each lead unit has its own part; another unit's draft is not listed.
    task5 = session.execute(select(Task.id).where(Task.number == 5)).scalar_one()
    own_part = text(web("vp.chuyenvien").get(f"/tasks/{task5}"))
    assert "— Văn phòng Sở" in own_part and qltt_report.title not in own_part


def test_unknown_task_is_404(web):
    response = web("giamdoc").get("/tasks/9999")
    assert response.status_code == 404
    assert "Không tìm thấy" in text(response)


def test_member_adds_a_deliverable_only_where_their_unit_leads(web, session):
    task5 = session.execute(select(Task).where(Task.number == 5)).scalar_one()
    market = web("qltt.chuyenvien")
    created = market.post(
        f"/tasks/{task5.id}/deliverables", {"title": "Báo cáo bổ sung", "kind": "document"}
    )
    assert created.status_code == 303 and "/edit" in created.headers["Location"]
    refused = market.post(
        f"/tasks/{session.execute(select(Task.id).where(Task.number == 2)).scalar_one()}"
        "/deliverables",
        {"title": "Không được", "kind": "document"},
    )
    assert refused.status_code == 403


# --- the deliverable page --------------------------------------------------------------


def test_member_cannot_see_another_units_draft(web, qltt_report):
    """Task 5 is led by each unit for its own part: the Office does not coordinate it, so
    the market unit's draft is not the Office's to read."""
    office = web("vp.chuyenvien")
    item = f"/deliverables/{qltt_report.id}"
    for url in (item, f"{item}/edit"):
        response = office.get(url)
        assert response.status_code == 404, url
        assert qltt_report.title not in text(response)
    assert office.post(f"{item}/comments", {"body": "x"}).status_code == 404
    assert act(office, item, "submit", 1).status_code == 404
    assert office.post(f"{item}/edit", {"title": "x", "version": "1"}).status_code == 404
    assert web("qltt.chuyenvien").get(item).status_code == 200


def test_deliverable_page_shows_only_the_actions_the_user_may_take(web, session, actors, rules_doc):
    steering = rules_doc
    item = f"/deliverables/{steering.id}"
    owner = text(web("vp.chuyenvien").get(item))
    assert "Chưa thể trình: thiếu nội dung." in owner  # submit shown blocked until filled
    assert 'class="action-form action-review"' not in owner
    bring_to(session, actors, ("deliverable", steering.id), "submitted")
    reviewer = text(web("vp.thamdinh").get(item))
    assert 'class="action-form action-review"' in reviewer
    assert 'class="action-form action-return"' in reviewer
    assert 'class="action-form action-approve"' not in reviewer
    for username in ("kiemtra", "admin", "qltt.chuyenvien", "giamdoc"):
        page = text(web(username).get(item))
        assert "Bạn không có thao tác nào" in page, username
        assert 'name="action"' not in page, username
    office = text(web("vp.chuyenvien").get(item))
    assert 'class="action-form action-withdraw"' in office
    assert "Sửa nội dung</a>" not in office  # submitted: no editing


STEERING_FORM = {
    "decision_number": "123/QĐ-SCT",
    "decision_date": "10/11/2025",
    "members-count": "5",
    "members-0-full_name": "Trần Minh Đức",
    "members-0-position": "Giám đốc Sở",
    "members-0-unit": "Ban Giám đốc Sở",
    "members-0-committee_role": "truong_ban",
    "members-1-full_name": "Lê Thị Hồng Nhung",
    "members-1-position": "Phó Giám đốc Sở",
    "members-1-unit": "Ban Giám đốc Sở",
    "members-1-committee_role": "pho_truong_ban",
    "members-2-full_name": "Phạm Quốc Huy",
    "members-2-position": "Chánh Văn phòng",
    "members-2-unit": "Văn phòng Sở",
    "members-2-committee_role": "thanh_vien",
    "members-3-committee_role": "thanh_vien",
    "members-4-committee_role": "thanh_vien",
}
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def test_full_path_through_the_pages(web, session, actors, steering):
    item = f"/deliverables/{steering.id}"
    owner = web("vp.chuyenvien")
    edit = text(owner.get(f"{item}/edit"))
    version = int(re.search(r'name="version" type="hidden" value="(\d+)"', edit).group(1))
    assert 'name="members-4-full_name"' in edit  # five empty member rows to start with
    saved = owner.post(
        f"{item}/edit",
        {
            "kind": "steering_committee",
            "title": steering.title,
            "body": "Thành phần Ban Chỉ đạo: Giám đốc Sở làm Trưởng ban.",
            "due_date": "14/11/2025",  # issue 9: the plan's date stays; a posted one is ignored
            "version": str(version),
            **STEERING_FORM,
        },
    )
    assert saved.status_code == 303
    page = text(owner.get(item))
    assert "Đã lưu nội dung (phiên bản 2)." in page
    assert "15/11/2025" in page and "14/11/2025" not in page
    assert "Giám đốc Sở làm Trưởng ban" in page
    assert "123/QĐ-SCT" in page and "10/11/2025" in page and "Phó Trưởng ban" in page
    # Issue 12: the working rules and the assignment notice are task 2's own products; the
    # decision does not ask for them again as files (files named so are still accepted).
    assert "thiếu tệp" not in page and 'class="action-form action-submit"' in page
    for purpose, name in (("working_rules", "Quy chế.pdf"), ("assignment_notice", "TB.pdf")):
        uploaded = owner.post(
            f"{item}/attachments",
            {"file": (io.BytesIO(PDF), name), "purpose": purpose},
            content_type="multipart/form-data",
        )
        assert uploaded.status_code == 303
    page = text(owner.get(item))
    assert 'class="action-form action-submit"' in page
    assert "Thông báo phân công nhiệm vụ thành viên</span>" in page  # the file's purpose
    edit_again = text(owner.get(f"{item}/edit"))
    assert 'value="Phạm Quốc Huy"' in edit_again and 'name="members-5-full_name"' in edit_again
    submitted = act(owner, item, "submit", 2)
    assert submitted.status_code == 303
    assert "Đã trình. Văn phòng Sở sẽ thẩm định." in text(owner.get(item))

    reviewer = web("vp.thamdinh")
    assert act(reviewer, item, "review", 3).status_code == 303
    director = web("giamdoc")
    unconfirmed = act(director, item, "approve", 4)
    assert unconfirmed.status_code == 400
    assert "đánh dấu ô xác nhận" in text(unconfirmed)
    assert state_and_version(session, ("deliverable", steering.id)) == ("reviewed", 4)
    approved = act(director, item, "approve", 4, confirm="y")
    assert approved.status_code == 303
    page = text(director.get(item))
    assert "Đã phê duyệt. Sản phẩm đã hoàn thành" in page
    # The trail: who, role, unit, action, from → to, time in Việt Nam.
    trail = page.split("Nhật ký của sản phẩm")[1]
    for expected in (
        "Nguyễn Thị Lan (Văn phòng Sở)",
        "Chuyên viên",
        "Phạm Quốc Huy (Văn phòng Sở)",
        "Thẩm định (Văn phòng Sở)",
        "Trần Minh Đức (Ban Giám đốc Sở)",
        "Giám đốc",
        "Dự thảo → Đã trình",
        "Đã trình → Đã thẩm định",
        "Đã thẩm định → Đã phê duyệt",
        "Sửa: nội dung, thông tin theo loại",  # not the due date (issue 9)
    ):
        assert expected in trail, expected
    session.rollback()
    approve_event = session.execute(
        select(AuditEvent).where(AuditEvent.action == "approve")
    ).scalar_one()
    assert local_time(approve_event.created_at) in trail
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", trail)


def test_wrong_role_gets_403_and_wrong_state_409(web, session, actors, rules_doc):
    steering = rules_doc
    item = f"/deliverables/{steering.id}"
    editing.edit_deliverable(session, actors["vp.chuyenvien"], steering.id, {"body": "Đủ."})
    member = web("vp.chuyenvien")
    forbidden = act(member, item, "approve", 2, confirm="y")
    assert forbidden.status_code == 403
    assert "Không có quyền" in text(forbidden)
    assert act(web("kiemtra"), item, "submit", 2).status_code == 403
    wrong_state = act(web("vp.thamdinh"), item, "review", 2)
    assert wrong_state.status_code == 409
    assert "Dự thảo" in text(wrong_state)
    assert act(member, item, "fly", 2).status_code == 400
    assert state_and_version(session, ("deliverable", steering.id)) == ("draft", 2)


def test_who_submitted_may_not_review_it(web, session, actors, rules_doc):
    """Separation of duties on the pages: an Office member who is also a reviewer."""
    from tests.conftest import FAST_HASH, TEST_PASSWORD
    from workflow.accounts.users import create_user

    create_user(
        session,
        username="vp.kiemnhiem",
        full_name="Hồ Văn Kiêm",
        unit_code="vp",
        roles=["member", "reviewer"],
        password=TEST_PASSWORD,
        password_method=FAST_HASH,
    )
    session.commit()
    editing.edit_deliverable(session, actors["vp.chuyenvien"], rules_doc.id, {"body": "Đủ."})
    both = web("vp.kiemnhiem")
    item = f"/deliverables/{rules_doc.id}"
    assert act(both, item, "submit", 2).status_code == 303
    page = text(both.get(item))
    assert 'class="action-form action-review"' not in page
    assert "Bạn đã trình mục này nên không tự thẩm định được." in text(both.get("/"))
    refused = act(both, item, "review", 3)
    assert refused.status_code == 403
    assert "không được tự thẩm định" in text(refused)
    assert state_and_version(session, ("deliverable", rules_doc.id))[0] == "submitted"


def test_stale_version_gets_a_409_page(web, session, actors, steering):
    item = f"/deliverables/{steering.id}"
    owner = web("vp.chuyenvien")
    form = text(owner.get(f"{item}/edit"))
    assert 'value="1"' in form
    editing.edit_deliverable(session, actors["vp.chuyenvien"], steering.id, {"body": "Bản khác"})
    stale = owner.post(
        f"{item}/edit", {"title": steering.title, "body": "Bản của tôi", "version": "1"}
    )
    assert stale.status_code == 409
    page = text(stale)
    assert "vừa được người khác thay đổi" in page and "tải lại trang" in page
    assert f'href="{item}"' in page  # a way back to the item
    stale_action = act(owner, item, "submit", 1)
    assert stale_action.status_code == 409


def test_submitted_deliverable_cannot_be_edited(web, session, actors, steering):
    bring_to(session, actors, ("deliverable", steering.id), "submitted")
    owner = web("vp.chuyenvien")
    item = f"/deliverables/{steering.id}"
    assert owner.get(f"{item}/edit").status_code == 409
    response = owner.post(f"{item}/edit", {"title": "Tiêu đề mới", "body": "x", "version": "3"})
    assert response.status_code == 409
    assert "Chỉ sửa được khi đang ở trạng thái Dự thảo." in text(response)


def test_only_the_owning_unit_edits(web, steering):
    item = f"/deliverables/{steering.id}"
    for username in ("vp.thamdinh", "giamdoc", "admin", "kiemtra"):
        browser = web(username)
        assert browser.get(f"{item}/edit").status_code == 403, username
        response = browser.post(f"{item}/edit", {"title": "x", "body": "y", "version": "1"})
        assert response.status_code == 403, username


def test_edit_form_reports_bad_input(web, steering):
    owner = web("vp.chuyenvien")
    item = f"/deliverables/{steering.id}"
    # Issue 9: the due date is no longer in this form (the plan's; see
    # tests/test_separation_of_duties.py), so a bad one posted is simply not read.
    empty = owner.post(f"{item}/edit", {"title": "  ", "version": "1"})
    assert empty.status_code == 400
    no_version = owner.post(f"{item}/edit", {"title": "Tiêu đề", "body": "x"})
    assert no_version.status_code == 400


def test_comments(web, session, actors, steering, task2):
    owner = web("vp.chuyenvien")
    item = f"/deliverables/{steering.id}"
    response = owner.post(f"{item}/comments", {"body": "Đề nghị các phòng góp ý trước 10/11."})
    assert response.status_code == 303
    page = text(owner.get(item))
    assert "Đã gửi ý kiến." in page and "Đề nghị các phòng góp ý trước 10/11." in page
    assert owner.post(f"{item}/comments", {"body": "   "}).status_code == 400
    on_task = web("qltt.chuyenvien").post(f"/tasks/{task2.id}/comments", {"body": "Đồng ý."})
    assert on_task.status_code == 303
    assert "Đồng ý." in text(owner.get(f"/tasks/{task2.id}"))


# --- errors, headers, language ----------------------------------------------------------


def test_error_pages_are_vietnamese_html_but_api_errors_are_json(web):
    browser = web("vp.chuyenvien")
    missing = browser.get("/no-such-page")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert "Không tìm thấy" in text(missing) and "Việc cần xử lý" in text(missing)
    api = browser.get("/api/v1/no-such-endpoint")
    assert api.status_code == 404 and api.mimetype == "application/json"
    assert api.get_json()["error"]
    wrong_method = browser.client.put("/plan")
    assert wrong_method.status_code == 405 and "Thao tác không được hỗ trợ" in text(wrong_method)


def test_security_headers_on_every_response(web, steering):
    browser = web("vp.chuyenvien")
    for response in (browser.get("/"), web().get("/login"), browser.get("/no-such-page")):
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]
        assert headers["Cache-Control"] == "no-store"
    page = text(browser.get(f"/deliverables/{steering.id}"))
    # Small vendored script files are allowed; never an inline script or style.
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, re.S)
    assert all(body == "" for body in scripts)
    assert re.findall(r"<script(?![^>]*\bsrc=\"/static/)", page) == []
    assert "style=" not in page and "<style" not in page


def test_english_switch_is_remembered(web):
    browser = web("vp.chuyenvien")
    english = text(browser.get("/?lang=en"))
    assert "My queue" in english and "Sign out" in english and 'lang="en"' in english
    again = text(browser.get("/plan"))
    assert "Ongoing" in again and "15/11/2025" in again and "Draft" in again
    back = text(browser.get("/plan?lang=vi"))
    assert "Thường xuyên" in back and 'lang="vi"' in back


def test_english_catalogue_covers_workflow_labels(app):
    from babel.messages.pofile import read_po

    from webapp.i18n import SOURCE, WORKFLOW_LABELS
    from workflow.core.machine import ACTION_LABELS, STATE_LABELS
    from workflow.core.policy import ROLE_LABELS
    from workflow.items import kinds
    from workflow.reads import wording

    labels = (
        set(STATE_LABELS.values())
        | set(ACTION_LABELS.values())
        | set(ROLE_LABELS.values())
        | set(kinds.COMMITTEE_ROLES.values())
        | set(kinds.NOMINEE_TYPES.values())
        | set(kinds.REPORT_SECTIONS.values())
        | {label for files in kinds.FILE_PURPOSES.values() for label in files.values()}
        # issue 12: every trail action and item type, the system, a plan without number
        | set(wording.EVENT_LABELS.values())
        | set(wording.ITEM_TYPE_LABELS.values())
        | {wording.SYSTEM_NAME, wording.NO_PLAN_NUMBER}
    )
    assert labels <= set(WORKFLOW_LABELS)
    with (SOURCE / "en/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert untranslated == []
    assert labels <= {m.id for m in catalog}


def test_language_links_keep_the_page_and_its_filters(web, steering):
    browser = web("giamdoc")
    page = text(browser.get("/plan?state=draft"))
    assert 'href="/plan?state=draft&amp;lang=en"' in page
    refused = text(
        browser.post(f"/deliverables/{steering.id}/act", {"action": "x", "version": "1"})
    )
    assert f'href="/deliverables/{steering.id}?lang=en"' in refused

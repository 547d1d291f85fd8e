"""Issue 12, items 3, 7 and 10 through the pages (a real app, database and login form):
people shown by name and unit, every trail action and role in words, details without JSON,
item trails numbered within the item, a plan issued without a number; flashes that say what
happens next, submit and withdraw confirmed; an item's shareable link and its printout."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from models import AuditEvent, Plan, User
from tests.conftest import TEST_PASSWORD
from tests.helpers import bring_to, fill, state_and_version
from webapp.i18n import action_label
from workflow.accounts import admin
from workflow.core import service
from workflow.items import editing
from workflow.reads import reporting, trail

OFFICE_MEMBER = "Nguyễn Thị Lan (Văn phòng Sở)"
OFFICE_REVIEWER = "Phạm Quốc Huy (Văn phòng Sở)"
DIRECTOR = "Trần Minh Đức (Ban Giám đốc Sở)"
CSS = Path(__file__).resolve().parents[2] / "webapp" / "static" / "app.css"


def text(response) -> str:
    return response.get_data(as_text=True)


def act(browser, item: str, action: str, version: int, **extra):
    return browser.post(f"{item}/act", {"action": action, "version": str(version), **extra})


def flash(page: str) -> str:
    found = re.search(r'<p class="flash flash-success">(.*?)</p>', page, re.S)
    return found.group(1).strip() if found else ""


def trail_of(page: str) -> str:
    return page.split('<table class="trail')[1].split("</table>")[0]


# --- 3. people, not logins or codes ------------------------------------------------------


def test_files_banner_and_trail_name_people_with_their_unit(web, session, actors, rules_doc):
    editing.record_attachment(
        session,
        actors["vp.chuyenvien"],
        rules_doc.id,
        filename="Quy chế.pdf",
        content_type="application/pdf",
        size=2048,
        sha256="a" * 64,
    )
    editing.edit_deliverable(session, actors["vp.chuyenvien"], rules_doc.id, {"body": "Đủ."})
    bring_to(session, actors, ("deliverable", rules_doc.id), "submitted")
    service.perform(
        session, actors["vp.thamdinh"], ("deliverable", rules_doc.id), "return", reason="Bổ sung."
    )
    page = text(web("vp.chuyenvien").get(f"/deliverables/{rules_doc.id}"))
    files = page.split('<ul class="files">')[1].split("</ul>")[0]
    assert OFFICE_MEMBER in files and "vp.chuyenvien" not in files
    banner = page.split('class="note note-return')[1].split("</div>")[0]
    assert f"bởi {OFFICE_REVIEWER}" in banner and "vp.thamdinh" not in banner
    trail = trail_of(page)
    assert OFFICE_MEMBER in trail and OFFICE_REVIEWER in trail
    assert "vp.chuyenvien" not in trail and "vp.thamdinh" not in trail
    assert '{"' not in trail  # details in words, never JSON
    assert "Sửa: nội dung" in trail
    # numbered 1, 2, 3 … within the item, whatever the trail's global sequence
    numbers = re.findall(r'<td class="num" data-label="#">(\d+)</td>', trail)
    first_seq = (
        session.execute(
            select(AuditEvent.seq)
            .where(AuditEvent.item_type == "deliverable", AuditEvent.item_id == rules_doc.id)
            .order_by(AuditEvent.seq)
        )
        .scalars()
        .first()
    )
    assert first_seq > 1
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)] and len(numbers) >= 4


def test_the_queue_banner_names_who_returned_it(web, session, actors, rules_doc):
    editing.edit_deliverable(session, actors["vp.chuyenvien"], rules_doc.id, {"body": "Đủ."})
    bring_to(session, actors, ("deliverable", rules_doc.id), "reviewed")
    service.perform(
        session, actors["giamdoc"], ("deliverable", rules_doc.id), "return", reason="Làm lại."
    )
    queue = text(web("vp.chuyenvien").get("/"))
    returned = queue.split("Bị trả lại — cần sửa và trình lại")[1].split("</section>")[0]
    assert f"bởi {DIRECTOR}" in returned and "giamdoc" not in returned


def test_the_audit_page_says_system_plan_roles_and_details_in_words(web, session, actors):
    kiemtra = session.execute(select(User).where(User.username == "kiemtra")).scalar_one()
    admin.set_roles(session, actors["admin"], kiemtra.id, ["auditor", "member"])
    browser = web("giamdoc")
    # the engine's periodic reports (seeded), by the system, about the plan by its name
    trail = trail_of(text(browser.get("/audit?action=periodic_reports")))
    row = trail.split("<tr")[2]
    assert "ev-periodic_reports" in row
    assert "Hệ thống" in row and "system" not in row
    assert "Tạo báo cáo định kỳ" in row and ">periodic_reports<" not in row
    assert "Kế hoạch <a" in row and "(chưa có số): " in row and ">#" not in row
    assert re.search(r"\d+ báo cáo mới \(hằng (tháng|quý)\)", row)
    # a change of roles: the user by name, roles in Vietnamese, no codes, no JSON
    trail = trail_of(text(browser.get("/audit?action=set_roles")))
    row = trail.split("<tr")[2]
    assert "Kiểm tra nhật ký → Kiểm tra nhật ký, Chuyên viên" in row
    assert "Quản trị" in row  # the admin's role, beside their name
    assert "auditor" not in row and "member" not in row and '{"' not in row
    assert '{"' not in trail_of(text(browser.get("/audit")))


def test_every_trail_action_and_role_has_a_vietnamese_label(app):
    from models import ROLES
    from workflow.core.policy import ROLE_LABELS
    from workflow.reads.wording import EVENT_LABELS, ITEM_TYPE_LABELS

    assert set(trail.KNOWN_ACTIONS) <= set(EVENT_LABELS)
    assert set(ROLES) <= set(ROLE_LABELS)
    with app.test_request_context():
        for action in trail.KNOWN_ACTIONS:
            assert action_label(action) != action, action
    from webapp.pages.audit import ITEM_TYPES

    assert set(ITEM_TYPES) <= set(ITEM_TYPE_LABELS)


def test_csv_names_people_and_says_details_in_words(web, session, actors, rules_doc):
    editing.edit_deliverable(session, actors["vp.chuyenvien"], rules_doc.id, {"body": "Đủ."})
    bring_to(session, actors, ("deliverable", rules_doc.id), "submitted")
    response = web("kiemtra").get("/audit.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][2:4] == ["Người thực hiện", "Tên đăng nhập"]
    submit = next(r for r in rows[1:] if r[6] == "Trình")
    assert submit[2] == OFFICE_MEMBER and submit[3] == "vp.chuyenvien"
    assert re.fullmatch(r"phiên bản \d+", submit[13])  # not {"version": 3}
    periodic = next(r for r in rows[1:] if r[6] == "Tạo báo cáo định kỳ")
    assert periodic[2] == "Hệ thống" and periodic[7] == "Kế hoạch"
    assert not any(cell.startswith("{") for row in rows for cell in row)


def test_the_xlsx_report_names_people_and_roles(web, session, actors, rules_doc):
    editing.edit_deliverable(session, actors["vp.chuyenvien"], rules_doc.id, {"body": "Đủ."})
    bring_to(session, actors, ("deliverable", rules_doc.id), "approved")
    plan_id = session.execute(select(Plan.id)).scalar_one()
    report = reporting.report_data(session, plan_id)
    approved = next(d for d in report.deliverables if d.id == rules_doc.id)
    assert approved.approved_by_name == DIRECTOR
    response = web("giamdoc").get(f"/plans/{plan_id}/report.xlsx")
    assert response.status_code == 200, response.status_code
    book = load_workbook(io.BytesIO(response.data))
    cells = {str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value}
    assert OFFICE_MEMBER in cells and DIRECTOR in cells and "Chuyên viên" in cells
    assert "vp.chuyenvien" not in cells and "giamdoc" not in cells and "member" not in cells
    assert "Hệ thống" in cells and "system" not in cells
    assert any(c.startswith("Kế hoạch (chưa có số): ") for c in cells)


def test_a_plan_issued_without_its_number_reads_chua_co_so(web, session):
    plan = session.execute(select(Plan)).scalar_one()
    assert plan.number == "/KH-SCT"  # as the seed document was issued
    browser = web("giamdoc")
    page = text(browser.get("/plan"))
    eyebrow = page.split('<p class="eyebrow">')[1].split("</p>")[0]
    assert "Kế hoạch (chưa có số)" in eyebrow and "/KH-SCT" not in eyebrow
    assert "(chưa có số)" in text(browser.get("/plans"))
    session.rollback()
    session.get(Plan, plan.id).number = "12/KH-SCT"
    session.commit()
    eyebrow = text(browser.get("/plan")).split('<p class="eyebrow">')[1].split("</p>")[0]
    assert "Kế hoạch số 12/KH-SCT" in eyebrow


# --- 7. say what happens next ------------------------------------------------------------


def test_each_action_says_what_happens_next(web, session, actors, rules_doc):
    editing.edit_deliverable(session, actors["vp.chuyenvien"], rules_doc.id, {"body": "Đủ."})
    item = f"/deliverables/{rules_doc.id}"
    owner, reviewer, director = web("vp.chuyenvien"), web("vp.thamdinh"), web("giamdoc")
    submitted = "Đã trình. Văn phòng Sở sẽ thẩm định."
    reviewed = "Đã thẩm định. Chờ Giám đốc phê duyệt."
    sure = {"confirm": "y"}
    steps = (
        (owner, "submit", sure, submitted),
        (owner, "withdraw", sure, "Đã thu hồi về Dự thảo. Bạn có thể sửa rồi trình lại."),
        (owner, "submit", sure, submitted),
        (
            reviewer, "return", {"reason": "Thiếu."},
            "Đã trả lại kèm lý do. Đơn vị chủ trì sẽ sửa rồi trình lại.",
        ),
        (owner, "submit", sure, submitted),
        (reviewer, "review", {}, reviewed),
        (
            director, "send_back", {"reason": "Xem lại."},
            "Đã chuyển Văn phòng Sở thẩm định lại kèm lý do.",
        ),
        (reviewer, "review", {}, reviewed),
        (
            director, "approve", sure,
            "Đã phê duyệt. Sản phẩm đã hoàn thành; chỉ Giám đốc mới mở lại được.",
        ),
        (
            director, "reopen", {"reason": "Sửa số liệu."},
            "Đã mở lại về Dự thảo kèm lý do. Đơn vị chủ trì sẽ sửa rồi trình lại.",
        ),
    )  # fmt: skip
    for who, action, extra, said in steps:
        _, version = state_and_version(session, ("deliverable", rules_doc.id))
        done = act(who, item, action, version, **extra)
        assert done.status_code == 303, (action, text(done))
        page = text(who.get(item))
        assert flash(page) == said, action
        assert "→" not in flash(page)


def test_submit_and_withdraw_ask_to_confirm_like_approve(web, session, actors, rules_doc):
    editing.edit_deliverable(session, actors["vp.chuyenvien"], rules_doc.id, {"body": "Đủ."})
    item = f"/deliverables/{rules_doc.id}"
    owner = web("vp.chuyenvien")
    form = text(owner.get(item)).split('class="action-form action-submit"')[1].split("</form>")[0]
    assert 'name="confirm" value="y" required' in form
    refused = act(owner, item, "submit", 2)
    assert refused.status_code == 400
    assert "Hãy đánh dấu ô xác nhận trước khi trình." in text(refused)
    assert state_and_version(session, ("deliverable", rules_doc.id)) == ("draft", 2)
    # someone who may not submit at all hears that first (403), not about the box
    assert act(web("vp.thamdinh"), item, "submit", 2).status_code == 403
    assert act(owner, item, "submit", 2, confirm="y").status_code == 303
    page = text(owner.get(item))
    form = page.split('class="action-form action-withdraw"')[1].split("</form>")[0]
    assert 'name="confirm" value="y" required' in form
    refused = act(owner, item, "withdraw", 3)
    assert refused.status_code == 400
    assert "Hãy đánh dấu ô xác nhận trước khi thu hồi." in text(refused)
    assert state_and_version(session, ("deliverable", rules_doc.id)) == ("submitted", 3)


def test_the_action_bar_says_who_acts_next(web, session, actors, rules_doc, nominations):
    editing.edit_deliverable(session, actors["vp.chuyenvien"], rules_doc.id, {"body": "Đủ."})

    def bar(username: str, item: str) -> str:
        page = text(web(username).get(item))
        return page.split('class="action-bar')[1].split('<p class="print-state">')[0]

    rules = f"/deliverables/{rules_doc.id}"
    assert "Chờ Văn phòng Sở hoàn thiện và trình" in bar("vp.chuyenvien", rules)
    bring_to(session, actors, ("deliverable", rules_doc.id), "submitted")
    assert "Chờ Văn phòng Sở thẩm định" in bar("giamdoc", rules)
    fill(session, actors, nominations.id)
    service.perform(session, actors["vp.chuyenvien"], ("deliverable", nominations.id), "submit")
    assert "biểu quyết" in bar("giamdoc", f"/deliverables/{nominations.id}")
    assert "Chờ Văn phòng Sở hoàn thiện và trình" in bar("giamdoc", f"/tasks/{rules_doc.task_id}")


# --- 10. printing and sharing ------------------------------------------------------------


def test_an_item_offers_its_link_and_opens_it_only_for_who_may_see_it(
    web, session, actors, steering, outsider
):
    item = f"/deliverables/{steering.id}"
    page = text(web("vp.chuyenvien").get(item))
    link = re.search(r'<input id="share-url" class="share-url" type="url" value="([^"]+)"', page)
    assert link and link.group(1) == f"http://localhost{item}"
    assert "Sao chép liên kết" in page
    # A colleague who may see the draft: the login page, then the item itself.
    colleague = web()
    asked = colleague.get(item)
    assert asked.status_code == 302 and "/login?next=" in asked.headers["Location"]
    colleague.get(asked.headers["Location"])
    signed = colleague.post(
        asked.headers["Location"], {"username": "vp.thamdinh", "password": TEST_PASSWORD}
    )
    assert signed.status_code in (302, 303) and signed.headers["Location"].endswith(item)
    opened = colleague.get(item)
    assert opened.status_code == 200 and steering.title in text(opened)
    # Someone who may not see it: after signing in, the same 404 as for a missing item.
    refused = web(outsider).get(item)
    assert refused.status_code == 404 and steering.title not in text(refused)
    task_page = text(web("vp.chuyenvien").get(f"/tasks/{steering.task_id}"))
    assert f'value="http://localhost/tasks/{steering.task_id}"' in task_page


def test_the_print_stylesheet_keeps_the_item_and_drops_the_controls():
    css = CSS.read_text(encoding="utf-8")
    printed = " ".join(re.findall(r"@media print \{(.*?)\n\}", css, re.S))
    for hidden in (".topbar", ".action-bar", ".btn", "form", ".crumbs", ".copy-link"):
        assert hidden in printed, hidden
    assert ".print-state { display: block; }" in printed
    assert "thead { display: table-header-group; }" in printed

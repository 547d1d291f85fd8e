"""Issue 12, items 1, 2 and 6 in a real Chromium (Debian's, through Playwright): a file goes
up with the Steering Committee form without losing what was typed; a refused file (wrong
type, 25 MB) or a wrong date is said next to its field on the same page; the member table
grows and shrinks on the page (and, without JavaScript, through "Thêm dòng"); the edit
page of a returned item says why, who and when at the top.

Fails (never skips) when /usr/bin/chromium is missing. Screenshots (1366 and 390 px wide) go
to the test's tmp_path and to /tmp/pheduyet-screens/ with the prefix "i12a-".
"""

# ruff: noqa: F811 (the browser and server fixtures are imported, then requested)
from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from models import Attachment, Deliverable, Unit, User
from tests.helpers import bring_to
from tests.web.test_web_browser import (  # noqa: F401 (fixtures)
    PDF,
    SHARED_SCREENS,
    Story,
    browser,
    server,
)
from tests.web.test_web_files import EXE
from workflow.core import service

pytestmark = pytest.mark.browser

WIDE, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}
BIG = b"%PDF-1.4\n" + b"0" * (25 * 1024 * 1024)  # 25 MB: over the 20 MB a file may be


class FormStory(Story):
    def shot(self, name: str, full_page: bool = True) -> None:
        """The page at 1366 px and at a phone's 390 px."""
        for label, size in (("1366", WIDE), ("390", PHONE)):
            self.count += 1
            self.page.set_viewport_size(size)
            path = self.folder / f"i12a-{self.count:02d}-{name}-{label}.png"
            self.page.screenshot(path=str(path), full_page=full_page)
            SHARED_SCREENS.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, SHARED_SCREENS / path.name)
        self.page.set_viewport_size(WIDE)


def real_problems(s: Story) -> list[str]:
    """Console errors, less the refused form's own status (a 400 page is the answer)."""
    return [p for p in s.problems if "status of 400" not in p and "status of 413" not in p]


def story(browser, server, tmp_path, javascript: bool = True) -> FormStory:
    context = browser.new_context(viewport=WIDE, locale="vi-VN", java_script_enabled=javascript)
    return FormStory(context.new_page(), server, tmp_path)


def fill_decision(page: Page, number: str, when: str) -> None:
    page.fill("#decision_number", number)
    page.fill("#decision_date", when)
    page.fill("[name=members-0-full_name]", "Trần Minh Đức")
    page.fill("[name=members-0-position]", "Giám đốc Sở")
    page.fill("[name=members-0-unit]", "Ban Giám đốc Sở")
    page.select_option("[name=members-0-committee_role]", "truong_ban")


def pdf(name: str, data: bytes = PDF) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": data}


def test_a_file_goes_up_with_the_committee_form_and_nothing_typed_is_lost(
    browser, server, session, steering, tmp_path
):
    s = story(browser, server, tmp_path)
    page = s.page
    s.sign_in("vp.chuyenvien")
    page.goto(f"{server}/deliverables/{steering.id}/edit")
    fill_decision(page, "125/QĐ-SCT", "10/11/2025")
    page.set_input_files("#file", pdf("Quyết định 125.pdf"))  # in the same form as the fields
    s.shot("decision-with-file")
    page.click("form.edit-form button.save")
    expect(page.locator(".flash-success")).to_contain_text("Đã lưu nội dung")
    expect(page.locator(".flash-success")).to_contain_text("Quyết định 125.pdf")
    committee = page.locator("section[aria-labelledby=ban-chi-dao]")
    expect(committee).to_contain_text("125/QĐ-SCT")
    expect(committee).to_contain_text("10/11/2025")
    expect(committee).to_contain_text("Trần Minh Đức")
    expect(page.locator("ul.files")).to_contain_text("Quyết định 125.pdf")
    s.shot("decision-saved-with-file")
    session.rollback()
    assert session.get(Deliverable, steering.id).data["decision_number"] == "125/QĐ-SCT"
    assert session.execute(
        select(Attachment.filename).where(Attachment.item_id == steering.id)
    ).scalars().all() == ["Quyết định 125.pdf"]

    # A wrong date and a file that is not what its name says: both said next to their
    # fields, on the same page, with everything typed still there.
    page.goto(f"{server}/deliverables/{steering.id}/edit")
    page.fill("#decision_number", "126/QĐ-SCT")
    page.fill("#decision_date", "31/13/2025")
    page.fill("[name=members-1-full_name]", "Lê Thị Hồng Nhung")
    page.fill("#body", "Thành phần Ban Chỉ đạo gồm 9 người.")
    page.set_input_files("#file", pdf("quyet-dinh.pdf", EXE))  # an executable named .pdf
    page.click("form.edit-form button.save")
    expect(page.locator("#loi-bieu-mau")).to_contain_text("Chưa lưu")
    expect(page.locator("#decision_date")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#err-decision_date")).to_contain_text("dd/mm/yyyy")
    expect(page.locator("#decision_date")).to_have_value("31/13/2025")
    expect(page.locator("#decision_number")).to_have_value("126/QĐ-SCT")
    expect(page.locator("[name=members-1-full_name]")).to_have_value("Lê Thị Hồng Nhung")
    expect(page.locator("#body")).to_have_value("Thành phần Ban Chỉ đạo gồm 9 người.")
    expect(page.locator("#file")).to_have_attribute("aria-describedby", "err-file")
    s.shot("decision-refused")
    page.fill("#decision_date", "11/11/2025")
    page.set_input_files("#file", pdf("quyet-dinh.pdf", EXE))  # a browser never keeps a file
    page.click("form.edit-form button.save")  # the date fixed, the executable again refused
    expect(page.locator("#err-file")).to_contain_text("Chỉ nhận tệp PDF, DOCX, XLSX, PNG hoặc JPG")
    expect(page.locator("#decision_number")).to_have_value("126/QĐ-SCT")
    expect(page.locator("#decision_date")).to_have_value("11/11/2025")
    assert real_problems(s) == []


def test_a_25_mb_file_is_refused_on_the_same_page(browser, server, steering, tmp_path):
    big = tmp_path / "Bản quét 25MB.pdf"  # given by path: the browser reads it from disk
    big.write_bytes(BIG)
    # With JavaScript: said before anything is sent; nothing typed is touched.
    s = story(browser, server, tmp_path)
    page = s.page
    s.sign_in("vp.chuyenvien")
    page.goto(f"{server}/deliverables/{steering.id}/edit")
    fill_decision(page, "127/QĐ-SCT", "12/11/2025")
    page.evaluate("window.notReloaded = true")
    page.set_input_files("#file", big)
    message = page.locator("#err-file-js")
    expect(message).to_be_visible()
    expect(message).to_contain_text("Bản quét 25MB.pdf")
    expect(message).to_contain_text("20 MB")
    expect(page.locator("#file")).to_have_attribute("aria-invalid", "true")
    assert page.evaluate("document.getElementById('file').files.length") == 0
    page.set_input_files("#file", {"name": "cai-dat.exe", "mimeType": "x/y", "buffer": EXE})
    expect(message).to_contain_text("chỉ nhận tệp PDF, DOCX, XLSX, PNG hoặc JPG")
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator("#decision_number")).to_have_value("127/QĐ-SCT")
    s.shot("file-too-big-js")
    assert real_problems(s) == []

    # Without JavaScript: the body is too big to read; the form comes back with the
    # message, saying clearly that what was typed could not be kept.
    bare = story(browser, server, tmp_path, javascript=False)
    page = bare.page
    bare.sign_in("vp.chuyenvien")
    page.goto(f"{server}/deliverables/{steering.id}/edit")
    fill_decision(page, "128/QĐ-SCT", "13/11/2025")
    page.set_input_files("#file", big)
    page.click("form.edit-form button.save")
    expect(page.locator("h1")).to_have_text("Sửa sản phẩm dự thảo")
    expect(page.locator("#loi-bieu-mau")).to_contain_text("Tệp quá lớn")
    expect(page.locator("#loi-bieu-mau")).to_contain_text("chưa được lưu")
    expect(page.locator("#err-file")).to_contain_text("20 MB")
    expect(page.locator("#file")).to_have_attribute("aria-invalid", "true")
    bare.shot("file-too-big-no-js")


def test_member_rows_are_added_and_removed_and_the_input_kept(
    browser, server, session, steering, tmp_path
):
    s = story(browser, server, tmp_path)
    page = s.page
    s.sign_in("vp.chuyenvien")
    page.goto(f"{server}/deliverables/{steering.id}/edit")
    rows = page.locator("table.growing[data-list=members] tbody tr")
    expect(rows).to_have_count(5)
    names = ["Người 1", "Người 2", "Người 3", "Người 4", "Người 5"]
    for i, name in enumerate(names):
        page.fill(f"[name=members-{i}-full_name]", name)
    page.evaluate("window.notReloaded = true")
    page.click("input.add-row[name=add_row_members]")
    expect(rows).to_have_count(6)
    expect(page.locator("[name=members-count]")).to_have_value("6")
    expect(page.locator("[name=members-5-full_name]")).to_be_focused()
    page.fill("[name=members-5-full_name]", "Người 6")
    page.click("input.add-row[name=add_row_members]")
    page.fill("[name=members-6-full_name]", "Người 7")
    expect(rows).to_have_count(7)
    expect(rows.nth(6).locator("td.num")).to_have_text("7")
    rows.nth(1).locator("button.remove-row").click()  # "Người 2" was a mistake
    expect(rows).to_have_count(6)
    expect(rows.nth(1).locator("td.num")).to_have_text("2")
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator("[name=members-0-full_name]")).to_have_value("Người 1")
    s.shot("members-grown")
    page.click("form.edit-form button.save")
    expect(page.locator(".flash-success")).to_contain_text("Đã lưu nội dung")
    session.rollback()
    saved = [m["full_name"] for m in session.get(Deliverable, steering.id).data["members"]]
    assert saved == ["Người 1", "Người 3", "Người 4", "Người 5", "Người 6", "Người 7"]
    assert real_problems(s) == []

    # Without JavaScript: "Thêm dòng" posts the form back with one more row, input kept.
    bare = story(browser, server, tmp_path, javascript=False)
    page = bare.page
    bare.sign_in("vp.chuyenvien")
    page.goto(f"{server}/deliverables/{steering.id}/edit")
    rows = page.locator("table.growing[data-list=members] tbody tr")
    count = rows.count()
    expect(page.locator("button.remove-row").first).to_be_hidden()  # needs JavaScript
    page.fill("#decision_number", "129/QĐ-SCT")
    page.fill(f"[name=members-{count - 1}-full_name]", "Người cuối")
    page.click("input.add-row[name=add_row_members]")
    expect(rows).to_have_count(count + 1)
    expect(page.locator("#decision_number")).to_have_value("129/QĐ-SCT")
    expect(page.locator(f"[name=members-{count - 1}-full_name]")).to_have_value("Người cuối")
    expect(page.locator(f"[name=members-{count}-full_name]")).to_have_value("")
    bare.shot("members-grown-no-js")
    session.rollback()
    assert session.get(Deliverable, steering.id).data.get("decision_number") != "129/QĐ-SCT"


def test_the_returned_items_edit_page_says_why_who_and_when_at_the_top(
    browser, server, session, actors, rules_doc, tmp_path
):
    reason = "Bổ sung điều khoản về chế độ họp định kỳ của Ban Chỉ đạo."
    bring_to(session, actors, ("deliverable", rules_doc.id), "submitted")
    service.perform(
        session, actors["vp.thamdinh"], ("deliverable", rules_doc.id), "return", reason=reason
    )
    session.rollback()
    reviewer = session.execute(select(User).where(User.username == "vp.thamdinh")).scalar_one()
    unit = session.get(Unit, reviewer.unit_id).name
    s = story(browser, server, tmp_path)
    page = s.page
    s.sign_in("vp.chuyenvien")
    page.goto(f"{server}/deliverables/{rules_doc.id}")
    page.click("text=Sửa nội dung")
    note = page.locator("#ly-do-tra-lai")
    expect(note).to_be_visible()
    expect(note).to_contain_text(reason)
    expect(note).to_contain_text(f"{reviewer.full_name} ({unit})")
    text = note.inner_text()
    assert "vp.thamdinh" not in text
    assert re.search(r"lúc \d\d/\d\d/\d{4} \d\d:\d\d", text), text
    s.shot("returned-edit")
    for size in (WIDE, PHONE):  # at the top: above the form, on screen without scrolling
        page.set_viewport_size(size)
        page.evaluate("window.scrollTo(0, 0)")
        box, form = note.bounding_box(), page.locator("form.edit-form").bounding_box()
        assert box["y"] < form["y"] and box["y"] + box["height"] <= size["height"], size
    assert real_problems(s) == []


def test_an_invalid_audit_date_is_said_next_to_the_field(browser, server, tmp_path):
    s = story(browser, server, tmp_path)
    page = s.page
    s.sign_in("kiemtra")
    page.goto(f"{server}/audit")
    page.fill("#a-from", "32/01/2025")
    page.click("form.filters button[type=submit]")
    expect(page.locator("#err-from")).to_contain_text(
        "Ngày không hợp lệ: “32/01/2025”, nhập dd/mm/yyyy"
    )
    expect(page.locator("#a-from")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#a-from")).to_have_value("32/01/2025")
    s.shot("audit-bad-date")


def test_a_mistaken_draft_and_a_wrong_file_go_after_a_confirmation(
    browser, server, session, task2, tmp_path
):
    s = story(browser, server, tmp_path)
    page = s.page
    s.sign_in("vp.chuyenvien")
    page.goto(f"{server}/tasks/{task2.id}")
    page.click("details.add-form summary")
    form = page.locator(f"form[action='/tasks/{task2.id}/deliverables']")
    form.locator("input[name=title]").fill("Báo cáo tạo nhầm")
    form.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Sửa sản phẩm dự thảo")
    page.set_input_files("#file", pdf("Sai tệp.pdf"))
    page.click("form.edit-form button.save")
    expect(page.locator("ul.files")).to_contain_text("Sai tệp.pdf")
    # The wrong file: a confirmation page, then it is gone.
    page.click("a.attachment-remove")
    expect(page.locator("h1")).to_have_text("Gỡ tệp khỏi dự thảo?")
    s.shot("remove-file-confirm")
    page.check("input[name=confirm]")
    page.click("button.btn-danger")
    expect(page.locator(".flash-success")).to_contain_text("Đã gỡ tệp “Sai tệp.pdf”")
    expect(page.locator("ul.files")).to_have_count(0)
    # The mistaken draft itself.
    page.click("a.delete-draft")
    expect(page.locator("h1")).to_have_text("Xóa dự thảo?")
    s.shot("delete-draft-confirm")
    page.click("button.btn-danger")  # the box not ticked: the browser asks for it first
    expect(page.locator("h1")).to_have_text("Xóa dự thảo?")
    page.check("input[name=confirm]")
    page.click("button.btn-danger")
    expect(page.locator(".flash-success")).to_contain_text("Đã xóa dự thảo “Báo cáo tạo nhầm”")
    expect(page).to_have_url(f"{server}/tasks/{task2.id}")
    s.shot("draft-deleted")
    session.rollback()
    assert (
        session.execute(
            select(Deliverable.id).where(Deliverable.title == "Báo cáo tạo nhầm")
        ).first()
        is None
    )
    assert real_problems(s) == []

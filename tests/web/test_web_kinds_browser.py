"""The deliverable kinds in a real Chromium (Debian's, through Playwright): the Office
fills in the Steering Committee decision (number and date, three members with one Trưởng
ban, both files) and submits it; then the dashboard, on screen and printed; and a look at
the other pages (council votes, delegation, a regulation's diff, an ongoing task's
periods) with no console error (a CSP refusal would be one).

Fails (never skips) when /usr/bin/chromium is missing. Screenshots go to the test's tmp_path
and to /tmp/pheduyet-screens/ with the prefix "i5-" (other stories' screenshots are left).
"""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models import Deliverable, Task
from tests.helpers import bring_to
from tests.web.test_web_browser import (  # noqa: F401 (fixtures)
    PDF,
    SHARED_SCREENS,
    Story,
    browser,
    server,
)
from workflow.core import service
from workflow.items import editing

pytestmark = pytest.mark.browser


class Issue5Story(Story):
    def shot(self, name: str, full_page: bool = True) -> None:
        self.count += 1
        path = self.folder / f"i5-{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        SHARED_SCREENS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SHARED_SCREENS / path.name)


def arrange_other_pages(session, actors) -> dict[str, int]:
    """A nominations list waiting for the council, and a regulation with two versions."""
    nominations = session.execute(
        select(Deliverable).where(Deliverable.kind == "nominations")
    ).scalar_one()
    bring_to(session, actors, ("deliverable", nominations.id), "submitted")
    regulation = session.execute(
        select(Deliverable).where(Deliverable.kind == "regulation")
    ).scalar_one()
    member, item = actors["vp.chuyenvien"], ("deliverable", regulation.id)
    editing.edit_deliverable(
        session, member, regulation.id,
        {"body": "Chương I. Quy định chung\nĐiều 1. Phạm vi\nĐiều 2. Đối tượng\n"},
    )  # fmt: skip
    service.perform(session, member, item, "submit")
    service.perform(session, actors["vp.thamdinh"], item, "return", reason="Gộp Điều 1 và 2.")
    editing.edit_deliverable(
        session, member, regulation.id,
        {"body": "Chương I. Quy định chung\nĐiều 1. Phạm vi và đối tượng\n"
                 "Điều 2. Nguyên tắc\n"},
    )  # fmt: skip
    service.perform(session, member, item, "submit")
    task1 = session.execute(select(Task.id).where(Task.number == 1)).scalar_one()
    return {"nominations": nominations.id, "regulation": regulation.id, "task1": task1}


def test_steering_committee_form_then_the_dashboard(browser, server, session, actors, tmp_path):  # noqa: F811
    decision = session.execute(
        select(Deliverable).where(Deliverable.kind == "steering_committee")
    ).scalar_one()
    ids = arrange_other_pages(session, actors)
    for old in SHARED_SCREENS.glob("i5-*.png") if SHARED_SCREENS.exists() else ():
        old.unlink(missing_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    story = Issue5Story(context.new_page(), server, tmp_path)
    page = story.page

    # 1. The Office member fills in the Steering Committee decision.
    story.sign_in("vp.chuyenvien")
    story.go(f"/deliverables/{decision.id}", "decision-draft")
    expect(page.locator(".action-submit .sub").last).to_contain_text("cần đúng một Trưởng ban")
    page.click("text=Sửa nội dung")
    page.fill("#body", "Kiện toàn Ban Chỉ đạo thực hiện dân chủ ở cơ sở của Sở Công Thương.")
    page.fill("#decision_number", "125/QĐ-SCT")
    page.fill("#decision_date", "10/11/2025")
    members = (
        ("Trần Minh Đức", "Giám đốc Sở", "Ban Giám đốc Sở", "truong_ban"),
        ("Lê Thị Hồng Nhung", "Phó Giám đốc Sở", "Ban Giám đốc Sở", "pho_truong_ban"),
        ("Phạm Quốc Huy", "Chánh Văn phòng", "Văn phòng Sở", "thanh_vien"),
    )
    for i, (name, position, unit, role) in enumerate(members):
        page.fill(f"[name=members-{i}-full_name]", name)
        page.fill(f"[name=members-{i}-position]", position)
        page.fill(f"[name=members-{i}-unit]", unit)
        page.select_option(f"[name=members-{i}-committee_role]", role)
    story.shot("decision-form")
    page.click("form.edit-form button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("Đã lưu nội dung")
    expect(page.locator("section[aria-labelledby=ban-chi-dao]")).to_contain_text("125/QĐ-SCT")
    expect(page.locator("section[aria-labelledby=ban-chi-dao]")).to_contain_text("Trưởng ban")
    # The signed decision as a file. Issue 12: the working rules and the assignment notice
    # are task 2's own products, so the decision no longer waits for them as files.
    expect(page.locator("form.action-submit")).to_have_count(1)
    name = "Quyết định kiện toàn BCĐ.pdf"
    page.set_input_files(
        "#upload-file", {"name": name, "mimeType": "application/pdf", "buffer": PDF}
    )
    expect(page.locator("#upload-purpose")).to_have_count(0)
    page.click("form.upload button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text(name)
    story.shot("decision-complete")
    story.act("submit")
    expect(page.locator(".state-line .badge").first).to_have_text("Đã trình")
    story.shot("decision-submitted")

    # 2. The dashboard shows it submitted, on screen and printed.
    page.click("nav.mainnav >> text=Bảng theo dõi")
    expect(page.locator("h1")).to_have_text("Bảng theo dõi tiến độ")
    expect(page.locator("figure.chart svg")).to_have_count(2)
    task2 = page.locator("table.progress").first.locator("tbody tr", has_text="2. Củng cố")
    expect(task2.locator("td").nth(1)).to_have_text("1")  # one submitted
    story.shot("dashboard")
    page.emulate_media(media="print")
    story.shot("dashboard-print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator("figure.chart svg").first).to_be_visible()
    page.emulate_media(media="screen")
    story.go(f"/tasks/{ids['task1']}", "task1-periods")
    expect(page.locator("section.period")).to_have_count(2)
    story.sign_out()

    # 3. A council member votes on the nominations; the Director delegates; the reviewer
    # reads the regulation's diff.
    story.sign_in("khtc.chuyenvien")
    expect(page.locator(".queue-to_vote")).to_contain_text("Dân vận khéo")
    story.go(f"/deliverables/{ids['nominations']}", "nominations-vote")
    page.fill("#vote-comment", "Mô hình thiết thực, đề nghị khen thưởng.")
    page.click("form.vote-form button[value=for]")
    expect(page.locator(".flash-success").first).to_contain_text("1/3")
    story.shot("nominations-voted")
    story.sign_out()

    story.sign_in("giamdoc")
    story.go("/delegations", "delegations-empty")
    page.select_option("#delegate", "phogiamdoc")
    page.fill("#ends_on", "31/12/2099")
    page.fill("#note", "Đi công tác")
    page.click("form.delegation-form button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text(
        "Đã ủy quyền cho Lê Thị Hồng Nhung (Ban Giám đốc Sở)"
    )
    story.shot("delegations")
    story.go(f"/deliverables/{decision.id}", "decision-director-submitted")
    story.sign_out()

    story.sign_in("vp.thamdinh")
    story.go(f"/deliverables/{ids['regulation']}", "regulation-reviewer")
    page.click("text=Xem thay đổi của phiên bản 2")
    expect(page.locator("table.diff tr.diff-del")).to_have_count(2)
    expect(page.locator("table.diff tr.diff-add")).to_have_count(2)
    story.shot("regulation-diff")
    page.goto(f"{server}/deliverables/{decision.id}")
    story.act("review")
    expect(page.locator(".state-line .badge").first).to_have_text("Đã thẩm định")
    story.sign_out()

    # 4. The Director sees the two ways back, apart from approving.
    story.sign_in("giamdoc")
    story.go(f"/deliverables/{decision.id}", "decision-director-choices")
    choices = page.locator(".send-back-choices")
    expect(choices.locator("button.btn-return")).to_have_text("Trả lại đơn vị")
    expect(choices.locator("button.btn-send_back")).to_have_text("Chuyển Văn phòng thẩm định lại")

    # The same pages on a phone and in English.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    mobile = Issue5Story(phone.new_page(), server, tmp_path)
    mobile.count = story.count
    mobile.sign_in("giamdoc")
    mobile.go("/dashboard", "phone-dashboard")
    mobile.page.locator("figure.chart").first.scroll_into_view_if_needed()
    mobile.shot("phone-dashboard-chart", full_page=False)
    mobile.go(f"/deliverables/{ids['nominations']}?lang=en", "phone-nominations-english")
    mobile.go("/delegations", "phone-delegations-english")
    story.count = mobile.count
    story.go("/dashboard?lang=en", "dashboard-english")
    expect(page.locator("h1")).to_have_text("Progress dashboard")

    problems = story.problems + mobile.problems
    assert problems == []
    phone.close()
    context.close()

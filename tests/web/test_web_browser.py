"""The whole story in a real Chromium (Debian's, through Playwright): submit, review,
approve, the audit page, and a return whose reason reaches the submitter's queue.

It fails (never skips) when /usr/bin/chromium is missing. Every page visited is saved
as a screenshot under the test's tmp_path and copied to /tmp/pheduyet-screens/.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from models import Deliverable, Task
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHARED_SCREENS = Path("/tmp/pheduyet-screens")
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def server(app, actors) -> Iterator[str]:
    """The fixture app (seeded SQLite file database) on 127.0.0.1 and a free port."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
    )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Story:
    """One browser page, with a screenshot of every page it visits."""

    def __init__(self, page: Page, base: str, folder: Path) -> None:
        self.page = page
        self.base = base
        self.folder = folder
        self.count = 0
        self.problems: list[str] = []
        page.on(
            "console",
            lambda m: self.problems.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.problems.append(str(e)))

    def shot(self, name: str, full_page: bool = True) -> None:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        SHARED_SCREENS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SHARED_SCREENS / path.name)

    def go(self, path: str, name: str) -> None:
        self.page.goto(self.base + path)
        self.shot(name)

    def sign_in(self, username: str) -> None:
        self.page.goto(self.base + "/")
        expect(self.page).to_have_url(self.base + "/login?next=%2F")
        self.page.fill("#username", username)
        self.page.fill("#password", TEST_PASSWORD)
        self.page.click("form.stack button[type=submit]")
        expect(self.page.locator(".user-name")).to_be_visible()
        self.shot(f"queue-{username}")

    def sign_out(self) -> None:
        self.page.click(".userbox button[type=submit]")
        expect(self.page.locator("#username")).to_be_visible()

    def flash(self) -> str:
        return self.page.locator(".flash").first.inner_text()

    def act(self, action: str, reason: str | None = None) -> None:
        """Opens `action` in the item's sticky bar, gives the reason, ticks the confirmation
        (submit, withdraw, approve ask for it) and sends it."""
        bar = self.page.locator(".action-bar")
        bar.locator(f"summary.btn-{action}").click()
        form = bar.locator(f"form.action-{action}")
        if reason is not None:
            form.locator("textarea[name=reason]").fill(reason)
        if form.locator("input[name=confirm]").count():
            form.locator("input[name=confirm]").check()
        form.locator("button[type=submit]").click()


def test_submit_review_approve_audit_and_return(browser, server, session, tmp_path):
    plan_task = session.execute(select(Task).where(Task.number == 2)).scalar_one()
    decision, rules = (
        session.execute(
            select(Deliverable).where(Deliverable.task_id == plan_task.id).order_by(Deliverable.id)
        )
        .scalars()
        .all()[:2]
    )
    assert decision.kind == "steering_committee"
    # only this story's own screenshots: the other stories may be writing theirs meanwhile
    # (tests run in parallel)
    for old in SHARED_SCREENS.glob("[0-9][0-9]-*.png") if SHARED_SCREENS.exists() else ():
        old.unlink(missing_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    story = Story(context.new_page(), server, tmp_path)
    page = story.page

    # The landing page asks for a sign-in.
    page.goto(server + "/")
    expect(page.locator("h1")).to_have_text("Đăng nhập")
    story.shot("login")

    # 1. The Office member fills in the decision and submits it.
    story.sign_in("vp.chuyenvien")
    expect(page.locator("h1")).to_have_text("Việc cần xử lý")
    page.click(f"text={decision.title}")
    expect(page.locator("h1")).to_have_text(decision.title)
    story.shot("decision-draft")
    page.click("text=Sửa nội dung")
    expect(page.locator("h1")).to_have_text("Sửa sản phẩm dự thảo")
    page.fill(
        "#body",
        "Quyết định kiện toàn Ban Chỉ đạo thực hiện dân chủ ở cơ sở của Sở Công Thương.",
    )
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
    story.shot("decision-edit")
    page.click("form.edit-form button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("Đã lưu nội dung")
    story.shot("decision-saved")
    # The signed decision, uploaded as a real PDF file (issue 12: the working rules and the
    # assignment notice are task 2's own products, not files of the decision).
    for name in ("Quyết định kiện toàn BCĐ.pdf",):
        page.set_input_files(
            "#upload-file", {"name": name, "mimeType": "application/pdf", "buffer": PDF}
        )
        page.click("form.upload button[type=submit]")
        expect(page.locator(".flash-success")).to_contain_text(name)
    story.shot("decision-files")
    story.act("submit")
    expect(page.locator(".state-line .badge").first).to_have_text("Đã trình")
    expect(page.locator(".flash-success")).to_have_text("Đã trình. Văn phòng Sở sẽ thẩm định.")
    story.shot("decision-submitted")
    story.sign_out()

    # 2. The Office reviewer finds it in their queue and reviews it.
    story.sign_in("vp.thamdinh")
    expect(page.locator(".queue-to_review")).to_contain_text(decision.title)
    page.locator(".queue-to_review").get_by_text(decision.title).click()
    story.act("review")
    expect(page.locator(".state-line .badge").first).to_have_text("Đã thẩm định")
    story.shot("decision-reviewed")
    story.sign_out()

    # 3. The Director approves it, after confirming.
    story.sign_in("giamdoc")
    page.locator(".queue-to_approve").get_by_text(decision.title).click()
    page.locator(".action-bar summary.btn-approve").click()
    approve = page.locator("form.action-approve")
    approve.locator("input[name=confirm]").check()
    story.shot("decision-approve-confirm")
    approve.locator("button").click()
    expect(page.locator(".state-line .badge").first).to_have_text("Đã phê duyệt")
    expect(page.locator(".flash-success")).to_contain_text("Đã phê duyệt")
    story.shot("decision-approved")

    # 4. The audit page shows submit, review, approve in order (newest first on screen).
    page.click("nav.mainnav >> text=Nhật ký")
    story.shot("audit-all")
    page.select_option("#a-type", "deliverable")
    page.fill("#a-id", str(decision.id))
    page.click("form.filters button[type=submit]")
    story.shot("audit-decision")
    actions = page.locator("table.trail tbody td.ev-action").all_inner_texts()
    transitions = [a for a in actions if a in ("Trình", "Thẩm định", "Phê duyệt")]
    assert list(reversed(transitions)) == ["Trình", "Thẩm định", "Phê duyệt"], actions
    rows = page.locator("table.trail tbody tr")
    expect(rows.first).to_contain_text("Trần Minh Đức (Ban Giám đốc Sở)")  # issue 12
    expect(rows.first).to_contain_text("Đã thẩm định → Đã phê duyệt")
    story.go(f"/plan?unit={decision.unit_id}", "plan-office")
    story.sign_out()

    # 5. A second deliverable is submitted, then returned with a reason.
    story.sign_in("vp.chuyenvien")
    story.go(f"/tasks/{plan_task.id}", "task-2")
    page.click(f"text={rules.title}")
    page.click("text=Sửa nội dung")
    page.fill("#body", "Quy chế làm việc của Ban Chỉ đạo, gồm 4 chương 12 điều.")
    page.click("form.edit-form button[type=submit]")
    story.act("submit")
    expect(page.locator(".state-line .badge").first).to_have_text("Đã trình")
    story.sign_out()

    reason = "Bổ sung điều khoản về chế độ họp định kỳ của Ban Chỉ đạo."
    story.sign_in("vp.thamdinh")
    page.locator(".queue-to_review").get_by_text(rules.title).click()
    page.locator(".action-bar summary.btn-return").click()
    page.fill("form.action-return textarea[name=reason]", reason)
    story.shot("rules-return")
    page.click("form.action-return button")
    expect(page.locator(".state-line .badge").first).to_have_text("Dự thảo")
    story.sign_out()

    story.sign_in("vp.chuyenvien")
    returned = page.locator(".queue-returned")
    expect(returned).to_contain_text(rules.title)
    expect(returned).to_contain_text(reason)
    expect(returned).to_contain_text("Phạm Quốc Huy (Văn phòng Sở)")  # issue 12: by name

    # The same pages on a phone, and in English.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    mobile = Story(phone.new_page(), server, tmp_path)
    mobile.count = story.count
    mobile.sign_in("vp.chuyenvien")
    mobile.go(f"/deliverables/{decision.id}", "phone-decision")
    mobile.go(f"/deliverables/{rules.id}/edit", "phone-edit")
    mobile.go("/plan?lang=en", "phone-plan-english")
    story.count = mobile.count

    # An error page, a printout, and the English interface on the laptop.
    story.go("/deliverables/999999", "error-404")
    expect(page.locator(".error-page h1")).to_have_text("Không tìm thấy")
    page.goto(f"{server}/deliverables/{decision.id}")
    page.emulate_media(media="print")
    story.shot("decision-print")
    expect(page.locator(".topbar")).to_be_hidden()
    # issue 12: the decision, its members and the trail print; the controls do not
    expect(page.locator(".action-bar")).to_be_hidden()
    expect(page.locator(".crumbs")).to_be_hidden()
    expect(page.locator("#y-kien form")).to_be_hidden()
    expect(page.locator(".copy-link")).to_be_hidden()
    expect(page.locator("section[aria-labelledby=ban-chi-dao] table")).to_be_visible()
    expect(page.locator("section[aria-labelledby=ban-chi-dao]")).to_contain_text("Trần Minh Đức")
    expect(page.locator("table.trail")).to_be_visible()
    expect(page.locator(".print-state")).to_contain_text("Đã phê duyệt")
    expect(page.locator(".share-url")).to_have_value(f"{server}/deliverables/{decision.id}")
    page.emulate_media(media="screen")
    story.go("/?lang=en", "queue-english")
    expect(page.locator("h1")).to_have_text("My queue")

    # The one 404 above is expected; anything else in the console (a CSP refusal, a
    # missing stylesheet…) is a fault.
    problems = story.problems + mobile.problems
    assert len([p for p in problems if "404" in p]) == 1, problems
    assert [p for p in problems if "404" not in p] == []
    phone.close()
    context.close()

"""Issue 6 in a real Chromium (Debian's, through Playwright): an admin of a department with
no plan yet uploads the seed document, reads the preview, confirms, and sees the nine tasks;
then opens the results report and its print view.

Fails (never skips) when /usr/bin/chromium is missing. Screenshots go to the test's tmp_path
and to /tmp/pheduyet-screens/ with the prefix "i6-" (other stories' screenshots are left).
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.conftest import FAST_HASH, TEST_PASSWORD
from tests.web.test_web_browser import SHARED_SCREENS, browser  # noqa: F401 (a fixture)
from workflow.accounts import users as accounts
from workflow.intake import seed

pytestmark = pytest.mark.browser

PLANS = Path(__file__).parent.parent / "data" / "plans"
SEED = PLANS / "seed.txt"
PLAN_06 = PLANS / "plan_06.txt"


@pytest.fixture
def organisation(session):
    """Units and an admin; no plan — what a department has before its first import."""
    seed.ensure_organisation(session)
    accounts.create_user(
        session,
        username="admin",
        full_name="Quản trị hệ thống",
        unit_code="vp",
        roles=["admin"],
        password=TEST_PASSWORD,
        password_method=FAST_HASH,
    )
    session.commit()


@pytest.fixture
def server(app, organisation) -> Iterator[str]:
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)


class Shots:
    def __init__(self, page: Page, folder: Path, prefix: str = "i6-", clean: bool = True) -> None:
        self.page = page
        self.folder = folder
        self.prefix = prefix
        self.count = 0
        self.problems: list[str] = []
        page.on("console", lambda m: self.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(str(e)))
        SHARED_SCREENS.mkdir(parents=True, exist_ok=True)
        if clean:
            for old in SHARED_SCREENS.glob("i6-*.png"):
                old.unlink(missing_ok=True)

    def __call__(self, name: str, full_page: bool = True) -> None:
        self.count += 1
        path = self.folder / f"{self.prefix}{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        shutil.copy(path, SHARED_SCREENS / path.name)


def test_admin_imports_the_seed_plan_and_prints_its_report(
    browser,  # noqa: F811
    server,
    tmp_path,
):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    shot = Shots(page, tmp_path)

    page.goto(server + "/login")
    page.fill("#username", "admin")
    page.fill("#password", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page.locator(".user-name")).to_be_visible()

    # No plan yet: the plan page offers the import to the admin.
    page.goto(server + "/plan")
    expect(page.locator("h1")).to_have_text("Kế hoạch")
    shot("plan-empty")
    page.goto(server + "/admin")
    page.click("text=Nhập kế hoạch")
    expect(page.locator("h1")).to_have_text("Nhập kế hoạch từ văn bản")
    shot("upload")

    # A bad file first: the reader's message, and the form again.
    empty = tmp_path / "rong.txt"
    empty.write_bytes(b"")
    page.set_input_files("#import-file", str(empty))
    page.click("text=Đọc văn bản và xem trước")
    expect(page.locator(".import-error")).to_contain_text("Tệp rỗng")
    shot("upload-empty-file")

    # The seed document: the preview, with nothing created yet.
    page.set_input_files("#import-file", str(SEED))
    page.click("text=Đọc văn bản và xem trước")
    expect(page.locator(".eyebrow")).to_have_text("Xem trước — chưa có gì được tạo")
    expect(page.locator(".import-task")).to_have_count(9)
    expect(page.locator("#nv-1 .import-timing")).to_contain_text("15/11/2025")
    expect(page.locator("#due-1")).to_have_value("15/11/2025")
    shot("preview")
    shot("preview-top", full_page=False)
    page.locator("#nv-4").scroll_into_view_if_needed()
    shot("preview-task5", full_page=False)

    # Confirm: the plan page shows the nine tasks.
    page.click("text=Xác nhận nhập kế hoạch")
    expect(page.locator(".flash-success")).to_contain_text("Đã nhập kế hoạch KH-")
    expect(page.locator("table.plan tbody tr")).to_have_count(9)
    expect(page.locator("h1")).to_contain_text("Thực hiện dân chủ ở cơ sở")
    expect(page.locator("table.plan")).to_contain_text("Chi cục Quản lý thị trường")
    shot("plan-imported")

    # The results report, on screen and as printed.
    page.click("a.btn:text-is('Báo cáo')")
    expect(page.locator("article.report")).to_be_visible()
    expect(page.locator("article.report .report-task")).to_have_count(9)
    shot("report")
    page.fill("#r-from", "30/11/2025")
    page.fill("#r-to", "01/11/2025")
    page.click("text=Xem báo cáo")
    expect(page.locator(".flash-error")).to_contain_text("Ngày bắt đầu (30/11/2025)")
    shot("report-bad-range")
    page.fill("#r-from", "01/11/2025")
    page.fill("#r-to", "31/12/2025")
    page.click("text=Xem báo cáo")
    expect(page.locator("article.report")).to_contain_text("từ ngày 01/11/2025")
    with page.expect_download() as download:
        page.click("text=Tải báo cáo (.docx)")
    assert download.value.suggested_filename.endswith("31-12-2025.docx")
    page.locator(".report-summary").scroll_into_view_if_needed()
    shot("report-summary", full_page=False)
    page.set_viewport_size({"width": 624, "height": 900})  # A4 less its margins, at 96 dpi
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".report-controls")).to_be_hidden()
    family = page.locator("article.report").evaluate("e => getComputedStyle(e).fontFamily")
    size = page.locator("article.report").evaluate("e => getComputedStyle(e).fontSize")
    assert "Times New Roman" in family and size in ("18.6667px", "18.66px", "18.67px")
    shot("report-print")
    pdf = page.pdf(prefer_css_page_size=True)
    (SHARED_SCREENS / "i6-report-print.pdf").write_bytes(pdf)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5
                         for w, h in boxes), boxes  # A4 in points  # fmt: skip
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1366, "height": 768})

    # A document naming units the Department lacks, previewed on a phone.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    small = phone.new_page()
    small_shot = Shots(small, tmp_path, prefix="i6-phone-", clean=False)
    small.goto(server + "/login")
    small.fill("#username", "admin")
    small.fill("#password", TEST_PASSWORD)
    small.click("form.stack button[type=submit]")
    small.goto(server + "/admin/import")
    small.set_input_files("#import-file", str(PLAN_06))
    small.click("text=Đọc văn bản và xem trước")
    expect(small.locator(".import-task")).to_have_count(11)
    expect(small.locator("#don-vi-moi")).to_contain_text("sẽ tạo đơn vị mới")
    small_shot("preview-unknown-units", full_page=False)
    small.locator("#don-vi-moi").scroll_into_view_if_needed()
    small_shot("unknown-units-panel", full_page=False)
    small.locator("#nv-7").scroll_into_view_if_needed()
    small_shot("task-8", full_page=False)
    small.click("text=Xác nhận nhập kế hoạch")
    expect(small.locator(".import-error")).to_contain_text("Đơn vị chưa có trong danh mục")
    small_shot("refused-unknown-units", full_page=False)
    phone.close()

    # the two 400s above (an empty file, a reversed range) are the only console errors
    assert [p for p in shot.problems if "status of 400" not in p] == []
    context.close()

"""Issue 12, item 5 in a real Chromium: the inbox. The Office reviewer sees an unread count
in the header when something waits on their review, reads it on the notifications page
and returns the item with a reason; the member is told (who, when, why), marks it read and
the count goes; "due in 3 days" arrives from `remind`; the queue's chips are the lists'
own counts and filter them; the dashboard's chips open the list they count; a search box
finds titles across plans, never another unit's draft.

Fails (never skips) when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from models import Deliverable
from tests.conftest import TEST_PASSWORD
from tests.helpers import bring_to
from tests.web.test_web_browser import browser, server  # noqa: F401 (fixtures)
from workflow.notify import outbox as notify

pytestmark = pytest.mark.browser

REASON = "Bổ sung căn cứ pháp lý và thời hạn thực hiện."


def sign_in(browser, server: str, username: str, width: int = 1366) -> Page:  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
    page = context.new_page()
    page.goto(server + "/login")
    page.fill("#username", username)
    page.fill("#password", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page.locator(".userbox button[type=submit]")).to_be_visible()
    return page


def unread(page: Page) -> str:
    badge = page.locator(".inbox-link .unread-count")
    return badge.inner_text() if badge.count() else ""


def test_review_request_and_return_reach_the_inbox_and_are_marked_read(
    browser,  # noqa: F811
    server,  # noqa: F811
    session,
    actors,
):
    rules = session.execute(
        select(Deliverable).where(Deliverable.title == "Quy chế làm việc của Ban Chỉ đạo")
    ).scalar_one()
    bring_to(session, actors, ("deliverable", rules.id), "submitted")

    # The Office reviewer: "1" in the header; the notification says what waits and who sent it.
    reviewer = sign_in(browser, server, "vp.thamdinh")
    assert unread(reviewer) == "1"
    reviewer.click(".inbox-link")
    expect(reviewer.locator("h1")).to_have_text("Thông báo")
    item = reviewer.locator(".notification.is-unread").first
    expect(item).to_contain_text("Chờ bạn thẩm định")
    expect(item).to_contain_text(rules.title)
    expect(item).to_contain_text("Nguyễn Thị Lan (Văn phòng Sở)")
    item.locator(".notif-title a").click()
    expect(reviewer.locator("h1")).to_have_text(rules.title)
    bar = reviewer.locator(".action-bar")  # the item's actions, at the top
    bar.locator("summary.btn-return").click()
    bar.locator("form.action-return textarea[name=reason]").fill(REASON)
    bar.locator("form.action-return button[type=submit]").click()
    # the review request is settled: the item moved on
    reviewer.goto(server + "/")
    assert unread(reviewer) == ""

    # The member: told of the return with who, when and why; marks it read.
    member = sign_in(browser, server, "vp.chuyenvien")
    assert unread(member) == "1"
    member.goto(server + "/notifications")
    returned = member.locator(".notification.notif-returned")
    expect(returned).to_contain_text("Bị trả lại")
    expect(returned).to_contain_text("Phạm Quốc Huy (Văn phòng Sở)")
    expect(returned).to_contain_text(REASON)
    returned.locator("button", has_text="Đã đọc").click()
    expect(member.locator(".notification.is-unread")).to_have_count(0)
    assert unread(member) == ""
    # read ones stay listed, the "unread only" filter leaves them out
    expect(member.locator(".notification.notif-returned")).to_have_count(1)
    member.click("text=Chỉ xem chưa đọc")
    expect(member.locator(".notification")).to_have_count(0)

    # "Due in 3 days": written by the daily `remind`; "mark all read" clears the count.
    notify.remind(session, today=date(2025, 11, 13))
    member.goto(server + "/notifications")
    due_soon = member.locator(".notification.notif-due_soon.is-unread")
    assert due_soon.count() >= 1
    expect(due_soon.first).to_contain_text("Sắp đến hạn")
    expect(due_soon.first).to_contain_text("15/11/2025")
    assert int(unread(member)) == due_soon.count()
    member.click("text=Đánh dấu tất cả là đã đọc")
    expect(member.locator(".flash")).to_contain_text("Đã đánh dấu")
    assert unread(member) == ""
    expect(member.locator(".notification.is-unread")).to_have_count(0)


def section_total(page: Page, key: str) -> int:
    return int(page.locator(f"section.queue-{key} h2 .count").inner_text())


def test_queue_chips_are_the_lists_counts_and_filter_them(browser, server, session, actors):  # noqa: F811
    member = sign_in(browser, server, "vp.chuyenvien")
    chips = member.locator("ul.chips li")
    numbers = {}
    for i in range(chips.count()):
        chip = chips.nth(i)
        key = (chip.get_attribute("class") or "").removeprefix("chip-")
        numbers[key] = int(chip.locator(".count-n").inner_text())
    # today a member saw "15 Dự thảo" over a list of 5: now the chip is the list's count
    assert numbers["drafts"] == section_total(member, "drafts")
    member.click("ul.chips li.chip-drafts a")
    expect(member).to_have_url(re.compile(r"\?section=drafts"))
    assert section_total(member, "drafts") == numbers["drafts"]
    rows = member.locator("section.queue-drafts tbody tr")
    assert rows.count() == min(numbers["drafts"], 50)
    # "Quá hạn": only the overdue rows, as many as the chip says
    member.click("ul.chips li.count-overdue a")
    expect(member).to_have_url(re.compile(r"\?overdue=1"))
    overdue = int(member.locator("ul.chips li.count-overdue .count-n").inner_text())
    shown = member.locator("main tbody tr")
    assert overdue > 0 and shown.count() == min(overdue, 20 * chips.count())
    assert member.locator("main tbody tr:not(.is-overdue)").count() == 0

    # The dashboard's chips open the list they count (the whole plan: every unit's items).
    director = sign_in(browser, server, "giamdoc")
    director.goto(server + "/dashboard")
    chip = director.locator("ul.counts li.count-draft")
    drafts = int(chip.locator(".count-n").inner_text())
    chip.locator("a").click()
    expect(director.locator(".search-total")).to_have_text(f"{drafts} sản phẩm")
    assert director.locator("main tbody tr").count() == min(drafts, 30)


def test_search_by_title_across_plans_never_shows_another_units_draft(
    browser,  # noqa: F811
    server,  # noqa: F811
    session,
    actors,
    outsider,
):
    member = sign_in(browser, server, "vp.chuyenvien")
    member.fill("#quick-q", "quy chế làm việc")
    member.click("form.quick-search button[type=submit]")
    expect(member.locator("h1")).to_have_text("Tìm nhiệm vụ, sản phẩm theo tên")
    expect(member.locator("main tbody")).to_contain_text("Quy chế làm việc của Ban Chỉ đạo")
    # a member of a unit that neither leads nor coordinates it does not find the draft
    other = sign_in(browser, server, outsider, width=390)
    other.goto(server + "/search?q=quy+ch%E1%BA%BF+l%C3%A0m+vi%E1%BB%87c")
    expect(other.locator("main")).to_contain_text("Không có sản phẩm nào khớp.")
    # too short a query searches nothing (bounded), and says so
    other.goto(server + "/search?q=q")
    expect(other.locator("main")).to_contain_text("Nhập ít nhất 2 ký tự")

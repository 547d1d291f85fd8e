"""Issue 12, every main page in a real Chromium at a laptop's 1366×768 and a phone's
390×844: a full-page screenshot of each (under the test's tmp_path, or $SCREENSHOT_DIR),
no horizontal overflow of the page at 390 px (tables scroll in their own wrapper or become
cards), the five-item menu on one line at 1366 px, a header that leaves the phone's screen
to the content, and axe-core (bundled by axe-playwright-python, injected through the
DevTools protocol: nothing from a CDN, the CSP unchanged) finding no serious or critical
violation on any page: labels for every input, contrast AA, names for links and buttons.

Fails (never skips) when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlalchemy import select

from models import Deliverable, Plan, Task
from tests.conftest import TEST_PASSWORD
from tests.helpers import bring_to
from tests.web.test_web_browser import browser, server  # noqa: F401 (fixtures)
from workflow.core import service

pytestmark = pytest.mark.browser

VIEWPORTS = {"1366": (1366, 768), "390": (390, 844)}
OVERFLOW_TOLERANCE = 2  # px: rounding of fractional widths
PHONE_HEADER_MAX = 120  # px: the header leaves the rest of a 844-px screen to the content
SERIOUS = ("serious", "critical")


def arrange(session, actors) -> dict[str, int]:
    """A returned item (a notification and a reason for the member), one waiting for the
    Office reviewer, and the ids of the pages to visit."""
    rules = session.execute(
        select(Deliverable).where(Deliverable.title == "Quy chế làm việc của Ban Chỉ đạo")
    ).scalar_one()
    bring_to(session, actors, ("deliverable", rules.id), "submitted")
    service.perform(
        session, actors["vp.thamdinh"], ("deliverable", rules.id), "return",
        reason="Bổ sung căn cứ pháp lý và thời hạn.",
    )  # fmt: skip
    decision = session.execute(
        select(Deliverable).where(Deliverable.kind == "steering_committee")
    ).scalar_one()
    task2 = session.execute(select(Task).where(Task.number == 2)).scalar_one()
    plan = session.execute(select(Plan).order_by(Plan.id)).scalars().first()
    return {"rules": rules.id, "decision": decision.id, "task": task2.id, "plan": plan.id}


def pages(ids: dict[str, int]) -> list[tuple[str, str, str]]:
    """(name, user, path) of every main page."""
    return [
        ("queue", "vp.chuyenvien", "/"),
        ("notifications", "vp.chuyenvien", "/notifications"),
        ("task", "vp.chuyenvien", f"/tasks/{ids['task']}"),
        ("deliverable", "vp.chuyenvien", f"/deliverables/{ids['rules']}"),
        ("edit", "vp.chuyenvien", f"/deliverables/{ids['decision']}/edit"),
        ("delegations", "giamdoc", "/delegations"),
        ("dashboard", "giamdoc", "/dashboard"),
        ("plans", "giamdoc", "/plans"),
        ("plan", "giamdoc", f"/plans/{ids['plan']}"),
        ("audit", "giamdoc", "/audit"),
        ("reports", "giamdoc", f"/plans/{ids['plan']}/report"),
        ("search", "giamdoc", "/search?q=Ban+Ch%E1%BB%89"),
        ("admin", "admin", "/admin"),
        ("import", "admin", "/admin/import"),
    ]


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page.locator(".userbox button[type=submit]")).to_be_visible()


def folder(tmp_path: Path) -> Path:
    where = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screens")
    where.mkdir(parents=True, exist_ok=True)
    return where


def test_every_main_page_fits_a_phone_and_passes_axe(browser, server, session, actors, tmp_path):  # noqa: F811
    ids = arrange(session, actors)
    shots = folder(tmp_path)
    axe = Axe()
    problems: list[str] = []
    for size, (width, height) in VIEWPORTS.items():
        contexts = {}
        for name, user, path in pages(ids):
            if user not in contexts:
                context = browser.new_context(
                    viewport={"width": width, "height": height}, locale="vi-VN"
                )
                page = context.new_page()
                sign_in(page, server, user)
                contexts[user] = (context, page)
            page = contexts[user][1]
            response = page.goto(server + path)
            assert response is not None and response.status == 200, (name, size)
            page.screenshot(path=str(shots / f"i12-{size}-{name}.png"), full_page=True)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width + OVERFLOW_TOLERANCE:
                wide = page.evaluate(
                    """(w) => [...document.querySelectorAll('body *')]
                      .filter(e => e.getBoundingClientRect().right > w + 2
                                && !e.closest('.table-wrap, .chart, .mainnav'))
                      .slice(0, 3).map(e => e.tagName + '.' + e.className)""",
                    width,
                )
                problems.append(f"{name} at {size}: page {scroll_width}px wide ({wide})")
            header = page.locator(".topbar").bounding_box()
            if size == "390" and header and header["height"] > PHONE_HEADER_MAX:
                problems.append(f"{name} at 390: header {header['height']:.0f}px high")
            if size == "1366":
                tops = page.eval_on_selector_all(
                    ".mainnav a",
                    """links => links.filter(a => a.offsetParent !== null)
                      .map(a => Math.round(a.getBoundingClientRect().top))""",
                )
                if len(set(tops)) > 1:
                    problems.append(f"{name} at 1366: the menu wraps ({tops})")
            results = axe.run(page)
            for violation in results.response["violations"]:
                if violation["impact"] in SERIOUS:
                    targets = [n["target"] for n in violation["nodes"][:3]]
                    problems.append(f"{name} at {size}: axe {violation['id']} {targets}")
        for context, _page in contexts.values():
            context.close()
    assert not problems, "\n".join(problems)
    assert len(list(shots.glob("i12-*.png"))) >= 2 * len(pages(ids))

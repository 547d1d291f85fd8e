"""Issue 12, item 4, in a real Chromium: the item page's sticky action bar (state, who acts
next, the allowed actions) stays at the top however far the page is scrolled, at a laptop's
1366×768 and a phone's 390×844, with the Director's "Phê duyệt" in the first screen; and
the submit and withdraw of a draft ask for the same confirmation as approve.

Screenshots of every page go under the test's tmp_path and /tmp/pheduyet-screens/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.helpers import bring_to, fill, state_and_version
from tests.web.test_web_browser import Story, browser, server  # noqa: F401 - fixtures
from workflow.items import editing

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def inside_viewport(page: Page, selector: str) -> bool:
    """The element's whole box lies within the visible screen."""
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    size = page.viewport_size
    return (
        box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] >= 0
        and (box["x"] + box["width"] <= size["width"])
    )


def long_reviewed_decision(session, actors, steering) -> None:
    """The Steering Committee decision, reviewed, on a page well over two screens long."""
    bring_to(session, actors, ("deliverable", steering.id), "reviewed")
    for n in range(12):
        editing.add_comment(
            session,
            actors["vp.thamdinh"],
            ("deliverable", steering.id),
            f"Ý kiến thẩm định số {n + 1}: đã đối chiếu thành phần Ban Chỉ đạo với quy định.",
        )


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366x768", "390x844"])
def test_directors_approve_stays_at_the_top_of_a_long_page(
    browser,  # noqa: F811
    server,  # noqa: F811
    session,
    actors,
    steering,
    tmp_path,
    viewport,
):
    long_reviewed_decision(session, actors, steering)
    phone = viewport is PHONE
    context = browser.new_context(
        viewport=viewport, locale="vi-VN", is_mobile=phone, device_scale_factor=2 if phone else 1
    )
    story = Story(context.new_page(), server, tmp_path)
    page = story.page
    story.sign_in("giamdoc")
    story.go(f"/deliverables/{steering.id}", f"bar-{viewport['width']}-top")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height > 2 * viewport["height"], height  # a page worth scrolling

    bar = page.locator(".action-bar")
    approve = bar.locator("summary", has_text="Phê duyệt")
    expect(bar).to_contain_text("Đã thẩm định")
    expect(bar).to_contain_text("Chờ Giám đốc phê duyệt")
    expect(approve).to_be_visible()
    assert inside_viewport(page, ".action-bar summary.btn-approve")  # the first screen

    for where in (0.5, 1.0):  # halfway, then the very bottom (the trail)
        page.evaluate(f"window.scrollTo(0, document.documentElement.scrollHeight * {where})")
        page.wait_for_function("window.scrollY > 0")
        story.shot(f"bar-{viewport['width']}-scrolled-{int(where * 100)}", full_page=False)
        top = bar.bounding_box()
        assert top is not None and abs(top["y"]) <= 1, top  # stuck at the top
        assert inside_viewport(page, ".action-bar summary.btn-approve")

    # From the bottom of the page: open it, confirm, approve.
    approve.click()
    form = bar.locator("form.action-approve")
    expect(form).to_be_visible()
    form.locator("input[name=confirm]").check()
    story.shot(f"bar-{viewport['width']}-approve-open", full_page=False)
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã phê duyệt. Sản phẩm đã hoàn thành")
    expect(bar.locator(".state-line .badge").first).to_have_text("Đã phê duyệt")
    expect(bar).to_contain_text("không còn bước nào")
    story.shot(f"bar-{viewport['width']}-approved")
    assert state_and_version(session, ("deliverable", steering.id))[0] == "approved"
    assert story.problems == []
    context.close()


def test_submit_and_withdraw_ask_to_confirm_in_the_bar(
    browser,  # noqa: F811
    server,  # noqa: F811
    session,
    actors,
    steering,
    tmp_path,
):
    fill(session, actors, steering.id)
    session.rollback()
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True)
    story = Story(context.new_page(), server, tmp_path)
    page = story.page
    story.sign_in("vp.chuyenvien")
    story.go(f"/deliverables/{steering.id}", "bar-draft")
    bar = page.locator(".action-bar")
    expect(bar).to_contain_text("Chờ Văn phòng Sở hoàn thiện và trình")
    bar.locator("summary", has_text="Trình").click()
    submit = bar.locator("form.action-submit")
    submit.locator("button[type=submit]").click()  # not confirmed: the browser holds it
    assert state_and_version(session, ("deliverable", steering.id))[0] == "draft"
    submit.locator("input[name=confirm]").check()
    submit.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_have_text("Đã trình. Văn phòng Sở sẽ thẩm định.")
    expect(bar).to_contain_text("Chờ Văn phòng Sở thẩm định")
    story.shot("bar-submitted")

    bar.locator("summary", has_text="Thu hồi").click()
    withdraw = bar.locator("form.action-withdraw")
    expect(withdraw.locator("input[name=confirm]")).to_be_visible()
    withdraw.locator("input[name=confirm]").check()
    withdraw.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã thu hồi về Dự thảo")
    story.shot("bar-withdrawn")
    assert state_and_version(session, ("deliverable", steering.id))[0] == "draft"
    assert story.problems == []
    context.close()

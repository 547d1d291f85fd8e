"""The dashboard page on a known data set: per task and per unit, items by state, % approved,
overdue; the median time in each state; the SVG charts inline (no script, no style)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from models import Deliverable, utcnow
from tests.helpers import bring_to, fill
from workflow.core import clock, service

TODAY = date(2025, 12, 1)  # task 2 and 3's deadlines have passed, task 7's has not


def page_text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def known(session, actors, monkeypatch):
    """The regulation approved with known times on its trail (created 0 h, submitted +10 h,
    reviewed +14 h, approved +20 h); the Steering Committee decision submitted."""
    monkeypatch.setattr(clock, "today_local", lambda: TODAY)
    regulation = session.execute(
        select(Deliverable.id).where(Deliverable.kind == "regulation")
    ).scalar_one()
    steering = session.execute(
        select(Deliverable.id).where(Deliverable.kind == "steering_committee")
    ).scalar_one()
    start = datetime(2025, 11, 1, 0, 0)
    session.execute(
        text("UPDATE deliverable SET created_at = :t WHERE id = :id"),
        {"t": start, "id": regulation},
    )
    session.commit()
    fill(session, actors, regulation)  # its content first: the clock below is the transitions'
    # Each transition records the stay it ends, at the engine's clock.
    times = iter(start + timedelta(hours=h) for h in (10, 14, 20))
    monkeypatch.setattr(service, "utcnow", lambda: next(times, None) or utcnow())
    bring_to(session, actors, ("deliverable", regulation), "approved")
    bring_to(session, actors, ("deliverable", steering), "submitted")


def cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def row_of(html: str, table_class: str, label_start: str) -> list[str]:
    """The cells of the first row, in any table of that class, whose heading starts so."""
    for table in html.split(f'class="list {table_class}"')[1:]:
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("</table>")[0], re.S):
            header = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
            if header and header.group(1).strip().startswith(label_start):
                return cells(row)
    raise AssertionError(f"no row {label_start!r}")


def test_figures_per_task_and_unit(web, known):
    html = page_text(web("qltt.chuyenvien").get("/dashboard"))  # any signed-in user
    assert "Bảng theo dõi tiến độ" in html and "số liệu đến ngày 01/12/2025" in html
    # draft, submitted, reviewed, approved, total, % approved, overdue ("·" for none)
    assert row_of(html, "progress", "2. ") == ["2", "1", "·", "·", "3", "0%", "3"]
    assert row_of(html, "progress", "3. ") == ["·", "·", "·", "1", "1", "100%", "·"]
    assert row_of(html, "progress", "7. ")[4:] == ["6", "0%", "·"]
    assert row_of(html, "progress", "Chi cục Quản lý thị trường")[4] == "5"
    overall = html.split("<tfoot>")[1].split("</tfoot>")[0]
    totals = cells(overall)
    assert totals[4:6] == ["43", "2,3%"] and totals[3] == "1"
    assert "đã phê duyệt (1/43 sản phẩm)" in html


def test_median_time_in_each_state(web, known):
    html = page_text(web("giamdoc").get("/dashboard"))
    medians = html.split('class="list medians"')[1].split("</table>")[0]
    # Drafts: the regulation's 10 h and the Steering Committee decision's few milliseconds.
    assert re.search(r"Dự thảo</th><td class=\"num\">5 giờ</td><td class=\"num\">2<", medians)
    assert re.search(r"Đã trình</th><td class=\"num\">4 giờ</td>", medians)
    assert re.search(r"Đã thẩm định</th><td class=\"num\">6 giờ</td>", medians)
    english = page_text(web("giamdoc").get("/dashboard?lang=en"))
    assert "5 hours" in english and "Progress dashboard" in english


def test_charts_are_inline_svg_without_script_or_style(web, known):
    response = web("vp.chuyenvien").get("/dashboard")
    html = page_text(response)
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) == 2
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg")
        assert "script" not in svg and " style=" not in svg
        assert "Dự thảo" in "".join(root.itertext())
    assert "2. Củng cố, kiện toàn Ban Chỉ đạo" in "".join(ET.fromstring(svgs[0]).itertext())
    assert "Chi cục Quản lý thị trường" in "".join(ET.fromstring(svgs[1]).itertext())
    assert " style=" not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_everyone_signed_in_and_the_nav_link(web, actors):
    for username in ("vp.chuyenvien", "kiemtra", "admin", "giamdoc"):
        browser = web(username)
        html = page_text(browser.get("/"))
        assert 'href="/dashboard"' in html and 'href="/delegations"' in html
        assert browser.get("/dashboard").status_code == 200
    anonymous = web().get("/dashboard")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]

"""Periodic reports on the page of an ongoing ("Thường xuyên") task: grouped by period, with
what is due soon or overdue; their edit form has the report's four sections."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from models import Deliverable, Task
from workflow.reads import deadlines


def text(response) -> str:
    return response.get_data(as_text=True)


def task(session, number: int) -> Task:
    return session.execute(select(Task).where(Task.number == number)).scalar_one()


def periods(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", h)).strip()
        for h in re.findall(r'<section class="period[^"]*"[^>]*>\s*<h3[^>]*>(.*?)</h3>', html, re.S)
    ]


@pytest.mark.parametrize(
    ("today", "november", "december"),
    [
        (date(2025, 11, 28), "1 sắp đến hạn", ""),
        (date(2025, 12, 5), "1 quá hạn", ""),
        (date(2025, 12, 30), "1 quá hạn", "1 sắp đến hạn"),
    ],
)
def test_ongoing_task_groups_reports_by_period(web, session, actors, monkeypatch, today,
                                               november, december):  # fmt: skip
    monkeypatch.setattr(deadlines, "local_today", lambda: today)
    page = text(web("vp.chuyenvien").get(f"/tasks/{task(session, 1).id}"))
    assert "Nhiệm vụ thường xuyên: mỗi đơn vị chủ trì nộp một báo cáo định kỳ mỗi kỳ." in page
    found = periods(page)
    assert [p.split(" ·")[0] for p in found] == [
        "Báo cáo định kỳ tháng 11/2025",
        "Báo cáo định kỳ tháng 12/2025",
    ]
    assert "hạn 30/11/2025 · đã phê duyệt 0/1" in found[0] and november in found[0]
    assert "hạn 31/12/2025 · đã phê duyệt 0/1" in found[1]
    assert (december in found[1]) if december else ("sắp đến hạn" not in found[1])
    assert ">Báo cáo định kỳ tháng 11/2025</a>" in page  # the report's own title, in its group


def test_a_task_several_units_lead_lists_each_units_report(web, session, actors):
    page = text(web("giamdoc").get(f"/tasks/{task(session, 5).id}"))
    november = page.split('<section class="period')[1].split("</section>")[0]
    assert "Báo cáo định kỳ tháng 11/2025" in november
    for unit in ("Văn phòng Sở", "Phòng Kế hoạch - Tài chính", "Chi cục Quản lý thị trường"):
        assert unit in november, unit
    assert "đã phê duyệt 0/6" in november


def test_tasks_with_a_deadline_list_deliverables_as_before(web, session, actors):
    page = text(web("vp.chuyenvien").get(f"/tasks/{task(session, 2).id}"))
    assert 'class="period' not in page
    assert "Quyết định kiện toàn Ban Chỉ đạo" in page


def test_the_periodic_report_form_has_its_sections(web, session, actors):
    report = (
        session.execute(
            select(Deliverable)
            .where(Deliverable.kind == "periodic_report")
            .order_by(Deliverable.id)
        )
        .scalars()
        .first()
    )
    form = text(web("vp.chuyenvien").get(f"/deliverables/{report.id}/edit"))
    for name in ("done", "results", "difficulties", "proposals"):
        assert f'name="{name}"' in form, name
    for label in ("Công việc đã thực hiện", "Kết quả đạt được", "Khó khăn, vướng mắc",
                  "Đề xuất, kiến nghị"):  # fmt: skip
        assert label in form


def test_quarterly_reports_are_labelled_by_quarter(web, session, actors):
    from workflow.items import periodic
    from workflow.reads import queries

    periodic.ensure_periodic_reports(session, queries.default_plan(session).id, "quarterly")
    page = text(web("vp.chuyenvien").get(f"/tasks/{task(session, 1).id}"))
    assert [p.split(" ·")[0] for p in periods(page)] == [
        "Báo cáo định kỳ quý IV/2025",
        "Báo cáo định kỳ tháng 11/2025",
        "Báo cáo định kỳ tháng 12/2025",
    ]
    english = text(web("vp.chuyenvien").get(f"/tasks/{task(session, 1).id}?lang=en"))
    assert "Periodic report for quarter IV/2025" in english
    assert "Periodic report for 11/2025" in english

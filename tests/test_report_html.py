"""The report as HTML: a fragment for the app's page (no inline style), every text escaped."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from documents.report_html import render_html, render_html_document
from tests.test_report_data import arrange
from workflow.reads import reporting


@pytest.fixture
def report(session, actors) -> reporting.PlanReport:
    a = arrange(session, actors)
    return reporting.report_data(session, a.plan_id, report_date=date(2025, 12, 5))


def test_html_fragment_escapes_everything(report):
    hostile = replace(report.tasks[0], title='<script>alert("x")</script> & “dân vận”')
    html = render_html(replace(report, tasks=(hostile, *report.tasks[1:])))
    assert html.startswith('<article class="report"')
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; “dân vận”" in html
    assert "Đã ban hành Quy chế &lt;mới&gt; &amp; gửi các phòng." in html
    assert '<table class="report-table">' in html
    assert "Thời gian thực hiện: Hoàn thành trước ngày 15/11/2025</li>" in html
    assert html.count("<tr>") == 9 + 1
    for text in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "SỞ CÔNG THƯƠNG",
        "Quảng Ngãi, ngày 05 tháng 12 năm 2025",
        "Nơi nhận:",
        "GIÁM ĐỐC",
        "Trần Minh Đức",
        "/BC-SCT",
    ):
        assert text in html
    for number in range(1, 10):
        assert f'id="task-{number}"' in html


def test_html_document_for_a_file(report):
    page = render_html_document(report)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "@page { size: A4" in page and render_html(report) in page

"""The report's data as .xlsx, opened back with openpyxl."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from documents.report_xlsx import render_xlsx
from tests.test_report_data import FUTURE, LATE_BODY, arrange
from workflow.reads import reporting


@pytest.fixture
def arranged(session, actors):
    return arrange(session, actors)


@pytest.fixture
def report(session, arranged) -> reporting.PlanReport:
    return reporting.report_data(session, arranged.plan_id, report_date=date(2025, 12, 5))


def workbook(report):
    return load_workbook(io.BytesIO(render_xlsx(report)))


def header(ws) -> list[str]:
    return [c.value for c in ws[1]]


def test_three_sheets_with_headers_filters_and_frozen_panes(report):
    wb = workbook(report)
    assert wb.sheetnames == ["Nhiệm vụ", "Sản phẩm", "Nhật ký"]
    expected_rows = {"Nhiệm vụ": 9, "Sản phẩm": 43, "Nhật ký": len(report.events)}
    for ws in wb:
        assert ws.freeze_panes == "A2"
        assert all(c.font.bold for c in ws[1])
        last = ws.cell(row=1, column=ws.max_column).column_letter
        assert ws.max_row == 1 + expected_rows[ws.title]
        assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}"
        for col in range(1, ws.max_column + 1):
            width = ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width
            assert 5 <= width <= 60
    assert header(wb["Nhiệm vụ"])[:9] == [
        "STT",
        "Nhiệm vụ",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
        "Thời gian thực hiện",
        "Hạn hoàn thành",
        "Trạng thái",
        "Ngày phê duyệt",
        "Đúng hạn/Trễ hạn",
    ]
    assert "Người phê duyệt" in header(wb["Sản phẩm"])
    assert header(wb["Nhật ký"])[:2] == ["Số TT", "Thời gian"]
    assert len(report.events) >= 10


def test_rows_dates_and_formats(report, arranged):
    wb = workbook(report)
    tasks = wb["Nhiệm vụ"]
    assert [tasks.cell(row=r, column=1).value for r in range(2, 11)] == list(range(1, 10))
    t2 = [c for c in tasks[3]]
    assert t2[5].value == datetime(2025, 11, 15) and t2[5].number_format == "dd/mm/yyyy"
    assert (t2[6].value, t2[8].value) == ("Dự thảo", "Quá hạn")
    assert LATE_BODY in t2[11].value
    assert tasks.cell(row=6, column=3).value.count(";") == 5  # task 5: all six lead units
    items = wb["Sản phẩm"]
    by_id = {row[0].value: row for row in items.iter_rows(min_row=2)}
    on_time = by_id[arranged.on_time]
    assert on_time[6].value == datetime.combine(FUTURE, datetime.min.time())
    assert on_time[6].number_format == "dd/mm/yyyy"
    assert on_time[8].value.date() == reporting.local_today()
    assert on_time[8].number_format == "dd/mm/yyyy"
    # issue 12: the approver by name and unit, not the login
    assert (on_time[9].value, on_time[10].value) == ("Trần Minh Đức (Ban Giám đốc Sở)", "Đúng hạn")
    assert by_id[arranged.late][10].value == "Trễ hạn"
    assert by_id[arranged.reviewed][7].value == "Đã thẩm định"
    log = wb["Nhật ký"]
    at = log.cell(row=2, column=2)
    assert isinstance(at.value, datetime) and at.number_format == "dd/mm/yyyy hh:mm"
    actions = [log.cell(row=r, column=9).value for r in range(2, log.max_row + 1)]
    assert actions.count("Phê duyệt") == 2 and "Thẩm định" in actions


def test_text_is_never_a_formula(report):
    hostile = replace(report.deliverables[0], title='=HYPERLINK("http://x.invalid","bấm")')
    first = replace(report.tasks[0], deliverables=(hostile,))
    wb = workbook(replace(report, tasks=(first, *report.tasks[1:])))
    cell = wb["Sản phẩm"]["C2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK(")


def test_an_empty_range_still_has_headers_and_a_filter(session, arranged):
    later = reporting.report_data(session, arranged.plan_id, FUTURE, FUTURE)
    log = workbook(later)["Nhật ký"]
    assert log.max_row == 1 and log.auto_filter.ref == "A1:L1"

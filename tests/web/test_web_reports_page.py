"""The results report in the web app: the printable page and the .docx / .xlsx downloads,
for the Director, Deputy Directors, reviewers, auditors and admins; members get 403."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from models import Plan, Task
from tests.helpers import inline_scripts
from tests.web.conftest import Web

ALLOWED = ("giamdoc", "phogiamdoc", "vp.thamdinh", "kiemtra", "admin")
MEMBERS = ("vp.chuyenvien", "qltt.chuyenvien", "khtc.chuyenvien")


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def plan(session, actors) -> Plan:
    return session.execute(select(Plan)).scalar_one()


@pytest.fixture
def titles(session, plan) -> list[str]:
    return list(
        session.execute(
            select(Task.title).where(Task.plan_id == plan.id).order_by(Task.number)
        ).scalars()
    )


def test_the_report_page_for_those_allowed(web, plan, titles):
    for username in ALLOWED:
        browser = web(username)
        plan_page = text(browser.get("/plan"))
        assert f'href="/plans/{plan.id}/report"' in plan_page, username
        response = browser.get(f"/plans/{plan.id}/report")
        page = text(response)
        assert response.status_code == 200, username
        assert '<article class="report"' in page
        assert page.count('<section class="report-task"') == 9
        for title in titles:
            assert title.replace("“", "&#8220;")[:20] in page or title[:20] in page
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page
        assert f"/plans/{plan.id}/report.docx?to=" in page
        assert f"/plans/{plan.id}/report.xlsx?to=" in page
        assert inline_scripts(page) == [] and "style=" not in page and "<style" not in page


def test_members_get_403_and_no_link(web, plan):
    for username in MEMBERS:
        browser = web(username)
        assert "/report" not in text(browser.get("/plan")), username
        for suffix in ("report", "report.docx", "report.xlsx"):
            response = browser.get(f"/plans/{plan.id}/{suffix}")
            assert response.status_code == 403, (username, suffix)
            assert "báo cáo kết quả" in text(response)
        # 403 comes first: a member learns nothing about which plans exist
        assert browser.get("/plans/999999/report").status_code == 403
    assert web().get(f"/plans/{plan.id}/report").status_code in (302, 401)


def test_docx_download_opens_with_python_docx_and_holds_the_nine_tasks(web, plan, titles):
    response = web("giamdoc").get(f"/plans/{plan.id}/report.docx?from=01/11/2025&to=31/12/2025")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    ascii_name = re.search(r'filename="([^"]+)"', disposition).group(1)
    assert ascii_name == f"Bao-cao-ket-qua-{plan.code}-den-31-12-2025.docx"
    utf8 = unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1))
    assert utf8 == f"Báo cáo kết quả {plan.code} đến 31-12-2025.docx"
    document = Document(io.BytesIO(response.data))
    body = "\n".join(p.text for p in document.paragraphs)
    body += "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "từ ngày 01/11/2025 đến ngày 31/12/2025" in body
    for title in titles:
        assert title in body


def test_xlsx_download_opens_with_openpyxl_and_holds_the_nine_tasks(web, plan, titles):
    response = web("kiemtra").get(f"/plans/{plan.id}/report.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert ".xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Nhiệm vụ", "Sản phẩm", "Nhật ký"]
    sheet = book["Nhiệm vụ"]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[1]]
    assert names == titles
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref


def test_the_date_range_is_kept_in_the_form_and_the_links(web, plan):
    page = text(web("phogiamdoc").get(f"/plans/{plan.id}/report?from=2025-11-01&to=30/11/2025"))
    assert 'value="01/11/2025"' in page and 'value="30/11/2025"' in page
    assert "từ ngày 01/11/2025 đến ngày 30/11/2025" in page
    assert "report.docx?to=30/11/2025&amp;from=01/11/2025" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=31/02/2025", "Ngày “31/02/2025” không hợp lệ; hãy nhập theo dạng dd/mm/yyyy."),
        ("to=hôm nay", "Ngày “hôm nay” không hợp lệ"),
        ("from=30/11/2025&to=01/11/2025", "Ngày bắt đầu (30/11/2025) sau ngày kết thúc"),
    ],
)
def test_bad_dates_are_a_400_with_a_vietnamese_message(web, plan, query, message):
    browser = web("giamdoc")
    page = browser.get(f"/plans/{plan.id}/report?{query}")
    assert page.status_code == 400 and message in text(page)
    assert 'name="from"' in text(page)  # the form again, to correct the dates
    for suffix in ("report.docx", "report.xlsx"):
        download = browser.get(f"/plans/{plan.id}/{suffix}?{query}")
        assert download.status_code == 400 and message in text(download)
        assert download.mimetype == "text/html"


def test_an_unknown_plan_is_404(web):
    browser = web("giamdoc")
    assert browser.get("/plans/999999/report").status_code == 404
    assert browser.get("/plans/999999/report.docx").status_code == 404


def test_report_page_in_english(web, plan):
    browser: Web = web("giamdoc")
    page = text(browser.get(f"/plans/{plan.id}/report?lang=en"))
    assert "Plan results report" in page and "Download the report (.docx)" in page
    assert "Report" in text(browser.get("/plan"))

"""`pheduyet report PLAN`: writes the file and prints its path; bad input → one line."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.test_report_data import arrange
from webapp import cli_reports
from workflow.reads import reporting

CODE = "KH-SCT-DCCS-2025"


@pytest.fixture
def cli(app, session, actors):
    if "report" not in app.cli.commands:  # until create_app registers it
        cli_reports.init_app(app)
    arrange(session, actors)
    runner = app.test_cli_runner()

    def run(*args: str):
        return runner.invoke(args=["report", *args])

    return run


def assert_one_line_error(result, text: str) -> None:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi: "), result.output
    assert text in lines[0], lines[0]
    assert "Traceback" not in result.output and result.stdout == ""


def test_docx_by_code_with_a_range(cli, tmp_path):
    target = tmp_path / "bao-cao.docx"
    result = cli(CODE, "--from", "01/11/2025", "--to", "2099-12-31", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target)
    doc = Document(io.BytesIO(target.read_bytes()))
    texts = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in texts
    assert any("từ ngày 01/11/2025 đến ngày 31/12/2099" in t for t in texts)
    assert len(doc.tables[1].rows) == 1 + 9


def test_default_name_in_the_current_directory_and_plan_by_id(cli, session, tmp_path, monkeypatch):
    plan_id = reporting.find_plan(session, CODE).id
    monkeypatch.chdir(tmp_path)
    result = cli(str(plan_id), "--format", "xlsx", "--to", "2026-01-31")
    assert result.exit_code == 0, result.output
    expected = tmp_path / f"bao-cao-{CODE}-2026-01-31.xlsx"
    assert result.stdout.strip() == str(expected) and expected.exists()
    assert load_workbook(expected).sheetnames == ["Nhiệm vụ", "Sản phẩm", "Nhật ký"]


def test_html_file(cli, tmp_path):
    target = tmp_path / "r.html"
    result = cli(CODE, "--format", "html", "-o", str(target))
    assert result.exit_code == 0, result.output
    page = target.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<article class="report"' in page
    assert f"tính đến ngày {reporting.local_today():%d/%m/%Y}" in page


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("KH-KHONG-CO",), "Không có kế hoạch “KH-KHONG-CO”"),
        (("999",), "Không có kế hoạch “999”"),
        ((CODE, "--from", "31/02/2025"), "ngày không hợp lệ “31/02/2025”"),
        ((CODE, "--to", "hôm nay"), "ngày không hợp lệ “hôm nay”"),
        ((CODE, "--from", "2025-12-02", "--to", "2025-12-01"), "sau ngày kết thúc"),
        ((CODE, "--format", "pdf"), "định dạng “pdf” không hỗ trợ"),
    ],
)
def test_bad_input_one_line_and_non_zero(cli, tmp_path, args, text):
    result = cli(*args, "--output", str(tmp_path / "x.docx"))
    assert_one_line_error(result, text)
    assert result.exit_code == 2
    assert not (tmp_path / "x.docx").exists()


def test_unwritable_output_is_one_line(cli, tmp_path):
    result = cli(CODE, "--output", str(tmp_path / "no-such-dir" / "r.docx"))
    assert_one_line_error(result, "không ghi được tệp")
    assert result.exit_code == 1


def test_default_file_name_is_safe():
    assert (
        cli_reports.default_filename("KH/SCT 2025:*", date(2025, 12, 31), "docx")
        == "bao-cao-KH-SCT-2025-2025-12-31.docx"
    )

"""The latest signed checkpoint of the audit trail is printed on the results report (.docx
footer, HTML) so the paper copy names the state of the trail it came from."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from docx import Document

from documents.report_docx import render_docx
from documents.report_html import render_html
from tests.test_report_data import arrange
from workflow.core import checkpoints
from workflow.reads import reporting


def sign_now(session, tmp_path) -> checkpoints.Checkpoint:
    key = tmp_path / "keys" / "audit_signing_key"
    checkpoints.generate_key(key)
    session.rollback()
    return checkpoints.create_checkpoint(
        session.bind,
        checkpoints.load_private_key(key),
        tmp_path / "audit_checkpoints.jsonl",
        now=datetime(2025, 12, 4, 18, 30),  # 05/12/2025 01:30 in Việt Nam
    )


@pytest.fixture
def plan_id(session, actors) -> int:
    return arrange(session, actors).plan_id


def test_without_a_checkpoint_the_report_says_so(session, plan_id):
    report = reporting.report_data(session, plan_id, report_date=date(2025, 12, 5))
    assert report.audit_checkpoint == "chưa có điểm kiểm chứng"
    assert "Điểm kiểm chứng nhật ký: chưa có điểm kiểm chứng" in render_html(report)


def test_the_report_prints_the_latest_checkpoint_in_html_and_docx(session, plan_id, tmp_path):
    signed = sign_now(session, tmp_path)
    report = reporting.report_data(session, plan_id, report_date=date(2025, 12, 5))
    line = f"{signed.hash[:12]} (sự kiện #{signed.seq}, 05/12/2025)"
    assert report.audit_checkpoint == line
    assert f'<p class="report-checkpoint">Điểm kiểm chứng nhật ký: {line}</p>' in render_html(
        report
    )
    doc = Document(io.BytesIO(render_docx(report)))
    section = doc.sections[0]
    for footer in (section.footer, section.first_page_footer):
        assert f"Điểm kiểm chứng nhật ký: {line}" in [p.text for p in footer.paragraphs]

"""The dashboard's footer line names the audit trail's latest signed checkpoint."""

from __future__ import annotations

from datetime import datetime

from tests.test_audit_checkpoint_report import sign_now


def test_the_dashboard_says_when_there_is_no_checkpoint(web):
    html = web("giamdoc").get("/dashboard").get_data(as_text=True)
    assert "Điểm kiểm chứng nhật ký" in html and "chưa có điểm kiểm chứng" in html


def test_the_dashboard_shows_the_latest_checkpoint(web, session, tmp_path):
    signed = sign_now(session, tmp_path)
    assert signed.signed_at == datetime(2025, 12, 4, 18, 30)
    html = web("qltt.chuyenvien").get("/dashboard").get_data(as_text=True)
    assert f"<code>{signed.hash[:12]}</code> (sự kiện #{signed.seq}, 05/12/2025)" in html
    english = web("giamdoc").get("/dashboard?lang=en").get_data(as_text=True)
    assert f"Audit trail checkpoint:\n<code>{signed.hash[:12]}</code> (event #" in english

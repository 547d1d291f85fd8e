"""Bad input: ids too large for the database are 404 (not an OverflowError 500);
bidirectional controls and zero-width characters never reach a file name or a title; and
who downloaded what is in the trail."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from models import Attachment, AuditEvent, Deliverable, Plan, Task
from tests.web.test_web_files import PDF
from workflow.core import text as texts

HUGE = "99999999999999999999"  # > 2**63: OverflowError in the driver before issue 9


def body(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"/deliverables/{HUGE}"),
        ("get", f"/deliverables/{2**31}"),
        ("get", f"/tasks/{HUGE}"),
        ("get", f"/attachments/{HUGE}"),
        ("get", f"/deliverables/{HUGE}/edit"),
        ("get", f"/deliverables/{HUGE}/versions"),
        ("get", f"/plans/{HUGE}/report"),
        ("get", f"/admin/users/{HUGE}"),
        ("post", f"/deliverables/{HUGE}/act"),
        ("post", f"/tasks/{HUGE}/act"),
        ("post", f"/deliverables/{HUGE}/comments"),
    ],
)
def test_an_id_too_large_for_the_database_is_404(web, method, path):
    browser = web("admin")
    response = browser.get(path) if method == "get" else browser.post(path, {"action": "submit"})
    assert response.status_code == 404, (path, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        f"/plans?before={HUGE}",
        f"/plans?year={HUGE}",
        f"/plan?unit={HUGE}",
        f"/audit?before={HUGE}",
        f"/?after=0.2025-12-31.0.{HUGE}",
    ],
)
def test_a_number_too_large_for_the_database_in_a_query_string_is_ignored(web, path):
    response = web("giamdoc").get(path)
    assert response.status_code == 200, (path, response.status_code)


def test_the_largest_id_still_reaches_the_view(web):
    response = web("giamdoc").get(f"/deliverables/{2**31 - 1}")
    assert response.status_code == 404
    assert "Không tìm thấy" in body(response) or "không tìm thấy" in body(response)


def test_a_date_out_of_any_plans_range_is_400_not_an_overflow(web, session):
    plan = session.execute(select(Plan.id)).scalar_one()
    director = web("giamdoc")
    for query in ("from=01/01/0001", "to=31/12/9999"):
        response = director.get(f"/plans/{plan}/report?{query}")
        assert response.status_code == 400, query
        assert "không hợp lệ" in body(response)


def test_invisible_characters_are_removed_from_names_and_titles():
    assert texts.strip_invisible("a\u202egnp.pdf") == "agnp.pdf"
    assert texts.strip_invisible("Bá\u200bo\u2066 cáo\u2069\ufeff\u200e") == "Báo cáo"
    assert texts.clean_title("  \u202bKế hoạch\u202c ", 500) == "Kế hoạch"
    for nothing in ("\u202e", "\u200b \u200d", " \ufeff "):
        with pytest.raises(texts.InvalidInput, match="không được để trống"):
            texts.clean_title(nothing, 500)


def test_an_uploaded_file_name_loses_its_right_to_left_override(web, session, steering):
    owner = web("vp.chuyenvien")
    response = owner.post(
        f"/deliverables/{steering.id}/attachments",
        {"file": (io.BytesIO(PDF), "a\u202egnp.pdf"), "back": "view"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    session.rollback()
    (stored,) = session.execute(
        select(Attachment.filename).where(Attachment.item_id == steering.id)
    ).scalars()
    assert stored == "agnp.pdf"


def test_titles_lose_bidi_controls_and_an_invisible_only_title_is_refused(web, session, steering):
    owner = web("vp.chuyenvien")
    task_id = steering.task_id
    refused = owner.post(
        f"/tasks/{task_id}/deliverables", {"title": "\u202e\u200b", "kind": "document"}
    )
    assert refused.status_code == 400 and "không được để trống" in body(refused)
    version = steering.version
    edited = owner.post(
        f"/deliverables/{steering.id}/edit",
        {"version": version, "title": "Quyết định \u202ekiện toàn\u202c Ban Chỉ đạo", "body": ""},
    )
    assert edited.status_code == 303, body(edited)
    session.rollback()
    assert session.get(Deliverable, steering.id).title == "Quyết định kiện toàn Ban Chỉ đạo"


def test_an_api_title_of_invisible_characters_is_400(app, session, actors):
    client = app.test_client()
    token = client.post(
        "/api/v1/auth/token", json={"username": "vp.chuyenvien", "password": "demo-pass-123"}
    ).get_json()["token"]
    task = session.execute(select(Task.id).where(Task.number == 2)).scalar_one()
    response = client.post(
        "/api/v1/deliverables",
        json={"task_id": task, "title": "\u2066\u2069"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert "không được để trống" in response.get_json()["message"]


# --- downloads in the trail ---------------------------------------------------------------


def downloads(session) -> list[AuditEvent]:
    session.rollback()
    return list(
        session.execute(
            select(AuditEvent).where(AuditEvent.action == "download").order_by(AuditEvent.seq)
        ).scalars()
    )


def test_attachment_report_and_csv_downloads_are_in_the_trail(web, session, steering, outsider):
    owner = web("vp.chuyenvien")
    owner.post(
        f"/deliverables/{steering.id}/attachments",
        {"file": (io.BytesIO(PDF), "Quyết định.pdf"), "back": "view"},
        content_type="multipart/form-data",
    )
    session.rollback()
    attachment = session.execute(
        select(Attachment.id).where(Attachment.item_id == steering.id)
    ).scalar_one()
    assert owner.get(f"/attachments/{attachment}").status_code == 200
    director = web("giamdoc")
    plan = session.execute(select(Plan.id)).scalar_one()
    assert director.get(f"/plans/{plan}/report.docx?to=31/12/2025").status_code == 200
    assert director.get("/audit.csv?item_type=deliverable").status_code == 200
    # Refused downloads are not downloads.
    assert web(outsider).get(f"/attachments/{attachment}").status_code == 404
    assert web("vp.chuyenvien").get("/audit.csv").status_code == 403
    events = downloads(session)
    assert [(e.item_type, e.actor_username) for e in events] == [
        ("attachment", "vp.chuyenvien"),
        ("report", "giamdoc"),
        ("audit_export", "giamdoc"),
    ]
    assert events[0].item_id == attachment and "Quyết định.pdf" in events[0].detail
    assert events[1].item_id == plan and '"format": "docx"' in events[1].detail
    assert '"item_type": "deliverable"' in events[2].detail
    assert all(e.client_addr == "127.0.0.1" for e in events)
    page = body(director.get("/audit"))
    assert "Tải xuống" in page and "Tệp đính kèm" in page and "Báo cáo kết quả" in page

"""The audit trail page: who may read it, filters, keyset pages, CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from sqlalchemy import select

from models import Unit
from tests.helpers import bring_to
from workflow.core import clock, service
from workflow.items import editing


def text(response) -> str:
    return response.get_data(as_text=True)


def seqs(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td class="num" data-label="#">(\d+)</td>', page)]


def test_members_may_not_read_the_whole_trail(web):
    for username in ("vp.chuyenvien", "qltt.chuyenvien"):
        browser = web(username)
        assert browser.get("/audit").status_code == 403
        assert browser.get("/audit.csv").status_code == 403
        assert 'href="/audit"' not in text(browser.landing)  # and it is not in their menu


def test_readers_of_the_trail(web):
    for username in ("kiemtra", "admin", "vp.thamdinh", "giamdoc", "phogiamdoc"):
        browser = web(username)
        page = browser.get("/audit")
        assert page.status_code == 200, username
        assert "Nhật ký hoạt động" in text(page)
        assert 'href="/audit"' in text(browser.landing)


def test_filters_by_item_user_unit_action_and_dates(web, session, actors, rules_doc):
    bring_to(session, actors, ("deliverable", rules_doc.id), "reviewed")
    auditor = web("kiemtra")
    by_item = text(auditor.get(f"/audit?item_type=deliverable&item_id={rules_doc.id}"))
    assert len(seqs(by_item)) == 3  # edit, submit, review
    assert "Quy chế làm việc của Ban Chỉ đạo" in by_item
    by_user = text(auditor.get("/audit?user=vp.thamdinh"))
    assert len(seqs(by_user)) == 1 and "Phạm Quốc Huy" in by_user
    by_action = text(auditor.get("/audit?action=submit"))
    assert len(seqs(by_action)) == 1
    office = session.execute(select(Unit).where(Unit.code == "vp")).scalar_one()
    by_unit = text(auditor.get(f"/audit?unit={office.id}&item_type=deliverable"))
    assert len(seqs(by_unit)) == 3
    today = clock.today_local()  # the filter's dates are Việt Nam's
    inside = (today - timedelta(days=1)).strftime("%d/%m/%Y")
    after = (today + timedelta(days=1)).strftime("%d/%m/%Y")
    ranged = text(auditor.get(f"/audit?action=submit&from={inside}&to={after}"))
    assert len(seqs(ranged)) == 1
    assert seqs(text(auditor.get(f"/audit?action=submit&from={after}"))) == []
    iso = text(auditor.get(f"/audit?action=submit&from={today.isoformat()}"))
    assert len(seqs(iso)) == 1
    bad = auditor.get("/audit?from=32/13/2025&item_id=abc")
    assert bad.status_code == 200
    assert "không hợp lệ" in text(bad) and "Mã mục phải là số." in text(bad)


def test_keyset_pages_with_a_before_cursor(web, session, actors, steering):
    for n in range(60):
        editing.add_comment(
            session, actors["vp.chuyenvien"], ("deliverable", steering.id), f"Ý kiến số {n}"
        )
    auditor = web("kiemtra")
    first = text(auditor.get("/audit?action=comment"))
    page1 = seqs(first)
    assert len(page1) == 50 and page1 == sorted(page1, reverse=True)
    cursor = re.search(r'href="/audit\?before=(\d+)&amp;action=comment"', first)
    assert cursor, "a link to older events keeps the filter"
    second = text(auditor.get(f"/audit?before={cursor.group(1)}&action=comment"))
    page2 = seqs(second)
    assert len(page2) == 10 and max(page2) < min(page1)
    assert "Các sự kiện cũ hơn" not in second
    assert "Về trang mới nhất" in second


def test_csv_export_is_utf8_with_bom_and_safe_for_excel(web, session, actors, rules_doc):
    steering = rules_doc
    editing.edit_deliverable(session, actors["vp.chuyenvien"], steering.id, {"body": "Đủ."})
    bring_to(session, actors, ("deliverable", steering.id), "submitted")
    service.perform(
        session,
        actors["vp.thamdinh"],
        ("deliverable", steering.id),
        "return",
        reason='=HYPERLINK("http://x")',
    )
    response = web("kiemtra").get(f"/audit.csv?item_type=deliverable&item_id={steering.id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Số thứ tự", "Thời gian (giờ Việt Nam)", "Người thực hiện"]
    actions = [r[6] for r in rows[1:]]
    assert actions == ["Trả lại", "Trình", "Sửa nội dung", "Sửa nội dung"]
    submit = rows[2]
    # issue 12: the person by name and unit, the login beside
    assert submit[2] == "Nguyễn Thị Lan (Văn phòng Sở)" and submit[3] == "vp.chuyenvien"
    assert submit[5] == "Văn phòng Sở"
    assert submit[9] == "Dự thảo" and submit[10] == "Đã trình"
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}", submit[1])
    assert rows[1][11] == '\'=HYPERLINK("http://x")'  # a reason, never a formula
    assert all(not cell.startswith("=") for row in rows for cell in row)

"""Coordinating units' contributions on the lead unit's draft: a text and files (checked as
attachments are), by members of coordinating units only, while it is a draft."""

from __future__ import annotations

import io

from sqlalchemy import select

from models import Attachment, AuditEvent, Contribution
from tests.helpers import bring_to

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def text(response) -> str:
    return response.get_data(as_text=True)


def contribute(browser, item_id: int, body: str, files=()):
    return browser.post(
        f"/deliverables/{item_id}/contributions",
        {"body": body, "files": [(io.BytesIO(data), name) for name, data in files]},
        content_type="multipart/form-data",
    )


def test_a_coordinating_member_contributes_text_and_files(web, session, actors, steering):
    item = f"/deliverables/{steering.id}"
    qltt = web("qltt.chuyenvien")  # Chi cục QLTT coordinates task 2
    page = text(qltt.get(item))
    assert 'class="stack contribution-form"' in page
    assert 'type="file" name="files" multiple' in page
    assert "Sửa nội dung</a>" not in page  # they contribute; they never edit or submit
    assert 'class="action-form action-submit"' not in page
    sent = contribute(
        qltt,
        steering.id,
        "Đề nghị bổ sung 01 Phó Chi cục trưởng vào thành phần Ban Chỉ đạo.",
        files=[("Danh sách đề xuất.pdf", PDF), ("Sơ đồ.png", PNG)],
    )
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith("#gop-y")

    # The lead unit's member (and every viewer) sees unit, author, time, text and files.
    owner = web("vp.chuyenvien")
    page = text(owner.get(item))
    panel = page.split('id="gop-y"')[1].split("</section>")[0]
    for expected in ("Chi cục Quản lý thị trường", "Võ Văn Tâm", "Phó Chi cục trưởng",
                     "Danh sách đề xuất.pdf", "Sơ đồ.png"):  # fmt: skip
        assert expected in panel, expected
    assert "contribution-form" not in panel  # the lead unit edits instead
    session.rollback()
    contribution = session.execute(select(Contribution)).scalar_one()
    files = (
        session.execute(select(Attachment).where(Attachment.item_type == "contribution"))
        .scalars()
        .all()
    )
    assert [f.item_id for f in files] == [contribution.id, contribution.id]
    download = owner.get(f"/attachments/{files[0].id}")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    assert web("giamdoc").get(f"/attachments/{files[0].id}").status_code == 200
    event = session.execute(
        select(AuditEvent).where(AuditEvent.action == "contribute")
    ).scalar_one()
    assert event.actor_username == "qltt.chuyenvien"
    trail = page.split("Nhật ký của sản phẩm")[1]
    assert "Ý kiến đơn vị phối hợp" in trail  # issue 12: "Ý kiến", not "Góp ý"
    assert "Góp ý" not in trail
    assert "Danh sách đề xuất.pdf" in trail


def test_others_are_refused_and_files_validated(web, session, actors, steering, outsider):
    item_id = steering.id
    for username, status in (
        ("vp.chuyenvien", 403),  # the lead unit: edits the draft, does not contribute
        ("vp.thamdinh", 403),  # a reviewer is no member of a coordinating unit
        ("giamdoc", 403),
        (outsider, 404),  # neither leads nor coordinates: does not even see the draft
    ):
        refused = contribute(web(username), item_id, "Ý kiến")
        assert refused.status_code == status, username
        page = text(web(username).get(f"/deliverables/{item_id}"))
        assert "contribution-form" not in page, username
    qltt = web("qltt.chuyenvien")
    fake = contribute(qltt, item_id, "Kèm tệp", files=[("bao-cao.pdf", b"not a pdf at all")])
    assert fake.status_code == 400
    assert "bao-cao.pdf" in text(fake) and "Chỉ nhận tệp PDF" in text(fake)
    mismatch = contribute(qltt, item_id, "Kèm tệp", files=[("anh.jpg", PNG)])
    assert mismatch.status_code == 400
    assert "không khớp với phần mở rộng" in text(mismatch)
    empty = contribute(qltt, item_id, "   ", files=[("a.pdf", PDF)])
    assert empty.status_code == 400
    too_big = contribute(qltt, item_id, "Lớn", files=[("big.pdf", PDF + b"0" * (21 << 20))])
    assert too_big.status_code == 413
    no_token = qltt.post(f"/deliverables/{item_id}/contributions", {"body": "x"}, csrf=False)
    assert no_token.status_code == 400
    session.rollback()
    assert session.execute(select(Contribution)).first() is None
    assert (
        session.execute(select(Attachment).where(Attachment.item_type == "contribution")).first()
        is None
    )


def test_only_while_a_draft(web, session, actors, steering, rules_doc):
    qltt = web("qltt.chuyenvien")
    assert contribute(qltt, steering.id, "Kịp thời").status_code == 303
    bring_to(session, actors, ("deliverable", steering.id), "submitted")
    late = contribute(qltt, steering.id, "Muộn")
    assert late.status_code == 409
    page = text(qltt.get(f"/deliverables/{steering.id}"))
    assert "Kịp thời" in page and "Muộn" not in page
    assert "Chỉ gửi ý kiến khi sản phẩm đang ở trạng thái Dự thảo." in page
    assert "contribution-form" not in page
    # Submitted without any contribution: no empty panel.
    bring_to(session, actors, ("deliverable", rules_doc.id), "submitted")
    assert 'id="gop-y"' not in text(qltt.get(f"/deliverables/{rules_doc.id}"))


def test_a_task_without_coordinating_units_has_no_panel(web, session, actors, qltt_report):
    page = text(web("qltt.chuyenvien").get(f"/deliverables/{qltt_report.id}"))
    assert 'id="gop-y"' not in page
    assert contribute(web("khtc.chuyenvien"), qltt_report.id, "Ý kiến").status_code == 404

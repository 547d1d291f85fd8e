"""Attachments: checked by content (not by name), ≤ 20 MB, stored by SHA-256, names
cleaned, downloaded only by those who may see the item, always as a download."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook

from tests.helpers import bring_to
from webapp.pages.filecheck import Refused, check, clean_name, detect
from workflow.core import service
from workflow.items import editing

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x0b\x3a\x6f")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def docx() -> bytes:
    document = Document()
    document.add_paragraph("Quyết định kiện toàn Ban Chỉ đạo")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx() -> bytes:
    book = Workbook()
    book.active["A1"] = "Danh sách thành viên"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "không phải văn bản Word")
    return buffer.getvalue()


def upload(browser, deliverable_id: int, data: bytes, name: str, back: str = "view"):
    return browser.post(
        f"/deliverables/{deliverable_id}/attachments",
        {"file": (io.BytesIO(data), name), "back": back},
        content_type="multipart/form-data",
    )


def uploads(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


# --- the checks, as functions ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (PDF, "a.pdf", "pdf"),
        (png(), "a.png", "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "a.jpeg", "jpg"),
        (docx(), "a.docx", "docx"),
        (xlsx(), "a.xlsx", "xlsx"),
    ],
)
def test_accepted_types_are_recognised_by_content(data, name, kind):
    assert detect(data) == kind
    assert check(data, name)[0] == kind


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (EXE, "bao-cao.pdf", "type"),
        (EXE, "setup.exe", "type"),
        (png(), "anh.pdf", "mismatch"),
        (PDF, "van-ban.docx", "mismatch"),
        (plain_zip(), "van-ban.docx", "type"),
        (b"PK\x03\x04not really a zip", "bang.xlsx", "type"),
        (b"", "rong.pdf", "empty"),
        (b"%PDF-1.4", "khong-duoi", "type"),
        (b"<html><script>alert(1)</script>", "trang.png", "type"),
    ],
)
def test_refused_files(data, name, reason):
    with pytest.raises(Refused) as refused:
        check(data, name)
    assert refused.value.reason == reason


def test_file_names_are_cleaned():
    assert clean_name("../../etc/Báo cáo <quý IV>.pdf", "pdf") == "Báo cáo _quý IV.pdf"
    assert clean_name("C:\\Users\\lan\\Quyết định.PDF", "pdf") == "Quyết định.pdf"
    assert clean_name("...", "png") == "tep.png"
    assert clean_name("a\x00b\r\nc.docx", "docx") == "a_b_c.docx"
    assert clean_name("anh.jpeg", "jpg") == "anh.jpg"
    decomposed = "Bie\u0323\u0302n ba\u0309n.pdf"  # NFD, as macOS sends names
    assert clean_name(decomposed, "pdf") == "Biện bản.pdf"
    assert len(clean_name("x" * 400 + ".pdf", "pdf")) <= 154


# --- upload and download through the pages ----------------------------------------------


def test_png_upload_is_stored_by_hash_and_downloadable_by_viewers(
    web, app, session, actors, qltt_report
):
    owner = web("qltt.chuyenvien")
    data = png()
    response = upload(owner, qltt_report.id, data, "Sơ đồ tổ chức.png")
    assert response.status_code == 303
    sha = hashlib.sha256(data).hexdigest()
    assert (uploads(app) / sha).read_bytes() == data
    page = owner.get(f"/deliverables/{qltt_report.id}").get_data(as_text=True)
    assert "Đã đính kèm tệp “Sơ đồ tổ chức.png”." in page
    link = page.split('href="/attachments/')[1].split('"')[0]
    download = owner.get(f"/attachments/{link}")
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''S%C6%A1%20%C4%91%E1%BB%93" in download.headers["Content-Disposition"]
    assert download.mimetype == "image/png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    # While it is a draft, a unit that neither owns nor coordinates it may not see the file.
    assert web("vp.chuyenvien").get(f"/attachments/{link}").status_code == 404
    assert web("kiemtra").get(f"/attachments/{link}").status_code == 200
    # Once submitted, everyone signed in may see the item, and so the file.
    member = actors["qltt.chuyenvien"]
    editing.edit_deliverable(session, member, qltt_report.id, {"body": "Đủ."})
    service.perform(session, member, ("deliverable", qltt_report.id), "submit")
    assert web("vp.chuyenvien").get(f"/attachments/{link}").status_code == 200
    assert web().get(f"/attachments/{link}").status_code == 302  # anonymous: sign in first


def test_pdf_docx_xlsx_uploads_are_accepted(web, steering):
    owner = web("vp.chuyenvien")
    for data, name in ((PDF, "Quyết định.pdf"), (docx(), "Quy chế.docx"), (xlsx(), "DS.xlsx")):
        assert upload(owner, steering.id, data, name, back="edit").status_code == 303, name
    page = owner.get(f"/deliverables/{steering.id}/edit").get_data(as_text=True)
    for name in ("Quyết định.pdf", "Quy chế.docx", "DS.xlsx"):
        assert name in page


def test_renamed_executable_is_refused(web, app, steering):
    owner = web("vp.chuyenvien")
    response = upload(owner, steering.id, EXE, "bao-cao.pdf")
    assert response.status_code == 400
    assert "Chỉ nhận tệp PDF, DOCX, XLSX, PNG hoặc JPG" in response.get_data(as_text=True)
    assert not uploads(app).exists() or not any(uploads(app).iterdir())
    mismatch = upload(owner, steering.id, png(), "bao-cao.pdf")
    assert mismatch.status_code == 400
    assert "không khớp" in mismatch.get_data(as_text=True)
    nothing = owner.post(
        f"/deliverables/{steering.id}/attachments", {}, content_type="multipart/form-data"
    )
    assert nothing.status_code == 400


def test_upload_over_20_mb_is_answered_413_on_the_same_page(web, steering):
    owner = web("vp.chuyenvien")
    big = b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024 + 10)
    response = upload(owner, steering.id, big, "lon.pdf")
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "Tệp quá lớn" in text and "20 MB" in text
    # Issue 12: said on the item's own page, next to the file field, not a bare error page.
    assert f'action="/deliverables/{steering.id}/attachments"' in text
    assert 'aria-describedby="err-upload-file"' in text and 'id="err-upload-file"' in text
    assert "không đọc được" in text


def test_only_the_owning_unit_uploads_to_a_draft(web, session, actors, rules_doc, qltt_report):
    assert upload(web("vp.chuyenvien"), qltt_report.id, png(), "a.png").status_code == 404
    assert upload(web("vp.thamdinh"), rules_doc.id, png(), "a.png").status_code == 403
    assert upload(web("admin"), rules_doc.id, png(), "a.png").status_code == 403
    bring_to(session, actors, ("deliverable", rules_doc.id), "submitted")
    late = upload(web("vp.chuyenvien"), rules_doc.id, png(), "a.png")
    assert late.status_code == 409


def test_unknown_attachment_is_404(web):
    assert web("giamdoc").get("/attachments/424242").status_code == 404

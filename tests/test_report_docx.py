"""The results report as .docx: Decree 30 layout and content, opened back with python-docx;
and rendered to PDF by LibreOffice, with the expected number of pages."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from documents.report_docx import render_docx
from tests.test_report_data import LATE_BODY, arrange
from workflow.reads import reporting

REPORT_DATE = date(2025, 12, 5)
SEED_TITLES = (
    "Quán triệt, triển khai các văn bản",
    "Củng cố, kiện toàn Ban Chỉ đạo",
    "Rà soát, sửa đổi, bổ sung hoặc ban hành mới Quy chế",
    "Thực hiện dân chủ trong sắp xếp tổ chức bộ máy",
    "Triển khai các nội dung công nghiệp, thương mại",
    "Tiếp dân, đối thoại, giải quyết khiếu nại",
    "Thực hiện Chỉ thị 33/CT-TTg",
    "Tạo điều kiện để Mặt trận Tổ quốc giám sát",
    "Phong trào thi đua “Dân vận khéo”",
)
# LibreOffice's rendering of the arranged seed report, looked at page by page when this
# test was written (Times New Roman substituted by the metric-compatible Liberation Serif):
# 1: header block, title, introduction, tasks 1-3; 2: tasks 3-7; 3: tasks 7-9 and the
# summary counts; 4: the summary table (header row + nine rows); 5: the closing sentence
# kept with "Nơi nhận" and the signature block. Page numbers at the top from page 2.
EXPECTED_PAGES = 5


@pytest.fixture
def report(session, actors) -> reporting.PlanReport:
    a = arrange(session, actors)
    return reporting.report_data(session, a.plan_id, report_date=REPORT_DATE)


@pytest.fixture
def docx_bytes(report) -> bytes:
    return render_docx(report)


def cell_texts(cell) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text]


def body_texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_header_is_the_two_column_decree_30_block(docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    header = doc.tables[0]
    assert len(header.columns) == 2
    left, right = header.rows[0].cells
    assert cell_texts(left) == ["UBND TỈNH QUẢNG NGÃI", "SỞ CÔNG THƯƠNG"]
    assert cell_texts(right) == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    agency = next(p for p in left.paragraphs if p.text == "SỞ CÔNG THƯƠNG")
    assert all(r.bold for r in agency.runs)
    for p in right.paragraphs:
        if p.text:
            assert all(r.bold for r in p.runs)
            assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER
    # the line under the motto (and under the agency name): a bottom-bordered paragraph
    border = f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}"
    assert right.paragraphs[-1]._p.find(border) is not None
    assert left.paragraphs[-1]._p.find(border) is not None
    number, place = header.rows[1].cells
    assert re.fullmatch(r"Số:\s+/BC-SCT", number.text.strip())
    assert place.text.strip() == "Quảng Ngãi, ngày 05 tháng 12 năm 2025"
    assert all(r.italic for r in place.paragraphs[0].runs)
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert {el.get(qn("w:val")) for el in borders} == {"nil"}


def test_title_tasks_and_what_was_done(docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    texts = body_texts(doc)
    title = texts.index("BÁO CÁO")
    subject = doc.paragraphs[title + 1]
    assert subject.text.startswith("Kết quả thực hiện Kế hoạch thực hiện dân chủ ở cơ sở")
    for p in (doc.paragraphs[title], subject):
        assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER and all(r.bold for r in p.runs)
    for number, start in enumerate(SEED_TITLES, start=1):
        heading = next(p for p in doc.paragraphs if p.text.startswith(f"{number}. {start}"))
        assert all(r.bold for r in heading.runs)
    joined = "\n".join(texts)
    assert "Thực hiện Kế hoạch thực hiện dân chủ" in joined
    assert "Kế hoạch số 67/KH-UBND ngày 26/10/2025" in joined
    assert f"phê duyệt ngày {reporting.local_today():%d/%m/%Y}): {LATE_BODY}" in joined
    assert "Đã ban hành Quy chế <mới> & gửi các phòng." in joined
    assert "- Trạng thái: Dự thảo; tiến độ: Quá hạn." in joined
    assert "- Sản phẩm: đã phê duyệt 1/3 (đúng hạn 0, trễ hạn 1); quá hạn chưa phê duyệt: 2." in (
        joined
    )
    assert "- Sản phẩm: đã phê duyệt 2/43 (trong kỳ báo cáo: 2); đúng hạn 1, trễ hạn 1" in joined
    assert (
        texts.count("- Kết quả thực hiện: chưa có sản phẩm được phê duyệt trong kỳ báo cáo.") == 7
    )
    assert joined.count("./.") == 1


def test_summary_table_one_row_per_task_header_repeated(docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    table = doc.tables[1]
    header = [c.text for c in table.rows[0].cells]
    assert header == [
        "STT",
        "Nhiệm vụ",
        "Đơn vị chủ trì",
        "Thời hạn",
        "Trạng thái",
        "Đúng hạn/ Trễ hạn",
    ]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [r[0] for r in rows] == [str(n) for n in range(1, 10)]
    for row, start in zip(rows, SEED_TITLES, strict=True):
        assert row[1].startswith(start)
    assert rows[1][3:] == ["15/11/2025", "Dự thảo", "Quá hạn"]
    assert rows[0][3:] == ["Thường xuyên", "Dự thảo", "Thường xuyên"]
    assert rows[6][2] == "Văn phòng Sở; Các phòng thuộc Sở; Chi cục Quản lý thị trường"
    assert table.style.name == "Table Grid"


def test_recipients_and_signature_side_by_side(docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    table = doc.tables[2]
    recipients, signature = table.rows[0].cells
    lines = cell_texts(recipients)
    assert lines == ["Nơi nhận:", "- UBND tỉnh (b/c);", "- GĐ, các PGĐ Sở;", "- Lưu: VT, VP."]
    heading = recipients.paragraphs[0].runs[0]
    assert heading.bold and heading.italic
    assert all(p.runs[0].font.size in (Pt(11), Pt(12)) for p in recipients.paragraphs if p.runs)
    assert cell_texts(signature) == ["GIÁM ĐỐC", "Trần Minh Đức"]
    assert len(signature.paragraphs) >= 5  # room for the signature and the seal
    assert table._tbl.tblPr.find(qn("w:tblBorders")) is not None


def test_fonts_page_size_and_margins(docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size in (Pt(13), Pt(14))
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        assert fonts.get(qn(slot)) == "Times New Roman"
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(
        f"{qn('w:rPrDefault')}/{qn('w:rPr')}"
    )
    default_fonts = defaults.find(qn("w:rFonts"))
    assert default_fonts.get(qn("w:eastAsia")) == "Times New Roman"
    assert not any(a.endswith(("Theme", "theme")) for a in default_fonts.attrib)
    # every run with an explicit font says Times New Roman; body text is 13 or 14 pt
    for p in doc.paragraphs:
        for run in p.runs:
            assert run.font.name in (None, "Times New Roman")
    sizes = {r.font.size for p in doc.paragraphs for r in p.runs if p.text.startswith("- ")}
    assert sizes <= {Pt(13), Pt(14)}
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5)
    assert abs(section.page_height - Mm(297)) < Mm(0.5)
    assert Mm(20) <= section.top_margin <= Mm(25)
    assert Mm(20) <= section.bottom_margin <= Mm(25)
    assert Mm(30) <= section.left_margin <= Mm(35)
    assert Mm(15) <= section.right_margin <= Mm(20)
    # page numbers from page 2: a PAGE field in the header, none on the first page
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert doc.core_properties.title.startswith("Báo cáo Kết quả thực hiện")


def test_text_that_xml_cannot_hold_is_dropped(report):
    odd = replace(report.tasks[0], title="Nhiệm vụ\x00 có\x0b ký tự lạ")
    doc = Document(io.BytesIO(render_docx(replace(report, tasks=(odd, *report.tasks[1:])))))
    assert any(p.text == "1. Nhiệm vụ có ký tự lạ" for p in doc.paragraphs)


def count_pdf_pages(pdf: bytes) -> int:
    """Page objects of an uncompressed-xref PDF (LibreOffice writes them as plain dicts)."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


def test_libreoffice_renders_it_to_pdf_with_the_expected_pages(docx_bytes, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer"
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(docx_bytes)
    out = tmp_path / "pdf"
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    pdf = out / "bao-cao.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stdout + result.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    fonts = set(re.findall(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([A-Za-z-]+)", data))
    pages = count_pdf_pages(data)
    assert pages == EXPECTED_PAGES, f"{pages} pages; fonts used: {sorted(fonts)}"
    assert re.search(rb"/Count\s+%d\b" % EXPECTED_PAGES, data)
    assert re.search(rb"/MediaBox\s*\[\s*0 0 595\.\d+ 841\.\d+\s*\]", data)  # A4 in points

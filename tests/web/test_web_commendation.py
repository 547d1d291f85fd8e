"""The draft commendation decision (.docx, Decree 30 format) of an approved "Dân vận khéo"
nominations list: opened with python-docx, its Điều 1 counts and the attached list."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from tests.helpers import COUNCIL, state_and_version
from workflow.core import clock, service
from workflow.items import council, editing

FORM = "Giấy khen của Giám đốc Sở"
ENTRIES = [
    {"type": "individual", "name": "Nguyễn Văn An", "unit": "Phòng Quản lý Thương mại",
     "model_name": "Chợ văn minh", "achievements": "Vận động 40 tiểu thương ký cam kết.",
     "proposed_form": FORM},
    {"type": "collective", "name": "Văn phòng Sở", "unit": "Sở Công Thương",
     "model_name": "Một cửa thân thiện", "achievements": "100% hồ sơ đúng hạn.",
     "proposed_form": FORM},
    {"type": "collective", "name": "Đội QLTT số 1", "unit": "Chi cục Quản lý thị trường",
     "model_name": "Kiểm tra minh bạch", "achievements": "Không có khiếu nại.",
     "proposed_form": FORM},
]  # fmt: skip
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def text(response) -> str:
    return response.get_data(as_text=True)


def approve_nominations(session, actors, item_id: int, entries=ENTRIES) -> None:
    item = ("deliverable", item_id)
    editing.edit_deliverable(
        session, actors["vp.chuyenvien"], item_id, {"data": {"entries": entries}}
    )
    service.perform(session, actors["vp.chuyenvien"], item, "submit")
    for member in COUNCIL:
        council.cast_vote(session, actors[member], item_id, in_favour=True)
    service.perform(session, actors["giamdoc"], item, "approve")
    assert state_and_version(session, item)[0] == "approved"


def test_the_decision_and_its_attached_list(web, session, actors, nominations):
    approve_nominations(session, actors, nominations.id)
    url = f"/deliverables/{nominations.id}/commendation.docx"
    member = web("qlcn.chuyenvien")  # any member may read an approved list
    page = text(member.get(f"/deliverables/{nominations.id}"))
    assert f'href="{url}"' in page and "Tải dự thảo quyết định khen thưởng (.docx)" in page
    response = member.get(url)
    assert response.status_code == 200
    assert response.mimetype == DOCX
    assert response.headers["Content-Disposition"].startswith("attachment;")
    doc = Document(io.BytesIO(response.data))

    header = doc.tables[0]
    left, right = header.rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == ["UBND TỈNH QUẢNG NGÃI", "SỞ CÔNG THƯƠNG"]
    assert [p.text for p in right.paragraphs if p.text] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    number, place = header.rows[1].cells
    assert number.text.strip().startswith("Số:") and number.text.strip().endswith("/QĐ-SCT")
    year = clock.today_local().year  # approved today
    assert place.text.startswith("Quảng Ngãi, ngày") and f"năm {year}" in place.text

    texts = [p.text for p in doc.paragraphs]
    assert "QUYẾT ĐỊNH" in texts
    assert (
        "Về việc khen thưởng tập thể, cá nhân có thành tích trong phong trào thi đua "
        "“Dân vận khéo”" in texts
    )
    assert "GIÁM ĐỐC SỞ CÔNG THƯƠNG" in texts and "QUYẾT ĐỊNH:" in texts
    bases = [t for t in texts if t.startswith("Căn cứ")]
    assert bases[0] == "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;"
    assert any("Kế hoạch số 67/KH-UBND" in t for t in bases)
    assert "Theo đề nghị của Hội đồng Thi đua - Khen thưởng Sở và Chánh Văn phòng Sở." in texts
    article1 = next(t for t in texts if t.startswith("Điều 1."))
    assert article1 == (
        "Điều 1. Tặng Giấy khen của Giám đốc Sở cho 02 tập thể và 01 cá nhân đã có thành tích "
        f"xuất sắc trong phong trào thi đua “Dân vận khéo” năm {year} (có danh sách kèm theo)."
    )
    assert any(t.startswith("Điều 2. ") for t in texts)
    assert any(t.startswith("Điều 3. ") and t.endswith("./.") for t in texts)
    signature = doc.tables[1]
    recipients, signer = signature.rows[0].cells
    assert [p.text for p in recipients.paragraphs if p.text][:2] == ["Nơi nhận:", "- Như Điều 3;"]
    assert [p.text for p in signer.paragraphs if p.text] == ["GIÁM ĐỐC", "Trần Minh Đức"]

    # The attached list, from a new page: collectives first, then individuals.
    heading = next(p for p in doc.paragraphs if p.text == "DANH SÁCH")
    assert heading.paragraph_format.page_break_before
    listing = doc.tables[2]
    rows = [[c.text for c in row.cells] for row in listing.rows]
    assert rows[0] == [
        "STT", "Tên tập thể/cá nhân", "Đơn vị", "Mô hình", "Thành tích", "Hình thức khen thưởng",
    ]  # fmt: skip
    assert listing.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert rows[1][0].startswith("I. TẬP THỂ (2)")
    assert rows[2][:4] == ["1", "Văn phòng Sở", "Sở Công Thương", "Một cửa thân thiện"]
    assert rows[3][:2] == ["2", "Đội QLTT số 1"]
    assert rows[4][0].startswith("II. CÁ NHÂN (1)")
    assert rows[5] == [
        "1", "Nguyễn Văn An", "Phòng Quản lý Thương mại", "Chợ văn minh",
        "Vận động 40 tiểu thương ký cam kết.", FORM,
    ]  # fmt: skip
    assert len(rows) == 6

    # Decree 30 page and type.
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5)
    assert Mm(30) <= section.left_margin <= Mm(35)
    assert doc.styles["Normal"].font.name == "Times New Roman"


def test_mixed_forms_and_a_deputy_signs(web, session, actors, nominations):
    entries = [dict(e) for e in ENTRIES[:2]]
    entries[0]["proposed_form"] = "Bằng khen của Chủ tịch UBND tỉnh"
    item = ("deliverable", nominations.id)
    editing.edit_deliverable(
        session, actors["vp.chuyenvien"], nominations.id, {"data": {"entries": entries}}
    )
    service.perform(session, actors["vp.chuyenvien"], item, "submit")
    for member in ("vp.thamdinh", "khtc.chuyenvien", "qltt.chuyenvien"):
        council.cast_vote(session, actors[member], nominations.id, in_favour=True)
    service.perform(session, actors["phogiamdoc"], item, "approve")
    doc = Document(io.BytesIO(web("giamdoc").get(
        f"/deliverables/{nominations.id}/commendation.docx"
    ).data))  # fmt: skip
    article1 = next(p.text for p in doc.paragraphs if p.text.startswith("Điều 1."))
    assert article1.startswith("Điều 1. Khen thưởng 01 tập thể và 01 cá nhân")
    assert "theo danh sách kèm theo" in article1
    signer = doc.tables[1].rows[0].cells[1]
    assert [p.text for p in signer.paragraphs if p.text] == [
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Lê Thị Hồng Nhung",
    ]


def test_409_before_approval_and_404_for_a_non_viewer(web, session, actors, nominations, outsider):
    url = f"/deliverables/{nominations.id}/commendation.docx"
    page = text(web("vp.chuyenvien").get(f"/deliverables/{nominations.id}"))
    assert f'href="{url}"' not in page
    assert "Khi danh sách được phê duyệt, có thể tải" in page
    early = web("vp.chuyenvien").get(url)
    assert early.status_code == 409
    assert "đã được phê duyệt" in text(early)
    assert web(outsider).get(url).status_code == 404  # a draft they may not see
    assert web("giamdoc").get(url).status_code == 409
    editing.edit_deliverable(
        session, actors["vp.chuyenvien"], nominations.id, {"data": {"entries": ENTRIES}}
    )
    service.perform(session, actors["vp.chuyenvien"], ("deliverable", nominations.id), "submit")
    assert web("vp.thamdinh").get(url).status_code == 409


def test_only_for_nominations(web, session, actors, rules_doc):
    url = f"/deliverables/{rules_doc.id}/commendation.docx"
    assert web("giamdoc").get(url).status_code == 404
    assert web("giamdoc").get("/deliverables/999999/commendation.docx").status_code == 404

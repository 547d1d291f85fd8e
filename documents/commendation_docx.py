"""The draft decision commending the collectives and individuals of an approved "Dân vận
khéo" nominations list, as .docx in the Decree 30/2020/NĐ-CP format (documents/docx_format).

The decision (number and date left blank for the Office to fill in when it is signed):
header block; "QUYẾT ĐỊNH / Về việc khen thưởng …"; the issuing authority; the legal bases
("Căn cứ …"); "QUYẾT ĐỊNH:"; Điều 1 (whom, how many, with what), Điều 2, Điều 3; recipients
beside the signature block. Then, from a new page, the attached list as a table: STT | Tên
tập thể/cá nhân | Đơn vị | Mô hình | Thành tích | Hình thức khen thưởng, collectives first.
"""

from __future__ import annotations

from documents.docx_format import (
    CENTRE,
    LEFT,
    TEXT_WIDTH_MM,
    body,
    cant_split,
    cell_text,
    grid,
    header_block,
    new_document,
    page_break_before,
    paragraph,
    place_and_date,
    recipients_and_signature,
    rule,
    run,
    to_bytes,
)
from workflow.reads.commendation import Commendation, Nominee

MOVEMENT = "“Dân vận khéo”"
LIST_COLUMNS = (
    ("STT", 13),
    ("Tên tập thể/cá nhân", 33),
    ("Đơn vị", 28),
    ("Mô hình", 28),
    ("Thành tích", 39),
    ("Hình thức khen thưởng", 24),
)
LEGAL_BASES = (
    "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
    "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi "
    "tiết thi hành một số điều của Luật Thi đua, khen thưởng;",
)


def counts_text(collectives: int, individuals: int) -> str:
    """ "2 tập thể và 3 cá nhân" (a part left out when there is none)."""
    parts = []
    if collectives:
        parts.append(f"{collectives:02d} tập thể" if collectives < 10 else f"{collectives} tập thể")
    if individuals:
        parts.append(f"{individuals:02d} cá nhân" if individuals < 10 else f"{individuals} cá nhân")
    return " và ".join(parts) or "0 tập thể, cá nhân"


def article_one(data: Commendation) -> str:
    who = counts_text(len(data.collectives), len(data.individuals))
    achievement = f"đã có thành tích xuất sắc trong phong trào thi đua {MOVEMENT} năm {data.year}"
    forms = data.forms
    if len(forms) == 1:
        return f"Tặng {forms[0]} cho {who} {achievement} (có danh sách kèm theo)."
    return (
        f"Khen thưởng {who} {achievement}; hình thức khen thưởng của từng tập thể, cá nhân "
        "theo danh sách kèm theo."
    )


def _article(doc, number: int, text: str, *, last: bool = False) -> None:
    # The last article stays with the signature block: never a signature page alone.
    par = body(doc, "", before=6, keep_with_next=last)
    run(par, f"Điều {number}. ", bold=True)
    run(par, text)


def _decision(doc, data: Commendation) -> None:
    header_block(
        doc,
        parent_body=data.parent_body,
        agency=data.agency,
        number_text=f"Số:        /QĐ-{data.symbol}",
        place_date_text=place_and_date(data.place, None, data.year),
    )
    paragraph(doc, "QUYẾT ĐỊNH", bold=True, align=CENTRE, before=24, keep_with_next=True)
    paragraph(
        doc,
        f"Về việc khen thưởng tập thể, cá nhân có thành tích trong phong trào thi đua {MOVEMENT}",
        bold=True,
        align=CENTRE,
        keep_with_next=True,
    )
    rule(doc, 40, TEXT_WIDTH_MM, height_pt=6)
    paragraph(
        doc,
        f"GIÁM ĐỐC {data.agency}",
        bold=True,
        align=CENTRE,
        before=12,
        after=6,
        keep_with_next=True,
    )
    bases = [
        *LEGAL_BASES,
        "Căn cứ Quyết định số      /QĐ-UBND ngày      của Ủy ban nhân dân tỉnh "
        f"{data.place} quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của "
        f"{data.agency_name};"
        if data.place
        else f"Căn cứ văn bản quy định chức năng, nhiệm vụ của {data.agency_name};",
    ]
    if data.parent_ref:
        bases.append(f"Căn cứ {data.parent_ref};")
    bases.append(f"Căn cứ {data.plan_reference} của {data.agency_name};")
    bases.append(f"Theo đề nghị của {data.council_name} và Chánh Văn phòng Sở.")
    for line in bases:
        body(doc, line, italic=True, before=3, line=1.0)
    paragraph(doc, "QUYẾT ĐỊNH:", bold=True, align=CENTRE, before=12, after=6, keep_with_next=True)
    _article(doc, 1, article_one(data))
    _article(
        doc,
        2,
        "Quyết định này có hiệu lực kể từ ngày ký. Tiền thưởng kèm theo (nếu có) thực hiện "
        "theo quy định hiện hành, chi từ Quỹ thi đua, khen thưởng của Sở.",
    )
    _article(
        doc,
        3,
        "Chánh Văn phòng Sở, Trưởng các phòng thuộc Sở, Chi cục trưởng Chi cục Quản lý thị "
        "trường và các tập thể, cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết "
        "định này./.",
        last=True,
    )
    recipients = [
        "- Như Điều 3;",
        f"- {data.parent_short} (b/c);" if data.parent_short else "- Cơ quan cấp trên (b/c);",
        "- GĐ, các PGĐ Sở;",
        "- Lưu: VT, VP.",
    ]
    recipients_and_signature(
        doc, recipients, data.signer_title, data.signer_name, signer_prefix=data.signer_prefix
    )


def _group_row(table, row_index: int, text: str) -> None:
    row = table.rows[row_index]
    cant_split(row)
    merged = row.cells[0].merge(row.cells[-1])
    cell_text(merged, text, bold=True)


def _nominee_row(table, row_index: int, number: int, nominee: Nominee) -> None:
    row = table.rows[row_index]
    cant_split(row)
    values = (
        (str(number), CENTRE),
        (nominee.name, LEFT),
        (nominee.unit, LEFT),
        (nominee.model_name, LEFT),
        (nominee.achievements, LEFT),
        (nominee.proposed_form, LEFT),
    )
    for cell, (text, align) in zip(row.cells, values, strict=True):
        cell_text(cell, text, align=align)


def _attached_list(doc, data: Commendation) -> None:
    heading = paragraph(doc, "DANH SÁCH", bold=True, align=CENTRE, keep_with_next=True)
    page_break_before(heading)
    paragraph(
        doc,
        f"Tập thể, cá nhân được khen thưởng trong phong trào thi đua {MOVEMENT} năm {data.year}",
        bold=True,
        align=CENTRE,
        keep_with_next=True,
    )
    paragraph(
        doc,
        f"(Kèm theo Quyết định số      /QĐ-{data.symbol} ngày      tháng      năm {data.year} "
        f"của Giám đốc {data.agency_name})",
        italic=True,
        align=CENTRE,
        keep_with_next=True,
    )
    rule(doc, 40, TEXT_WIDTH_MM, height_pt=6)
    paragraph(doc, size=6, keep_with_next=True)
    groups = [
        (f"I. TẬP THỂ ({len(data.collectives)})", data.collectives),
        (f"II. CÁ NHÂN ({len(data.individuals)})", data.individuals),
    ]
    groups = [(title, rows) for title, rows in groups if rows]
    table = grid(doc, LIST_COLUMNS, sum(1 + len(rows) for _, rows in groups))
    index = 1
    for title, rows in groups:
        _group_row(table, index, title)
        index += 1
        for number, nominee in enumerate(rows, start=1):
            _nominee_row(table, index, number, nominee)
            index += 1


def render_commendation(data: Commendation) -> bytes:
    doc = new_document(
        title=f"Dự thảo Quyết định khen thưởng phong trào thi đua {MOVEMENT} năm {data.year}",
        author=data.agency_name,
        subject=data.title,
    )
    _decision(doc, data)
    _attached_list(doc, data)
    return to_bytes(doc)

"""The results report as .docx, in the format of Decree 30/2020/NĐ-CP (Appendix I).

A4, margins 20/20/30/15 mm (top/bottom/left/right); Times New Roman everywhere (ASCII,
Vietnamese and East-Asian slots of every style, so no run falls back to a theme font);
body 14 pt; the header as a borderless two-column table (issuing body | national title and
motto; number and symbol | place and date); title; body per task; summary table whose
header row repeats on every page; recipients ("Nơi nhận") beside the signature block;
page numbers centred at the top from the second page.
"""

from __future__ import annotations

import io
import math
import re

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from docx.table import Table, _Cell

from workflow.machine import STATE_LABELS
from workflow.reporting import PlanReport, TaskLine, plan_reference

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]  # 165
HEADER_COLUMNS_MM = (64, TEXT_WIDTH_MM - 64)
SUMMARY_COLUMNS = (
    ("STT", 13),
    ("Nhiệm vụ", 52),
    ("Đơn vị chủ trì", 33),
    ("Thời hạn", 25),
    ("Trạng thái", 22),
    ("Đúng hạn/ Trễ hạn", 20),
)
RECIPIENTS_COLUMNS_MM = (80, TEXT_WIDTH_MM - 80)

# Characters XML 1.0 cannot hold (lxml refuses them): dropped from user text.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text: object) -> str:
    return _XML_ILLEGAL.sub("", "" if text is None else str(text))


def ddmmyyyy(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


# --- low-level formatting -----------------------------------------------------------------


def _set_run_fonts(rpr, size_pt: float | None = None) -> None:
    """Times New Roman in all four font slots of an rPr element, theme fonts removed."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del fonts.attrib[attr]
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    if size_pt is not None:
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), str(int(size_pt * 2)))


def _setup_styles(doc) -> None:
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_run_fonts(rpr, BODY_PT)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "vi-VN")
        lang.set(qn("w:eastAsia"), "vi-VN")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    if spacing is not None:
        ppr.remove(spacing)  # the template's 10 pt after and 1.15 lines: ours are explicit

    for name in ("Normal", "Table Grid", "Normal Table", "Header", "Footer"):
        try:
            style = styles[name]
        except KeyError:
            continue
        style.font.name = FONT
        _set_run_fonts(style.element.get_or_add_rPr(), BODY_PT if name != "Header" else 13)
    normal = styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    fmt.widow_control = True


def _at_least_mm(mm: float) -> Twips:
    """A length stored in whole twips (as .docx stores margins) and never under `mm`:
    15 mm is 850.39 twips, stored as 850 it would read back as 14.99 mm."""
    return Twips(math.ceil(mm * 1440 / 25.4))


def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.top_margin = _at_least_mm(MARGINS_MM["top"])
    section.bottom_margin = _at_least_mm(MARGINS_MM["bottom"])
    section.left_margin = _at_least_mm(MARGINS_MM["left"])
    section.right_margin = _at_least_mm(MARGINS_MM["right"])
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    # Decree 30: the page number, centred in the top margin, from the second page on.
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(paragraph, "PAGE", size_pt=13)


def _field(paragraph, instruction: str, size_pt: float) -> None:
    def run_with(element):
        run = paragraph.add_run()
        run.font.size = Pt(size_pt)
        run._r.append(element)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(begin)
    run_with(instr)
    run_with(separate)
    paragraph.add_run("2").font.size = Pt(size_pt)
    run_with(end)


def _paragraph(
    container,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float = BODY_PT,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    first_indent_mm: float | None = None,
    before: float = 0,
    after: float = 0,
    line: float = 1.0,
    keep_with_next: bool = False,
):
    """A paragraph in `container` (document or cell); the first paragraph of an empty cell is
    reused so cells do not start with a blank line."""
    fresh = isinstance(container, _Cell) and len(container.paragraphs) == 1
    if fresh and len(container.paragraphs[0]._p) == 0:  # a new cell's bare <w:p/>
        paragraph = container.paragraphs[0]
    else:
        paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    fmt.line_spacing = line
    fmt.keep_with_next = keep_with_next
    if first_indent_mm is not None:
        fmt.first_line_indent = Mm(first_indent_mm)
    if text:
        _run(paragraph, text, bold=bold, italic=italic, underline=underline, size=size)
    else:
        _mark_size(paragraph, size)
    return paragraph


def _run(paragraph, text: str, *, bold=False, italic=False, underline=False, size=BODY_PT):
    run = paragraph.add_run(clean(text))
    run.bold = bold
    run.italic = italic
    run.underline = underline
    run.font.size = Pt(size)
    run.font.name = FONT
    _set_run_fonts(run._r.get_or_add_rPr())
    return run


def _mark_size(paragraph, size: float) -> None:
    """The size of an empty paragraph's mark (its height)."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.append(rpr)
    _set_run_fonts(rpr, size)


def _rule(container, width_mm: float, container_width_mm: float, height_pt: float = 3) -> None:
    """A short centred horizontal line (the line under the agency name, the motto and the
    title): an empty paragraph `height_pt` high whose bottom border spans only `width_mm`."""
    paragraph = _paragraph(container, size=2, align=WD_ALIGN_PARAGRAPH.CENTER)
    side = max(0.0, (container_width_mm - width_mm) / 2)
    paragraph.paragraph_format.left_indent = Mm(side)
    paragraph.paragraph_format.right_indent = Mm(side)
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph.paragraph_format.line_spacing = Pt(height_pt)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")  # eighths of a point
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    # pBdr goes before spacing/ind/jc in CT_PPr's sequence
    anchor = next(
        (
            ppr.find(qn(t))
            for t in ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")
            if ppr.find(qn(t)) is not None
        ),
        None,
    )
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        ppr.append(borders)


def _table(doc, rows: int, widths_mm, *, borders: bool) -> Table:
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table.style = doc.styles["Table Grid"] if borders else doc.styles["Normal Table"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    if not borders:
        edges = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            el = OxmlElement(f"w:{edge}")
            el.set(qn("w:val"), "nil")
            edges.append(el)
        tbl_pr.append(edges)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)
    return table


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _cant_split(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


# --- the parts of the report --------------------------------------------------------------


def _header_block(doc, report: PlanReport) -> None:
    plan = report.plan
    left_mm, right_mm = HEADER_COLUMNS_MM
    table = _table(doc, 2, HEADER_COLUMNS_MM, borders=False)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    left, right = table.rows[0].cells
    if plan.parent_body:
        _paragraph(left, plan.parent_body, size=13, align=centre)
    _paragraph(left, plan.agency, bold=True, size=13, align=centre)
    _rule(left, 22, left_mm)
    _paragraph(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12.5, align=centre)
    _paragraph(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13, align=centre)
    _rule(right, 62, right_mm)

    left, right = table.rows[1].cells
    _paragraph(left, f"Số:        /BC-{plan.symbol}", size=13, align=centre, before=6)
    day = report.report_date
    place = plan.place or "……"
    _paragraph(
        right,
        f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}",
        italic=True,
        size=14,
        align=centre,
        before=6,
    )
    for row in table.rows:
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def _title_block(doc, report: PlanReport) -> None:
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(doc, "BÁO CÁO", bold=True, size=14, align=centre, before=24, keep_with_next=True)
    _paragraph(doc, report.title, bold=True, size=14, align=centre, keep_with_next=True)
    _rule(doc, 40, TEXT_WIDTH_MM, height_pt=6)


def _body(doc, text: str, **kwargs) -> None:
    kwargs.setdefault("first_indent_mm", 12.7)
    kwargs.setdefault("before", 6)
    kwargs.setdefault("line", 1.1)
    _paragraph(doc, text, **kwargs)


def _intro(doc, report: PlanReport) -> None:
    plan = report.plan
    parent = f" (triển khai {plan.parent_ref})" if plan.parent_ref else ""
    _body(
        doc,
        f"Thực hiện {plan_reference(plan)}{parent}, {plan.agency_name or plan.issuer} "
        f"báo cáo kết quả thực hiện {report.period_text} như sau:",
        before=12,
    )


def _task_section(doc, task: TaskLine) -> None:
    _body(doc, f"{task.number}. {task.title}", bold=True, keep_with_next=True)
    _body(doc, f"- Đơn vị chủ trì: {task.leads_text}.")
    _body(doc, f"- Thời gian thực hiện: {task.timing_line}.")
    state = f"- Trạng thái: {task.state_label}; tiến độ: {task.timeliness_label}"
    if task.approved_at is not None:
        state += f" (phê duyệt ngày {ddmmyyyy(task.approved_at)})"
    _body(doc, state + ".")
    total = len(task.deliverables)
    if total:
        on_time = sum(1 for d in task.deliverables if d.timeliness == "on_time")
        late = sum(1 for d in task.deliverables if d.timeliness == "late")
        overdue = sum(1 for d in task.deliverables if d.timeliness == "overdue")
        text = f"- Sản phẩm: đã phê duyệt {task.approved_count}/{total}"
        if task.approved_count:
            text += f" (đúng hạn {on_time}, trễ hạn {late})"
        if overdue:
            text += f"; quá hạn chưa phê duyệt: {overdue}"
        _body(doc, text + ".")
    if not task.done:
        _body(doc, "- Kết quả thực hiện: chưa có sản phẩm được phê duyệt trong kỳ báo cáo.")
        return
    _body(doc, "- Kết quả thực hiện:", keep_with_next=True)
    for item in task.done:
        lines = [line.strip() for line in item.body.splitlines() if line.strip()]
        lead = f"+ {item.title} ({item.unit}, phê duyệt ngày {ddmmyyyy(item.approved_on)})"
        if lines:
            _body(doc, f"{lead}: {lines[0]}")
            for line in lines[1:]:
                _body(doc, line, before=3)
        else:
            _body(doc, f"{lead}.")


def _summary_text(doc, report: PlanReport) -> None:
    s = report.summary
    states = ", ".join(f"{STATE_LABELS[k]} {n}" for k, n in s.tasks_by_state if n)
    _body(doc, f"- Nhiệm vụ: {s.tasks_total}; trong đó: {states}.")
    _body(
        doc,
        f"- Sản phẩm: đã phê duyệt {s.deliverables_approved}/{s.deliverables_total} "
        f"(trong kỳ báo cáo: {s.deliverables_approved_in_range}); đúng hạn {s.on_time}, "
        f"trễ hạn {s.late}, quá hạn {s.overdue}, chưa đến hạn {s.pending}.",
    )
    _body(doc, "- Bảng tổng hợp:", keep_with_next=True)


def _summary_table(doc, report: PlanReport) -> None:
    widths = [w for _, w in SUMMARY_COLUMNS]
    table = _table(doc, 1 + len(report.tasks), widths, borders=True)
    centre, left = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT
    header = table.rows[0]
    _repeat_header(header)
    _cant_split(header)
    for cell, (name, _) in zip(header.cells, SUMMARY_COLUMNS, strict=True):
        _paragraph(cell, name, bold=True, size=TABLE_PT, align=centre, before=2, after=2)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for row, task in zip(table.rows[1:], report.tasks, strict=True):
        _cant_split(row)
        values = (
            (str(task.number), centre),
            (task.title, left),
            (task.leads_text, left),
            (task.deadline_text, centre),
            (task.state_label, centre),
            (task.timeliness_label, centre),
        )
        for cell, (text, align) in zip(row.cells, values, strict=True):
            _paragraph(cell, text, size=TABLE_PT, align=align, before=2, after=2)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _closing(doc, report: PlanReport) -> None:
    plan = report.plan
    _body(
        doc,
        f"Trên đây là báo cáo kết quả thực hiện {plan_reference(plan)} của "
        f"{plan.agency_name or plan.issuer}./.",
        before=12,
        keep_with_next=True,  # never a signature page without a line of the body
    )


def _recipients_and_signature(doc, report: PlanReport) -> None:
    plan = report.plan
    table = _table(doc, 1, RECIPIENTS_COLUMNS_MM, borders=False)
    _cant_split(table.rows[0])
    left, right = table.rows[0].cells
    align_left, centre = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(left, "Nơi nhận:", bold=True, italic=True, size=12, align=align_left, before=12)
    recipients = [
        f"- {plan.parent_short} (b/c);" if plan.parent_short else "- Cơ quan cấp trên (b/c);",
        "- GĐ, các PGĐ Sở;",
        "- Lưu: VT, VP.",
    ]
    for line in recipients:
        _paragraph(left, line, size=11, align=align_left)
    _paragraph(right, report.signer_title, bold=True, size=14, align=centre, before=12)
    for _ in range(4):
        _paragraph(right, size=14, align=centre)
    if report.signer_name:
        _paragraph(right, report.signer_name, bold=True, size=14, align=centre)


def render_docx(report: PlanReport) -> bytes:
    doc = Document()
    _setup_styles(doc)
    _page_setup(doc)
    props = doc.core_properties
    props.title = clean(f"Báo cáo {report.title}")
    props.author = clean(report.plan.agency_name or report.plan.issuer)
    props.language = "vi-VN"
    props.subject = clean(report.plan.code)

    # The default template's body starts with an empty paragraph: the header comes first.
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)

    _header_block(doc, report)
    _title_block(doc, report)
    _intro(doc, report)
    _body(doc, "I. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ", bold=True, keep_with_next=True, before=12)
    for task in report.tasks:
        _task_section(doc, task)
    _body(doc, "II. TỔNG HỢP", bold=True, keep_with_next=True, before=12)
    _summary_text(doc, report)
    _summary_table(doc, report)
    _closing(doc, report)
    _recipients_and_signature(doc, report)
    _paragraph(doc, size=2)  # a document must not end with a table (Word adds a paragraph)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

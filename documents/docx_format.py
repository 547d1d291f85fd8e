"""The Decree 30/2020/NĐ-CP layout (Appendix I) shared by every .docx the system writes.

A4, margins 20/20/30/15 mm (top/bottom/left/right); Times New Roman everywhere (ASCII,
Vietnamese and East-Asian slots of every style, so no run falls back to a theme font);
body 14 pt; the header as a borderless two-column table (issuing body | national title and
motto; number and symbol | place and date); tables whose header row repeats on every page;
recipients ("Nơi nhận") beside the signature block; page numbers centred at the top from
the second page.

Used by documents/report_docx.py (the results report) and documents/commendation_docx.py
(the draft commendation decision).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from docx.table import Table, _Cell

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]  # 165
HEADER_COLUMNS_MM = (64, TEXT_WIDTH_MM - 64)
RECIPIENTS_COLUMNS_MM = (80, TEXT_WIDTH_MM - 80)
CENTRE = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"

# Characters XML 1.0 cannot hold (lxml refuses them): dropped from user text.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text: object) -> str:
    return _XML_ILLEGAL.sub("", "" if text is None else str(text))


def ddmmyyyy(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def place_and_date(place: str, day: date | None, year: int | None = None) -> str:
    """ "Quảng Ngãi, ngày 05 tháng 12 năm 2025"; without a day (a draft to be signed), the
    day and month are left blank for the signer: "Quảng Ngãi, ngày      tháng      năm 2025"."""
    place = place or "……"
    if day is None:
        return f"{place}, ngày      tháng      năm {year or ''}".rstrip()
    return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


# --- low-level formatting -----------------------------------------------------------------


def set_run_fonts(rpr, size_pt: float | None = None) -> None:
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


def setup_styles(doc) -> None:
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_run_fonts(rpr, BODY_PT)
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
        set_run_fonts(style.element.get_or_add_rPr(), BODY_PT if name != "Header" else 13)
    normal = styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    fmt.widow_control = True


def at_least_mm(mm: float) -> Twips:
    """A length stored in whole twips (as .docx stores margins) and never under `mm`:
    15 mm is 850.39 twips, stored as 850 it would read back as 14.99 mm."""
    return Twips(math.ceil(mm * 1440 / 25.4))


def page_setup(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.top_margin = at_least_mm(MARGINS_MM["top"])
    section.bottom_margin = at_least_mm(MARGINS_MM["bottom"])
    section.left_margin = at_least_mm(MARGINS_MM["left"])
    section.right_margin = at_least_mm(MARGINS_MM["right"])
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    # Decree 30: the page number, centred in the top margin, from the second page on.
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = CENTRE
    field(paragraph, "PAGE", size_pt=13)


def field(paragraph, instruction: str, size_pt: float) -> None:
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


def paragraph(
    container,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float = BODY_PT,
    align=JUSTIFY,
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
        par = container.paragraphs[0]
    else:
        par = container.add_paragraph()
    par.alignment = align
    fmt = par.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    fmt.line_spacing = line
    fmt.keep_with_next = keep_with_next
    if first_indent_mm is not None:
        fmt.first_line_indent = Mm(first_indent_mm)
    if text:
        run(par, text, bold=bold, italic=italic, underline=underline, size=size)
    else:
        mark_size(par, size)
    return par


def run(par, text: str, *, bold=False, italic=False, underline=False, size=BODY_PT):
    added = par.add_run(clean(text))
    added.bold = bold
    added.italic = italic
    added.underline = underline
    added.font.size = Pt(size)
    added.font.name = FONT
    set_run_fonts(added._r.get_or_add_rPr())
    return added


def mark_size(par, size: float) -> None:
    """The size of an empty paragraph's mark (its height)."""
    ppr = par._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.append(rpr)
    set_run_fonts(rpr, size)


def rule(container, width_mm: float, container_width_mm: float, height_pt: float = 3) -> None:
    """A short centred horizontal line (the line under the agency name, the motto and the
    title): an empty paragraph `height_pt` high whose bottom border spans only `width_mm`."""
    par = paragraph(container, size=2, align=CENTRE)
    side = max(0.0, (container_width_mm - width_mm) / 2)
    par.paragraph_format.left_indent = Mm(side)
    par.paragraph_format.right_indent = Mm(side)
    par.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    par.paragraph_format.line_spacing = Pt(height_pt)
    ppr = par._p.get_or_add_pPr()
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


def table(doc, rows: int, widths_mm, *, borders: bool) -> Table:
    added = doc.add_table(rows=rows, cols=len(widths_mm))
    added.style = doc.styles["Table Grid"] if borders else doc.styles["Normal Table"]
    added.alignment = WD_TABLE_ALIGNMENT.CENTER
    added.autofit = False
    tbl_pr = added._tbl.tblPr
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
    for column, width in zip(added.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)
    return added


def repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def cant_split(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def page_break_before(par) -> None:
    par.paragraph_format.page_break_before = True


def body(doc, text: str, **kwargs):
    """A paragraph of running text: first line indented, a little space before."""
    kwargs.setdefault("first_indent_mm", 12.7)
    kwargs.setdefault("before", 6)
    kwargs.setdefault("line", 1.1)
    return paragraph(doc, text, **kwargs)


# --- the parts every document has ---------------------------------------------------------


def new_document(*, title: str, author: str, subject: str = ""):
    """An empty A4 document with the styles, margins and page numbers set."""
    doc = Document()
    setup_styles(doc)
    page_setup(doc)
    props = doc.core_properties
    props.title = clean(title)
    props.author = clean(author)
    props.language = "vi-VN"
    props.subject = clean(subject)
    # The default template's body starts with an empty paragraph: the header comes first.
    element = doc.element.body
    for p in list(element.iterchildren(qn("w:p"))):
        element.remove(p)
    return doc


def header_block(
    doc, *, parent_body: str, agency: str, number_text: str, place_date_text: str
) -> Table:
    """Issuing body | national title and motto; number and symbol | place and date."""
    left_mm, right_mm = HEADER_COLUMNS_MM
    block = table(doc, 2, HEADER_COLUMNS_MM, borders=False)
    left, right = block.rows[0].cells
    if parent_body:
        paragraph(left, parent_body, size=13, align=CENTRE)
    paragraph(left, agency, bold=True, size=13, align=CENTRE)
    rule(left, 22, left_mm)
    paragraph(right, NATIONAL_TITLE, bold=True, size=12.5, align=CENTRE)
    paragraph(right, NATIONAL_MOTTO, bold=True, size=13, align=CENTRE)
    rule(right, 62, right_mm)

    left, right = block.rows[1].cells
    paragraph(left, number_text, size=13, align=CENTRE, before=6)
    paragraph(right, place_date_text, italic=True, size=14, align=CENTRE, before=6)
    for row in block.rows:
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    return block


def recipients_and_signature(
    doc,
    recipients: Sequence[str],
    signer_title: str,
    signer_name: str | None,
    *,
    signer_prefix: str = "",
) -> Table:
    """ "Nơi nhận:" and its lines on the left, the signer's title, room for the signature
    and seal, and the name on the right; one row that never splits across pages."""
    block = table(doc, 1, RECIPIENTS_COLUMNS_MM, borders=False)
    cant_split(block.rows[0])
    left, right = block.rows[0].cells
    paragraph(left, "Nơi nhận:", bold=True, italic=True, size=12, align=LEFT, before=12)
    for line in recipients:
        paragraph(left, line, size=11, align=LEFT)
    if signer_prefix:
        paragraph(right, signer_prefix, bold=True, size=14, align=CENTRE, before=12)
        paragraph(right, signer_title, bold=True, size=14, align=CENTRE)
    else:
        paragraph(right, signer_title, bold=True, size=14, align=CENTRE, before=12)
    for _ in range(4):
        paragraph(right, size=14, align=CENTRE)
    if signer_name:
        paragraph(right, signer_name, bold=True, size=14, align=CENTRE)
    return block


def grid(doc, columns: Sequence[tuple[str, float]], rows: int) -> Table:
    """A bordered table with a header row (bold, centred) repeated on every page; `rows` more
    rows follow, left for the caller to fill."""
    block = table(doc, 1 + rows, [w for _, w in columns], borders=True)
    header = block.rows[0]
    repeat_header(header)
    cant_split(header)
    for cell, (name, _) in zip(header.cells, columns, strict=True):
        paragraph(cell, name, bold=True, size=TABLE_PT, align=CENTRE, before=2, after=2)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return block


def cell_text(cell, text: str, *, align=LEFT, bold: bool = False, size: float = TABLE_PT):
    added = paragraph(cell, text, bold=bold, size=size, align=align, before=2, after=2)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return added


def to_bytes(doc) -> bytes:
    paragraph(doc, size=2)  # a document must not end with a table (Word adds a paragraph)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

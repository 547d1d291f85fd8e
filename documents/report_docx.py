"""The results report as .docx, in the format of Decree 30/2020/NĐ-CP (Appendix I).

A4, margins 20/20/30/15 mm (top/bottom/left/right); Times New Roman everywhere (ASCII,
Vietnamese and East-Asian slots of every style, so no run falls back to a theme font);
body 14 pt; the header as a borderless two-column table (issuing body | national title and
motto; number and symbol | place and date); title; body per task; summary table whose
header row repeats on every page; recipients ("Nơi nhận") beside the signature block;
page numbers centred at the top from the second page. The layout itself (fonts, page,
header block, tables, recipients and signature) is documents/docx_format.py's.
"""

from __future__ import annotations

from docx.shared import Pt

from documents.docx_format import (
    BODY_PT,
    CENTRE,
    FONT,
    HEADER_COLUMNS_MM,
    LEFT,
    MARGINS_MM,
    PAGE_HEIGHT_MM,
    PAGE_WIDTH_MM,
    RECIPIENTS_COLUMNS_MM,
    TABLE_PT,
    TEXT_WIDTH_MM,
    body,
    cant_split,
    cell_text,
    clean,
    ddmmyyyy,
    grid,
    header_block,
    new_document,
    paragraph,
    place_and_date,
    recipients_and_signature,
    rule,
    to_bytes,
)
from workflow.core.machine import STATE_LABELS
from workflow.reads.reporting import PlanReport, TaskLine, plan_reference

# The layout constants live in documents/docx_format.py (shared with the commendation
# decision); they are named here too for callers that read them from this module.
__all__ = [
    "BODY_PT",
    "FONT",
    "HEADER_COLUMNS_MM",
    "MARGINS_MM",
    "PAGE_HEIGHT_MM",
    "PAGE_WIDTH_MM",
    "RECIPIENTS_COLUMNS_MM",
    "SUMMARY_COLUMNS",
    "TABLE_PT",
    "TEXT_WIDTH_MM",
    "clean",
    "ddmmyyyy",
    "render_docx",
]

SUMMARY_COLUMNS = (
    ("STT", 13),
    ("Nhiệm vụ", 52),
    ("Đơn vị chủ trì", 33),
    ("Thời hạn", 25),
    ("Trạng thái", 22),
    ("Đúng hạn/ Trễ hạn", 20),
)


# --- the parts of the report --------------------------------------------------------------


def _header_block(doc, report: PlanReport) -> None:
    plan = report.plan
    header_block(
        doc,
        parent_body=plan.parent_body,
        agency=plan.agency,
        number_text=f"Số:        /BC-{plan.symbol}",
        place_date_text=place_and_date(plan.place, report.report_date),
    )


def _title_block(doc, report: PlanReport) -> None:
    paragraph(doc, "BÁO CÁO", bold=True, size=14, align=CENTRE, before=24, keep_with_next=True)
    paragraph(doc, report.title, bold=True, size=14, align=CENTRE, keep_with_next=True)
    rule(doc, 40, TEXT_WIDTH_MM, height_pt=6)


def _body(doc, text: str, **kwargs) -> None:
    body(doc, text, **kwargs)


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
    table = grid(doc, SUMMARY_COLUMNS, len(report.tasks))
    for row, task in zip(table.rows[1:], report.tasks, strict=True):
        cant_split(row)
        values = (
            (str(task.number), CENTRE),
            (task.title, LEFT),
            (task.leads_text, LEFT),
            (task.deadline_text, CENTRE),
            (task.state_label, CENTRE),
            (task.timeliness_label, CENTRE),
        )
        for cell, (text, align) in zip(row.cells, values, strict=True):
            cell_text(cell, text, align=align)


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
    recipients = [
        f"- {plan.parent_short} (b/c);" if plan.parent_short else "- Cơ quan cấp trên (b/c);",
        "- GĐ, các PGĐ Sở;",
        "- Lưu: VT, VP.",
    ]
    recipients_and_signature(doc, recipients, report.signer_title, report.signer_name)


def _checkpoint_footer(doc, report: PlanReport) -> None:
    """The audit trail's latest signed checkpoint in every page's footer (small type), so
    the printed copy names the state of the trail it was made from."""
    text = f"Điểm kiểm chứng nhật ký: {report.audit_checkpoint}"
    section = doc.sections[0]
    for footer in (section.footer, section.first_page_footer):
        footer.is_linked_to_previous = False
        first = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        run = first.add_run(clean(text))
        run.font.size = Pt(9)
        run.font.name = FONT


def render_docx(report: PlanReport) -> bytes:
    doc = new_document(
        title=f"Báo cáo {report.title}",
        author=report.plan.agency_name or report.plan.issuer,
        subject=report.plan.code,
    )
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
    _checkpoint_footer(doc, report)
    return to_bytes(doc)

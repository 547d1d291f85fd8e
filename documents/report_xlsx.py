"""The results report's data as .xlsx: tasks, deliverables and the audit trail of the range.

Three sheets ("Nhiệm vụ", "Sản phẩm", "Nhật ký"), each with a bold header row, an
auto-filter over its data, the header frozen, column widths set, dates stored as real
dates (dd/mm/yyyy; times dd/mm/yyyy hh:mm, Asia/Ho_Chi_Minh). Text is always stored as
text: a title beginning with "=" is never turned into a formula.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from workflow.reads.reporting import PlanReport

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

# (header, width in characters, value of a row); a value that is a date gets DATE_FORMAT.
Column = tuple[str, float, Callable[[Any], Any]]

TASK_COLUMNS: tuple[Column, ...] = (
    ("STT", 6, lambda t: t.number),
    ("Nhiệm vụ", 60, lambda t: t.title),
    ("Đơn vị chủ trì", 40, lambda t: "; ".join(t.lead_units)),
    ("Đơn vị phối hợp", 40, lambda t: "; ".join(t.coordinating_units)),
    ("Thời gian thực hiện", 22, lambda t: t.timing_text),
    ("Hạn hoàn thành", 14, lambda t: t.due_date),
    ("Trạng thái", 14, lambda t: t.state_label),
    ("Ngày phê duyệt", 14, lambda t: t.approved_at.date() if t.approved_at else None),
    ("Đúng hạn/Trễ hạn", 16, lambda t: t.timeliness_label),
    ("Sản phẩm đã phê duyệt", 12, lambda t: t.approved_count),
    ("Tổng số sản phẩm", 12, lambda t: len(t.deliverables)),
    ("Kết quả trong kỳ", 60, lambda t: "\n".join(f"{d.title}: {d.body}" for d in t.done)),
)

DELIVERABLE_COLUMNS: tuple[Column, ...] = (
    ("Mã", 7, lambda d: d.id),
    ("Nhiệm vụ", 9, lambda d: d.task_number),
    ("Sản phẩm", 55, lambda d: d.title),
    ("Loại", 18, lambda d: d.kind_label),
    ("Đơn vị", 32, lambda d: d.unit),
    ("Bắt buộc", 9, lambda d: "Có" if d.required else "Không"),
    ("Hạn hoàn thành", 14, lambda d: d.due_date),
    ("Trạng thái", 14, lambda d: d.state_label),
    ("Ngày phê duyệt", 14, lambda d: d.approved_at.date() if d.approved_at else None),
    ("Người phê duyệt", 24, lambda d: d.approved_by_name or d.approved_by or ""),
    ("Đúng hạn/Trễ hạn", 16, lambda d: d.timeliness_label),
    ("Nội dung", 60, lambda d: d.body),
)

EVENT_COLUMNS: tuple[Column, ...] = (
    ("Số TT", 8, lambda e: e.seq),
    ("Thời gian", 17, lambda e: e.at.replace(microsecond=0)),
    ("Đối tượng", 11, lambda e: e.item_type_label),
    ("Mã", 7, lambda e: e.item_id),
    ("Nội dung", 50, lambda e: e.item_label),
    ("Người thực hiện", 28, lambda e: e.actor_name or e.actor),
    ("Đơn vị", 24, lambda e: e.actor_unit),
    ("Vai trò", 18, lambda e: e.roles_text or e.actor_roles),
    ("Thao tác", 18, lambda e: e.action_label),
    ("Từ trạng thái", 14, lambda e: e.from_state),
    ("Sang trạng thái", 14, lambda e: e.to_state),
    ("Lý do", 40, lambda e: e.reason),
)

WRAP_WIDTH = 40  # columns at least this wide wrap their text
MAX_CELL = 32_767  # Excel's limit on the characters of a cell


def _put(ws: Worksheet, row: int, col: int, value: Any, wrap: bool) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL]
        cell.value = text
        cell.data_type = "s"  # never a formula, whatever the text begins with
    else:
        cell.value = value
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    else:
        cell.alignment = Alignment(vertical="top")


def _sheet(ws: Worksheet, columns: Sequence[Column], items: Sequence[Any]) -> None:
    bold = Font(bold=True)
    for col, (header, width, _) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=col, value=header)
        cell.font = bold
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    for row, item in enumerate(items, start=2):
        for col, (_, width, value) in enumerate(columns, start=1):
            _put(ws, row, col, value(item), wrap=width >= WRAP_WIDTH)
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{len(items) + 1}"
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def render_xlsx(report: PlanReport) -> bytes:
    wb = Workbook()
    tasks = wb.active
    tasks.title = "Nhiệm vụ"
    _sheet(tasks, TASK_COLUMNS, report.tasks)
    _sheet(wb.create_sheet("Sản phẩm"), DELIVERABLE_COLUMNS, report.deliverables)
    _sheet(wb.create_sheet("Nhật ký"), EVENT_COLUMNS, report.events)
    props = wb.properties
    props.title = f"Báo cáo {report.title}"[:250]
    props.creator = report.plan.agency_name or report.plan.issuer
    props.subject = report.plan.code
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

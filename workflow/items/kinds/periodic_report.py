"""Báo cáo định kỳ: a periodic report in four sections, the first two required."""

from __future__ import annotations

from typing import Any

from workflow.items.kinds.fields import Kind, KindData, Text, Widget, text

AREA = Widget("textarea")


class PeriodicReportData(KindData):
    done: Text = text("Công việc đã thực hiện", widget=AREA)
    results: Text = text("Kết quả đạt được", widget=AREA)
    difficulties: Text = text("Khó khăn, vướng mắc", widget=AREA)
    proposals: Text = text("Đề xuất, kiến nghị", widget=AREA)


REPORT_SECTIONS = {name: f.title for name, f in PeriodicReportData.model_fields.items()}


def lacks(data: dict[str, Any]) -> list[str]:
    return [
        f"thiếu mục “{REPORT_SECTIONS[key]}”" for key in ("done", "results") if not data.get(key)
    ]


KIND = Kind(
    "periodic_report",
    "Báo cáo định kỳ",
    PeriodicReportData,
    lacks=lacks,
    vocabulary={"report_sections": REPORT_SECTIONS},
)

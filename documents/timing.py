"""Timing lines ("Thời gian thực hiện: …") → kind and due date.

The workflow engine needs a due date to remind and escalate, and needs to know which
tasks are ongoing (periodic reports, no final deadline). Plans write this in free text:
"Thường xuyên", "Hoàn thành trước ngày 15/11/2025", "Năm 2025", "Quí IV-2025",
"Tháng 12/2025", "Giai đoạn 2026-2030", "Sau khi Nghị định … ban hành" (unknown).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, TypedDict

from documents.units import fold

__all__ = ["Timing", "TimingDict", "parse_timing"]

Kind = Literal["ongoing", "deadline", "period", "unknown"]


class TimingDict(TypedDict):
    kind: Kind
    text: str | None
    due_date: str | None


@dataclass(frozen=True)
class Timing:
    kind: Kind
    text: str | None
    due: date | None

    def as_dict(self) -> TimingDict:
        return {
            "kind": self.kind,
            "text": self.text,
            "due_date": self.due.isoformat() if self.due else None,
        }


# "Quý IV năm 2025 và các năm tiếp theo" starts in 2025 and never ends: ongoing.
_ONGOING = re.compile(
    r"thường xuyên|(?:hằng|hàng) (?:năm|quý|tháng|tuần|ngày)|định kỳ|liên tục"
    r"|(?:các|những) năm tiếp theo|năm tiếp theo|lâu dài"
)
# Depends on someone else's document or schedule: no date can be derived.
_CONDITIONAL = re.compile(r"\bsau khi\b|\btheo tiến độ\b|\btheo lộ trình\b|\bkhi có\b")
_FULL_DATE = re.compile(
    r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)"
    r"|ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})"
)
_MONTH = re.compile(r"(trước\s+)?tháng\s*(\d{1,2})\s*(?:/|-|năm)\s*(\d{4})")
_QUARTER = re.compile(r"(trước\s+)?quý\s*(iv|i{1,3}|[1-4])\s*(?:[/-]|\s)\s*(?:năm\s*)?(\d{4})")
_HALF = re.compile(r"6 tháng (đầu|cuối) năm\s*(\d{4})")
_RANGE = re.compile(
    r"(?:giai đoạn\s*|từ năm\s*|từ\s*)?(\d{4})\s*(?:[-–—]|đến(?: năm)?)\s*(\d{4})"
    r"|đến năm\s*(\d{4})"
)
_START = re.compile(
    r"^(?:bắt đầu\s+)?từ\s+(?:ngày\s*)?(?:\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}"
    r"|\d{1,2}\s*tháng\s*\d{1,2}\s*năm\s*\d{4}|tháng\s*\d{1,2}\s*[/-]\s*\d{4})"
)
_UNTIL = re.compile(r"\s*(?:đến|tới|[-–—])\s*(?:hết\s+)?(?:ngày\s*)?")
_YEAR = re.compile(r"(?:^|\bnăm\s*)(\d{4})\b")
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_timing(text: str | None) -> Timing:
    """Classify a timing text; the due date is the last day the wording allows.

    "trước tháng 12/2025" is read strictly (by 30/11/2025); "Năm 2025" is a deadline at
    the year's end (the engine stores it as a year); anything conditional is unknown.
    """
    raw = re.sub(r"\s+", " ", text or "").strip(" .;:")
    if not raw:
        return Timing("unknown", None, None)
    t = fold(raw)
    start = _START.match(t)
    if start:
        # "Từ 01/7/2025" names when the work starts, not when it is due; "từ … đến …"
        # is due at its end.
        end = _UNTIL.search(t, start.end())
        if not end:
            return Timing("ongoing" if _ONGOING.search(t) else "unknown", raw, None)
        t = t[end.end() :]
    if _ONGOING.search(t):
        return Timing("ongoing", raw, None)
    if _CONDITIONAL.search(t):
        return Timing("unknown", raw, None)
    steps = [step for step in t.split(";") if step.strip(" -")]
    if len(steps) > 1:
        # "Trình UBTVQH … (tháng 4/2025); Trình Quốc hội … (tháng 5/2025)": the work is
        # done with its last step
        for step in reversed(steps):
            last = parse_timing(step)
            if last.due:
                return Timing(last.kind, raw, last.due)
    m = _FULL_DATE.search(t)
    if m:
        d, mo, y = (int(g) for g in (m.groups()[:3] if m.group(1) else m.groups()[3:]))
        due = _safe_date(y, mo, d)
        return Timing("deadline" if due else "unknown", raw, due)
    m = _MONTH.search(t)
    if m and 1 <= int(m.group(2)) <= 12:
        end = _month_end(int(m.group(3)), int(m.group(2)))
        if m.group(1):
            return Timing("deadline", raw, end.replace(day=1) - timedelta(days=1))
        return Timing("period", raw, end)
    m = _QUARTER.search(t)
    if m:
        q, year = _QUARTERS[m.group(2)], int(m.group(3))
        end = _month_end(year, 3 * q)
        if m.group(1):
            return Timing(
                "deadline", raw, _month_end(year, 3 * q - 2).replace(day=1) - timedelta(days=1)
            )
        return Timing("period", raw, end)
    m = _HALF.search(t)
    if m:
        year = int(m.group(2))
        return Timing(
            "period", raw, date(year, 6, 30) if m.group(1) == "đầu" else date(year, 12, 31)
        )
    m = _RANGE.search(t)
    if m:
        end_year = int(m.group(2) or m.group(3))
        return Timing("period", raw, date(end_year, 12, 31))
    m = _YEAR.search(t)
    if m:
        return Timing("deadline", raw, date(int(m.group(1)), 12, 31))
    return Timing("unknown", raw, None)

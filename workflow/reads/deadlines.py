"""Due dates as users see them: today in Việt Nam, overdue, due soon."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from workflow.core.machine import APPROVED

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DUE_SOON_DAYS = 3


def local_today() -> date:
    """Today in Việt Nam: deadlines are local dates."""
    return datetime.now(LOCAL_TZ).date()


def is_overdue(due: date | None, state: str, today: date) -> bool:
    return due is not None and state != APPROVED and due < today


def is_due_soon(due: date | None, state: str, today: date, days: int = DUE_SOON_DAYS) -> bool:
    """Not yet approved, due today or within `days` days (not overdue yet)."""
    return due is not None and state != APPROVED and today <= due <= today + timedelta(days=days)

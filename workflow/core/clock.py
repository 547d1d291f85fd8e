"""Time as the Department sees it: stored UTC, dates and deadlines in Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def today_local() -> date:
    return datetime.now(LOCAL).date()


def local_date(utc_naive: datetime) -> date:
    """The local calendar date of a stored (naive UTC) timestamp."""
    return utc_naive.replace(tzinfo=UTC).astimezone(LOCAL).date()


def parse_iso(text: str) -> date:
    return date.fromisoformat(text)

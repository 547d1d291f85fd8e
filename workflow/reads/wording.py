"""How people, trail actions, items and plans are named to users: the one home of these
Vietnamese labels (the pages translate them with gettext, the reports print them as they
are) and the bulk look-up of people's names. No Flask here.

A person is shown by full name and unit, "Nguyễn Văn A (Văn phòng Sở)", never by login;
the engine's own actions are the "Hệ thống"'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Unit, User
from workflow.core import machine

SYSTEM_USERNAME = "system"  # workflow.accounts.users.SYSTEM
SYSTEM_NAME = "Hệ thống"
NO_PLAN_NUMBER = "(chưa có số)"

# Every action the trail holds (trail.KNOWN_ACTIONS), the machine's transitions first.
EVENT_LABELS: dict[str, str] = {
    **machine.ACTION_LABELS,
    "create": "Tạo mới",
    "edit": "Sửa nội dung",
    "comment": "Ý kiến",
    "attach": "Đính kèm tệp",
    "detach": "Gỡ tệp",
    "vote": "Bỏ phiếu",
    "contribute": "Ý kiến đơn vị phối hợp",
    "delegate": "Ủy quyền",
    "revoke": "Chấm dứt ủy quyền",
    "periodic_reports": "Tạo báo cáo định kỳ",
    "remind": "Gửi nhắc việc",
    "change_due_date": "Đổi hạn hoàn thành",
    "api_token_issue": "Cấp mã truy cập API",
    "api_token_revoke": "Hủy mã truy cập API",
    "set_roles": "Đổi vai trò",
    "deactivate": "Khóa tài khoản",
    "reactivate": "Mở khóa tài khoản",
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập không thành công",
    "login_throttled": "Tạm chặn đăng nhập sai nhiều lần",
    "logout": "Đăng xuất",
    "password_change": "Đổi mật khẩu",
    "download": "Tải xuống",
    "delete": "Xóa dự thảo",
}

# What an event is about (its item_type).
ITEM_TYPE_LABELS: dict[str, str] = {
    "task": "Nhiệm vụ",
    "deliverable": "Sản phẩm",
    "user": "Người dùng",
    "plan": "Kế hoạch",
    "delegation": "Ủy quyền",
    "contribution": "Ý kiến đơn vị phối hợp",
    "attachment": "Tệp đính kèm",
    "report": "Báo cáo kết quả",
    "commendation": "Dự thảo quyết định khen thưởng",
    "audit_export": "Xuất nhật ký (CSV)",
    "reminder": "Nhắc việc",
}


def person(full_name: str | None, unit: str | None, username: str = "") -> str:
    """ "Nguyễn Văn A (Văn phòng Sở)"; the system is "Hệ thống"; the login only when the
    name is unknown (a user since removed)."""
    if username == SYSTEM_USERNAME:
        return SYSTEM_NAME
    name = (full_name or "").strip() or username
    return f"{name} ({unit})" if unit and name else name


def people(session: Session, usernames: Iterable[str | None]) -> dict[str, tuple[str, str]]:
    """username → (full name, current unit name) for many users in one query."""
    wanted = sorted({u for u in usernames if u and u != SYSTEM_USERNAME})
    if not wanted:
        return {}
    return {
        username: (full_name, unit or "")
        for username, full_name, unit in session.execute(
            select(User.username, User.full_name, Unit.name)
            .outerjoin(Unit, Unit.id == User.unit_id)
            .where(User.username.in_(wanted))
        )
    }


def display_names_from(
    found: dict[str, tuple[str, str]], usernames: Iterable[str | None]
) -> dict[str, str]:
    """username → "Nguyễn Văn A (Văn phòng Sở)" from what `people` found."""
    shown = {u: person(*found[u], username=u) for u in found}
    if SYSTEM_USERNAME in set(usernames):
        shown[SYSTEM_USERNAME] = SYSTEM_NAME
    return shown


def display_names(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    """username → "Nguyễn Văn A (Văn phòng Sở)" (their unit today), in one query."""
    usernames = list(usernames)
    return display_names_from(people(session, usernames), usernames)


def has_plan_number(number: str | None) -> bool:
    """ "12/KH-SCT" has one; "/KH-SCT" (the number left blank, as issued) has not."""
    return bool(re.search(r"\d", (number or "").split("/")[0]))


def plan_number(number: str | None) -> str:
    """ "số 12/KH-SCT", or "(chưa có số)" for a plan issued with its number left blank."""
    return f"số {number.strip()}" if number and has_plan_number(number) else NO_PLAN_NUMBER


def plan_name(number: str | None, title: str) -> str:
    """ "Kế hoạch số 12/KH-SCT: <title>" / "Kế hoạch (chưa có số): <title>"."""
    return f"Kế hoạch {plan_number(number)}: {title}"

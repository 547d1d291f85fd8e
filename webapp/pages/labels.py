"""Labels and formats for what issue 5 added: trail actions that are not transitions (votes,
contributions, delegations), delegation statuses, periods, and time spent in a state."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.i18n import action_label, current_language, item_type_label
from webapp.pages import bp

EVENT_LABELS = {
    "vote": _l("Bỏ phiếu"),
    "contribute": _l("Ý kiến đơn vị phối hợp"),
    "delegate": _l("Ủy quyền"),
    "revoke": _l("Chấm dứt ủy quyền"),
    "periodic_reports": _l("Tạo báo cáo định kỳ"),
    "remind": _l("Gửi nhắc việc"),
    "detach": _l("Gỡ tệp"),
    "delete": _l("Xóa dự thảo"),
    "change_due_date": _l("Đổi hạn hoàn thành"),
    "api_token_issue": _l("Cấp mã truy cập API"),
    "api_token_revoke": _l("Hủy mã truy cập API"),
    "login": _l("Đăng nhập"),
    "login_failed": _l("Đăng nhập không thành công"),
    "login_throttled": _l("Tạm chặn đăng nhập sai nhiều lần"),
    "logout": _l("Đăng xuất"),
    "password_change": _l("Đổi mật khẩu"),
    "download": _l("Tải xuống"),
}
ITEM_LABELS = {
    "delegation": _l("Ủy quyền"),
    "contribution": _l("Ý kiến đơn vị phối hợp"),
    "attachment": _l("Tệp đính kèm"),
    "report": _l("Báo cáo kết quả"),
    "commendation": _l("Dự thảo quyết định khen thưởng"),
    "audit_export": _l("Xuất nhật ký (CSV)"),
}
DELEGATION_STATUS_LABELS = {
    "active": _l("Đang có hiệu lực"),
    "upcoming": _l("Chưa đến ngày"),
    "expired": _l("Đã hết hạn"),
    "revoked": _l("Đã chấm dứt"),
}


@bp.app_template_filter("event_label")
def event_label(action: str) -> str:
    """A trail action's name: the machine's and the editing actions', then issue 5's."""
    if action in EVENT_LABELS:
        return str(EVENT_LABELS[action])
    return action_label(action)


@bp.app_template_filter("event_item_label")
def event_item_label(kind: str | None) -> str:
    if kind in ITEM_LABELS:
        return str(ITEM_LABELS[kind])
    return item_type_label(kind)


@bp.app_template_filter("delegation_status")
def delegation_status(status: str) -> str:
    return str(DELEGATION_STATUS_LABELS.get(status, status))


@bp.app_template_filter("period_label")
def period_label(first: date, months: int = 1) -> str:
    """ "tháng 11/2025" or "quý IV/2025" (as workflow.items.periodic names a report's period)."""
    if months == 3:
        quarter = ("I", "II", "III", "IV")[(first.month - 1) // 3]
        return _("quý %(q)s/%(y)d", q=quarter, y=first.year)
    return _("tháng %(m)02d/%(y)d", m=first.month, y=first.year)


def _number(value: float) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return text.replace(".", ",") if current_language() == "vi" else text


@bp.app_template_filter("duration")
def duration(hours: float | None) -> str:
    """Time spent in a state: "45 phút", "5,2 giờ", "3,4 ngày"; "—" when unknown."""
    if hours is None:
        return "—"
    if hours < 1:
        return _("%(n)s phút", n=str(round(hours * 60)))
    if hours < 48:
        return _("%(n)s giờ", n=_number(hours))
    return _("%(n)s ngày", n=_number(hours / 24))


@bp.app_template_filter("percent")
def percent(value: float) -> str:
    return _number(round(value, 1)) + "%"


@bp.app_template_filter("iso_ddmmyyyy")
def iso_ddmmyyyy(value: str | None) -> str:
    """An ISO date kept as text (in the trail's details) as dd/mm/yyyy."""
    try:
        return date.fromisoformat(value or "").strftime("%d/%m/%Y")
    except ValueError:
        return value or ""

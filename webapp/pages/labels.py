"""Labels and formats the pages share: delegation statuses, periods, time spent in a state,
people ("Nguyễn Văn A (Văn phòng Sở)"), plan numbers, a trail event's details in words,
who acts next on an item and what a flash says after an action. The names of trail actions
and item types live in workflow.reads.wording (translated through webapp.i18n)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.i18n import action_label, current_language, item_type_label, role_label
from webapp.pages import bp
from workflow.core import machine
from workflow.reads import wording

DELEGATION_STATUS_LABELS = {
    "active": _l("Đang có hiệu lực"),
    "upcoming": _l("Chưa đến ngày"),
    "expired": _l("Đã hết hạn"),
    "revoked": _l("Đã chấm dứt"),
}


@bp.app_template_filter("event_label")
def event_label(action: str) -> str:
    """A trail action's name (workflow.reads.wording names every one)."""
    return action_label(action)


@bp.app_template_filter("event_item_label")
def event_item_label(kind: str | None) -> str:
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


# --- people and plans ----------------------------------------------------------------------


@bp.app_template_filter("person")
def person(shown: str | None, username: str = "") -> str:
    """A person as workflow shows them ("Nguyễn Văn A (Văn phòng Sở)"), "Hệ thống"
    translated; the login only if nothing better is known."""
    if username == wording.SYSTEM_USERNAME or shown == wording.SYSTEM_NAME:
        return _(wording.SYSTEM_NAME)
    return shown or username


@bp.app_template_filter("plan_number")
def plan_number(number: str | None) -> str:
    """ "số 12/KH-SCT", or "(chưa có số)" for a plan issued with its number left blank."""
    if wording.has_plan_number(number):
        return _("số %(number)s", number=(number or "").strip())
    return _(wording.NO_PLAN_NUMBER)


@bp.app_template_test("numbered")
def numbered(number: str | None) -> bool:
    """A plan number with its number filled in (not "/KH-SCT" as issued blank)."""
    return wording.has_plan_number(number)


# --- a trail event's details, in words (the page and the CSV say the same) ----------------

_CHANGED_FIELDS = {
    "title": _l("tiêu đề"),
    "body": _l("nội dung"),
    "due_date": _l("hạn"),
    "data": _l("thông tin theo loại"),
}
_FREQUENCIES = {"monthly": _l("hằng tháng"), "quarterly": _l("hằng quý")}
_DOWNLOAD_FORMATS = {"csv": "CSV", "docx": ".docx", "xlsx": ".xlsx"}


def _cut(text: object, length: int = 120) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _roles(codes: object) -> str:
    return ", ".join(role_label(r) for r in codes) if isinstance(codes, list) else ""


def detail_text(action: str, detail: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """What an event's detail says, in words: never its JSON. `names` maps the logins the
    detail holds to how they are shown."""
    d, names = detail or {}, names or {}

    def who(login: object) -> str:
        return person(names.get(str(login), ""), str(login)) if login else ""

    if action == "edit" and d.get("changes"):
        fields = ", ".join(str(_CHANGED_FIELDS.get(f, f)) for f in d["changes"])
        return _("Sửa: %(fields)s", fields=fields)
    if action in ("attach", "detach") and d.get("filename"):
        return str(d["filename"])
    if action == "comment":
        return _cut(d.get("body"))
    if action == "delete" and d.get("title"):
        return _cut(d["title"])
    if action == "create":
        if d.get("title"):
            return _cut(d["title"])
        if d.get("username"):
            roles = _roles(d.get("roles"))
            return who(d["username"]) + (f": {roles}" if roles else "")
        if "tasks" in d:
            return _("%(t)s nhiệm vụ, %(d)s sản phẩm", t=d["tasks"], d=d.get("deliverables", 0))
    if action in ("deactivate", "reactivate") and d.get("username"):
        return who(d["username"])
    if action == "set_roles" and d.get("username"):
        return _(
            "%(who)s: %(old)s → %(new)s",
            who=who(d["username"]),
            old=_roles(d.get("from")) or "—",
            new=_roles(d.get("to")) or "—",
        )
    if action == "vote":
        text = _("Tán thành") if d.get("in_favour") else _("Không tán thành")
        text += " (" + _(
            "%(yes)s/%(quorum)s phiếu tán thành", yes=d.get("votes_for"), quorum=d.get("quorum")
        )
        text += ")" + (f": {_cut(d['comment'])}" if d.get("comment") else "")
        return text
    if action == "review" and d.get("council"):
        return _(
            "Đủ %(yes)s/%(quorum)s phiếu tán thành của %(council)s",
            yes=d.get("votes_for"),
            quorum=d.get("quorum"),
            council=d["council"],
        )
    if action == "contribute":
        files = d.get("files") or []
        return f"{d.get('unit', '')}: {_cut(d.get('body'))}" + (
            f" ({', '.join(map(str, files))})" if files else ""
        )
    if action == "delegate":
        return _(
            "cho %(who)s, %(start)s – %(end)s",
            who=who(d.get("delegate")),
            start=iso_ddmmyyyy(d.get("starts_on")),
            end=iso_ddmmyyyy(d.get("ends_on")),
        )
    if action == "change_due_date":
        return _(
            "Hạn: %(old)s → %(new)s",
            old=iso_ddmmyyyy(d.get("from")) or "—",
            new=iso_ddmmyyyy(d.get("to")),
        )
    if action == "periodic_reports":
        return _(
            "%(n)s báo cáo mới (%(how)s)",
            n=d.get("created", 0),
            how=str(_FREQUENCIES.get(d.get("frequency"), d.get("frequency", ""))),
        )
    if action == "remind":
        return _(
            "%(m)s thư nhắc cho %(u)s đơn vị; %(e)s mục quá hạn báo Văn phòng Sở",
            m=d.get("messages", 0),
            u=d.get("units", 0),
            e=d.get("escalated", 0),
        )
    if action == "api_token_issue" and d.get("expires_at"):
        return _("hết hạn %(d)s", d=iso_ddmmyyyy(str(d["expires_at"])[:10]))
    if action == "download":
        if d.get("filename"):
            return str(d["filename"])
        if d.get("format"):
            return _("định dạng %(f)s", f=_DOWNLOAD_FORMATS.get(d["format"], d["format"]))
    if action in machine.ACTIONS and d.get("version"):
        return _("phiên bản %(v)s", v=d["version"])
    return ""


@bp.app_template_filter("event_detail")
def event_detail(e) -> str:
    """An EventRow's details in words (its names already resolved in bulk)."""
    return detail_text(e.action, e.detail, e.names)


# --- who acts next, and what a flash says after an action ---------------------------------


@bp.app_template_filter("next_step")
def next_step(item) -> str:
    """The sticky bar's "who acts next" for an ItemDetail, by its state."""
    if item.state == machine.DRAFT:
        return _("Chờ %(unit)s hoàn thiện và trình", unit=item.unit_name or _("đơn vị chủ trì"))
    if item.state == machine.SUBMITTED:
        if getattr(item, "council", None) is not None:
            return _("Chờ %(council)s biểu quyết", council=item.council.name)
        return _("Chờ Văn phòng Sở thẩm định")
    if item.state == machine.REVIEWED:
        return _("Chờ Giám đốc phê duyệt")
    return _("Đã phê duyệt: không còn bước nào phải làm")


def after_action(kind: str, action: str, from_state: str, council: bool = False) -> str:
    """The flash after a workflow action: what was done and what happens next, in words."""
    if action == "submit":
        if council:
            return _("Đã trình. Hội đồng sẽ biểu quyết; đủ phiếu tán thành là Đã thẩm định.")
        return _("Đã trình. Văn phòng Sở sẽ thẩm định.")
    if action == "withdraw":
        return _("Đã thu hồi về Dự thảo. Bạn có thể sửa rồi trình lại.")
    if action == "review":
        return _("Đã thẩm định. Chờ Giám đốc phê duyệt.")
    if action == "return":
        if from_state == machine.REVIEWED:
            return _("Đã trả lại đơn vị chủ trì kèm lý do. Đơn vị sửa rồi trình lại từ đầu.")
        return _("Đã trả lại kèm lý do. Đơn vị chủ trì sẽ sửa rồi trình lại.")
    if action == "send_back":
        return _("Đã chuyển Văn phòng Sở thẩm định lại kèm lý do.")
    if action == "approve":
        if kind == "task":
            return _("Đã phê duyệt. Nhiệm vụ đã hoàn thành; chỉ Giám đốc mới mở lại được.")
        return _("Đã phê duyệt. Sản phẩm đã hoàn thành; chỉ Giám đốc mới mở lại được.")
    if action == "reopen":
        return _("Đã mở lại về Dự thảo kèm lý do. Đơn vị chủ trì sẽ sửa rồi trình lại.")
    return _("Đã %(action)s.", action=action_label(action).lower())


# Actions the page asks to confirm with a ticked box (the server refuses them without it).
CONFIRMED_ACTIONS = ("submit", "withdraw", "approve")


def confirm_needed(action: str) -> str:
    """The message when a confirmed action comes without its box ticked."""
    if action == "submit":
        return _("Hãy đánh dấu ô xác nhận trước khi trình.")
    if action == "withdraw":
        return _("Hãy đánh dấu ô xác nhận trước khi thu hồi.")
    return _("Hãy đánh dấu ô xác nhận trước khi phê duyệt.")

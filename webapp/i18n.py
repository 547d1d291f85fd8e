"""Language and formats: Vietnamese by default, English on request; dd/mm/yyyy dates and
Asia/Ho_Chi_Minh times (the database stores naive UTC).

The English catalogue is `webapp/translations/en/LC_MESSAGES/messages.po`; it is compiled
to a `.mo` under the instance folder when the app starts (compiled files are build
outputs and are never committed).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, request, session
from flask_babel import get_locale, gettext, lazy_gettext

from workflow.core.machine import STATE_LABELS
from workflow.core.policy import ROLE_LABELS
from workflow.items import kinds
from workflow.reads.wording import EVENT_LABELS, ITEM_TYPE_LABELS

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SOURCE = Path(__file__).resolve().parent / "translations"


def N_(text: str) -> str:
    """Marks a text for `pybabel extract` only (translated where it is shown)."""
    return text


# The labels workflow/ defines (states, actions, roles), listed here so that extraction
# keeps them in the catalogue; tests check this list covers workflow's labels.
WORKFLOW_LABELS = (
    N_("Dự thảo"),
    N_("Đã trình"),
    N_("Đã thẩm định"),
    N_("Đã phê duyệt"),
    N_("Trình"),
    N_("Thu hồi"),
    N_("Thẩm định"),
    N_("Trả lại"),
    N_("Chuyển thẩm định lại"),
    N_("Phê duyệt"),
    N_("Mở lại"),
    N_("Chuyên viên"),
    N_("Thẩm định (Văn phòng Sở)"),
    N_("Phó Giám đốc"),
    N_("Giám đốc"),
    N_("Quản trị"),
    N_("Kiểm tra nhật ký"),
    # workflow.items.kinds: kinds, committee roles, nominee types, report sections, named files
    N_("Văn bản"),
    N_("Ban Chỉ đạo"),
    N_("Quy chế"),
    N_("Đề nghị khen thưởng"),
    N_("Báo cáo định kỳ"),
    N_("Trưởng ban"),
    N_("Phó Trưởng ban"),
    N_("Thành viên"),
    N_("Tập thể"),
    N_("Cá nhân"),
    N_("Công việc đã thực hiện"),
    N_("Kết quả đạt được"),
    N_("Khó khăn, vướng mắc"),
    N_("Đề xuất, kiến nghị"),
    N_("Quy chế làm việc của Ban Chỉ đạo"),
    N_("Thông báo phân công nhiệm vụ thành viên"),
    # workflow.reads.wording: every trail action and item type, the system, a plan without number
    N_("Tạo mới"),
    N_("Sửa nội dung"),
    N_("Ý kiến"),
    N_("Đính kèm tệp"),
    N_("Gỡ tệp"),
    N_("Bỏ phiếu"),
    N_("Ý kiến đơn vị phối hợp"),
    N_("Ủy quyền"),
    N_("Chấm dứt ủy quyền"),
    N_("Tạo báo cáo định kỳ"),
    N_("Gửi nhắc việc"),
    N_("Đổi hạn hoàn thành"),
    N_("Cấp mã truy cập API"),
    N_("Hủy mã truy cập API"),
    N_("Xóa dự thảo"),
    N_("Đổi vai trò"),
    N_("Khóa tài khoản"),
    N_("Mở khóa tài khoản"),
    N_("Đăng nhập"),
    N_("Đăng nhập không thành công"),
    N_("Tạm chặn đăng nhập sai nhiều lần"),
    N_("Đăng xuất"),
    N_("Đổi mật khẩu"),
    N_("Tải xuống"),
    N_("Nhiệm vụ"),
    N_("Sản phẩm"),
    N_("Người dùng"),
    N_("Kế hoạch"),
    N_("Tệp đính kèm"),
    N_("Báo cáo kết quả"),
    N_("Dự thảo quyết định khen thưởng"),
    N_("Xuất nhật ký (CSV)"),
    N_("Nhắc việc"),
    N_("Hệ thống"),
    N_("(chưa có số)"),
)

# The deliverable kinds' labels (workflow.items.kinds; their literals are in WORKFLOW_LABELS).
KIND_LABELS = {name: lazy_gettext(label) for name, label in kinds.KIND_LABELS.items()}
UNIT_KIND_LABELS = {
    "office": lazy_gettext("Văn phòng"),
    "division": lazy_gettext("Phòng"),
    "sub_department": lazy_gettext("Chi cục"),
    "leadership": lazy_gettext("Lãnh đạo"),
}


def compile_catalogues(target: Path) -> Path:
    """Compile every .po under webapp/translations into `target` when it is newer."""
    for po in SOURCE.glob("*/LC_MESSAGES/*.po"):
        mo = target / po.relative_to(SOURCE).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        tmp = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            write_mo(f, catalog)
        os.replace(tmp, mo)
    return target


def select_locale() -> str:
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def language_url(lang: str) -> str:
    """This page again, in another language (its other query parameters kept); after a
    form was posted, the page it came from (a POST address cannot be fetched again)."""
    if request.method != "GET":
        return (g.get("back_url") or "/") + "?" + urlencode({"lang": lang})
    args = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    return request.path + "?" + urlencode(args, doseq=True)


def remember_language() -> None:
    """`?lang=en` (or vi) on any page switches the language for the rest of the session."""
    lang = request.args.get("lang")
    if lang in LANGUAGES and session.get("lang") != lang:
        session["lang"] = lang


# --- formats ---------------------------------------------------------------------------


def ddmmyyyy(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value)
    return value.strftime("%d/%m/%Y")


def local(value: datetime) -> datetime:
    """A stored (naive UTC) time in Việt Nam."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return aware.astimezone(LOCAL_TZ)


def local_time(value: datetime | None, seconds: bool = False) -> str:
    if value is None:
        return ""
    return local(value).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def state_label(state: str | None) -> str:
    return gettext(STATE_LABELS[state]) if state in STATE_LABELS else (state or "")


def action_label(action: str) -> str:
    """Any trail action's label (workflow.reads.wording has them all); the code if unknown."""
    return gettext(EVENT_LABELS[action]) if action in EVENT_LABELS else action


def role_label(role: str) -> str:
    return gettext(ROLE_LABELS[role]) if role in ROLE_LABELS else role


def kind_label(kind: str | None) -> str:
    return str(KIND_LABELS.get(kind or "", kind or ""))


def item_type_label(kind: str | None) -> str:
    return gettext(ITEM_TYPE_LABELS[kind]) if kind in ITEM_TYPE_LABELS else (kind or "")


def unit_kind_label(kind: str) -> str:
    return str(UNIT_KIND_LABELS.get(kind, kind))


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    text = f"{size / 1024 / 1024:.1f} MB"
    return text.replace(".", ",") if current_language() == "vi" else text


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def init_app(app: Flask) -> None:
    compiled = compile_catalogues(Path(app.instance_path) / "translations")
    babel = app.extensions["babel"]
    babel.default_locale = DEFAULT_LANGUAGE
    babel.default_timezone = "Asia/Ho_Chi_Minh"
    babel.translation_directories = [str(compiled)]
    babel.locale_selector = select_locale
    app.before_request(remember_language)
    app.jinja_env.filters.update(
        ddmmyyyy=ddmmyyyy,
        local_time=local_time,
        state_label=state_label,
        action_label=action_label,
        role_label=role_label,
        kind_label=kind_label,
        item_type_label=item_type_label,
        unit_kind_label=unit_kind_label,
        file_size=file_size,
        tr=gettext,
    )
    app.jinja_env.globals.update(
        current_language=current_language, language_url=language_url, LANGUAGES=LANGUAGES
    )

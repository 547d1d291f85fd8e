"""Helpers the page views share: the actor, the client address, input parsing, forms."""

from __future__ import annotations

from datetime import date, datetime

from flask import g, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.converters import MAX_ID
from workflow.core.errors import InvalidInput
from workflow.core.policy import Actor

MIN_YEAR, MAX_YEAR = 1900, 2999  # as the API's (webapp/api/parsing.py)


def actor() -> Actor:
    return current_user.actor


def client_addr() -> str:
    return (request.remote_addr or "unknown")[:64]


def back_to(url: str) -> None:
    """Where an error page's "go back" link leads."""
    g.back_url = url


def id_arg(name: str) -> int | None:
    """An id (or other whole number) from the query string, or None when it is not one the
    database can hold: a 20-digit value must not reach SQLite as an overflow (a 500)."""
    text = (request.args.get(name) or "").strip()
    return int(text) if text.isdigit() and int(text) <= MAX_ID else None


def parse_date(text: str | None) -> date | None:
    """dd/mm/yyyy (as shown everywhere) or yyyy-mm-dd; empty means no date."""
    text = (text or "").strip()
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if MIN_YEAR <= parsed.year <= MAX_YEAR:  # keeps date arithmetic in range
            return parsed
        break
    raise InvalidInput(_("Ngày “%(text)s” không hợp lệ; hãy nhập theo dạng dd/mm/yyyy.", text=text))


def parse_version(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        raise InvalidInput(_("Thiếu phiên bản của mục; hãy tải lại trang rồi thử lại.")) from None


# --- forms (CSRF comes with each FlaskForm) ----------------------------------------------


class ButtonForm(FlaskForm):
    """A form that is only a button (and its CSRF token)."""


class ActionForm(FlaskForm):
    action = HiddenField()
    version = HiddenField()
    reason = TextAreaField(_l("Lý do"), validators=[Optional(), Length(max=4000)])
    confirm = BooleanField(_l("Tôi đã xem xét và xác nhận phê duyệt."))
    # Ủy quyền: the username whose delegated authority is used ("" = my own).
    on_behalf_of = StringField(validators=[Optional(), Length(max=80)])


class EditForm(FlaskForm):
    version = HiddenField()
    title = StringField(_l("Tiêu đề"), validators=[DataRequired(), Length(max=500)])
    body = TextAreaField(_l("Nội dung"), validators=[Length(max=200_000)])


class DueDateForm(FlaskForm):
    """The Office reviewer's or the Director's change of a due date (the plan's)."""

    version = HiddenField()
    due_date = StringField(_l("Hạn hoàn thành mới (dd/mm/yyyy)"), validators=[Length(max=10)])
    reason = TextAreaField(_l("Lý do đổi hạn"), validators=[Length(max=4000)])


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Ý kiến"), validators=[DataRequired(), Length(max=10_000)])


class UploadForm(FlaskForm):
    file = FileField(_l("Tệp (PDF, DOCX, XLSX, PNG, JPG; tối đa 20 MB)"))
    back = HiddenField()


class NewDeliverableForm(FlaskForm):
    title = StringField(_l("Tiêu đề sản phẩm"), validators=[DataRequired(), Length(max=500)])
    kind = SelectField(_l("Loại"), choices=[])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=80)])
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(), Length(max=200)])
    email = StringField(
        _l("Thư điện tử"),
        validators=[
            Optional(),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Địa chỉ thư không hợp lệ.")),
            Length(max=200),
        ],
    )
    unit = SelectField(_l("Đơn vị"), choices=[])
    roles = MultiCheckboxField(_l("Vai trò"), choices=[])
    password = PasswordField(_l("Mật khẩu ban đầu (ít nhất 10 ký tự)"), validators=[DataRequired()])


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(_l("Vai trò"), choices=[])


class VoteForm(FlaskForm):
    vote = HiddenField()  # "for" | "against" (the button pressed)
    comment = TextAreaField(_l("Ý kiến của thành viên Hội đồng"), validators=[Length(max=4000)])


class DelegationForm(FlaskForm):
    delegate = SelectField(_l("Người được ủy quyền"), choices=[])
    starts_on = StringField(_l("Từ ngày (dd/mm/yyyy)"), validators=[DataRequired(), Length(max=10)])
    ends_on = StringField(_l("Đến ngày (dd/mm/yyyy)"), validators=[DataRequired(), Length(max=10)])
    note = TextAreaField(
        _l("Ghi chú (ví dụ: nghỉ phép, đi công tác)"), validators=[Length(max=1000)]
    )


class RevokeForm(FlaskForm):
    confirm = BooleanField(_l("Tôi xác nhận chấm dứt ủy quyền này."))


class ContributionForm(FlaskForm):
    body = TextAreaField(_l("Ý kiến đóng góp"), validators=[Length(max=200_000)])

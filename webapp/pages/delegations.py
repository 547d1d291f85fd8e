"""Ủy quyền: delegating one's authority (Director, Deputy Director, Office reviewer) to a
colleague for a date range, the list of delegations given and received, and revoking."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from webapp import db
from webapp.pages import bp
from webapp.pages.common import (
    DelegationForm,
    RevokeForm,
    actor,
    back_to,
    client_addr,
    parse_date,
)
from workflow.core import clock
from workflow.core.errors import InvalidInput
from workflow.items import delegation
from workflow.reads.delegations import check_can_delegate, delegations_page
from workflow.reads.wording import display_names


def _page(form: DelegationForm, error: str | None = None, status: int = 200):
    page = delegations_page(db.session(), actor())
    form.delegate.choices = [("", _("— Chọn người được ủy quyền —"))] + [
        (c.username, f"{c.full_name} ({c.username}) · {c.unit_name}") for c in page.colleagues
    ]
    return (
        render_template(
            "pages/delegations.html", page=page, form=form, revoke_form=RevokeForm(), error=error
        ),
        status,
    )


@bp.get("/delegations")
@login_required
def delegations():
    """Any signed-in user: the delegations they gave and received (an administrator: all);
    the form to delegate is shown to Directors, Deputy Directors and reviewers."""
    form = DelegationForm()
    form.starts_on.data = clock.today_local().strftime("%d/%m/%Y")
    return _page(form)


@bp.post("/delegations")
@login_required
def new_delegation():
    """A Director, Deputy Director or Office reviewer (403 otherwise) delegates their own
    authority; a bad date or colleague gives the form back with the reason (400)."""
    back_to(url_for("pages.delegations"))
    check_can_delegate(actor())  # before reading the form
    form = DelegationForm()
    try:
        starts_on, ends_on = parse_date(form.starts_on.data), parse_date(form.ends_on.data)
        note = (form.note.data or "").strip()
        if not form.delegate.data or starts_on is None or ends_on is None:
            raise InvalidInput(_("Hãy nhập đủ người được ủy quyền, ngày bắt đầu và ngày kết thúc."))
        if len(note) > 1000:
            raise InvalidInput(_("Ghi chú không quá 1.000 ký tự."))
        created = delegation.delegate(
            db.session(),
            actor(),
            delegate_username=form.delegate.data,
            starts_on=starts_on,
            ends_on=ends_on,
            note=note,
            client_addr=client_addr(),
        )
    except InvalidInput as error:
        return _page(form, error.message, 400)
    flash(
        _(
            "Đã ủy quyền cho %(who)s từ %(start)s đến %(end)s.",
            who=display_names(db.session(), [form.delegate.data]).get(form.delegate.data, ""),
            start=created.starts_on.strftime("%d/%m/%Y"),
            end=created.ends_on.strftime("%d/%m/%Y"),
        ),
        "success",
    )
    return redirect(url_for("pages.delegations"), 303)


@bp.post("/delegations/<int:delegation_id>/revoke")
@login_required
def revoke_delegation(delegation_id: int):
    """The delegator or an administrator, after ticking the confirmation: 404 for someone
    else's delegation, 403 for its delegate, 409 if it was already revoked."""
    back_to(url_for("pages.delegations"))
    session = db.session()
    delegation.check_revoke(session, actor(), delegation_id)
    if not RevokeForm().confirm.data:
        raise InvalidInput(_("Hãy đánh dấu ô xác nhận trước khi chấm dứt ủy quyền."))
    delegation.revoke(session, actor(), delegation_id, client_addr=client_addr())
    flash(
        _("Đã chấm dứt ủy quyền; người được ủy quyền không còn thực hiện thay được nữa."),
        "success",
    )
    return redirect(url_for("pages.delegations"), 303)

"""Fixing mistakes without an administrator (issue 12): take a wrong file off a draft, and
delete a mistaken draft the unit added itself. Each asks for confirmation on a page of its
own first (GET), then does it (POST, CSRF, the box ticked); `workflow.items.drafts` decides."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField

from webapp import db
from webapp.pages import bp
from webapp.pages.common import actor, back_to, client_addr, parse_version
from workflow.items import drafts, editing


class ConfirmForm(FlaskForm):
    version = HiddenField()
    back = HiddenField()  # "edit": return to the edit page afterwards
    confirm = BooleanField(_l("Tôi xác nhận."))


def _confirm_page(kind: str, preview, form: ConfirmForm, error: str | None = None, status=200):
    return (
        render_template("pages/confirm_delete.html", what=kind, p=preview, form=form, error=error),
        status,
    )


@bp.route("/attachments/<int:attachment_id>/delete", methods=["GET", "POST"])
@login_required
def delete_attachment(attachment_id: int):
    """Whoever uploaded the file, or a member of the owning unit, while the item is a draft
    (`policy.why_not_remove_attachment`): 404 if they cannot see it, 403 if not theirs,
    409 once submitted. Audited as "detach"; the trail keeps the file's name."""
    session = db.session()
    preview = drafts.removal_preview(session, actor(), attachment_id)
    item = url_for("pages.deliverable", deliverable_id=preview.deliverable_id)
    back_to(item)
    form = ConfirmForm()
    if request.method == "GET":
        form.back.data = request.args.get("back", "")
        return _confirm_page("attachment", preview, form)
    if not form.confirm.data:
        error = _("Hãy đánh dấu ô xác nhận trước khi gỡ tệp.")
        return _confirm_page("attachment", preview, form, error, 400)
    name = editing.remove_attachment(session, actor(), attachment_id, client_addr=client_addr())
    flash(_("Đã gỡ tệp “%(name)s”; nhật ký vẫn ghi lại tệp này.", name=name), "success")
    if form.back.data == "edit":
        return redirect(url_for("pages.edit", deliverable_id=preview.deliverable_id), 303)
    return redirect(item + "#tep", 303)


@bp.route("/deliverables/<int:deliverable_id>/delete", methods=["GET", "POST"])
@login_required
def delete_draft(deliverable_id: int):
    """A draft the unit added itself and never submitted, by its author or a member of the
    owning unit (`policy.why_not_delete_draft`): 404 if they cannot see it, 403 if not
    theirs, 409 if it was ever submitted or is one of the plan's own products. Audited as
    "delete"; the trail keeps every event of the item."""
    session = db.session()
    back_to(url_for("pages.deliverable", deliverable_id=deliverable_id))
    preview = drafts.deletion_preview(session, actor(), deliverable_id)
    form = ConfirmForm()
    if request.method == "GET":
        form.version.data = str(preview.version)
        return _confirm_page("draft", preview, form)
    if not form.confirm.data:
        error = _("Hãy đánh dấu ô xác nhận trước khi xóa dự thảo.")
        return _confirm_page("draft", preview, form, error, 400)
    task_id = drafts.delete_draft(
        session,
        actor(),
        deliverable_id,
        expected_version=parse_version(form.version.data),
        client_addr=client_addr(),
    )
    flash(
        _("Đã xóa dự thảo “%(title)s”; nhật ký vẫn giữ mọi sự kiện của nó.", title=preview.title),
        "success",
    )
    return redirect(url_for("pages.task", task_id=task_id), 303)

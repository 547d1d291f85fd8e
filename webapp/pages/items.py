"""A deliverable's page, editing, workflow actions and comments (tasks share the last two)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from webapp import db
from webapp.i18n import KIND_LABELS
from webapp.pages import bp, kindforms, labels
from webapp.pages.common import (
    ActionForm,
    CommentForm,
    ContributionForm,
    DueDateForm,
    EditForm,
    NewDeliverableForm,
    UploadForm,
    VoteForm,
    actor,
    back_to,
    client_addr,
    parse_date,
    parse_version,
)
from workflow.core import service
from workflow.core.errors import InvalidInput
from workflow.items import editing
from workflow.reads import inbox


def item_url(kind: str, item_id: int) -> str:
    if kind == "task":
        return url_for("pages.task", task_id=item_id)
    return url_for("pages.deliverable", deliverable_id=item_id)


@bp.get("/deliverables/<int:deliverable_id>")
@login_required
def deliverable(deliverable_id: int):
    """Whoever may view it (a member: own unit's drafts, drafts of tasks their unit
    coordinates, anything past draft; reviewers, directors, auditors, admins: all); 404
    otherwise."""
    back_to(url_for("pages.queue"))
    detail = inbox.deliverable_detail(db.session(), actor(), deliverable_id)
    return render_template(
        "pages/deliverable.html",
        item=detail,
        kd=kindforms.display(detail.deliverable_kind or "", detail.data),
        k=kindforms.VOCABULARY,
        comment_form=CommentForm(),
        upload_form=UploadForm(back="view"),
        vote_form=VoteForm(),
        contribution_form=ContributionForm(),
        due_form=_due_form(detail),
    )


def _due_form(detail) -> DueDateForm:
    form = DueDateForm(formdata=None)
    form.version.data = str(detail.version)
    form.due_date.data = detail.due_date.strftime("%d/%m/%Y") if detail.due_date else ""
    return form


@bp.post("/deliverables/<int:deliverable_id>/due-date")
@login_required
def change_due_date(deliverable_id: int):
    """The Office reviewer or the Director (403 otherwise; 404 if unseen), with a reason
    (400 without), not once approved (409): `editing.change_due_date` decides."""
    back = url_for("pages.deliverable", deliverable_id=deliverable_id)
    back_to(back)
    form = DueDateForm()
    session = db.session()
    inbox.ensure_visible(session, actor(), ("deliverable", deliverable_id))
    editing.change_due_date(
        session,
        actor(),
        deliverable_id,
        parse_date(form.due_date.data),
        form.reason.data,
        expected_version=parse_version(form.version.data),
        client_addr=client_addr(),
    )
    flash(_("Đã đổi hạn hoàn thành; việc đổi hạn được ghi vào nhật ký."), "success")
    return redirect(back, 303)


def _edit_page(data, form, kind_values, error: str | None = None, status: int = 200):
    return (
        render_template(
            "pages/edit.html",
            item=data,
            form=form,
            kv=kind_values,
            k=kindforms.VOCABULARY,
            error=error,
        ),
        status,
    )


@bp.route("/deliverables/<int:deliverable_id>/edit", methods=["GET", "POST"])
@login_required
def edit(deliverable_id: int):
    """A member of the owning unit, while the deliverable is a draft: 404 if they cannot
    see it, 403 if not of the owning unit, 409 if it is not a draft or changed meanwhile."""
    back_to(url_for("pages.deliverable", deliverable_id=deliverable_id))
    session = db.session()
    form = EditForm()
    if form.is_submitted():
        kind = request.form.get("kind") or ""
        values = kindforms.from_request(kind, request.form)
        try:
            if not form.validate():
                raise InvalidInput(_("Hãy kiểm tra các ô được đánh dấu."))
            # The due date is the plan's: shown, never read from this form.
            changes = {"title": form.title.data, "body": form.body.data or ""}
            data = kindforms.to_data(kind, values)
            if data is not None:
                changes["data"] = data
            version = editing.edit_deliverable(
                session,
                actor(),
                deliverable_id,
                changes,
                expected_version=parse_version(form.version.data),
                client_addr=client_addr(),
            )
        except InvalidInput as error:
            # The draft as it is now (this also answers 404/403/409 as the save would).
            current = inbox.deliverable_for_edit(session, actor(), deliverable_id)
            shown = kindforms.with_blank_rows(current.kind, values)
            return _edit_page(current, form, shown, error.message, 400)
        flash(_("Đã lưu nội dung (phiên bản %(v)d).", v=version), "success")
        return redirect(url_for("pages.deliverable", deliverable_id=deliverable_id), 303)
    data = inbox.deliverable_for_edit(session, actor(), deliverable_id)
    form.title.data = data.title
    form.body.data = data.body
    form.version.data = str(data.version)
    return _edit_page(data, form, kindforms.for_form(data.kind, data.data))


@bp.post("/tasks/<int:item_id>/act", defaults={"kind": "task"})
@bp.post("/deliverables/<int:item_id>/act", defaults={"kind": "deliverable"})
@login_required
def act(kind: str, item_id: int):
    """Whoever `workflow.core.policy` allows for this action now (perform decides: 404, 403,
    409, 400 for a missing reason), with their own authority or, with `on_behalf_of`, a
    delegation in force today (ủy quyền). Submit, withdraw and approve need the confirmation
    box ticked (400 otherwise, once the action itself would be allowed). The flash says
    what happens next."""
    back = item_url(kind, item_id)
    back_to(back)
    form = ActionForm()
    action = form.action.data or ""
    on_behalf_of = (form.on_behalf_of.data or "").strip() or None
    session = db.session()
    inbox.ensure_visible(session, actor(), (kind, item_id))  # 404 before reading the input
    if action in labels.CONFIRMED_ACTIONS and not form.confirm.data:
        service.check_action(session, actor(), (kind, item_id), action, on_behalf_of)
        raise InvalidInput(labels.confirm_needed(action))
    council = (
        action == "submit"
        and service.load_snapshot(session.connection(), kind, item_id).council_id is not None
    )
    outcome = service.perform(
        session,
        actor(),
        (kind, item_id),
        action,
        reason=form.reason.data,
        expected_version=parse_version(form.version.data),
        client_addr=client_addr(),
        on_behalf_of=on_behalf_of,
    )
    flash(labels.after_action(kind, action, outcome.from_state, council), "success")
    return redirect(back, 303)


@bp.post("/tasks/<int:item_id>/comments", defaults={"kind": "task"})
@bp.post("/deliverables/<int:item_id>/comments", defaults={"kind": "deliverable"})
@login_required
def comment(kind: str, item_id: int):
    """Whoever may view the item (404 otherwise)."""
    back = item_url(kind, item_id)
    back_to(back)
    form = CommentForm()
    editing.add_comment(
        db.session(), actor(), (kind, item_id), form.body.data or "", client_addr=client_addr()
    )
    flash(_("Đã gửi ý kiến."), "success")
    return redirect(back + "#y-kien", 303)


@bp.post("/tasks/<int:task_id>/deliverables")
@login_required
def new_deliverable(task_id: int):
    """A member of one of the task's lead units (403 otherwise); the draft is their unit's."""
    back_to(url_for("pages.task", task_id=task_id))
    form = NewDeliverableForm()
    form.kind.choices = [(k, str(v)) for k in KIND_LABELS for v in [KIND_LABELS[k]]]
    created = editing.create_deliverable(
        db.session(),
        actor(),
        task_id,
        title=form.title.data or "",
        kind=form.kind.data or "document",
        client_addr=client_addr(),
    )
    flash(_("Đã thêm sản phẩm dự thảo; hãy nhập nội dung."), "success")
    return redirect(url_for("pages.edit", deliverable_id=created.id), 303)

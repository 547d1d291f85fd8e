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
from webapp.pages.filecheck import MAX_SIZE
from webapp.pages.files import store_uploads
from workflow.core import service
from workflow.core.errors import InvalidInput, StaleVersion
from workflow.items import drafts, editing
from workflow.reads import item_detail

MAX_FILES = 10


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
    return deliverable_page(deliverable_id)


def deliverable_page(deliverable_id: int, upload_error: str | None = None, status: int = 200):
    """The deliverable's page; `upload_error`: why a file just chosen was refused (shown
    next to the file field of the upload form)."""
    detail = item_detail.deliverable_detail(db.session(), actor(), deliverable_id)
    return (
        render_template(
            "pages/deliverable.html",
            item=detail,
            kd=kindforms.display(detail.deliverable_kind or "", detail.data),
            k=kindforms.VOCABULARY,
            comment_form=CommentForm(formdata=None),
            upload_form=UploadForm(formdata=None, back="view"),
            vote_form=VoteForm(formdata=None),
            contribution_form=ContributionForm(formdata=None),
            due_form=_due_form(detail),
            upload_error=upload_error,
            max_size=MAX_SIZE,
            can_delete=detail.can_edit and drafts.can_delete(db.session(), actor(), deliverable_id),
        ),
        status,
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
    item_detail.ensure_visible(session, actor(), ("deliverable", deliverable_id))
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


def edit_page(
    deliverable_id: int,
    form: EditForm | None = None,
    values: dict | None = None,
    *,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
    removing: frozenset[int] = frozenset(),
    focus: str | None = None,
):
    """The edit form: the draft as stored, or (`form`, `values`) as typed; `errors`: field
    name → what is wrong there; `error`: what is wrong with the whole form. Answers 404,
    403 or 409 as saving would."""
    session = db.session()
    data = item_detail.deliverable_for_edit(session, actor(), deliverable_id)
    if form is None:
        form = EditForm(formdata=None)
        form.title.data = data.title
        form.body.data = data.body
        form.version.data = str(data.version)
    if values is None:
        values = kindforms.for_form(data.kind, data.data)
    errors = dict(errors or {})
    for name, messages in form.errors.items():
        if name != "csrf_token" and messages:
            errors.setdefault(name, messages[0])
    return (
        render_template(
            "pages/edit.html",
            item=data,
            form=form,
            kv=values,
            k=kindforms.VOCABULARY,
            errors=errors,
            error=error,
            note=drafts.return_note(session, deliverable_id),
            removing=removing,
            focus=focus,
            max_size=MAX_SIZE,
        ),
        status,
    )


def _ids(texts: list[str]) -> frozenset[int]:
    return frozenset(int(t) for t in texts if t.isdigit() and len(t) < 12)


@bp.route("/deliverables/<int:deliverable_id>/edit", methods=["GET", "POST"])
@login_required
def edit(deliverable_id: int):
    """A member of the owning unit, while the deliverable is a draft: 404 if they cannot
    see it, 403 if not of the owning unit, 409 if it is not a draft. One form (multipart):
    the fields, files taken off and new files are saved together; on any refusal the form
    comes back as typed, the refusal next to its field."""
    back_to(url_for("pages.deliverable", deliverable_id=deliverable_id))
    if request.method == "GET":
        return edit_page(deliverable_id)
    form = EditForm()
    kind = request.form.get("kind") or ""
    values = kindforms.from_request(kind, request.form)
    removing = _ids(request.form.getlist("remove"))
    uploads = [f for f in request.files.getlist("file") if f and f.filename]
    name = kindforms.VOCABULARY["lists"].get(kind, "")
    if name and f"add_row_{name}" in request.form:  # no JavaScript: one more row, not saved
        shown = kindforms.with_one_more_row(kind, values)
        first = {"members": "full_name", "entries": "type"}.get(name, "")
        focus = f"{name}-{len(shown.get(name) or []) - 1}-{first}"
        error = _("Tệp đã chọn chưa được tải lên; hãy chọn lại tệp khi lưu.") if uploads else None
        return edit_page(deliverable_id, form, shown, error=error, removing=removing, focus=focus)
    errors: dict[str, str] = {}
    form.validate()
    data = kindforms.to_data(kind, values, errors)
    if len(uploads) > MAX_FILES:
        errors["file"] = _("Mỗi lần lưu đính kèm tối đa %(n)d tệp.", n=MAX_FILES)
    if errors or form.errors:
        if uploads and "file" not in errors:
            errors["file"] = _("Tệp đã chọn chưa được tải lên; hãy chọn lại tệp rồi lưu.")
        return edit_page(
            deliverable_id,
            form,
            kindforms.with_blank_rows(kind, values),
            errors=errors,
            error=_("Chưa lưu: hãy sửa các ô được đánh dấu bên dưới."),
            status=400,
            removing=removing,
        )
    session = db.session()
    item_detail.deliverable_for_edit(session, actor(), deliverable_id)  # 404/403/409 before storing
    purpose = request.form.get("purpose") or None
    files, refused = store_uploads(uploads, purpose)
    if refused:
        return edit_page(
            deliverable_id,
            form,
            kindforms.with_blank_rows(kind, values),
            errors={"file": refused},
            error=_("Chưa lưu: hãy sửa các ô được đánh dấu bên dưới."),
            status=400,
            removing=removing,
        )
    # The due date is the plan's: shown, never read from this form.
    changes = {"title": form.title.data, "body": form.body.data or ""}
    if data is not None:
        changes["data"] = data
    try:
        version = drafts.save_draft(
            session,
            actor(),
            deliverable_id,
            changes,
            expected_version=parse_version(form.version.data),
            files=files,
            remove=removing,
            client_addr=client_addr(),
        )
    except (InvalidInput, StaleVersion) as refusal:
        stale = isinstance(refusal, StaleVersion)
        message = refusal.message
        if stale:  # keep what was typed; saving again overwrites the other change
            form.version.data = str(refusal.context.get("current_version", ""))
            message += " " + _(
                "Nội dung bạn vừa nhập vẫn còn dưới đây: xem bản hiện tại (mở trang sản "
                "phẩm ở thẻ khác) rồi bấm Lưu để ghi đè, hoặc tải lại trang để bỏ nội dung vừa "
                "nhập."
            )
        errors = {"file": _("Tệp đã chọn chưa được tải lên; hãy chọn lại tệp rồi lưu.")}
        return edit_page(
            deliverable_id,
            form,
            kindforms.with_blank_rows(kind, values),
            errors=errors if files else {},
            error=message,
            status=refusal.http_status,
            removing=removing,
        )
    saved = _("Đã lưu nội dung (phiên bản %(v)d).", v=version)
    if files:
        names = ", ".join(f"“{f.filename}”" for f in files)
        saved += " " + _("Đã đính kèm tệp %(names)s.", names=names)
    if removing:
        saved += " " + _("Đã gỡ %(n)d tệp.", n=len(removing))
    flash(saved, "success")
    return redirect(url_for("pages.deliverable", deliverable_id=deliverable_id), 303)


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
    item_detail.ensure_visible(session, actor(), (kind, item_id))  # 404 before reading the input
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

"""Attachments: upload to a draft, download from an item the user may see."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required

from webapp import db
from webapp.pages import bp
from webapp.pages.common import UploadForm, actor, back_to, client_addr
from webapp.pages.filecheck import MAX_SIZE, Refused, check, clean_name
from webapp.storage import Storage, make_storage
from workflow.core import access_log
from workflow.core.errors import InvalidInput
from workflow.items import editing
from workflow.reads import inbox

REFUSALS = {
    "type": lambda: _("Chỉ nhận tệp PDF, DOCX, XLSX, PNG hoặc JPG (kiểm tra theo nội dung tệp)."),
    "mismatch": lambda: _(
        "Nội dung tệp không khớp với phần mở rộng của tên tệp; hãy lưu lại đúng định dạng."
    ),
    "empty": lambda: _("Tệp rỗng."),
}


def storage() -> Storage:
    """The uploaded files (a local folder by default; see webapp.storage)."""
    return make_storage(current_app.config["UPLOAD_FOLDER"])


@bp.post("/deliverables/<int:deliverable_id>/attachments")
@login_required
def upload(deliverable_id: int):
    """A member of the owning unit while the deliverable is a draft (404/403/409 otherwise).

    The permission is checked before anything is stored, and again under the chain lock
    when the attachment is recorded."""
    form = UploadForm()
    view = url_for("pages.deliverable", deliverable_id=deliverable_id)
    back = (
        url_for("pages.edit", deliverable_id=deliverable_id) if form.back.data == "edit" else view
    )
    back_to(back)
    session = db.session()
    inbox.check_can_attach(session, actor(), deliverable_id)
    file = request.files.get("file")
    if file is None or not file.filename:
        raise InvalidInput(_("Chưa chọn tệp để tải lên."))
    data = file.stream.read(MAX_SIZE + 1)
    try:
        ext, content_type = check(data, file.filename)
    except Refused as refused:
        if refused.reason == "size":
            abort(413)
        raise InvalidInput(REFUSALS[refused.reason]()) from None
    filename = clean_name(file.filename, ext)
    sha = storage().put(data)
    editing.record_attachment(
        session,
        actor(),
        deliverable_id,
        filename=filename,
        content_type=content_type,
        size=len(data),
        sha256=sha,
        purpose=request.form.get("purpose") or None,
        client_addr=client_addr(),
    )
    flash(_("Đã đính kèm tệp “%(name)s”.", name=filename), "success")
    return redirect(back, 303)


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    """Whoever may view the attachment's item (404 otherwise); always a download."""
    session = db.session()
    attachment = inbox.attachment_for_download(session, actor(), attachment_id)
    stored = storage().open(attachment.sha256)
    if stored is None:
        abort(404)
    filename, content_type = attachment.filename, attachment.content_type
    try:
        access_log.record_download(
            session,
            actor(),
            "attachment",
            attachment_id,
            detail={
                "item_type": attachment.item_type,
                "item_id": attachment.item_id,
                "filename": filename,
                "sha256": attachment.sha256,
            },
            client_addr=client_addr(),
        )
    except BaseException:
        stored.close()  # the download was not recorded (e.g. 503): nothing is sent
        raise
    response = send_file(
        stored,
        mimetype=content_type,
        as_attachment=True,
        download_name=filename,
        max_age=0,
        conditional=False,
        etag=False,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "no-store"
    return response

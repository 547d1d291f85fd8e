"""Attachments: upload to a draft, download from an item the user may see."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.exceptions import RequestEntityTooLarge

from webapp import db
from webapp.errors import render_error
from webapp.pages import bp
from webapp.pages.common import UploadForm, actor, back_to, client_addr
from webapp.pages.filecheck import MAX_SIZE, Refused, check, clean_name
from webapp.storage import Storage, make_storage
from workflow.core import access_log
from workflow.items import drafts, editing
from workflow.reads.attachments import attachment_for_download
from workflow.reads.item_detail import check_can_attach

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


def too_large_message() -> str:
    return _(
        "Tệp quá lớn: mỗi tệp tối đa %(mb)d MB. Hãy nén tệp hoặc chia nhỏ rồi chọn lại.",
        mb=MAX_SIZE // (1024 * 1024),
    )


def refusal_message(reason: str) -> str:
    return too_large_message() if reason == "size" else REFUSALS[reason]()


def store_uploads(uploads, purpose: str | None = None) -> tuple[list[drafts.NewFile], str | None]:
    """Check every chosen file (type by content, size) and store those that pass; returns
    (the files to name, None) or ([], why the first refused one was refused). Nothing is
    stored unless every file passes."""
    checked = []
    for upload in uploads:
        data = upload.stream.read(MAX_SIZE + 1)
        try:
            ext, content_type = check(data, upload.filename)
        except Refused as refused:
            why = refusal_message(refused.reason)
            return [], _("Tệp “%(name)s”: ", name=upload.filename) + why
        checked.append((clean_name(upload.filename, ext), content_type, data))
    files = [
        drafts.NewFile(name, content_type, len(data), storage().put(data), purpose)
        for name, content_type, data in checked
    ]
    return files, None


@bp.post("/deliverables/<int:deliverable_id>/attachments")
@login_required
def upload(deliverable_id: int):
    """A member of the owning unit while the deliverable is a draft (404/403/409 otherwise).

    The permission is checked before anything is stored, and again under the chain lock
    when the attachment is recorded. A refused file (type, size, none chosen) is said on
    the page it came from, next to the file field (400)."""
    form = UploadForm()
    to_edit = form.back.data == "edit"
    view = url_for("pages.deliverable", deliverable_id=deliverable_id)
    back = url_for("pages.edit", deliverable_id=deliverable_id) if to_edit else view
    back_to(back)
    session = db.session()
    check_can_attach(session, actor(), deliverable_id)
    file = request.files.get("file")
    if file is None or not file.filename:
        return _same_page(deliverable_id, to_edit, _("Chưa chọn tệp để tải lên."))
    files, refused = store_uploads([file], request.form.get("purpose") or None)
    if refused:
        return _same_page(deliverable_id, to_edit, refused)
    (new,) = files
    editing.record_attachment(
        session,
        actor(),
        deliverable_id,
        filename=new.filename,
        content_type=new.content_type,
        size=new.size,
        sha256=new.sha256,
        purpose=new.purpose,
        client_addr=client_addr(),
    )
    flash(_("Đã đính kèm tệp “%(name)s”.", name=new.filename), "success")
    return redirect(back, 303)


def _same_page(
    deliverable_id: int, to_edit: bool, message: str, status: int = 400, page: str | None = None
):
    """The page the file came from, `message` next to its file field (`page`: what the
    edit page says above the form)."""
    from webapp.pages.items import deliverable_page, edit_page

    if to_edit:
        page = page or _("Tệp chưa được tải lên.")
        return edit_page(deliverable_id, errors={"file": message}, error=page, status=status)
    return deliverable_page(deliverable_id, upload_error=message, status=status)


# The form routes that take files: a body too large to read is answered on the form's own
# page (what was typed could not be read, and the page says so), not a bare 413 page.
FORM_ROUTES = {"pages.edit": True, "pages.upload": None}


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    to_edit = FORM_ROUTES.get(request.endpoint or "", False)
    deliverable_id = (request.view_args or {}).get("deliverable_id")
    if to_edit is False or deliverable_id is None or request.method != "POST":
        return render_error(413)
    if to_edit is None:  # the upload form: back to where it was (the query string names it)
        to_edit = request.args.get("back") == "edit"
    if (request.content_length or 0) <= current_app.config["MAX_CONTENT_LENGTH"]:
        # Not the files: a form with too many rows or too long a text.
        unread = _(
            "Biểu mẫu gửi lên quá lớn (quá nhiều dòng hoặc nội dung quá dài) nên hệ thống "
            "không đọc được: nội dung vừa nhập chưa được lưu. Dưới đây là bản đã lưu gần nhất."
        )
        return _same_page(deliverable_id, to_edit, unread, 413, page=unread)
    unread = _(
        "Yêu cầu gửi lên vượt giới hạn %(mb)d MB nên hệ thống không đọc được: nội dung vừa "
        "nhập trên biểu mẫu chưa được lưu. Dưới đây là bản đã lưu gần nhất; hãy nhập lại "
        "phần vừa sửa và chọn tệp nhỏ hơn.",
        mb=MAX_SIZE // (1024 * 1024),
    )
    if not to_edit:  # the item's page: only the file was on that form
        return _same_page(deliverable_id, False, too_large_message() + " " + unread, 413)
    return _same_page(deliverable_id, True, too_large_message(), 413, page=unread)


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    """Whoever may view the attachment's item (404 otherwise); always a download."""
    session = db.session()
    attachment = attachment_for_download(session, actor(), attachment_id)
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

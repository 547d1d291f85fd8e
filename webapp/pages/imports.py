"""Importing a plan document: upload → preview with corrections → confirm. Admins only.

The upload and what the parser found are kept under instance/imports/ (the bytes as
<sha256>, the parsed JSON as <sha256>.json; see workflow.intake.import_review.PreviewStore), never
in the cookie session; the preview's address carries the SHA-256 as its token.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from documents import plan_parser, reading
from webapp import db
from webapp.pages import bp
from webapp.pages.common import actor, back_to
from webapp.pages.filecheck import clean_name
from workflow.accounts.admin import require_admin
from workflow.core.errors import InvalidInput
from workflow.intake import import_review

MAX_BYTES = reading.MAX_BYTES  # 10 MB: the importer's own limit (the app accepts 20 MB)


def store() -> import_review.PreviewStore:
    folder = current_app.config.get("IMPORT_FOLDER") or Path(current_app.instance_path) / "imports"
    hours = current_app.config.get("IMPORT_PREVIEW_HOURS", import_review.PREVIEW_HOURS)
    return import_review.PreviewStore(folder, hours)


def source_name(filename: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    ext = name.rsplit(".", 1)[1].lower() if "." in name else "txt"
    return clean_name(name, ext[:10] or "txt")


def upload_page(error: str | None = None, status: int = 200):
    return (
        render_template("imports/upload.html", error=error, pending=store().pending()),
        status,
    )


@bp.get("/admin/import")
@login_required
def admin_import():
    """Admins only (403 for everyone else): the upload form and previews awaiting confirmation."""
    back_to(url_for("pages.admin"))
    require_admin(actor())
    return upload_page()


@bp.post("/admin/import")
@login_required
def admin_import_upload():
    """Admins only: read and parse the file, keep it with what was found, show the preview.

    A bad file (empty, binary, damaged or protected .docx, over 10 MB, no tasks) is
    refused with the reader's message (400) and nothing is kept; a file already imported
    is a 409."""
    back_to(url_for("pages.admin_import"))
    require_admin(actor())
    file = request.files.get("file")
    if file is None or not file.filename:
        return upload_page(_("Chưa chọn tệp để tải lên."), 400)
    data = file.stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return upload_page(
            _(
                "Tệp lớn hơn 10 MB, giới hạn của việc nhập kế hoạch: hãy lưu văn bản thành "
                ".docx hoặc .txt không kèm hình ảnh rồi tải lên lại."
            ),
            400,
        )
    sha256 = hashlib.sha256(data).hexdigest()
    known = import_review.start(db.session(), actor(), sha256)  # 409 if imported already
    try:
        source = reading.read_bytes(data)
        parsed = plan_parser.parse_plan(source, known or None)
    except reading.PlanImportError as refused:
        return upload_page(refused.message, 400)
    previews = store()
    previews.sweep()
    previews.save(
        import_review.Upload(
            sha256=sha256,
            source_name=source_name(file.filename),
            size=len(data),
            kind=source.kind,
            encoding=source.encoding,
            warnings=list(source.warnings),
            uploaded_at=datetime.now(UTC).isoformat(),
            uploaded_by=actor().username,
            parsed=parsed,
            source_text=source.text,
        ),
        data,
    )
    return redirect(url_for("pages.admin_import_preview", token=sha256), 303)


def preview_page(upload, review, error: str | None = None, status: int = 200):
    return (
        render_template("imports/preview.html", upload=upload, review=review, error=error),
        status,
    )


@bp.get("/admin/import/<token>")
@login_required
def admin_import_preview(token: str):
    """Admins only: what was found, and the corrections form. 404 for an unknown or
    expired preview, 409 for a file already imported."""
    back_to(url_for("pages.admin_import"))
    require_admin(actor())
    upload = store().load(token)
    return preview_page(upload, import_review.preview(db.session(), actor(), upload))


def corrections() -> import_review.Corrections:
    form = request.form
    shown = [int(i) for i in form.getlist("task") if i.isdigit()]
    return import_review.Corrections(
        leads={i: form.getlist(f"lead-{i}") for i in shown},
        due={i: form.get(f"due-{i}", "") for i in shown if f"due-{i}" in form},
        create_units=form.get("create_units") == "y",
        default_lead=(form.get("default_lead") or "").strip() or None,
    )


@bp.post("/admin/import/<token>")
@login_required
def admin_import_confirm(token: str):
    """Admins only: import the corrected plan (one transaction, audited), then the plan page.

    A bad correction, or units the organisation lacks without "tạo các đơn vị mới", shows
    the preview again with the message (400); nothing is created."""
    back_to(url_for("pages.admin_import_preview", token=token))
    require_admin(actor())
    previews = store()
    upload = previews.load(token)
    wanted = corrections()
    session = db.session()
    try:
        plan = import_review.confirm(session, actor(), upload, wanted)
    except InvalidInput as refused:
        review = import_review.preview(session, actor(), upload, wanted)
        return preview_page(upload, review, refused.message, 400)
    previews.mark_imported(upload, plan.code)
    flash(
        _(
            "Đã nhập kế hoạch %(code)s từ tệp “%(name)s”: %(n)s nhiệm vụ.",
            code=plan.code,
            name=upload.source_name,
            n=len(upload.parsed.get("tasks", [])),
        ),
        "success",
    )
    return redirect(url_for("pages.plan"), 303)

"""Coordinating units (đơn vị phối hợp) add their input, a text and files, to the lead
unit's draft; they never edit or submit it."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from webapp import db
from webapp.pages import bp
from webapp.pages.common import ContributionForm, actor, back_to, client_addr
from webapp.pages.filecheck import MAX_SIZE, Refused, check, clean_name
from webapp.pages.files import REFUSALS, storage
from workflow.core.errors import InvalidInput
from workflow.items import editing
from workflow.reads.contributions import check_can_contribute

MAX_FILES = 10


@bp.post("/deliverables/<int:deliverable_id>/contributions")
@login_required
def contribute(deliverable_id: int):
    """A member of a unit that coordinates the deliverable's task, while it is a draft:
    404 if they cannot see it, 403 if their unit does not coordinate the task (the lead
    unit's own members edit the draft instead), 409 if it is no longer a draft. Files are
    checked as attachments are (type by content, 20 MB) before anything is stored."""
    back = url_for("pages.deliverable", deliverable_id=deliverable_id)
    back_to(back)
    session = db.session()
    check_can_contribute(session, actor(), deliverable_id)
    form = ContributionForm()
    body = (form.body.data or "").strip()
    if not body:
        raise InvalidInput(_("Hãy nhập nội dung ý kiến (tệp đính kèm là phần bổ sung)."))
    uploads = [f for f in request.files.getlist("files") if f and f.filename]
    if len(uploads) > MAX_FILES:
        raise InvalidInput(_("Mỗi lần gửi ý kiến đính kèm tối đa %(n)d tệp.", n=MAX_FILES))
    checked = []
    for upload in uploads:
        data = upload.stream.read(MAX_SIZE + 1)
        try:
            ext, content_type = check(data, upload.filename)
        except Refused as refused:
            if refused.reason == "size":
                abort(413)
            raise InvalidInput(
                _("Tệp “%(name)s”: ", name=upload.filename) + REFUSALS[refused.reason]()
            ) from None
        checked.append((clean_name(upload.filename, ext), content_type, data))
    files = tuple(
        {
            "filename": name,
            "content_type": content_type,
            "size": len(data),
            "sha256": storage().put(data),
        }
        for name, content_type, data in checked
    )
    editing.add_contribution(
        session, actor(), deliverable_id, body, files=files, client_addr=client_addr()
    )
    flash(_("Đã gửi ý kiến của đơn vị phối hợp."), "success")
    return redirect(back + "#gop-y", 303)

"""The draft commendation decision (.docx, Decree 30 format) of an approved "Dân vận khéo"
nominations list."""

from __future__ import annotations

from flask import Response, url_for
from flask_login import login_required

from documents.commendation_docx import render_commendation
from webapp import db
from webapp.pages import bp
from webapp.pages.common import actor, back_to, client_addr
from workflow.core import access_log
from workflow.reads.commendation import commendation as commendation_data

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.get("/deliverables/<int:deliverable_id>/commendation.docx")
@login_required
def commendation(deliverable_id: int):
    """Whoever may view the nominations list (404 otherwise, and for another kind), once it
    is approved (409 before)."""
    back_to(url_for("pages.deliverable", deliverable_id=deliverable_id))
    data = commendation_data(db.session(), actor(), deliverable_id)
    access_log.record_download(
        db.session(), actor(), "commendation", deliverable_id, client_addr=client_addr()
    )
    response = Response(render_commendation(data), mimetype=DOCX)
    name = f"du-thao-qd-khen-thuong-dan-van-kheo-{deliverable_id}.docx"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response

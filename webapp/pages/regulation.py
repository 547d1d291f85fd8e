"""A regulation's versions (each submission whose text changed) and what each changed."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import login_required

from webapp import db
from webapp.pages import bp
from webapp.pages.common import actor, back_to
from workflow.reads.versions import regulation_diff, regulation_versions


@bp.get("/deliverables/<int:deliverable_id>/versions")
@login_required
def versions(deliverable_id: int):
    """Whoever may view the regulation (404 otherwise, and for another kind)."""
    back_to(url_for("pages.deliverable", deliverable_id=deliverable_id))
    page = regulation_versions(db.session(), actor(), deliverable_id)
    return render_template("pages/versions.html", page=page)


@bp.get("/deliverables/<int:deliverable_id>/versions/<int:number>")
@login_required
def version_diff(deliverable_id: int, number: int):
    """Whoever may view the regulation: version `number` against the one before it, line
    by line (removed, added, unchanged); 404 for a version that does not exist."""
    back_to(url_for("pages.versions", deliverable_id=deliverable_id))
    diff = regulation_diff(db.session(), actor(), deliverable_id, number)
    return render_template("pages/version_diff.html", diff=diff, page=diff.page)

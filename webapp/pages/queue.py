"""“Việc cần xử lý”: the landing page, what waits on the signed-in user."""

from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from webapp import db
from webapp.pages import bp
from webapp.pages.common import actor
from workflow.reads import workqueue


@bp.get("/")
@login_required
def queue():
    """Any signed-in user: their own queue (what it holds depends on role and unit). Each
    section shows its first rows; ?section=<key>&after=<cursor> pages through one section;
    ?overdue=1 keeps the overdue rows. The chips above are the sections' own counts, each a
    link to its list."""
    section = request.args.get("section") or None
    if section not in workqueue.SECTION_KEYS:
        section = None
    queue = workqueue.my_queue(
        db.session(),
        actor(),
        section=section,
        after=request.args.get("after") or None,
        overdue_only=request.args.get("overdue") == "1",
    )
    return render_template("pages/queue.html", queue=queue)

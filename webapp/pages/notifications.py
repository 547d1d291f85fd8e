"""The inbox (issue 12): notifications with mark-as-read, and search by title across plans.
The unread count in the header comes from `unread_count` (a context processor)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from webapp import db
from webapp.pages import bp
from webapp.pages.common import ButtonForm, actor, back_to
from workflow.core.machine import STATES
from workflow.notify import notifications


@bp.app_context_processor
def unread_notifications() -> dict:
    """The header's count: one bounded index range (at most UNREAD_CAP rows)."""
    if not current_user.is_authenticated:
        return {"unread_notifications": 0}
    try:
        count = notifications.unread_count(db.session(), current_user.actor.id)
    except SQLAlchemyError:  # an error page (database down) still renders its header
        db.session().rollback()
        count = 0
    return {"unread_notifications": count, "unread_cap": notifications.UNREAD_CAP}


@bp.get("/notifications")
@login_required
def notifications_page():
    """Any signed-in user: their own notifications, newest first, 30 a page
    (?before=<id>; ?unread=1 for the unread ones only)."""
    before = request.args.get("before", type=int)
    only_unread = request.args.get("unread") == "1"
    page = notifications.page(db.session(), actor(), before=before, only_unread=only_unread)
    return render_template("pages/notifications.html", page=page, before=before, form=ButtonForm())


def _back() -> str:
    target = request.form.get("next") or ""
    # only a path of this site (never another host)
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("pages.notifications_page")


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def notification_read(notification_id: int):
    """The owner marks one notification read (404 for anyone else's); CSRF-checked, as every
    form (CSRFProtect)."""
    back_to(url_for("pages.notifications_page"))
    notifications.mark_read(db.session(), actor(), notification_id)
    return redirect(_back(), code=303)


@bp.post("/notifications/read")
@login_required
def notifications_read_all():
    """Every unread notification of the signed-in user becomes read."""
    back_to(url_for("pages.notifications_page"))
    n = notifications.mark_all_read(db.session(), actor())
    flash(_("Đã đánh dấu %(n)s thông báo là đã đọc.", n=n), "success")
    return redirect(_back(), code=303)


@bp.get("/search")
@login_required
def search():
    """Any signed-in user: tasks and the deliverables they may see whose title holds ?q=
    (2–100 characters), across plans; ?state=…; keyset pages (?after=<id>). With ?plan=<id>
    (the dashboard's chips): that plan's deliverables in ?state= or ?overdue=1."""
    q = (request.args.get("q") or "")[:200]
    state = request.args.get("state") or None
    after = request.args.get("after", type=int)
    plan_id = request.args.get("plan", type=int)
    overdue = request.args.get("overdue") == "1"
    page = notifications.search(
        db.session(), actor(), q, state=state, after=after, plan_id=plan_id, overdue=overdue
    )
    query = {
        k: v
        for k, v in (
            ("q", page.q),
            ("state", page.state),
            ("plan", plan_id),
            ("overdue", 1 if overdue else None),
        )
        if v
    }
    return render_template("pages/search.html", page=page, after=after, states=STATES, query=query)

"""The plan's progress: per task and per unit, items by state, % approved, overdue, the
median time spent in each state, and charts drawn on the server as SVG."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from documents.charts import stacked_bars
from webapp import db
from webapp.i18n import state_label
from webapp.pages import bp
from webapp.pages.common import actor
from workflow.core.machine import STATES
from workflow.reads.dashboard import DashboardPage, dashboard_page


@bp.get("/dashboard")
@login_required
def dashboard():
    """Any signed-in user (figures only: counts, no titles of other units' drafts)."""
    return render_dashboard(dashboard_page(db.session(), actor()))


def render_dashboard(page: DashboardPage) -> str:
    charts = {}
    if page.board is not None:
        labels = {state: state_label(state) for state in STATES}
        # stacked_bars escapes every text it writes; the SVG has no script and no style
        # attribute (presentation attributes only), so it passes the CSP inline.
        charts["tasks"] = Markup(
            stacked_bars(
                [(row.label, row.counts) for row in page.board.by_task],
                labels,
                title=_("Sản phẩm theo nhiệm vụ và trạng thái"),
            )
        )
        charts["units"] = Markup(
            stacked_bars(
                [(row.label, row.counts) for row in page.board.by_unit],
                labels,
                title=_("Sản phẩm theo đơn vị và trạng thái"),
            )
        )
    return render_template("pages/dashboard.html", page=page, charts=charts, states=STATES)

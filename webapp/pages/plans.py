"""Many plans: the list (/plans), each plan's own overview and dashboard, and the
province-level figures across plans and units (/plans/dashboard)."""

from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from webapp import db
from webapp.pages import bp
from webapp.pages.common import actor, id_arg
from webapp.pages.dashboard import render_dashboard
from webapp.pages.plan import render_plan
from workflow.core.machine import STATES
from workflow.reads import plans
from workflow.reads.dashboard import dashboard_page


@bp.get("/plans")
@login_required
def plans_list():
    """Any signed-in user: plans newest first, ?q=<words>&issuer=<name>&year=<yyyy>,
    keyset pages (?before=<id>)."""
    q = (request.args.get("q") or "").strip()[: plans.MAX_SEARCH]
    issuer = (request.args.get("issuer") or "").strip()[:200]
    year = id_arg("year")
    if year is not None and not 1900 <= year <= 2200:
        year = None
    before = id_arg("before")
    where = plans.PlanFilter(q=q, issuer=issuer, year=year)
    page = plans.plan_list(db.session(), actor(), where, before=before)
    query = {k: v for k, v in (("q", q), ("issuer", issuer), ("year", year)) if v}
    return render_template(
        "pages/plans.html", page=page, where=where, query=query, before=before, states=STATES
    )


@bp.get("/plans/dashboard")
@login_required
def province_dashboard():
    """Any signed-in user (figures only): every plan together, per unit."""
    return render_template(
        "pages/province.html", page=plans.province(db.session(), actor()), states=STATES
    )


@bp.get("/plans/<int:plan_id>")
@login_required
def plan_detail(plan_id: int):
    """Any signed-in user: one plan's tasks (404 for a plan that does not exist)."""
    return render_plan(plan_id)


@bp.get("/plans/<int:plan_id>/dashboard")
@login_required
def plan_dashboard(plan_id: int):
    """Any signed-in user (figures only); 404 for a plan that does not exist."""
    return render_dashboard(dashboard_page(db.session(), actor(), plan_id=plan_id))

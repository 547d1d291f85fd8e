"""A plan's dashboard: items by state, % approved and overdue per task and per unit, and
the median hours items spent in each state."""

from __future__ import annotations

from flask import Blueprint, Response

from webapp.api import serialize
from webapp.api.auth import actor
from webapp.api.errors import json_response
from webapp.api.parsing import MAX_ID
from webapp.db import session
from workflow.core import clock
from workflow.reads.dashboard import dashboard_page


def plan_dashboard(plan_id: int) -> Response:
    today = clock.today_local()
    page = dashboard_page(session(), actor(), today, plan_id=plan_id)
    return json_response(serialize.dashboard(page))


def register(bp: Blueprint) -> None:
    bp.add_url_rule(
        f"/plans/<int(max={MAX_ID}):plan_id>/dashboard",
        "plan_dashboard",
        plan_dashboard,
        methods=["GET"],
    )

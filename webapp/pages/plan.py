"""The plan overview and a task's page."""

from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_login import login_required

from webapp import db
from webapp.i18n import KIND_LABELS
from webapp.pages import bp
from webapp.pages.common import (
    CommentForm,
    NewDeliverableForm,
    actor,
    back_to,
    id_arg,
)
from workflow.core.machine import STATES
from workflow.reads import deadlines, item_detail, plans


@bp.get("/plan")
@login_required
def plan():
    """Any signed-in user (tasks are visible to all); filters ?unit=<id>&state=<state>."""
    return render_plan()


def render_plan(plan_id: int | None = None):
    """A plan's tasks (the first plan's without `plan_id`), filtered by ?unit= and ?state=."""
    unit_id = id_arg("unit")
    state = request.args.get("state") or None
    overview = plans.plan_overview(
        db.session(), actor(), unit_id=unit_id, state=state, plan_id=plan_id
    )
    return render_template(
        "pages/plan.html",
        overview=overview,
        unit_id=unit_id,
        state=state if state in STATES else None,
        states=STATES,
    )


@bp.get("/tasks/<int:task_id>")
@login_required
def task(task_id: int):
    """Any signed-in user; 404 for a task that does not exist. An ongoing task's periodic
    reports are grouped by period, with what is overdue or due soon."""
    back_to(url_for("pages.plan"))
    detail = item_detail.task_detail(
        db.session(),
        actor(),
        task_id,
        due_soon_days=current_app.config.get("REMIND_DUE_SOON_DAYS", deadlines.DUE_SOON_DAYS),
    )
    new_form = NewDeliverableForm()
    new_form.kind.choices = [(k, str(v)) for k, v in KIND_LABELS.items()]
    return render_template(
        "pages/task.html",
        item=detail,
        comment_form=CommentForm(),
        new_form=new_form,
    )

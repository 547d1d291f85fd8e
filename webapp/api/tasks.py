"""Tasks: the plan's list, one task, and (in actions.py) its own record's transitions."""

from __future__ import annotations

from flask import Blueprint, Response
from sqlalchemy import select

from models import Task
from webapp.api import serialize
from webapp.api.auth import actor
from webapp.api.errors import json_response
from webapp.api.parsing import MAX_ID
from webapp.db import session
from workflow.core import service
from workflow.core.policy import NO_PARTICIPATION
from workflow.core.service import snapshot_of
from workflow.reads import queries


def list_tasks() -> Response:
    s, who = session(), actor()
    rows = queries.task_rows(s)
    tasks = {t.id: t for t in s.scalars(select(Task).where(Task.id.in_([r.id for r in rows])))}
    taken = service.participations(s.connection(), [snapshot_of(t) for t in tasks.values()])
    return json_response(
        {
            "items": [
                serialize.task(r, tasks[r.id], who, taken.get(("task", r.id), NO_PARTICIPATION))
                for r in rows
            ]
        }
    )


def get_task(task_id: int) -> Response:
    s, who = session(), actor()
    item = queries.get_item(s, who, "task", task_id)
    row = next(r for r in queries.task_rows(s, item.plan_id) if r.id == item.id)
    deliverables = queries.deliverable_rows(s, who, task_id=item.id)
    return json_response(serialize.task_detail(row, item, who, deliverables))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/tasks", "list_tasks", list_tasks, methods=["GET"])
    bp.add_url_rule(f"/tasks/<int(max={MAX_ID}):task_id>", "get_task", get_task, methods=["GET"])

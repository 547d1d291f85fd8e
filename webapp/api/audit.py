"""The audit trail: one item's events (whoever may see the item) and the whole trail
(roles that may read it), newest first, keyset-paginated on seq."""

from __future__ import annotations

from flask import Blueprint, Response

from webapp.api import parsing, serialize
from webapp.api.auth import actor
from webapp.api.errors import json_response
from webapp.api.parsing import MAX_ID
from webapp.db import session
from workflow.reads import queries, trail

ITEM_TYPES = ("task", "deliverable", "user", "plan", "delegation", "reminder")


def _item_audit(kind: str, item_id: int) -> Response:
    who = actor()
    events = trail.event_rows(session(), trail.item_events(session(), who, kind, item_id))
    return json_response({"items": [serialize.event(e, who) for e in events]})


def task_audit(task_id: int) -> Response:
    return _item_audit("task", task_id)


def deliverable_audit(deliverable_id: int) -> Response:
    return _item_audit("deliverable", deliverable_id)


@parsing.accepts_query(
    "item_type", "item_id", "user", "unit", "action", "date_from", "date_to", "cursor", "limit"
)
def full_audit() -> Response:
    unit = parsing.query_text("unit", max_len=200)
    where = trail.TrailFilter(
        item_type=parsing.query_choice("item_type", ITEM_TYPES),
        item_id=parsing.query_int("item_id"),
        username=parsing.query_text("user", max_len=80),
        unit_id=queries.unit_by_code_or_name(session(), unit).id if unit else None,
        action=parsing.query_text("action", max_len=40),
        date_from=parsing.query_date("date_from"),
        date_to=parsing.query_date("date_to"),
    )
    before = parsing.query_int("cursor", maximum=2**62)
    limit = parsing.query_limit()
    who = actor()
    events, cursor = trail.events_page(session(), who, where, before_seq=before, limit=limit)
    rows = trail.event_rows(session(), events)
    return json_response({"items": [serialize.event(e, who) for e in rows], "next_cursor": cursor})


def register(bp: Blueprint) -> None:
    bp.add_url_rule(
        f"/tasks/<int(max={MAX_ID}):task_id>/audit", "task_audit", task_audit, methods=["GET"]
    )
    bp.add_url_rule(
        f"/deliverables/<int(max={MAX_ID}):deliverable_id>/audit",
        "deliverable_audit",
        deliverable_audit,
        methods=["GET"],
    )
    bp.add_url_rule("/audit", "full_audit", full_audit, methods=["GET"])

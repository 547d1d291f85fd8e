"""Deliverables: keyset-paginated list, one deliverable, a new draft, edits of a draft."""

from __future__ import annotations

from flask import Blueprint, Response, url_for

from webapp.api import parsing, serialize
from webapp.api.auth import actor, client_addr
from webapp.api.errors import json_response
from webapp.api.parsing import MAX_ID, MISSING
from webapp.db import session
from workflow import editing, queries
from workflow.machine import STATES

ITEM = f"/deliverables/<int(max={MAX_ID}):deliverable_id>"


def _unit_id(text: str | None) -> int | None:
    if text is None:
        return None
    if text.isascii() and text.isdigit():
        return int(text) if int(text) <= MAX_ID else -1
    return queries.unit_by_code_or_name(session(), text).id


@parsing.accepts_query("state", "unit", "task", "cursor", "limit")
def list_deliverables() -> Response:
    state = parsing.query_choice("state", STATES)
    unit_id = _unit_id(parsing.query_text("unit", max_len=200))
    task_id = parsing.query_int("task")
    cursor = parsing.query_int("cursor")
    limit = parsing.query_limit()
    who = actor()
    rows = queries.deliverable_rows(
        session(),
        who,
        task_id=task_id,
        state=state,
        unit_id=unit_id,
        after_id=cursor,
        limit=limit + 1,
    )
    page = rows[:limit]
    next_cursor = page[-1][0].id if len(rows) > limit else None
    return json_response(
        {
            "items": [serialize.deliverable(d, n, u, who) for d, n, u in page],
            "next_cursor": next_cursor,
        }
    )


def get_deliverable(deliverable_id: int) -> Response:
    who = actor()
    item = queries.get_item(session(), who, "deliverable", deliverable_id)
    return json_response(serialize.deliverable_detail(item, who))


def create_deliverable() -> Response:
    data = parsing.json_object(allowed=("task_id", "title", "kind", "body", "due_date"))
    task_id = parsing.integer(data, "task_id", required=True)
    title = parsing.text(data, "title", max_len=editing.MAX_TITLE, required=True)
    kind = parsing.text(data, "kind", max_len=40)
    body = parsing.text(data, "body", max_len=editing.MAX_BODY, nullable=True)
    due_date = parsing.date_field(data, "due_date")
    who = actor()
    item = editing.create_deliverable(
        session(),
        who,
        task_id,
        title=title,
        kind="document" if kind is MISSING else kind,
        body="" if body in (MISSING, None) else body,
        due_date=None if due_date is MISSING else due_date,
        client_addr=client_addr(),
    )
    location = url_for("api.get_deliverable", deliverable_id=item.id)
    return json_response(serialize.deliverable_detail(item, who), 201, {"Location": location})


def edit_deliverable(deliverable_id: int) -> Response:
    data = parsing.json_object(allowed=("title", "body", "due_date", "version"))
    fields = {
        "title": parsing.text(data, "title", max_len=editing.MAX_TITLE),
        "body": parsing.text(data, "body", max_len=editing.MAX_BODY, nullable=True),
        "due_date": parsing.date_field(data, "due_date"),
    }
    version = parsing.integer(data, "version", nullable=True)
    who = actor()
    editing.edit_deliverable(
        session(),
        who,
        deliverable_id,
        {name: value for name, value in fields.items() if value is not MISSING},
        expected_version=None if version is MISSING else version,
        client_addr=client_addr(),
    )
    item = queries.get_item(session(), who, "deliverable", deliverable_id)
    return json_response(serialize.deliverable_detail(item, who))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/deliverables", "list_deliverables", list_deliverables, methods=["GET"])
    bp.add_url_rule("/deliverables", "create_deliverable", create_deliverable, methods=["POST"])
    bp.add_url_rule(ITEM, "get_deliverable", get_deliverable, methods=["GET"])
    bp.add_url_rule(ITEM, "edit_deliverable", edit_deliverable, methods=["PATCH"])

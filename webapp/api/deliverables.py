"""Deliverables: keyset-paginated list, one deliverable, a new draft, edits of a draft."""

from __future__ import annotations

from flask import Blueprint, Response, url_for

from models import DELIVERABLE_KINDS
from webapp.api import parsing, serialize
from webapp.api.auth import actor, client_addr
from webapp.api.errors import json_response
from webapp.api.parsing import MAX_ID, MISSING
from webapp.db import session
from workflow.core import service
from workflow.core.machine import STATES
from workflow.core.policy import NO_PARTICIPATION, Actor
from workflow.core.service import snapshot_of
from workflow.items import editing, kinds
from workflow.reads import api_reads, queries

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
    taken = service.participations(session().connection(), [snapshot_of(d) for d, _, _ in page])
    return json_response(
        {
            "items": [
                serialize.deliverable(
                    d, n, u, who, taken.get(("deliverable", d.id), NO_PARTICIPATION)
                )
                for d, n, u in page
            ],
            "next_cursor": next_cursor,
        }
    )


def _detail(who: Actor, deliverable_id: int) -> dict:
    item, files = api_reads.deliverable_with_files(session(), who, deliverable_id)
    return serialize.deliverable_detail(item, files, who)


def get_deliverable(deliverable_id: int) -> Response:
    return json_response(_detail(actor(), deliverable_id))


def create_deliverable() -> Response:
    """A new draft; its kind's fields (`data`), if given, are checked before anything is
    written and stored with it in one commit (the trail shows "create" then "edit")."""
    data = parsing.json_object(allowed=("task_id", "title", "kind", "body", "due_date", "data"))
    task_id = parsing.integer(data, "task_id", required=True)
    title = parsing.text(data, "title", max_len=editing.MAX_TITLE, required=True)
    kind = parsing.choice(data, "kind", DELIVERABLE_KINDS)
    kind = "document" if kind is MISSING else kind
    body = parsing.text(data, "body", max_len=editing.MAX_BODY, nullable=True)
    due_date = parsing.date_field(data, "due_date")
    fields = parsing.form_data(data, "data")
    if fields is not MISSING:
        kinds.clean_data(kind, fields)  # refuse bad fields before the draft exists
    who = actor()
    item = editing.create_deliverable(
        session(),
        who,
        task_id,
        title=title,
        kind=kind,
        body="" if body in (MISSING, None) else body,
        due_date=None if due_date is MISSING else due_date,
        data=None if fields is MISSING else fields,
        client_addr=client_addr(),
    )
    location = url_for("api.get_deliverable", deliverable_id=item.id)
    return json_response(_detail(who, item.id), 201, {"Location": location})


def edit_deliverable(deliverable_id: int) -> Response:
    data = parsing.json_object(allowed=("title", "body", "due_date", "data", "version"))
    fields = {
        "title": parsing.text(data, "title", max_len=editing.MAX_TITLE),
        "body": parsing.text(data, "body", max_len=editing.MAX_BODY, nullable=True),
        "due_date": parsing.date_field(data, "due_date"),
        "data": parsing.form_data(data, "data"),
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
    return json_response(_detail(who, deliverable_id))


def change_due_date(deliverable_id: int) -> Response:
    """The plan's due date moved by the Office reviewer or the Director, with a reason."""
    data = parsing.json_object(allowed=("due_date", "reason", "version"))
    due_date = parsing.date_field(data, "due_date", required=True)
    reason = parsing.text(data, "reason", max_len=editing.MAX_REASON, required=True)
    version = parsing.integer(data, "version", nullable=True)
    who = actor()
    editing.change_due_date(
        session(),
        who,
        deliverable_id,
        due_date,
        reason,
        expected_version=None if version is MISSING else version,
        client_addr=client_addr(),
    )
    return json_response(_detail(who, deliverable_id))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/deliverables", "list_deliverables", list_deliverables, methods=["GET"])
    bp.add_url_rule("/deliverables", "create_deliverable", create_deliverable, methods=["POST"])
    bp.add_url_rule(ITEM, "get_deliverable", get_deliverable, methods=["GET"])
    bp.add_url_rule(ITEM, "edit_deliverable", edit_deliverable, methods=["PATCH"])
    bp.add_url_rule(f"{ITEM}/due-date", "change_due_date", change_due_date, methods=["POST"])

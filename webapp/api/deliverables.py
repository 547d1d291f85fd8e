"""Deliverables: keyset-paginated list, one deliverable, a new draft, edits of a draft."""

from __future__ import annotations

from flask import Blueprint, Response, url_for

from webapp.api import parsing, schemas, serialize
from webapp.api.auth import actor, client_addr
from webapp.api.errors import json_response
from webapp.api.parsing import MAX_ID
from webapp.db import session
from workflow.core import service
from workflow.core.machine import STATES
from workflow.core.policy import NO_PARTICIPATION, Actor
from workflow.core.service import snapshot_of
from workflow.items import editing, kinds
from workflow.reads import item_detail, queries

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
    item, files = item_detail.deliverable_with_files(session(), who, deliverable_id)
    return serialize.deliverable_detail(item, files, who)


def get_deliverable(deliverable_id: int) -> Response:
    return json_response(_detail(actor(), deliverable_id))


def create_deliverable() -> Response:
    """A new draft; its kind's fields (`data`), if given, are checked before anything is
    written and stored with it in one commit (the trail shows "create" then "edit")."""
    new = parsing.body(schemas.DeliverableCreate)
    if new.data is not None:
        kinds.clean_data(new.kind, new.data)  # refuse bad fields before the draft exists
    who = actor()
    item = editing.create_deliverable(
        session(),
        who,
        new.task_id,
        title=new.title,
        kind=new.kind,
        body=new.body or "",
        due_date=new.due_date,
        data=new.data,
        client_addr=client_addr(),
    )
    location = url_for("api.get_deliverable", deliverable_id=item.id)
    return json_response(_detail(who, item.id), 201, {"Location": location})


def edit_deliverable(deliverable_id: int) -> Response:
    edit = parsing.body(schemas.DeliverableEdit)
    who = actor()
    editing.edit_deliverable(
        session(),
        who,
        deliverable_id,
        {
            name: getattr(edit, name)
            for name in ("title", "body", "due_date", "data")
            if name in edit.model_fields_set
        },
        expected_version=edit.version,
        client_addr=client_addr(),
    )
    return json_response(_detail(who, deliverable_id))


def change_due_date(deliverable_id: int) -> Response:
    """The plan's due date moved by the Office reviewer or the Director, with a reason."""
    change = parsing.body(schemas.DueDateChange)
    who = actor()
    editing.change_due_date(
        session(),
        who,
        deliverable_id,
        change.due_date,
        change.reason,
        expected_version=change.version,
        client_addr=client_addr(),
    )
    return json_response(_detail(who, deliverable_id))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/deliverables", "list_deliverables", list_deliverables, methods=["GET"])
    bp.add_url_rule("/deliverables", "create_deliverable", create_deliverable, methods=["POST"])
    bp.add_url_rule(ITEM, "get_deliverable", get_deliverable, methods=["GET"])
    bp.add_url_rule(ITEM, "edit_deliverable", edit_deliverable, methods=["PATCH"])
    bp.add_url_rule(f"{ITEM}/due-date", "change_due_date", change_due_date, methods=["POST"])

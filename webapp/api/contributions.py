"""Contributions (ý kiến đóng góp) of coordinating units to the lead unit's draft."""

from __future__ import annotations

from flask import Blueprint, Response

from webapp.api import parsing, schemas, serialize
from webapp.api.auth import actor, client_addr
from webapp.api.errors import json_response
from webapp.api.parsing import MAX_ID
from webapp.db import session
from workflow.items import editing
from workflow.reads.contributions import contributions

ITEM = f"/deliverables/<int(max={MAX_ID}):deliverable_id>/contributions"


def add_contribution(deliverable_id: int) -> Response:
    body = parsing.body(schemas.ContributionRequest).body
    who = actor()
    made = editing.add_contribution(session(), who, deliverable_id, body, client_addr=client_addr())
    [row] = contributions(session(), who, deliverable_id, only_id=made.id)
    return json_response(serialize.contribution(row), 201)


def list_contributions(deliverable_id: int) -> Response:
    rows = contributions(session(), actor(), deliverable_id)
    return json_response({"items": [serialize.contribution(c) for c in rows]})


def register(bp: Blueprint) -> None:
    bp.add_url_rule(ITEM, "add_contribution", add_contribution, methods=["POST"])
    bp.add_url_rule(ITEM, "list_contributions", list_contributions, methods=["GET"])

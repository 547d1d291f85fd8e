"""A regulation's versions (Quy chế: each changed resubmission is one) and what each
changed against the one before."""

from __future__ import annotations

from flask import Blueprint, Response

from webapp.api import serialize
from webapp.api.auth import actor
from webapp.api.errors import json_response
from webapp.api.parsing import MAX_ID
from webapp.db import session
from workflow.reads.versions import regulation_diff, regulation_versions

ITEM = f"/deliverables/<int(max={MAX_ID}):deliverable_id>/versions"


def list_versions(deliverable_id: int) -> Response:
    return json_response(
        serialize.versions(regulation_versions(session(), actor(), deliverable_id))
    )


def version_diff(deliverable_id: int, number: int) -> Response:
    diff = regulation_diff(session(), actor(), deliverable_id, number)
    return json_response(serialize.version_diff(diff))


def register(bp: Blueprint) -> None:
    bp.add_url_rule(ITEM, "list_versions", list_versions, methods=["GET"])
    bp.add_url_rule(
        f"{ITEM}/<int(min=1, max={MAX_ID}):number>/diff",
        "version_diff",
        version_diff,
        methods=["GET"],
    )

"""POST /{tasks|deliverables}/<id>/actions/<action>: one call to workflow.perform.

The body is optional: {reason?, version?, on_behalf_of?}; `on_behalf_of` names the user
whose active delegation (ủy quyền) the caller acts under, and the trail records both.
"""

from __future__ import annotations

from flask import Blueprint, Response

from webapp.api import parsing, schemas
from webapp.api.auth import actor, client_addr
from webapp.api.errors import json_response
from webapp.api.parsing import MAX_ID
from webapp.db import session
from workflow.core.service import perform


def _act(kind: str, item_id: int, action: str) -> Response:
    request = parsing.body(schemas.ActionRequest, required=False)
    outcome = perform(
        session(),
        actor(),
        (kind, item_id),
        action,
        reason=request.reason,
        expected_version=request.version,
        client_addr=client_addr(),
        on_behalf_of=request.on_behalf_of,
    )
    return json_response(
        {
            "item_type": outcome.kind,
            "id": outcome.id,
            "action": outcome.action,
            "from_state": outcome.from_state,
            "state": outcome.to_state,
            "version": outcome.version,
            "audit_seq": outcome.audit_seq,
        }
    )


def task_action(task_id: int, action: str) -> Response:
    return _act("task", task_id, action)


def deliverable_action(deliverable_id: int, action: str) -> Response:
    return _act("deliverable", deliverable_id, action)


def register(bp: Blueprint) -> None:
    bp.add_url_rule(
        f"/tasks/<int(max={MAX_ID}):task_id>/actions/<action>",
        "task_action",
        task_action,
        methods=["POST"],
    )
    bp.add_url_rule(
        f"/deliverables/<int(max={MAX_ID}):deliverable_id>/actions/<action>",
        "deliverable_action",
        deliverable_action,
        methods=["POST"],
    )

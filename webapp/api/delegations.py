"""Delegations (ủy quyền): mine (given and received), a new one, revoking one."""

from __future__ import annotations

from flask import Blueprint, Response

from webapp.api import parsing, schemas, serialize
from webapp.api.auth import actor, client_addr
from webapp.api.errors import json_response
from webapp.api.parsing import MAX_ID
from webapp.db import session
from workflow.items import delegation
from workflow.reads.delegations import delegation_row, delegations_of


def list_delegations() -> Response:
    given, received = delegations_of(session(), actor())
    return json_response(
        {
            "given": [serialize.delegation(d) for d in given],
            "received": [serialize.delegation(d) for d in received],
        }
    )


def create_delegation() -> Response:
    new = parsing.body(schemas.DelegationRequest)
    who = actor()
    made = delegation.delegate(
        session(),
        who,
        delegate_username=new.delegate,
        starts_on=new.starts_on,
        ends_on=new.ends_on,
        note=new.note or "",
        client_addr=client_addr(),
    )
    return json_response(serialize.delegation(delegation_row(session(), who, made.id)), 201)


def revoke_delegation(delegation_id: int) -> Response:
    delegation.revoke(session(), actor(), delegation_id, client_addr=client_addr())
    return Response(status=204)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/delegations", "list_delegations", list_delegations, methods=["GET"])
    bp.add_url_rule("/delegations", "create_delegation", create_delegation, methods=["POST"])
    bp.add_url_rule(
        f"/delegations/<int(max={MAX_ID}):delegation_id>",
        "revoke_delegation",
        revoke_delegation,
        methods=["DELETE"],
    )

"""Council votes on a deliverable (e.g. the emulation council on "Dân vận khéo"
nominations): cast one (workflow.items.council.cast_vote), read this round's."""

from __future__ import annotations

from flask import Blueprint, Response

from webapp.api import parsing, schemas, serialize
from webapp.api.auth import actor, client_addr
from webapp.api.errors import json_response
from webapp.api.parsing import MAX_ID
from webapp.db import session
from workflow.items import council
from workflow.reads import queries
from workflow.reads.votes import votes

ITEM = f"/deliverables/<int(max={MAX_ID}):deliverable_id>/votes"


def cast_vote(deliverable_id: int) -> Response:
    vote = parsing.body(schemas.VoteRequest)
    who = actor()
    result = council.cast_vote(
        session(),
        who,
        deliverable_id,
        in_favour=vote.in_favour,
        comment=vote.comment or "",
        client_addr=client_addr(),
    )
    item = queries.get_item(session(), who, "deliverable", deliverable_id)
    return json_response(serialize.tally(result, item.state), 201)


def list_votes(deliverable_id: int) -> Response:
    sheet = votes(session(), actor(), deliverable_id)
    return json_response(serialize.vote_sheet(sheet))


def register(bp: Blueprint) -> None:
    bp.add_url_rule(ITEM, "cast_vote", cast_vote, methods=["POST"])
    bp.add_url_rule(ITEM, "list_votes", list_votes, methods=["GET"])

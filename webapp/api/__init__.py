"""The JSON API under /api/v1: bearer tokens, tasks, deliverables, actions, audit trail,
council votes, contributions, regulation versions, delegations, a plan's dashboard.

Thin views: each parses its input strictly (webapp.api.parsing), calls one workflow
function, and serialises the result; the engine's typed errors become JSON errors
(webapp.api.errors). The OpenAPI document is at /api/v1/openapi.json.
"""

from flask import Blueprint, Response

bp = Blueprint("api", __name__)


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


from webapp.api import (  # noqa: E402
    actions,
    audit,
    auth,
    contributions,
    delegations,
    deliverables,
    errors,
    openapi,
    parsing,
    plans,
    tasks,
    versions,
    votes,
)

errors.register(bp)
auth.register(bp)  # its before_request (the token) runs first
bp.before_request(parsing.refuse_unknown_query)
tasks.register(bp)
deliverables.register(bp)
actions.register(bp)
audit.register(bp)
votes.register(bp)
contributions.register(bp)
versions.register(bp)
delegations.register(bp)
plans.register(bp)
openapi.register(bp)

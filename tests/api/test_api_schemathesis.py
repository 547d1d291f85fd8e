"""schemathesis, driven by /api/v1/openapi.json, calls every operation in-process and
finds no server error; the responses also match what the document promises.

Bounded and deterministic for CI (25 examples per operation). To search harder locally:
API_FUZZ_EXAMPLES=300 API_FUZZ_RANDOM=1 pytest tests/api/test_api_schemathesis.py
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from datetime import date, timedelta

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from models import Deliverable, Task, Unit
from tests.api.conftest import API, api_operations, deliverable_of
from tests.conftest import TEST_PASSWORD
from tests.helpers import fill
from workflow.core import clock, service
from workflow.items import delegation, editing

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))
DERANDOMIZE = not os.environ.get("API_FUZZ_RANDOM")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Not `negative_data_rejection`: it flags valid requests when the only negation is one
# the transport drops (an undeclared query key whose value is an empty list) or the
# Authorization header this test sets itself. The 400s are tested by hand instead.
NEGATIVE_CHECKS = [not_a_server_error, content_type_conformance]
CANNOT_SUCCEED = {"POST /auth/token", "POST /tasks/{task_id}/actions/{action}"}
NO_INPUT = {"GET /tasks", "DELETE /auth/token", "GET /delegations"}  # nothing to make invalid
SMALL_IDS = st.integers(min_value=1, max_value=14)  # ids that exist in the seed plan
# Who calls each operation: by default a member writes (POST, PATCH) and the Director reads;
# these need someone else to get through at all.
CALLERS = {
    "POST /deliverables/{deliverable_id}/votes": "khtc.chuyenvien",  # on the council
    "POST /deliverables/{deliverable_id}/contributions": "qltt.chuyenvien",  # coordinates
    "POST /delegations": "giamdoc",
    "DELETE /delegations/{delegation_id}": "giamdoc",
    "POST /deliverables/{deliverable_id}/due-date": "vp.thamdinh",  # the plan's date keeper
}


def _aimed(case, item_id: int):
    """The case pointed at a seeded item (random ids and versions rarely hit a real one);
    half of the aimed actions are "submit", which the filled drafts allow."""
    params = case.path_parameters or {}
    for name in params:
        if name.endswith("_id"):
            params[name] = item_id
    if "action" in params and item_id % 2:
        params["action"] = "submit"
    if isinstance(case.body, dict):
        case.body.pop("version", None)
        if "task_id" in case.body:
            case.body["task_id"] = 1 + item_id % 9
    return case


def _aimed_at(case, target: dict):
    """The case pointed at an item arranged for this operation (`target`: path parameters,
    and `body` for fields the body must hold to get past the engine)."""
    params = case.path_parameters or {}
    for name, value in target.items():
        if name in params:
            params[name] = value
    if isinstance(case.body, dict):
        case.body.update(target.get("body", {}))
    return case


def _strategy(operation, targets=None):
    fuzzed = operation.as_strategy()
    if targets:
        return st.one_of(fuzzed, st.builds(_aimed_at, fuzzed, st.sampled_from(targets)))
    return st.one_of(fuzzed, st.builds(_aimed, fuzzed, SMALL_IDS))


def _fresh_token(client) -> dict[str, str]:
    """A token of its own for DELETE /auth/token, which revokes the token it is sent."""
    r = client.post(f"{API}/auth/token", json={"username": "giamdoc", "password": TEST_PASSWORD})
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def _fuzz(operation, statuses: Counter, client, bearer, strategy, checks=CHECKS):
    method, label = operation.method.upper(), operation.label
    default = "vp.chuyenvien" if method in ("POST", "PATCH") else "giamdoc"
    user = CALLERS.get(label, default)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=DERANDOMIZE,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        headers = _fresh_token(client) if label == "DELETE /auth/token" else bearer(user)
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=checks, headers=headers)

    run()


def _arrange(session, actors) -> dict[str, list[dict]]:
    """Items on which every operation can succeed; returns the targets per operation."""
    member, reviewer = actors["vp.chuyenvien"], actors["vp.thamdinh"]
    office = session.execute(
        select(Deliverable.id)
        .join(Unit, Unit.id == Deliverable.unit_id)
        .where(Unit.code == "vp", Deliverable.id <= 14, Deliverable.kind != "regulation")
    ).scalars()
    for deliverable_id in list(office):  # complete drafts, so that "submit" can succeed
        fill(session, actors, deliverable_id)
    # a regulation with two versions
    regulation = deliverable_of(session, 3, "vp", "regulation")
    fill(session, actors, regulation)
    service.perform(session, member, ("deliverable", regulation), "submit")
    service.perform(session, reviewer, ("deliverable", regulation), "return", reason="Sửa.")
    editing.edit_deliverable(session, member, regulation, {"body": "Điều 1.\nĐiều 2 (mới)."})
    service.perform(session, member, ("deliverable", regulation), "submit")
    # nominations waiting for the council's votes, outside the ids the actions are aimed at
    task9 = session.execute(select(Task.id).where(Task.number == 9)).scalar_one()
    nominations = editing.create_deliverable(
        session, member, task9, title="Đề nghị khen thưởng đợt 2", kind="nominations"
    ).id
    fill(session, actors, nominations)
    service.perform(session, member, ("deliverable", nominations), "submit")
    # the Office's December drafts of tasks the other units coordinate (never filled)
    december = session.execute(
        select(Deliverable.id)
        .join(Task, Task.id == Deliverable.task_id)
        .join(Unit, Unit.id == Deliverable.unit_id)
        .where(
            Task.number.in_((1, 4)),
            Unit.code == "vp",
            Deliverable.period_start == date(2025, 12, 1),
        )
    ).scalars()
    today = clock.today_local()
    delegations = [
        delegation.delegate(
            session,
            actors["giamdoc"],
            delegate_username="phogiamdoc",
            starts_on=today,
            ends_on=today + timedelta(days=n),
        ).id
        for n in range(3)
    ]
    plan = session.execute(select(Task.plan_id).where(Task.id == task9)).scalar_one()
    session.rollback()
    period = {"starts_on": today.isoformat(), "ends_on": (today + timedelta(days=7)).isoformat()}
    return {
        "POST /deliverables/{deliverable_id}/votes": [{"deliverable_id": nominations}],
        "POST /deliverables/{deliverable_id}/contributions": [
            {"deliverable_id": d} for d in december
        ],
        "GET /deliverables/{deliverable_id}/versions": [{"deliverable_id": regulation}],
        "GET /deliverables/{deliverable_id}/versions/{number}/diff": [
            {"deliverable_id": regulation, "number": n} for n in (1, 2)
        ],
        "POST /delegations": [{"body": {"delegate": "phogiamdoc", **period}}],
        "DELETE /delegations/{delegation_id}": [{"delegation_id": d} for d in delegations],
        "GET /plans/{plan_id}/dashboard": [{"plan_id": plan}],
        "POST /deliverables/{deliverable_id}/due-date": [
            {"deliverable_id": regulation, "body": {"reason": "Lùi hạn.", "version": None}}
        ],
    }


def test_no_operation_answers_with_a_server_error(app, client, bearer, session, actors):
    targets = _arrange(session, actors)
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    statuses: dict[str, Counter] = defaultdict(Counter)

    for operation in operations:
        strategy = _strategy(operation, targets.get(operation.label))
        _fuzz(operation, statuses[operation.label], client, bearer, strategy)

    labels = {op.label for op in operations}
    # schemathesis leaves out the schema's own path; everything else of the URL map is here
    assert labels == api_operations(app) - {"GET /openapi.json"}
    assert set(targets) <= labels
    assert set(statuses) == labels  # every operation was called
    for label, seen in statuses.items():
        assert sum(seen.values()) >= 5, (label, seen)
        if label != "POST /auth/token":
            assert set(seen) != {401}, (label, seen)  # the token really was sent
    successes = {label for label, seen in statuses.items() if any(200 <= s < 300 for s in seen)}
    # random credentials never sign in; a task's record waits for all its deliverables
    assert successes == labels - CANNOT_SUCCEED, dict(statuses)


def test_input_outside_the_schema_is_refused_with_a_4xx(app, client, bearer):
    """Negative mode: wrong types, missing fields, out-of-range values → 4xx, never 5xx."""
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    statuses: dict[str, Counter] = defaultdict(Counter)
    for operation in (result.ok() for result in schema.get_all_operations()):
        if operation.label in NO_INPUT:
            continue
        strategy = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
        _fuzz(operation, statuses[operation.label], client, bearer, strategy, NEGATIVE_CHECKS)
    assert len(statuses) == len(api_operations(app) - NO_INPUT - {"GET /openapi.json"})
    for label, seen in statuses.items():
        assert sum(seen.values()) >= 5 and max(seen) < 500, (label, seen)

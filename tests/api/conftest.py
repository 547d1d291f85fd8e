"""API fixtures: a test client on the seeded database, and bearer headers per demo user."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from models import Deliverable, Task, Unit
from tests.conftest import TEST_PASSWORD
from tests.helpers import fill, office_deliverable

API = "/api/v1"


@pytest.fixture
def client(app, actors, session) -> FlaskClient:
    session.rollback()  # the test's session must hold no SQLite lock while requests run
    return app.test_client()


@pytest.fixture
def bearer(client) -> Callable[[str], dict[str, str]]:
    """bearer("vp.chuyenvien") → {"Authorization": "Bearer …"}, one token per user."""
    issued: dict[str, dict[str, str]] = {}

    def headers(username: str) -> dict[str, str]:
        if username not in issued:
            r = client.post(
                f"{API}/auth/token", json={"username": username, "password": TEST_PASSWORD}
            )
            assert r.status_code == 201, r.get_json()
            issued[username] = {"Authorization": f"Bearer {r.get_json()['token']}"}
        return issued[username]

    return headers


def api_operations(app: Flask) -> set[str]:
    """Every API route of the app's URL map as "METHOD /path/{param}" (OpenAPI labels)."""
    labels = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix(API))
        labels |= {f"{m} {path}" for m in rule.methods - {"HEAD", "OPTIONS"}}
    return labels


@pytest.fixture
def draft_id(session, actors) -> int:
    """The Steering Committee decision (task 2), a draft of Văn phòng Sở, with no body yet."""
    deliverable_id = office_deliverable(session).id
    session.rollback()
    return deliverable_id


def deliverable_of(session, task_number: int, unit_code: str, kind: str | None = None) -> int:
    """The id of the first deliverable (the earliest period) of a unit for a task."""
    query = (
        select(Deliverable.id)
        .join(Task, Task.id == Deliverable.task_id)
        .join(Unit, Unit.id == Deliverable.unit_id)
        .where(Task.number == task_number, Unit.code == unit_code)
        .order_by(Deliverable.period_start, Deliverable.id)
        .limit(1)
    )
    if kind is not None:
        query = query.where(Deliverable.kind == kind)
    deliverable_id = session.execute(query).scalar_one()
    session.rollback()
    return deliverable_id


@pytest.fixture
def foreign_draft_id(session, actors) -> int:
    """The November report of Văn phòng Sở for task 5 (a draft), which Chi cục QLTT leads
    for its own part and does not coordinate: qltt.chuyenvien may not see it."""
    return deliverable_of(session, 5, "vp")


@pytest.fixture
def filled_id(session, actors, draft_id) -> int:
    """The same draft made complete (decision, members, both files): it can be submitted."""
    fill(session, actors, draft_id)
    return draft_id


def error_of(response) -> str:
    """The `error` code of a JSON error response (and check its shape on the way)."""
    assert response.is_json, response.get_data(as_text=True)[:200]
    data = response.get_json()
    assert set(data) <= {"error", "message", "detail"} and data["message"], data
    return data["error"]

"""Behind a reverse proxy the client address (trail, throttling) is the one the
trusted proxies report (`PHEDUYET_TRUSTED_PROXIES` hops); by default, X-Forwarded-For is
ignored, since any client can send it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEvent
from tests.conftest import TEST_PASSWORD
from webapp.config import from_environment
from workflow.accounts import throttle

FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


@pytest.fixture
def app_config(app_config, request):
    return {**app_config, **getattr(request, "param", {})}


def sign_in(app):
    client = app.test_client()
    client.get("/login")
    return client.post(
        "/login",
        data={"username": "giamdoc", "password": TEST_PASSWORD},
        headers=FORWARDED,
    )


def login_addresses(session) -> list[str | None]:
    session.rollback()
    return list(
        session.execute(
            select(AuditEvent.client_addr).where(AuditEvent.action == "login")
        ).scalars()
    )


def csrf_off(app) -> None:
    app.config["WTF_CSRF_ENABLED"] = False  # this test is about the address, not the form


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}], indirect=True)
def test_behind_one_trusted_proxy_the_trail_has_the_forwarded_address(app, session, actors):
    csrf_off(app)
    assert sign_in(app).status_code == 303
    assert login_addresses(session) == ["203.0.113.7"]


def test_by_default_a_forwarded_header_is_ignored(app, session, actors):
    csrf_off(app)
    assert sign_in(app).status_code == 303
    assert login_addresses(session) == ["127.0.0.1"]


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}], indirect=True)
def test_behind_a_proxy_throttling_counts_the_real_client(app, session, actors):
    csrf_off(app)
    client = app.test_client()
    for _ in range(throttle.ACCOUNT_LIMIT):
        client.post(
            "/login",
            data={"username": "giamdoc", "password": "wrong-password"},
            headers={"X-Forwarded-For": "198.51.100.9"},
        )
    assert sign_in(app).status_code == 303  # the proxy's own address is not what failed


def test_trusted_proxies_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PHEDUYET_TRUSTED_PROXIES", "2")
    assert from_environment(tmp_path, {"SECRET_KEY": "x"})["TRUSTED_PROXIES"] == 2
    monkeypatch.delenv("PHEDUYET_TRUSTED_PROXIES")
    assert from_environment(tmp_path, {"SECRET_KEY": "x"})["TRUSTED_PROXIES"] == 0

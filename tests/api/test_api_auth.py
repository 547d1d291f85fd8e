"""Bearer tokens: issue (201), wrong or locked credentials (401, 429), every other endpoint
refused without a live token (401 + WWW-Authenticate), revocation, expiry, hashing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import ApiToken, AuditEvent, User, utcnow
from tests.api.conftest import API, error_of
from tests.conftest import TEST_PASSWORD
from workflow.accounts import throttle as accounts_throttle
from workflow.accounts import tokens

TOKEN = f"{API}/auth/token"


def sign_in(client, username="vp.chuyenvien", password=TEST_PASSWORD):
    return client.post(TOKEN, json={"username": username, "password": password})


def test_a_correct_password_gets_a_token_201(client):
    r = sign_in(client)
    assert r.status_code == 201
    data = r.get_json()
    assert data["token_type"] == "Bearer" and len(data["token"]) >= 40
    assert data["expires_at"].endswith("Z")
    assert r.headers["Cache-Control"] == "no-store"
    r = client.get(f"{API}/tasks", headers={"Authorization": f"Bearer {data['token']}"})
    assert r.status_code == 200


def test_the_token_is_stored_hashed_expiring_and_audited(client, session, app):
    token = sign_in(client).get_json()["token"]
    session.rollback()
    row = session.execute(select(ApiToken)).scalar_one()
    assert row.token_hash == tokens.hash_token(token) and token not in row.token_hash
    hours = app.config["API_TOKEN_HOURS"]
    assert abs(row.expires_at - row.created_at - timedelta(hours=hours)) < timedelta(seconds=1)
    event = session.execute(
        select(AuditEvent).where(AuditEvent.action == "api_token_issue")
    ).scalar_one()
    assert event.actor_username == "vp.chuyenvien" and event.client_addr == "127.0.0.1"
    session.rollback()


def test_token_lifetime_comes_from_config(client, app, session):
    app.config["API_TOKEN_HOURS"] = 2
    sign_in(client)
    row = session.execute(select(ApiToken)).scalar_one()
    assert row.expires_at - row.created_at == timedelta(hours=2)
    session.rollback()


def test_wrong_password_and_unknown_user_get_one_generic_401(client):
    wrong = sign_in(client, password="not-the-password")
    unknown = sign_in(client, username="nobody")
    assert wrong.status_code == unknown.status_code == 401
    assert error_of(wrong) == error_of(unknown) == "invalid_credentials"
    assert wrong.get_json()["message"] == unknown.get_json()["message"]
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_inactive_user_gets_no_token_and_loses_the_ones_they_had_401(client, session, bearer):
    headers = bearer("qltt.chuyenvien")
    user = session.execute(select(User).where(User.username == "qltt.chuyenvien")).scalar_one()
    user.active = False
    session.commit()
    r = sign_in(client, "qltt.chuyenvien")
    assert r.status_code == 401
    assert r.get_json()["message"] == sign_in(client, password="x" * 9).get_json()["message"]
    assert client.get(f"{API}/tasks", headers=headers).status_code == 401


def test_too_many_wrong_passwords_slow_that_address_on_the_account_429(client):
    for _ in range(accounts_throttle.ACCOUNT_LIMIT):
        assert sign_in(client, "giamdoc", "wrong-password").status_code == 401
    r = sign_in(client, "giamdoc")  # the right password waits too, from this address
    assert r.status_code == 429 and error_of(r) == "too_many_attempts"
    assert 0 < int(r.headers["Retry-After"]) <= accounts_throttle.MAX_DELAY
    assert "giây" in r.get_json()["message"]
    assert sign_in(client, "phogiamdoc").status_code == 201  # another account is not slowed
    elsewhere = client.post(
        TOKEN,
        json={"username": "giamdoc", "password": TEST_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.20.0.2"},
    )
    assert elsewhere.status_code == 201  # nor the owner at another address


def test_token_request_with_bad_json_or_types_is_400(client):
    r = client.post(TOKEN, data="{not json", content_type="application/json")
    assert r.status_code == 400 and error_of(r) == "invalid_json"
    r = client.post(TOKEN, json=["vp.chuyenvien", TEST_PASSWORD])
    assert r.status_code == 400 and error_of(r) == "invalid_json"
    r = client.post(TOKEN, json={"username": "vp.chuyenvien", "password": 12345678})
    assert r.status_code == 400 and error_of(r) == "invalid_input"
    r = client.post(TOKEN, json={"username": "vp.chuyenvien"})
    assert r.status_code == 400 and error_of(r) == "invalid_input"


def test_no_token_is_401_with_a_bearer_challenge(client):
    for method, path in [
        ("get", "/tasks"),
        ("get", "/deliverables/1"),
        ("patch", "/deliverables/1"),
        ("post", "/deliverables/1/actions/submit"),
        ("get", "/audit"),
        ("delete", "/auth/token"),
        ("post", "/deliverables/1/votes"),
        ("post", "/deliverables/1/contributions"),
        ("get", "/deliverables/4/versions/1/diff"),
        ("get", "/delegations"),
        ("delete", "/delegations/1"),
        ("get", "/plans/1/dashboard"),
    ]:
        r = getattr(client, method)(API + path)
        assert r.status_code == 401, path
        assert error_of(r) == "unauthorized"
        assert r.headers["WWW-Authenticate"] == 'Bearer realm="pheduyet"'


def test_a_malformed_or_unknown_token_is_401(client):
    for header in ["Basic dnAuY2h1eWVudmllbjp4", "Bearer", "Bearer not-a-token", "token abc"]:
        r = client.get(f"{API}/tasks", headers={"Authorization": header})
        assert r.status_code == 401, header
        assert error_of(r) == "unauthorized"
    r = client.get(f"{API}/tasks", headers={"Authorization": "Bearer not-a-token"})
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]


def test_expired_token_is_401(client, session, actors):
    issued = tokens.issue(
        session,
        "vp.chuyenvien",
        TEST_PASSWORD,
        hours=1,
        now=utcnow() - timedelta(hours=1, seconds=1),
    )
    r = client.get(f"{API}/tasks", headers={"Authorization": f"Bearer {issued.token}"})
    assert r.status_code == 401 and error_of(r) == "unauthorized"
    assert "hết hạn" in r.get_json()["message"]


def test_revoked_token_is_401(client, session):
    token = sign_in(client).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    other = {"Authorization": f"Bearer {sign_in(client).get_json()['token']}"}
    r = client.delete(TOKEN, headers=headers)
    assert r.status_code == 204
    r = client.get(f"{API}/tasks", headers=headers)
    assert r.status_code == 401 and error_of(r) == "unauthorized"
    assert client.delete(TOKEN, headers=headers).status_code == 401
    assert client.get(f"{API}/tasks", headers=other).status_code == 200  # only that one
    session.rollback()
    revokes = session.execute(
        select(AuditEvent).where(AuditEvent.action == "api_token_revoke")
    ).scalars()
    assert [e.actor_username for e in revokes] == ["vp.chuyenvien"]
    session.rollback()


def test_a_cookie_session_is_not_a_token(client, bearer):
    """The API is CSRF-exempt, so it must never accept the browser's session cookie."""
    client.set_cookie("session", "anything")
    assert client.get(f"{API}/tasks").status_code == 401

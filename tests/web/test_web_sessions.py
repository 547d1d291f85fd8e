"""Sessions end on the server. A session cookie or remember-me cookie copied from a
browser stops working at sign-out, a password change, deactivation (and does not come back
with reactivation) and a change of roles; so do the user's API tokens. Users change their
own password; one password rule for every way a password is set."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import ApiToken, AuditEvent, User
from tests.conftest import TEST_PASSWORD
from tests.web.conftest import Web
from workflow.accounts import admin as admin_ops
from workflow.accounts import users as accounts
from workflow.core.errors import InvalidInput

NEW_PASSWORD = "Sông Trà Khúc 2025"


def text(response) -> str:
    return response.get_data(as_text=True)


def user_id(session, username: str) -> int:
    session.rollback()
    return session.execute(select(User.id).where(User.username == username)).scalar_one()


def sign_in_remembered(app, username: str) -> Web:
    browser = Web(app)
    browser.get("/login")
    response = browser.post(
        "/login", {"username": username, "password": TEST_PASSWORD, "remember": "y"}
    )
    assert response.status_code == 303
    browser.landing = browser.get(response.headers["Location"])
    return browser


def cookies(browser: Web) -> dict[str, str]:
    """What an attacker copies out of the browser."""
    found = {}
    for name in ("session", "remember_token"):
        cookie = browser.client.get_cookie(name)
        if cookie is not None:
            found[name] = cookie.value
    return found


def replay(app, stolen: dict[str, str]):
    """A fresh browser elsewhere, with only the copied cookies."""
    thief = Web(app)
    for name, value in stolen.items():
        thief.client.set_cookie(name, value)
    return thief.get("/")


def assert_login_page(response) -> None:
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"].startswith("/login")


def api_token(app, username: str, password: str = TEST_PASSWORD) -> dict[str, str]:
    response = app.test_client().post(
        "/api/v1/auth/token", json={"username": username, "password": password}
    )
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def api_ok(app, headers) -> bool:
    return app.test_client().get("/api/v1/tasks", headers=headers).status_code == 200


def test_replayed_session_and_remember_cookies_after_logout_get_the_login_page(
    app, actors, session
):
    browser = sign_in_remembered(app, "giamdoc")
    stolen = cookies(browser)
    assert set(stolen) == {"session", "remember_token"}
    assert replay(app, stolen).status_code == 200  # the copies work while signed in …
    token = api_token(app, "giamdoc")
    assert browser.post("/logout").status_code == 303
    assert_login_page(replay(app, stolen))  # … and not after signing out
    assert_login_page(replay(app, {"remember_token": stolen["remember_token"]}))
    assert_login_page(replay(app, {"session": stolen["session"]}))
    assert not api_ok(app, token)  # sign-out ends the API tokens too
    assert web_login_works(app, "giamdoc")  # signing in again is of course possible
    session.rollback()
    (event,) = session.execute(select(AuditEvent).where(AuditEvent.action == "logout")).scalars()
    assert event.actor_username == "giamdoc" and event.client_addr == "127.0.0.1"


def web_login_works(app, username: str, password: str = TEST_PASSWORD) -> bool:
    return Web(app).login(username, password).status_code == 303


def test_an_old_session_does_not_come_back_when_a_deactivated_user_is_reactivated(
    app, actors, session
):
    target = user_id(session, "qltt.chuyenvien")
    browser = sign_in_remembered(app, "qltt.chuyenvien")
    stolen = cookies(browser)
    admin_ops.set_active(session, actors["admin"], target, False)
    assert_login_page(replay(app, stolen))
    admin_ops.set_active(session, actors["admin"], target, True)
    assert_login_page(replay(app, stolen))  # reactivation does not revive the old cookies
    assert_login_page(browser.get("/"))
    assert web_login_works(app, "qltt.chuyenvien")


def test_a_change_of_roles_ends_the_users_sessions_and_tokens(app, actors, session):
    target = user_id(session, "kiemtra")
    browser = sign_in_remembered(app, "kiemtra")
    stolen = cookies(browser)
    token = api_token(app, "kiemtra")
    admin_ops.set_roles(session, actors["admin"], target, ["auditor", "reviewer"])
    assert_login_page(replay(app, stolen))
    assert_login_page(browser.get("/"))
    assert not api_ok(app, token)
    session.rollback()
    event = session.execute(
        select(AuditEvent).where(AuditEvent.action == "set_roles", AuditEvent.item_id == target)
    ).scalar_one()
    assert '"tokens_revoked": 1' in event.detail


def test_an_admin_changing_their_own_roles_stays_signed_in_in_that_browser(web, session):
    me = user_id(session, "admin")
    admin = web("admin")
    response = admin.post(f"/admin/users/{me}/roles", {"roles": ["admin", "auditor"]})
    assert response.status_code == 303
    assert admin.get(f"/admin/users/{me}").status_code == 200


def test_users_change_their_own_password_and_every_other_session_ends(app, web, actors, session):
    other_browser = sign_in_remembered(app, "vp.chuyenvien")
    stolen = cookies(other_browser)
    token = api_token(app, "vp.chuyenvien")
    browser = web("vp.chuyenvien")
    page = browser.get("/account/password")
    assert page.status_code == 200 and "Mật khẩu hiện tại" in text(page)
    assert 'href="/account/password"' in text(browser.landing)  # offered on every page
    form = {"old_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert browser.post("/account/password", form, csrf=False).status_code == 400  # CSRF
    wrong = browser.post("/account/password", {**form, "old_password": "not-my-password"})
    assert wrong.status_code == 400 and "Mật khẩu hiện tại không đúng." in text(wrong)
    mismatch = browser.post("/account/password", {**form, "confirm": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 400 and "không khớp" in text(mismatch)
    weak = browser.post(
        "/account/password", {**form, "new_password": "password", "confirm": "password"}
    )
    assert weak.status_code == 400 and "ít nhất 10 ký tự" in text(weak)
    assert api_ok(app, token) and replay(app, stolen).status_code == 200  # nothing changed yet
    done = browser.post("/account/password", form)
    assert done.status_code == 303
    assert "Đã đổi mật khẩu." in text(browser.get(done.headers["Location"]))
    assert browser.get("/").status_code == 200  # this browser stays signed in
    assert_login_page(other_browser.get("/"))
    assert_login_page(replay(app, stolen))
    assert not api_ok(app, token)
    assert not web_login_works(app, "vp.chuyenvien", TEST_PASSWORD)
    assert web_login_works(app, "vp.chuyenvien", NEW_PASSWORD)
    session.rollback()
    events = session.execute(
        select(AuditEvent).where(AuditEvent.action == "password_change")
    ).scalars()
    (event,) = events
    assert event.actor_username == "vp.chuyenvien"
    assert TEST_PASSWORD not in event.detail and NEW_PASSWORD not in event.detail


def test_password_change_needs_a_sign_in(web):
    response = web().get("/account/password")
    assert_login_page(response)


def test_a_password_change_revokes_api_tokens_in_the_workflow(session, actors):
    issued = api_tokens_of(session, actors, "vp.thamdinh")
    accounts.change_password(session, actors["vp.thamdinh"], TEST_PASSWORD, NEW_PASSWORD)
    session.rollback()
    assert session.get(ApiToken, issued).revoked_at is not None


def api_tokens_of(session, actors, username: str) -> int:
    from workflow.accounts import tokens

    return tokens.issue(session, username, TEST_PASSWORD).token_id


# --- one password rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "password",
        "aaaaaaaaaaaa",
        "Password2025!",
        "matkhau123456",
        "1234567890",
        "abcdefghijkl",
        "0987654321",
        "abababababab",
        "short-1",
        "qltt.chuyenvien1",
    ],
)
def test_the_password_rule_refuses_weak_passwords(password):
    assert accounts.password_problem(password, "qltt.chuyenvien") is not None
    with pytest.raises(InvalidInput):
        accounts.check_password_rule(password, "qltt.chuyenvien")


@pytest.mark.parametrize("password", [TEST_PASSWORD, NEW_PASSWORD, "mat-khau-manh-1"])
def test_the_password_rule_accepts_reasonable_passwords(password):
    assert accounts.password_problem(password, "qltt.chuyenvien") is None


def test_admin_create_user_refuses_password_and_repeated_characters(web, session):
    admin = web("admin")
    for weak in ("password", "aaaaaaaaaaaa"):
        response = admin.post(
            "/admin/users/new",
            {
                "username": "qlcn.moi",
                "full_name": "Người Mới",
                "unit": "qlcn",
                "roles": ["member"],
                "password": weak,
            },
        )
        assert response.status_code == 400, weak
        assert "Mật khẩu" in text(response)
    session.rollback()
    assert session.execute(select(User).where(User.username == "qlcn.moi")).first() is None


def test_cli_create_user_refuses_a_common_password(app, actors):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--username",
            "qlcn.moi",
            "--full-name",
            "Người Mới",
            "--unit",
            "qlcn",
            "--role",
            "member",
        ],
        env={"PHEDUYET_NEW_PASSWORD": "password"},
    )
    assert result.exit_code != 0
    assert result.output.startswith("Lỗi:") and "ít nhất 10 ký tự" in result.output

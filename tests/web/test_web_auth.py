"""Signing in and out: the real login form, one answer for a wrong name or password,
throttling per account and per address, inactive accounts, CSRF, safe redirects."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from models import LoginFailure, User, utcnow
from tests.conftest import TEST_PASSWORD
from workflow import accounts_throttle as throttle
from workflow import admin as admin_ops

GENERIC = "Tên đăng nhập hoặc mật khẩu không đúng."


def test_landing_page_redirects_to_login(web):
    anonymous = web()
    response = anonymous.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    page = anonymous.get(response.headers["Location"])
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Đăng nhập" in text and 'name="csrf_token"' in text
    assert "Vui lòng đăng nhập để tiếp tục." in text


def test_every_page_needs_a_sign_in(web, steering):
    anonymous = web()
    for url in ("/plan", "/audit", "/admin", f"/deliverables/{steering.id}", "/tasks/1"):
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login")


def test_sign_in_lands_on_the_queue(web):
    browser = web()
    response = browser.login("vp.chuyenvien")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    text = browser.landing.get_data(as_text=True)
    assert "Xin chào Nguyễn Thị Lan." in text
    assert "Việc cần xử lý" in text
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "remember_token" not in cookie  # remember-me is off unless ticked


def test_username_is_case_and_space_insensitive(web):
    response = web().login("  VP.ChuyenVien ")
    assert response.status_code == 303


def test_wrong_password_and_unknown_user_get_the_same_answer(web):
    browser = web()
    wrong_password = browser.login("vp.chuyenvien", "not-the-password")
    unknown_user = browser.login("nobody.here", "not-the-password")
    for response in (wrong_password, unknown_user):
        assert response.status_code == 401
        assert GENERIC in response.get_data(as_text=True)
    assert "nobody.here" not in unknown_user.get_data(as_text=True).split(GENERIC)[1][:200]


def test_five_failures_lock_the_account_for_fifteen_minutes(web, session):
    browser = web()
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert browser.login("vp.thamdinh", "wrong-password").status_code == 401
    locked = browser.login("vp.thamdinh", TEST_PASSWORD)  # even the right password waits
    assert locked.status_code == 429
    assert "Thử lại sau 15 phút" in locked.get_data(as_text=True)
    # Another account from the same address is not locked by it.
    assert web().login("giamdoc").status_code == 303
    session.rollback()
    assert (
        session.execute(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.username == "vp.thamdinh")
        ).scalar_one()
        == throttle.ACCOUNT_LIMIT
    )


def test_many_failures_from_one_address_lock_the_address(web):
    browser = web()
    for n in range(throttle.ADDRESS_LIMIT):
        assert browser.login(f"guess{n}", "wrong-password").status_code == 401
    locked = web().login("giamdoc")  # the test client always comes from 127.0.0.1
    assert locked.status_code == 429
    assert "Thử lại sau" in locked.get_data(as_text=True)


def test_a_successful_sign_in_clears_the_accounts_failures(web, session):
    browser = web()
    for _ in range(throttle.ACCOUNT_LIMIT - 1):
        browser.login("kiemtra", "wrong-password")
    assert browser.login("kiemtra").status_code == 303
    session.rollback()
    assert (
        session.execute(
            select(func.count()).select_from(LoginFailure).where(LoginFailure.username == "kiemtra")
        ).scalar_one()
        == 0
    )


def test_wait_minutes_rule():
    now = datetime(2025, 11, 20, 8, 0, 0)
    window = timedelta(minutes=15)
    recent = [now - timedelta(minutes=m) for m in (1, 2, 3, 4, 5)]
    assert throttle.wait_minutes(recent[:4], now, 5, window) == 0
    assert throttle.wait_minutes(recent, now, 5, window) == 10  # the 5th oldest leaves at +10
    old = [now - timedelta(minutes=m) for m in (16, 20, 30, 40, 50)]
    assert throttle.wait_minutes(old, now, 5, window) == 0
    just = [now - timedelta(minutes=14, seconds=59)] * 5
    assert throttle.wait_minutes(just, now, 5, window) == 1


def test_attempt_sign_in_function(session, actors):
    ok = throttle.attempt_sign_in(session, "giamdoc", TEST_PASSWORD, "10.0.0.1")
    assert ok.error is None and ok.user is not None and ok.user.username == "giamdoc"
    later = utcnow() + timedelta(minutes=1)
    for _ in range(throttle.ACCOUNT_LIMIT):
        bad = throttle.attempt_sign_in(session, "giamdoc", "nope", "10.0.0.1", now=later)
        assert bad.error == throttle.BAD_CREDENTIALS and bad.user is None
    blocked = throttle.attempt_sign_in(session, "giamdoc", TEST_PASSWORD, "10.0.0.1", now=later)
    assert blocked.error == throttle.THROTTLED and blocked.wait_minutes == 15
    after = throttle.attempt_sign_in(
        session, "giamdoc", TEST_PASSWORD, "10.0.0.1", now=later + timedelta(minutes=16)
    )
    assert after.error is None


def test_inactive_user_cannot_sign_in_and_loses_their_session(web, session, actors):
    signed_in = web("qltt.chuyenvien")
    assert signed_in.get("/").status_code == 200
    user = session.execute(select(User).where(User.username == "qltt.chuyenvien")).scalar_one()
    admin_ops.set_active(session, actors["admin"], user.id, False)
    # The open session ends at the next request.
    response = signed_in.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    refused = web().login("qltt.chuyenvien")
    assert refused.status_code == 403
    assert "đã bị khóa" in refused.get_data(as_text=True)
    # A wrong password for an inactive account still gets the generic answer.
    wrong = web().login("qltt.chuyenvien", "wrong-password")
    assert GENERIC in wrong.get_data(as_text=True)


def test_logout_asks_then_signs_out(web):
    browser = web("vp.chuyenvien")
    confirm = browser.get("/logout")
    assert confirm.status_code == 200 and "Bạn muốn đăng xuất" in confirm.get_data(as_text=True)
    response = browser.post("/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "Bạn đã đăng xuất." in browser.get("/login").get_data(as_text=True)
    assert browser.get("/").status_code == 302


def test_post_without_csrf_token_is_refused(web, steering, session):
    browser = web("vp.chuyenvien")
    response = browser.post(
        f"/deliverables/{steering.id}/comments", {"body": "Ý kiến không có mã"}, csrf=False
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "CSRF" in text and "tải lại trang" in text
    assert browser.post("/logout", csrf=False).status_code == 400
    assert browser.get("/").status_code == 200  # still signed in
    login = web().client.post("/login", data={"username": "giamdoc", "password": TEST_PASSWORD})
    assert login.status_code == 400


def test_next_parameter_only_leads_inside_the_site(web):
    browser = web()
    browser.get("/login")
    for target, expected in (
        ("/plan", "/plan"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
    ):
        fresh = web()
        fresh.get("/login")
        response = fresh.post(
            "/login?next=" + target, {"username": "giamdoc", "password": TEST_PASSWORD}
        )
        assert response.status_code == 303
        assert response.headers["Location"] == expected, target

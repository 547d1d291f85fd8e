"""Signing in and out: the real login form, one answer for a wrong name or password,
throttling by delay (never a lockout of the owner), the trail, inactive accounts, CSRF,
safe redirects."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from models import AuditEvent, LoginFailure, User, utcnow
from tests.conftest import TEST_PASSWORD
from workflow.accounts import admin as admin_ops
from workflow.accounts import throttle

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


def from_address(browser, addr: str):
    browser.client.environ_base["REMOTE_ADDR"] = addr
    return browser


def test_five_failures_slow_that_address_on_that_account_only(web, session):
    """No 15-minute lock any more; a short delay, for this address and account."""
    browser = web()
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert browser.login("vp.thamdinh", "wrong-password").status_code == 401
    slowed = browser.login("vp.thamdinh", TEST_PASSWORD)  # the password is not even looked at
    assert slowed.status_code == 429
    assert "Thử lại sau 5 giây" in slowed.get_data(as_text=True)
    # Another account from the same address is not slowed by it …
    assert web().login("giamdoc").status_code == 303
    # … nor the same account from another address (the owner at their desk).
    assert from_address(web(), "10.20.0.7").login("vp.thamdinh").status_code == 303
    session.rollback()
    assert (
        session.execute(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.username == "vp.thamdinh")
        ).scalar_one()
        == throttle.ACCOUNT_LIMIT  # the refused attempt was not counted; 10.20.0.7 had none
    )


def test_twenty_failures_from_one_office_address_do_not_lock_out_a_colleague(web):
    """Behind the office's NAT everybody shares one address."""
    attacker = web()
    for n in range(throttle.ADDRESS_LIMIT):
        assert attacker.login(f"guess{n}", "wrong-password").status_code == 401
    assert web().login("giamdoc").status_code == 303  # same address, correct password
    # The address is slowed on the accounts it failed on.
    again = attacker.login("guess0", "wrong-password")
    assert again.status_code == 429 and "Thử lại sau" in again.get_data(as_text=True)


def test_an_attackers_fifty_bad_passwords_do_not_stop_the_director_elsewhere(web, session):
    attacker = from_address(web(), "198.51.100.9")
    statuses = [attacker.login("giamdoc", f"guess-{n}").status_code for n in range(50)]
    assert set(statuses) == {401, 429} and statuses.count(401) == throttle.ACCOUNT_LIMIT
    director = from_address(web(), "10.20.0.2")
    assert director.login("giamdoc").status_code == 303
    # The Director signing in does not clear the attacker's delay.
    assert attacker.login("giamdoc", TEST_PASSWORD).status_code == 429


def test_someone_failing_from_the_same_office_cannot_keep_the_directors_browser_out(web):
    """The Director's own browser signed in before: it is a known device of the account,
    counted on its own; a colleague's failures from the same NAT address do not slow it."""
    director = web("giamdoc")
    assert director.post("/logout").status_code == 303
    colleague = web()  # same address (127.0.0.1), another browser
    statuses = [colleague.login("giamdoc", f"guess-{n}").status_code for n in range(30)]
    assert statuses.count(401) == throttle.ACCOUNT_LIMIT and statuses[-1] == 429
    assert director.login("giamdoc").status_code == 303
    # A fresh browser at that address is slowed: it is not a known device of the account.
    assert web().login("giamdoc").status_code == 429
    # A forged or copied-for-another-account cookie is no known device.
    forged = web()
    forged.client.set_cookie("pheduyet_device", "eyJkIjoieCIsInUiOlsiZ2lhbWRvYyJdfQ.forged")
    assert forged.login("giamdoc").status_code == 429
    other = web("kiemtra")  # knows kiemtra's account, not the Director's
    assert other.post("/logout").status_code == 303
    assert other.login("giamdoc").status_code == 429


def test_a_known_device_has_its_own_limit(web, session):
    browser = web("vp.thamdinh")
    browser.post("/logout")
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert browser.login("vp.thamdinh", "wrong-password").status_code == 401
    assert browser.login("vp.thamdinh").status_code == 429
    session.rollback()
    keys = set(
        session.execute(
            select(LoginFailure.client_addr).where(LoginFailure.username == "vp.thamdinh")
        ).scalars()
    )
    assert len(keys) == 1 and keys.pop().startswith("device:")
    assert web().login("vp.thamdinh").status_code == 303  # the address itself never failed


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


def test_delay_rule():
    limit = throttle.ACCOUNT_LIMIT
    assert throttle.delay_after(limit - 1, limit) == 0
    assert [throttle.delay_after(limit + n, limit) for n in range(6)] == [5, 10, 20, 40, 60, 60]
    assert throttle.delay_after(10_000, limit) == throttle.MAX_DELAY


def test_attempt_sign_in_function(session, actors):
    ok = throttle.attempt_sign_in(session, "giamdoc", TEST_PASSWORD, "10.0.0.1")
    assert ok.error is None and ok.user is not None and ok.user.username == "giamdoc"
    later = utcnow() + timedelta(minutes=1)
    for _ in range(throttle.ACCOUNT_LIMIT):
        bad = throttle.attempt_sign_in(session, "giamdoc", "nope", "10.0.0.1", now=later)
        assert bad.error == throttle.BAD_CREDENTIALS and bad.user is None
    blocked = throttle.attempt_sign_in(session, "giamdoc", TEST_PASSWORD, "10.0.0.1", now=later)
    assert blocked.error == throttle.THROTTLED and blocked.wait_seconds == 5
    elsewhere = throttle.attempt_sign_in(session, "giamdoc", TEST_PASSWORD, "10.0.0.2", now=later)
    assert elsewhere.error is None
    after = throttle.attempt_sign_in(
        session, "giamdoc", TEST_PASSWORD, "10.0.0.1", now=later + timedelta(seconds=6)
    )
    assert after.error is None


def test_a_distributed_attack_slows_only_the_addresses_that_failed(session, actors):
    now = utcnow()
    for n in range(throttle.ACCOUNT_WIDE_LIMIT):
        throttle.attempt_sign_in(session, "giamdoc", "nope", f"192.0.2.{n}", now=now)
    # Each attacking address failed once: still, the account-wide count slows all of them.
    refused = throttle.attempt_sign_in(session, "giamdoc", "nope", "192.0.2.1", now=now)
    assert refused.error == throttle.THROTTLED
    owner = throttle.attempt_sign_in(session, "giamdoc", TEST_PASSWORD, "10.0.0.9", now=now)
    assert owner.error is None


def test_sign_ins_failures_and_delays_are_in_the_trail_without_passwords(web, session):
    browser = web()
    browser.login("nobody.here", "my-secret-guess")
    for _ in range(throttle.ACCOUNT_LIMIT):
        browser.login("kiemtra", "another-secret-guess")
    browser.login("kiemtra", TEST_PASSWORD)  # refused: no event
    director = web()
    assert director.login("giamdoc").status_code == 303
    page = director.get("/audit").get_data(as_text=True)
    for label in ("Đăng nhập không thành công", "Tạm chặn đăng nhập sai nhiều lần"):
        assert label in page
    session.rollback()
    events = list(
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.action.in_(["login", "login_failed", "login_throttled"]))
            .order_by(AuditEvent.seq)
        ).scalars()
    )
    actions = [e.action for e in events]
    assert actions == ["login_failed"] * 6 + ["login_throttled", "login"]
    unknown, *failed = events[:6]
    assert unknown.item_id is None and "nobody.here" not in unknown.detail
    kiemtra = session.execute(select(User.id).where(User.username == "kiemtra")).scalar_one()
    assert {e.item_id for e in failed} == {kiemtra}
    assert all(e.actor_username == "anonymous" and e.actor_id is None for e in failed)
    assert '"delay_s": 5' in events[6].detail
    assert events[7].actor_username == "giamdoc" and events[7].client_addr == "127.0.0.1"
    for event in events:
        for secret in ("secret-guess", TEST_PASSWORD):
            assert secret not in event.detail and secret not in (event.reason or "")


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

"""Administration: admins only; users, units, roles, deactivation — each change audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import AuditEvent, User
from tests.conftest import TEST_PASSWORD
from workflow.accounts import admin as admin_ops
from workflow.core.errors import InvalidInput, NotPermitted

SIGN_IN_EVENTS = ("login", "login_failed", "login_throttled", "logout")
NOT_ADMINS = (
    "giamdoc",
    "phogiamdoc",
    "vp.thamdinh",
    "vp.chuyenvien",
    "qltt.chuyenvien",
    "kiemtra",
)


def text(response) -> str:
    return response.get_data(as_text=True)


def user_id(session, username: str) -> int:
    session.rollback()
    return session.execute(select(User.id).where(User.username == username)).scalar_one()


def test_only_admins_reach_administration(web, session):
    target = user_id(session, "qltt.chuyenvien")
    for username in NOT_ADMINS:
        browser = web(username)
        assert 'href="/admin"' not in text(browser.landing)
        for url in ("/admin", "/admin/users/new", f"/admin/users/{target}"):
            assert browser.get(url).status_code == 403, (username, url)
        for url in (
            f"/admin/users/{target}/deactivate",
            f"/admin/users/{target}/reactivate",
            f"/admin/users/{target}/roles",
        ):
            assert browser.post(url, {"roles": ["admin"]}).status_code == 403, (username, url)
        created = browser.post(
            "/admin/users/new",
            {
                "username": "hacker",
                "full_name": "X",
                "unit": "vp",
                "roles": ["admin"],
                "password": "password123",
            },
        )
        assert created.status_code == 403
    session.rollback()
    assert session.execute(select(User).where(User.username == "hacker")).first() is None
    assert session.get(User, target).active


def test_admin_lists_users_and_units(web):
    page = text(web("admin").get("/admin"))
    for expected in (
        "vp.chuyenvien",
        "Nguyễn Thị Lan",
        "Chi cục Quản lý thị trường",
        "Các phòng thuộc Sở",
        "Thẩm định (Văn phòng Sở)",
        "Đang hoạt động",
    ):
        assert expected in page, expected


def test_admin_creates_a_user_who_can_then_sign_in(web, session):
    admin = web("admin")
    form = admin.get("/admin/users/new")
    assert form.status_code == 200 and "Tạo người dùng" in text(form)
    response = admin.post(
        "/admin/users/new",
        {
            "username": "qlcn.truongphong",
            "full_name": "Ngô Thị Phương",
            "email": "phuong@example.vn",
            "unit": "qlcn",
            "roles": ["member"],
            "password": TEST_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert "Đã tạo người dùng qlcn.truongphong." in text(admin.get("/admin"))
    assert web("qlcn.truongphong").landing.status_code == 200
    session.rollback()
    event = (
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.item_type == "user", AuditEvent.action == "create")
            .order_by(AuditEvent.seq.desc())
        )
        .scalars()
        .first()
    )
    assert event.action == "create" and event.actor_username == "admin"
    duplicate = admin.post(
        "/admin/users/new",
        {
            "username": "qlcn.truongphong",
            "full_name": "Trùng",
            "unit": "qlcn",
            "roles": ["member"],
            "password": TEST_PASSWORD,
        },
    )
    assert duplicate.status_code == 400 and "đã có" in text(duplicate)
    no_role = admin.post(
        "/admin/users/new",
        {"username": "x.y", "full_name": "X Y", "unit": "vp", "password": TEST_PASSWORD},
    )
    assert no_role.status_code == 400


def test_deactivate_and_reactivate(web, session):
    target = user_id(session, "qltt.chuyenvien")
    victim = web("qltt.chuyenvien")
    admin = web("admin")
    assert admin.post(f"/admin/users/{target}/deactivate").status_code == 303
    assert "Đã khóa tài khoản qltt.chuyenvien" in text(admin.get("/admin"))
    assert victim.get("/").status_code == 302  # the open session ended
    assert web().login("qltt.chuyenvien").status_code == 403
    assert admin.post(f"/admin/users/{target}/reactivate").status_code == 303
    assert web().login("qltt.chuyenvien").status_code == 303
    session.rollback()
    actions = list(
        session.execute(
            select(AuditEvent.action, AuditEvent.actor_username, AuditEvent.client_addr)
            .where(
                AuditEvent.item_type == "user",
                AuditEvent.item_id == target,
                AuditEvent.action.not_in(SIGN_IN_EVENTS),  # issue 9: sign-ins are events too
            )
            .order_by(AuditEvent.seq)
        )
    )
    assert [a for a, *_ in actions] == ["create", "deactivate", "reactivate"]
    assert actions[1][1] == "admin" and actions[1][2] == "127.0.0.1"


def test_admin_cannot_lock_themselves_out(web, session, actors):
    me = user_id(session, "admin")
    refused = web("admin").post(f"/admin/users/{me}/deactivate")
    assert refused.status_code == 400
    assert "chính mình" in text(refused)
    drop = web("admin").post(f"/admin/users/{me}/roles", {"roles": ["member"]})
    assert drop.status_code == 400
    with pytest.raises(InvalidInput):
        admin_ops.set_active(session, actors["admin"], me, False)


def test_admin_changes_roles(web, session, actors):
    target = user_id(session, "kiemtra")
    admin = web("admin")
    page = text(admin.get(f"/admin/users/{target}"))
    assert "Đặng Thu Trang" in page
    assert re.search(r'<input checked[^>]*value="auditor"', page)
    assert not re.search(r'<input checked[^>]*value="admin"', page)
    response = admin.post(f"/admin/users/{target}/roles", {"roles": ["auditor", "reviewer"]})
    assert response.status_code == 303
    session.rollback()
    assert session.get(User, target).roles == {"auditor", "reviewer"}
    assert admin.post(f"/admin/users/{target}/roles", {"roles": ["king"]}).status_code == 400
    with pytest.raises(NotPermitted):
        admin_ops.set_roles(session, actors["kiemtra"], target, ["admin"])

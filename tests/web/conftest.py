"""Fixtures for the page tests: a client that signs in through the real login form and
sends the CSRF token the pages gave it (CSRF stays on in these tests)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Deliverable, Task, Unit
from tests.conftest import TEST_PASSWORD

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Web:
    """A Flask test client, as one person in one browser."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()
        self.token: str | None = None
        self.landing = None  # the page reached right after signing in

    def _remember(self, response) -> None:
        if response.mimetype == "text/html":
            found = TOKEN.search(response.get_data(as_text=True))
            if found:
                self.token = found.group(1)

    def get(self, url: str, **kwargs):
        response = self.client.get(url, **kwargs)
        response.get_data()  # read it all, then close it, as a browser does
        response.close()
        self._remember(response)
        return response

    def post(self, url: str, data: dict | None = None, *, csrf: bool = True, **kwargs):
        data = dict(data or {})
        if csrf and "csrf_token" not in data:
            if self.token is None:
                self.get("/login")
            data["csrf_token"] = self.token
        response = self.client.post(url, data=data, **kwargs)
        self._remember(response)
        return response

    def login(self, username: str, password: str = TEST_PASSWORD):
        self.get("/login")
        response = self.post("/login", {"username": username, "password": password})
        if response.status_code in (302, 303):
            # The session was renewed: take its CSRF token from the page signed in to.
            self.landing = self.get(response.headers["Location"])
        return response

    @staticmethod
    def text(response) -> str:
        return response.get_data(as_text=True)


@pytest.fixture
def web(app, actors) -> Callable[..., Web]:
    """`web("vp.chuyenvien")` → a client signed in as that demo user; `web()` → anonymous."""

    def make(username: str | None = None) -> Web:
        browser = Web(app)
        if username is not None:
            response = browser.login(username)
            assert response.status_code == 303, Web.text(response)
        return browser

    return make


@pytest.fixture
def steering(session: Session, actors) -> Deliverable:
    """Task 2's Steering Committee decision: a draft of Văn phòng Sở."""
    return session.execute(
        select(Deliverable).where(Deliverable.kind == "steering_committee")
    ).scalar_one()


@pytest.fixture
def rules_doc(session: Session, actors) -> Deliverable:
    """Task 2's working rules: a plain document (title and body make it complete)."""
    return session.execute(
        select(Deliverable).where(Deliverable.title == "Quy chế làm việc của Ban Chỉ đạo")
    ).scalar_one()


@pytest.fixture
def qltt_report(session: Session, actors) -> Deliverable:
    """A draft of Chi cục QLTT: its own part of task 5 (each lead unit has one)."""
    unit = session.execute(select(Unit).where(Unit.code == "qltt")).scalar_one()
    return (
        session.execute(
            select(Deliverable).where(Deliverable.unit_id == unit.id).order_by(Deliverable.id)
        )
        .scalars()
        .first()
    )


@pytest.fixture
def task2(session: Session, actors) -> Task:
    return session.execute(select(Task).where(Task.number == 2)).scalar_one()


# --- kinds, councils, delegation, regulations, periodic reports ---------------------------


@pytest.fixture
def nominations(session: Session, actors) -> Deliverable:
    """Task 9's "Dân vận khéo" nominations: a draft of Văn phòng Sở, voted on by the
    emulation council (phogiamdoc, vp.thamdinh, khtc.chuyenvien, qltt.chuyenvien; quorum 3)."""
    found = select(Deliverable).where(Deliverable.kind == "nominations")
    return session.execute(found).scalar_one()


@pytest.fixture
def regulation_doc(session: Session, actors) -> Deliverable:
    """Task 3's grassroots-democracy regulation: a draft of Văn phòng Sở, with versions."""
    return session.execute(select(Deliverable).where(Deliverable.kind == "regulation")).scalar_one()


@pytest.fixture
def outsider(session: Session, actors) -> str:
    """A member of a unit that neither leads nor coordinates any task: sees no draft."""
    from tests.conftest import FAST_HASH
    from workflow.accounts.users import create_user

    session.add(Unit(code="ttkc", name="Trung tâm Khuyến công", short_name="TTKC", kind="division"))
    session.flush()
    create_user(
        session,
        username="ttkc.chuyenvien",
        full_name="Hà Văn Ngoài",
        unit_code="ttkc",
        roles=["member"],
        password=TEST_PASSWORD,
        password_method=FAST_HASH,
    )
    session.commit()
    return "ttkc.chuyenvien"

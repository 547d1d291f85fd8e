"""Migration 0005 (issue 11) backfills from the trail what each transition now records:
the time an item entered its state, the action that brought it there, and each stay."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from models import Deliverable, StateStay, Task
from tests.conftest import FAST_HASH, TEST_PASSWORD
from tests.helpers import bring_to
from webapp import create_app
from workflow.core import service
from workflow.core.policy import Actor
from workflow.intake import seed


@pytest.fixture
def migrated_app(app_config):
    app = create_app(app_config)
    with app.app_context():
        upgrade()
    yield app
    app.extensions["pheduyet.db"].engine.dispose()


def test_upgrade_backfills_stays_and_last_transitions_from_the_trail(migrated_app):
    from models import User

    sessions = migrated_app.extensions["pheduyet.db"].sessions
    with sessions() as session:
        seed.seed_demo(session, password=TEST_PASSWORD, password_method=FAST_HASH)
        actors = {u.username: Actor.of(u) for u in session.execute(select(User)).scalars()}
        ids = session.execute(select(Deliverable.id).order_by(Deliverable.id).limit(3)).scalars()
        ids = list(ids)
        bring_to(session, actors, ("deliverable", ids[0]), "approved")
        bring_to(session, actors, ("deliverable", ids[1]), "submitted")
        service.perform(
            session, actors["vp.thamdinh"], ("deliverable", ids[1]), "return", reason="Sửa lại."
        )
        recorded = sorted(
            (s.deliverable_id, s.state, s.ended_at, s.seconds)
            for s in session.execute(select(StateStay)).scalars()
        )
        items = session.execute(
            select(Deliverable.id, Deliverable.state_entered_at, Deliverable.last_action).order_by(
                Deliverable.id
            )
        ).all()
        tasks = session.execute(select(Task.id, Task.last_action)).all()
    assert len(recorded) == 5  # 3 transitions of the first, 2 of the second
    with migrated_app.app_context():
        downgrade(revision="-1")  # the revision before this one
        upgrade()
    with sessions() as session:
        backfilled = sorted(
            (s.deliverable_id, s.state, s.ended_at, s.seconds)
            for s in session.execute(select(StateStay)).scalars()
        )
        # SQLite's julianday() keeps about a millisecond
        assert [b[:3] for b in backfilled] == [r[:3] for r in recorded]
        assert all(abs(b[3] - r[3]) < 0.01 for b, r in zip(backfilled, recorded, strict=True))
        assert (
            session.execute(
                select(
                    Deliverable.id, Deliverable.state_entered_at, Deliverable.last_action
                ).order_by(Deliverable.id)
            ).all()
            == items
        )
        assert session.execute(select(Task.id, Task.last_action)).all() == tasks

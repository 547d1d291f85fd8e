"""Random actions by random users: the stored state always equals the trail's last to-state,
versions only grow by one per change, and the chain verifies."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import select

import models
from models import AuditEvent, Deliverable, Task, User
from models.database import make_engine, make_session_factory
from tests.conftest import FAST_HASH, TEST_PASSWORD, postgres_test_url, reset_postgres
from workflow.core import audit, errors, service
from workflow.core.machine import ACTIONS
from workflow.core.policy import Actor
from workflow.intake import seed
from workflow.items import editing

USERNAMES = ("vp.chuyenvien", "qltt.chuyenvien", "vp.thamdinh", "phogiamdoc", "giamdoc", "admin")


class RandomUsers(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        url = postgres_test_url()
        if url:
            reset_postgres(url)
        else:
            self.folder = tempfile.TemporaryDirectory()
            url = f"sqlite:///{Path(self.folder.name) / 'stateful.db'}"
        self.engine = make_engine(url)
        models.Base.metadata.create_all(self.engine)
        self.session = make_session_factory(self.engine)()
        seed.seed_demo(self.session, password=TEST_PASSWORD, password_method=FAST_HASH)
        users = self.session.execute(select(User)).scalars()
        self.actors = {u.username: Actor.of(u) for u in users}
        task = self.session.execute(select(Task).where(Task.number == 2)).scalar_one()
        self.items = [("task", task.id)] + [("deliverable", d.id) for d in task.deliverables]
        self.items.append(
            (
                "deliverable",
                self.session.execute(
                    select(Deliverable.id).where(Deliverable.kind == "nominations")
                ).scalar_one(),
            )
        )
        self.versions = {item: 1 for item in self.items}

    def teardown(self) -> None:
        self.session.close()
        self.engine.dispose()

    @rule(
        user=st.sampled_from(USERNAMES),
        item=st.integers(0, 4),
        action=st.sampled_from(ACTIONS),
        reason=st.sampled_from([None, "Cần bổ sung."]),
    )
    def act(self, user, item, action, reason):
        target = self.items[item]
        try:
            outcome = service.perform(
                self.session, self.actors[user], target, action, reason=reason
            )
        except errors.WorkflowError:
            return
        assert outcome.version == self.versions[target] + 1
        self.versions[target] = outcome.version

    @rule(item=st.integers(1, 4), body=st.sampled_from(["", "Nội dung."]))
    def edit(self, item, body):
        target = self.items[item]
        try:
            version = editing.edit_deliverable(
                self.session, self.actors["vp.chuyenvien"], target[1], {"body": body}
            )
        except errors.WorkflowError:
            return
        assert version in (self.versions[target], self.versions[target] + 1)
        self.versions[target] = version

    @invariant()
    def stored_state_is_the_last_audited_state(self):
        self.session.rollback()
        for kind, item_id in self.items:
            model = Task if kind == "task" else Deliverable
            row = self.session.get(model, item_id)
            self.session.refresh(row)
            last = self.session.execute(
                select(AuditEvent.to_state)
                .where(AuditEvent.item_type == kind, AuditEvent.item_id == item_id)
                .where(AuditEvent.to_state.is_not(None))
                .order_by(AuditEvent.seq.desc())
                .limit(1)
            ).scalar_one_or_none()
            assert row.state == (last or "draft")
            assert row.version == self.versions[(kind, item_id)]

    @invariant()
    def chain_verifies(self):
        self.session.rollback()
        assert audit.verify(self.session.connection()).ok
        self.session.rollback()


RandomUsers.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_random_users_keep_state_and_trail_consistent = RandomUsers.TestCase

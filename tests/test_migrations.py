"""Alembic: `upgrade head` on an empty database builds exactly what models/ declares."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

import models
from webapp import create_app


@pytest.fixture
def bare_app(app_config):
    app = create_app(app_config)  # no create_all: the migrations build the schema
    yield app
    app.extensions["pheduyet.db"].engine.dispose()


def test_upgrade_head_matches_the_models_and_downgrade_base_removes_it(bare_app):
    engine = bare_app.extensions["pheduyet.db"].engine
    with bare_app.app_context():
        upgrade()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, models.Base.metadata) == []
        assert conn.execute(text("SELECT last_seq FROM audit_head WHERE id = 1")).scalar() == 0
    with bare_app.app_context():
        downgrade(revision="base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}


def test_migrated_database_refuses_audit_changes(bare_app):
    engine = bare_app.extensions["pheduyet.db"].engine
    with bare_app.app_context():
        upgrade()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_event (seq, item_type, actor_username, actor_unit, actor_roles,"
                " action, created_at, detail, prev_hash, hash) VALUES (1, 'plan', 'system', '',"
                " '', 'create', CURRENT_TIMESTAMP, '{}', :p, :h)"
            ),
            {"p": "0" * 64, "h": "1" * 64},
        )
    for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))

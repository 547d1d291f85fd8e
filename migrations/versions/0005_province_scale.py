"""province scale: state_entered_at / last_action on items, state_stay, list indexes

Province scale: time-in-state is written by each transition (state_stay) instead of being
recomputed from the whole audit trail; the queue reads "returned" from the item's
last_action; an index for each list query. Backfilled from the trail.

Revision ID: 0005_province_scale
Revises: 0003
Create Date: 2026-12-03 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_province_scale'
down_revision = '0004b_audit_checkpoints'
branch_labels = None
depends_on = None

TRANSITIONS = ("submit", "withdraw", "review", "return", "send_back", "approve", "reopen")
_IN = "(" + ", ".join(f"'{a}'" for a in TRANSITIONS) + ")"


def upgrade():
    for table in ("task", "deliverable"):
        op.add_column(table, sa.Column('state_entered_at', sa.DateTime(), nullable=True))
        op.add_column(table, sa.Column('last_action', sa.String(length=40), nullable=True))
    op.drop_index('ix_task_owner_unit_id', table_name='task')
    op.create_index('ix_task_owner_unit_id_state_due_date', 'task', ['owner_unit_id', 'state', 'due_date'], unique=False)
    op.create_index('ix_task_plan_id_state', 'task', ['plan_id', 'state'], unique=False)
    op.create_index('ix_deliverable_unit_id_state_due_date_id_last_action', 'deliverable', ['unit_id', 'state', 'due_date', 'id', 'last_action'], unique=False)
    op.create_index('ix_deliverable_task_id_state_unit_id_due_date', 'deliverable', ['task_id', 'state', 'unit_id', 'due_date'], unique=False)
    op.create_index('ix_deliverable_kind_state', 'deliverable', ['kind', 'state'], unique=False)
    op.create_table('state_stay',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('deliverable_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("state IN ('draft', 'submitted', 'reviewed', 'approved')", name=op.f('ck_state_stay_state')),
    sa.ForeignKeyConstraint(['deliverable_id'], ['deliverable.id'], name=op.f('fk_state_stay_deliverable_id_deliverable')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_state_stay_plan_id_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_state_stay'))
    )
    op.create_index('ix_state_stay_plan_id_state_seconds', 'state_stay', ['plan_id', 'state', 'seconds'], unique=False)
    op.create_index(op.f('ix_state_stay_deliverable_id'), 'state_stay', ['deliverable_id'], unique=False)
    backfill()
    op.execute("ANALYZE")  # the planner's statistics, for the new indexes too


def backfill():
    """From the trail, once: each item's last transition, each deliverable's past stays."""
    for table in ("task", "deliverable"):
        last = (
            f"FROM audit_event e WHERE e.item_type = '{table}' AND e.item_id = {table}.id"
            f" AND e.action IN {_IN} ORDER BY e.seq DESC LIMIT 1"
        )
        op.execute(
            f"UPDATE {table} SET state_entered_at = (SELECT e.created_at {last}),"
            f" last_action = (SELECT e.action {last})"
        )
    if op.get_bind().dialect.name == "postgresql":
        seconds = "EXTRACT(EPOCH FROM (s.ended_at - s.entered_at))"
    else:
        seconds = "(julianday(s.ended_at) - julianday(s.entered_at)) * 86400.0"
    op.execute(
        "INSERT INTO state_stay (plan_id, deliverable_id, state, seconds, ended_at)"
        f" SELECT s.plan_id, s.item_id, s.state, {seconds}, s.ended_at FROM ("
        " SELECT t.plan_id AS plan_id, e.item_id AS item_id, e.seq AS seq,"
        "  COALESCE(LAG(e.to_state) OVER w, 'draft') AS state,"
        "  COALESCE(LAG(e.created_at) OVER w, d.created_at) AS entered_at,"
        "  e.created_at AS ended_at"
        " FROM audit_event e JOIN deliverable d ON d.id = e.item_id"
        " JOIN task t ON t.id = d.task_id"
        f" WHERE e.item_type = 'deliverable' AND e.action IN {_IN}"
        " WINDOW w AS (PARTITION BY e.item_id ORDER BY e.seq)"
        ") s ORDER BY s.seq"
    )


def downgrade():
    op.drop_index(op.f('ix_state_stay_deliverable_id'), table_name='state_stay')
    op.drop_index('ix_state_stay_plan_id_state_seconds', table_name='state_stay')
    op.drop_table('state_stay')
    op.drop_index('ix_deliverable_kind_state', table_name='deliverable')
    op.drop_index('ix_deliverable_task_id_state_unit_id_due_date', table_name='deliverable')
    op.drop_index('ix_deliverable_unit_id_state_due_date_id_last_action', table_name='deliverable')
    op.drop_index('ix_task_plan_id_state', table_name='task')
    op.drop_index('ix_task_owner_unit_id_state_due_date', table_name='task')
    op.create_index('ix_task_owner_unit_id', 'task', ['owner_unit_id'], unique=False)
    # A plain DROP COLUMN (SQLite 3.35+): rebuilding the tables would trip the foreign keys.
    for table in ("task", "deliverable"):
        for column in ("last_action", "state_entered_at"):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")

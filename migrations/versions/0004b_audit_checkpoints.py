"""audit checkpoints

Signed checkpoints of the audit chain's head (a copy of the write-once file's
lines), append-only like the events.

Revision ID: 0004b_audit_checkpoints
Revises: 0003
Create Date: 2026-12-03 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004b_audit_checkpoints'
down_revision = '0004c_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_checkpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('signature', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoint'))
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER audit_checkpoint_no_{verb} BEFORE {verb.upper()} "
                "ON audit_checkpoint "
                "BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_checkpoint_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_checkpoint is append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_checkpoint_no_change BEFORE UPDATE OR DELETE "
            "ON audit_checkpoint FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoint_append_only()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoint_no_truncate ON audit_checkpoint")
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoint_no_change ON audit_checkpoint")
        op.execute("DROP FUNCTION IF EXISTS audit_checkpoint_append_only()")
    op.drop_table('audit_checkpoint')

"""notifications: a person's inbox (issue 12)

Revision ID: 0006c_notifications
Revises: 0005_province_scale
Create Date: 2026-12-03 16:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006c_notifications'
down_revision = '0005_province_scale'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('item_type', sa.String(length=20), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    op.create_index('ix_notification_user_id_read_at_id', 'notification', ['user_id', 'read_at', 'id'], unique=False)
    op.create_index('ix_notification_user_id_id', 'notification', ['user_id', 'id'], unique=False)
    op.create_index('ix_notification_item_type_item_id_kind', 'notification', ['item_type', 'item_id', 'kind'], unique=False)


def downgrade():
    op.drop_index('ix_notification_item_type_item_id_kind', table_name='notification')
    op.drop_index('ix_notification_user_id_id', table_name='notification')
    op.drop_index('ix_notification_user_id_read_at_id', table_name='notification')
    op.drop_table('notification')

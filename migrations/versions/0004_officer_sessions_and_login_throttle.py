"""officer sessions on the server and sign-in throttling instead of the account lock

Reviewed by hand.

- officer_sessions: one row per officer sign-in; the cookie names the row and sign-out
  ends it (app/accounts/officer_sessions.py). It replaces officers.session_version, which
  "log out everywhere" used to bump.
- login_throttle: failure counters per name tried and per source address, with the time
  each may try again (app/accounts/throttle.py). It replaces the hard lock,
  officers.failed_logins and officers.locked_until.

Upgrading signs every officer out once (their cookies name no session row yet); nothing
else is lost. Downgrading drops the two tables and gives the old columns back with their
neutral values (version 1, no failures, not locked).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('officer_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_officer_sessions_officer_id_officers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officer_sessions'))
    )
    with op.batch_alter_table('officer_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officer_sessions_officer_id'), ['officer_id'], unique=False)

    op.create_table('login_throttle',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_allowed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unseen_failures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle'))
    )

    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('session_version')


def downgrade():
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    # The old model had no server defaults: take them off again once the rows are filled.
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.alter_column('session_version', server_default=None)
        batch_op.alter_column('failed_logins', server_default=None)

    op.drop_table('login_throttle')
    with op.batch_alter_table('officer_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_officer_sessions_officer_id'))

    op.drop_table('officer_sessions')

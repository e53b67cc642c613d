"""who collected the result, and how it was returned

Reviewed by hand. Four nullable columns on dossiers, written by the return move
(app/dossiers/handover.py): return_channel (counter / post / online), and for a result
taken at the counter the collector's name, 12-digit ID number and relation to the applicant
(self / family / authorised). Three CHECKs, the SQL copied from app/dossiers/models.py so
this revision never changes: the two closed lists, and that a counter return names its
collector. Dossiers returned before this revision keep NULLs (nothing was recorded), which
every CHECK accepts. The desk's corrections of typed fields need no column: their before
and after values live in the append-only dossier_events.data. SQLite copies the table
(batch mode). Downgrading drops the columns and what they held.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

CHECKS = {
    "return_channel": "return_channel IS NULL OR return_channel IN ('counter','post','online')",
    "collector_relation": "collector_relation IS NULL OR "
                          "collector_relation IN ('self','family','authorised')",
    "collector_named": "return_channel IS NULL OR return_channel <> 'counter' "
                       "OR (collector_name IS NOT NULL AND collector_id_number IS NOT NULL "
                       "AND collector_relation IS NOT NULL)",
}
COLUMNS = ('return_channel', 'collector_name', 'collector_id_number', 'collector_relation')


def upgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('return_channel', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('collector_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('collector_id_number', sa.String(length=12),
                                      nullable=True))
        batch_op.add_column(sa.Column('collector_relation', sa.String(length=20),
                                      nullable=True))
        for name, sql in CHECKS.items():
            batch_op.create_check_constraint(op.f(f'ck_dossiers_{name}'), sql)


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        for name in reversed(CHECKS):
            batch_op.drop_constraint(op.f(f'ck_dossiers_{name}'), type_='check')
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)

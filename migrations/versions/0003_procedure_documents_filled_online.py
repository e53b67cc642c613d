"""procedure documents: filled_online marks a declaration the online form fills

Reviewed by hand. A new boolean column, false for every existing row (server default), so
the upgrade needs no data step; re-importing the bundled catalogue sets it where the
catalogue says the declaration is filled online. The downgrade drops the column.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("procedure_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("filled_online", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("procedure_documents", schema=None) as batch_op:
        batch_op.drop_column("filled_online")

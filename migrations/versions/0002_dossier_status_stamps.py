"""dossier statuses tied to their timestamps

Reviewed by hand. Four CHECKs on dossiers, the SQL copied from app/dossiers/models.py
STATUS_STAMP_CHECKS so this revision never changes: a received (or later) dossier has
received_at and a due date; a submitted or refused one has no received_at; finished_at is
set exactly for result_ready and returned; returned_at exactly for returned. Rows written
by the workflow already satisfy them; the upgrade stops with the count of any row that does
not, before touching the table. SQLite copies the table (batch mode).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

RECEIVED = "('received','in_progress','awaiting_approval','result_ready','returned')"
FINISHED = "('result_ready','returned')"
CHECKS = {
    "received_stamped": f"status NOT IN {RECEIVED} "
                        "OR (received_at IS NOT NULL AND due_date IS NOT NULL)",
    "not_yet_received": "status NOT IN ('submitted','rejected') OR received_at IS NULL",
    "finished_stamped": f"(status IN {FINISHED} AND finished_at IS NOT NULL) "
                        f"OR (status NOT IN {FINISHED} AND finished_at IS NULL)",
    "returned_stamped": "(status = 'returned' AND returned_at IS NOT NULL) "
                        "OR (status <> 'returned' AND returned_at IS NULL)",
}


def upgrade():
    conn = op.get_bind()
    broken = {name: conn.scalar(sa.text(f"SELECT count(*) FROM dossiers WHERE NOT ({sql})"))
              for name, sql in CHECKS.items()}
    broken = {name: n for name, n in broken.items() if n}
    if broken:
        raise RuntimeError(f"dossiers whose status and timestamps disagree: {broken}; "
                           "fix these rows before upgrading")
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        for name, sql in CHECKS.items():
            batch_op.create_check_constraint(op.f(f'ck_dossiers_{name}'), sql)


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        for name in reversed(CHECKS):
            batch_op.drop_constraint(op.f(f'ck_dossiers_{name}'), type_='check')

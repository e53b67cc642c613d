"""personal data duties: citizens' requests, breaches, sweep records, erasure stamps

Reviewed by hand.

- privacy_requests: a citizen's request to correct or delete the data of one dossier, with
  the deadline (72 hours, Decree 13/2023 Art. 15-16) and the desk's answer.
- privacy_incidents: breaches recorded by an admin, with their scope and the 72-hour count
  of the notification to the Ministry of Public Security (A05, Decree 13/2023 Art. 23).
- privacy_sweeps: counts of what each retention sweep deleted or anonymised.
- dossiers.anonymised_at, dossier_files.erased_at: when the sweep (or an accepted deletion)
  blanked a dossier's personal fields or deleted a file's content.

Downgrading drops the three tables and the two columns; what was erased stays erased.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('dossier_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('privacy_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('correction','deletion')", name=op.f('ck_privacy_requests_kind')),
    sa.CheckConstraint("status IN ('pending','done','refused','kept')", name=op.f('ck_privacy_requests_status')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_privacy_requests_agency_id_agencies')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['officers.id'], name=op.f('fk_privacy_requests_answered_by_id_officers')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_privacy_requests_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_requests'))
    )
    with op.batch_alter_table('privacy_requests', schema=None) as batch_op:
        batch_op.create_index('ix_privacy_requests_agency_status', ['agency_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_privacy_requests_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('privacy_incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('discovered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data_kinds', sa.JSON(), nullable=False),
    sa.Column('scope_officer_id', sa.Integer(), nullable=True),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('window_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scope_codes', sa.JSON(), nullable=False),
    sa.Column('consequences', sa.Text(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('late_reason', sa.Text(), nullable=False),
    sa.Column('authority_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('people_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_privacy_incidents_agency_id_agencies')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['officers.id'], name=op.f('fk_privacy_incidents_recorded_by_id_officers')),
    sa.ForeignKeyConstraint(['scope_officer_id'], ['officers.id'], name=op.f('fk_privacy_incidents_scope_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_incidents'))
    )
    with op.batch_alter_table('privacy_incidents', schema=None) as batch_op:
        batch_op.create_index('ix_privacy_incidents_agency_started', ['agency_id', 'started_at'], unique=False)

    op.create_table('privacy_sweeps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_sweeps'))
    )


def downgrade():
    op.drop_table('privacy_sweeps')
    with op.batch_alter_table('privacy_incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_privacy_incidents_agency_started')
    op.drop_table('privacy_incidents')
    with op.batch_alter_table('privacy_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_requests_dossier_id'))
        batch_op.drop_index('ix_privacy_requests_agency_status')
    op.drop_table('privacy_requests')
    with op.batch_alter_table('dossier_files', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')

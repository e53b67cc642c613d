"""commune administration: one-time password links, the two-person rule for the bank account

Reviewed by hand.

- password_links: single-use links (SHA-256 of the token only) an admin hands to an officer
  to set a password (app/admin/passwords.py).
- bank_account_changes: a proposed change of a commune's bank account with old and new
  values, who proposed and who decided; one pending row per commune (partial unique index).
- audit_entries.subject_officer_id and .changes: administration changes are audited with
  before/after values in the existing trail.
- officers.last_sign_in_at: shown to admins; officers.totp_required: set when an admin
  resets an officer's second factor, so they enrol again whatever their role.
- payments.bank_bin / bank_account / bank_account_name: the account a payment was issued for, so its QR code and
  reconciliation survive a change of the commune's account. Existing payments are filled in
  with their commune's current account, which is the one they were issued for.

Downgrading drops the two tables and the new columns; nothing else is lost.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 05:19:06

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bank_account_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('old_bank_bin', sa.String(length=6), nullable=False),
    sa.Column('old_bank_name', sa.String(length=120), nullable=False),
    sa.Column('old_bank_account', sa.String(length=30), nullable=False),
    sa.Column('old_bank_account_name', sa.String(length=200), nullable=False),
    sa.Column('new_bank_bin', sa.String(length=6), nullable=False),
    sa.Column('new_bank_name', sa.String(length=120), nullable=False),
    sa.Column('new_bank_account', sa.String(length=30), nullable=False),
    sa.Column('new_bank_account_name', sa.String(length=200), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending','approved','refused','withdrawn','expired')", name=op.f('ck_bank_account_changes_status')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_bank_account_changes_agency_id_agencies')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['officers.id'], name=op.f('fk_bank_account_changes_decided_by_id_officers')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['officers.id'], name=op.f('fk_bank_account_changes_proposed_by_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_account_changes'))
    )
    with op.batch_alter_table('bank_account_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_account_changes_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index('uq_bank_account_changes_pending', ['agency_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.create_table('password_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['officers.id'], name=op.f('fk_password_links_created_by_id_officers')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_password_links_officer_id_officers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_links_token_hash'))
    )
    with op.batch_alter_table('password_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_links_officer_id'), ['officer_id'], unique=False)

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_officer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('changes', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_audit_entries_subject_officer_id_officers'), 'officers', ['subject_officer_id'], ['id'])

    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_required', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.alter_column('totp_required', server_default=None)

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_bin', sa.String(length=6), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('bank_account', sa.String(length=30), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('bank_account_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_payments_bank_account'), ['bank_account'], unique=False)
    op.execute(
        "UPDATE payments SET "
        "bank_bin = (SELECT agencies.bank_bin FROM dossiers JOIN agencies "
        "ON agencies.id = dossiers.agency_id WHERE dossiers.id = payments.dossier_id), "
        "bank_account = (SELECT agencies.bank_account FROM dossiers JOIN agencies "
        "ON agencies.id = dossiers.agency_id WHERE dossiers.id = payments.dossier_id), "
        "bank_account_name = (SELECT agencies.bank_account_name FROM dossiers JOIN agencies "
        "ON agencies.id = dossiers.agency_id WHERE dossiers.id = payments.dossier_id)")
    # The model has no server defaults: take them off once the rows are filled.
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.alter_column('bank_bin', server_default=None)
        batch_op.alter_column('bank_account', server_default=None)
        batch_op.alter_column('bank_account_name', server_default=None)



def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_bank_account'))
        batch_op.drop_column('bank_account_name')
        batch_op.drop_column('bank_account')
        batch_op.drop_column('bank_bin')

    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.drop_column('totp_required')
        batch_op.drop_column('last_sign_in_at')

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_entries_subject_officer_id_officers'), type_='foreignkey')
        batch_op.drop_column('changes')
        batch_op.drop_column('subject_officer_id')

    with op.batch_alter_table('password_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_links_officer_id'))

    op.drop_table('password_links')
    with op.batch_alter_table('bank_account_changes', schema=None) as batch_op:
        batch_op.drop_index('uq_bank_account_changes_pending', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_bank_account_changes_agency_id'))

    op.drop_table('bank_account_changes')

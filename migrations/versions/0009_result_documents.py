"""result documents

Reviewed by hand. One new table, result_documents: the numbered electronic results of a
dossier (code `<dossier code>-KQ<n>`, unique per dossier and number), each naming its
stored PDF in dossier_files (one result per file), the officer who issued it, when, and a
random public id for the verification QR, and what the PDF's own signature said at issue
(signature_status, a closed list, and the signer's name). Revocation (time, reason, the replacing result)
is the only change a row may see; a CHECK keeps its time and reason together, the SQL
copied from app/results/models.py so this revision never changes. Nothing existing is
altered. Downgrading drops the table and the numbering it held (the PDFs stay as files).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

REVOKED_CHECK = ("(revoked_at IS NULL AND revocation_reason IS NULL "
                 "AND replaced_by_id IS NULL) "
                 "OR (revoked_at IS NOT NULL AND revocation_reason IS NOT NULL)")
SIGNATURE_CHECK = ("signature_status IN ('valid','unsigned','changed','untrusted',"
                   "'other_agency')")


def upgrade():
    op.create_table(
        'result_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=70), nullable=False),
        sa.Column('public_id', sa.String(length=40), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revocation_reason', sa.String(length=500), nullable=True),
        sa.Column('replaced_by_id', sa.Integer(), nullable=True),
        sa.Column('signature_status', sa.String(length=16), nullable=False),
        sa.Column('signer_name', sa.String(length=300), nullable=False),
        sa.CheckConstraint('number >= 1', name=op.f('ck_result_documents_number_positive')),
        sa.CheckConstraint(REVOKED_CHECK, name=op.f('ck_result_documents_revocation_complete')),
        sa.CheckConstraint(SIGNATURE_CHECK, name=op.f('ck_result_documents_signature_status')),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], ondelete='CASCADE',
                                name=op.f('fk_result_documents_dossier_id_dossiers')),
        sa.ForeignKeyConstraint(['file_id'], ['dossier_files.id'],
                                name=op.f('fk_result_documents_file_id_dossier_files')),
        sa.ForeignKeyConstraint(['issued_by_id'], ['officers.id'],
                                name=op.f('fk_result_documents_issued_by_id_officers')),
        sa.ForeignKeyConstraint(
            ['replaced_by_id'], ['result_documents.id'],
            name=op.f('fk_result_documents_replaced_by_id_result_documents')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_result_documents')),
        sa.UniqueConstraint('code', name=op.f('uq_result_documents_code')),
        sa.UniqueConstraint('dossier_id', 'number',
                            name=op.f('uq_result_documents_dossier_id')),
        sa.UniqueConstraint('file_id', name=op.f('uq_result_documents_file_id')),
        sa.UniqueConstraint('public_id', name=op.f('uq_result_documents_public_id')),
    )
    op.create_index(op.f('ix_result_documents_dossier_id'), 'result_documents',
                    ['dossier_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_result_documents_dossier_id'), table_name='result_documents')
    op.drop_table('result_documents')

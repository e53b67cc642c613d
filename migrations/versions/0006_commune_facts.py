"""commune facts: map position, structured opening hours, receipt series, the amounts of
province-set fees

Reviewed by hand.

- agencies: latitude/longitude (both or neither), opening_hours (JSON, {} = not set: the
  old free-text working_hours still shows), receipt_series (ký hiệu biên lai).
- province_fee_rates: per commune, procedure and `set_by_province` fee item (by label),
  the amount the province's People's Council resolution set and that resolution's number.

Nothing is lost on upgrade. Downgrading drops the new columns and the table (the recorded
amounts, positions and hours go with them; the free-text hours stay).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opening_hours', sa.JSON(), nullable=False,
                                      server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column('latitude', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('receipt_series', sa.String(length=20), nullable=False,
                                      server_default=''))
        batch_op.create_check_constraint(
            'position_pair', '(latitude IS NULL) = (longitude IS NULL)')

    op.create_table('province_fee_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('fee_label', sa.String(length=300), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('per', sa.String(length=20), nullable=False),
    sa.Column('resolution', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_province_fee_rates_amount')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_province_fee_rates_agency_id_agencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_province_fee_rates_procedure_id_procedures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_province_fee_rates')),
    sa.UniqueConstraint('agency_id', 'procedure_id', 'fee_label', name=op.f('uq_province_fee_rates_agency_id'))
    )
    with op.batch_alter_table('province_fee_rates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_province_fee_rates_procedure_id'), ['procedure_id'], unique=False)



def downgrade():
    with op.batch_alter_table('province_fee_rates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_province_fee_rates_procedure_id'))
    op.drop_table('province_fee_rates')

    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_agencies_position_pair'), type_='check')
        batch_op.drop_column('receipt_series')
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')
        batch_op.drop_column('opening_hours')

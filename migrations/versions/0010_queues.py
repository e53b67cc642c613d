"""queue numbers: queues per service group, daily number counters, tickets

Reviewed by hand. Three new tables, nothing changed in the old ones. `queues` is a line of
a commune for a service group (prefix unique in the commune, a priority lane the commune
turns on or off). `queue_sequences` holds the last number given per queue and service day,
bumped by one upsert (app/core/sequences.py), so concurrent "take a number" never share a
number. `tickets` holds no personal data: the number (unique per issuing queue and day),
the lane and its reason, the state and its stamps, the counter and officer of the call, and
the dossier received. CHECKs keep lane, state and channel within their lists, a priority
ticket with its reason, a called ticket at a counter and a served one stamped. Downgrading
drops the three tables and every ticket.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 14:03:26

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('queues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('priority_lane', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_queues_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queues')),
    sa.UniqueConstraint('agency_id', 'prefix', name=op.f('uq_queues_agency_id'))
    )
    with op.batch_alter_table('queues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queues_agency_id'), ['agency_id'], unique=False)

    op.create_table('queue_sequences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['queue_id'], ['queues.id'], name=op.f('fk_queue_sequences_queue_id_queues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_sequences')),
    sa.UniqueConstraint('queue_id', 'day', name=op.f('uq_queue_sequences_queue_id'))
    )
    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('issued_queue_id', sa.Integer(), nullable=False),
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('lane', sa.String(length=10), nullable=False),
    sa.Column('priority_reason', sa.String(length=20), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('call_count', sa.Integer(), nullable=False),
    sa.Column('requeued', sa.Boolean(), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('dossier_id', sa.Integer(), nullable=True),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_called_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('served_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('phone','desk')", name=op.f('ck_tickets_channel')),
    sa.CheckConstraint("lane = 'normal' OR priority_reason IS NOT NULL", name=op.f('ck_tickets_priority_reason')),
    sa.CheckConstraint("lane IN ('normal','priority')", name=op.f('ck_tickets_lane')),
    sa.CheckConstraint("state <> 'called' OR (counter_id IS NOT NULL AND called_at IS NOT NULL)", name=op.f('ck_tickets_called_at_counter')),
    sa.CheckConstraint("state <> 'served' OR served_at IS NOT NULL", name=op.f('ck_tickets_served_stamped')),
    sa.CheckConstraint("state IN ('waiting','called','served','no_show','cancelled','expired')", name=op.f('ck_tickets_state')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_tickets_agency_id_agencies')),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_tickets_counter_id_counters'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_tickets_dossier_id_dossiers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issued_queue_id'], ['queues.id'], name=op.f('fk_tickets_issued_queue_id_queues')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_tickets_officer_id_officers')),
    sa.ForeignKeyConstraint(['queue_id'], ['queues.id'], name=op.f('fk_tickets_queue_id_queues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('issued_queue_id', 'day', 'number', name=op.f('uq_tickets_issued_queue_id'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index('ix_tickets_queue_waiting', ['queue_id', 'day', 'state', 'queued_at'], unique=False)



def downgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_queue_waiting')
        batch_op.drop_index(batch_op.f('ix_tickets_agency_id'))

    op.drop_table('tickets')
    op.drop_table('queue_sequences')
    with op.batch_alter_table('queues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queues_agency_id'))

    op.drop_table('queues')

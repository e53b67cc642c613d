"""ticket pushes: a phone follows a queue ticket, the outbox holds messages about tickets

Reviewed by hand. `push_subscription_tickets` links a push subscription to the tickets it
follows, as `push_subscription_dossiers` does for dossiers. `notifications` gets a nullable
`ticket_id` (an index with the status, as for dossiers, and a partial unique index that
keeps "Sắp đến lượt bạn" to one row per ticket), and its `dossier_id` becomes
nullable: a row is about a dossier or about a ticket. Downgrading deletes the ticket rows
of the outbox first, so `dossier_id` can be required again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 15:43:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('push_subscription_tickets',
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['subscription_id'], ['push_subscriptions.id'], name=op.f('fk_push_subscription_tickets_subscription_id_push_subscriptions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_push_subscription_tickets_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('subscription_id', 'ticket_id', name=op.f('pk_push_subscription_tickets'))
    )
    with op.batch_alter_table('push_subscription_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_subscription_tickets_ticket_id'), ['ticket_id'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_id', sa.Integer(), nullable=True))
        batch_op.alter_column('dossier_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_notifications_ticket_id_tickets'), 'tickets', ['ticket_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index('ix_notifications_ticket_status', ['ticket_id', 'status'], unique=False)
        batch_op.create_index('uq_notifications_ticket_near', ['ticket_id'], unique=True, postgresql_where=sa.text("kind = 'queue_near'"), sqlite_where=sa.text("kind = 'queue_near'"))


def downgrade():
    op.execute("DELETE FROM notifications WHERE dossier_id IS NULL")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('uq_notifications_ticket_near')
        batch_op.drop_index('ix_notifications_ticket_status')
        batch_op.drop_constraint(batch_op.f('fk_notifications_ticket_id_tickets'), type_='foreignkey')
        batch_op.alter_column('dossier_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('ticket_id')

    with op.batch_alter_table('push_subscription_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_subscription_tickets_ticket_id'))

    op.drop_table('push_subscription_tickets')

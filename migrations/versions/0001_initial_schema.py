"""initial schema: places, procedures, dossiers, officers, citizens, payments, push, feedback

Reviewed by hand. Beyond what autogenerate writes, it creates the procedure search index,
which is not a mapped object: an FTS5 table of folded texts on SQLite, generated tsvector
columns with a GIN index on PostgreSQL (the same statements as
app/procedures/search.py `search_index_ddl`, copied here so this revision never changes).

Revision ID: 0001
Revises:
Create Date: 2026-11-24 23:42:48.612320

"""
from alembic import op
import sqlalchemy as sa


SEARCH_DDL = {
    "sqlite": [
        "CREATE VIRTUAL TABLE IF NOT EXISTS procedure_search USING fts5(search_name, "
        "search_keywords, search_body, tokenize='unicode61', prefix='2 3')",
    ],
    "postgresql": [
        "ALTER TABLE procedures ADD COLUMN IF NOT EXISTS procedure_search_title tsvector "
        "GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, search_name), 'A') "
        "|| setweight(to_tsvector('simple'::regconfig, search_keywords), 'B')) STORED",
        "ALTER TABLE procedures ADD COLUMN IF NOT EXISTS procedure_search_all tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_name) "
        "|| to_tsvector('simple'::regconfig, search_keywords) "
        "|| to_tsvector('simple'::regconfig, search_body)) STORED",
        "CREATE INDEX IF NOT EXISTS ix_procedures_search ON procedures "
        "USING gin (procedure_search_all)",
    ],
}
SEARCH_DROP_DDL = {
    "sqlite": ["DROP TABLE IF EXISTS procedure_search"],
    "postgresql": [
        "DROP INDEX IF EXISTS ix_procedures_search",
        "ALTER TABLE procedures DROP COLUMN IF EXISTS procedure_search_title",
        "ALTER TABLE procedures DROP COLUMN IF EXISTS procedure_search_all",
    ],
}


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('hotline', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=120), nullable=False),
    sa.Column('working_hours', sa.String(length=300), nullable=False),
    sa.Column('bank_bin', sa.String(length=6), nullable=False),
    sa.Column('bank_name', sa.String(length=120), nullable=False),
    sa.Column('bank_account', sa.String(length=30), nullable=False),
    sa.Column('bank_account_name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('province','commune','ward','special_zone','district')", name=op.f('ck_agencies_kind')),
    sa.ForeignKeyConstraint(['parent_id'], ['agencies.id'], name=op.f('fk_agencies_parent_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('code', name=op.f('uq_agencies_code')),
    sa.UniqueConstraint('slug', name=op.f('uq_agencies_slug'))
    )
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agencies_parent_id'), ['parent_id'], unique=False)

    op.create_table('calendar_overrides',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_working_day', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_overrides'))
    )
    op.create_table('citizens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=300), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('citizen_id_number', sa.String(length=12), nullable=True),
    sa.Column('phone', sa.String(length=10), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizens')),
    sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_citizens_issuer'))
    )
    op.create_table('payment_sequences',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_payment_sequences'))
    )
    op.create_table('procedures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('field', sa.String(length=100), nullable=False),
    sa.Column('online_level', sa.String(length=10), nullable=False),
    sa.Column('time_limit_days', sa.Integer(), nullable=False),
    sa.Column('time_limit_unit', sa.String(length=14), nullable=False),
    sa.Column('time_limit_text', sa.Text(), nullable=False),
    sa.Column('fees', sa.JSON(), nullable=False),
    sa.Column('form_fields', sa.JSON(), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('legal_basis', sa.JSON(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('popularity', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('search_name', sa.Text(), nullable=False),
    sa.Column('search_keywords', sa.Text(), nullable=False),
    sa.Column('search_body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("online_level IN ('full','partial','none')", name=op.f('ck_procedures_online_level')),
    sa.CheckConstraint("time_limit_unit IN ('working_days','calendar_days')", name=op.f('ck_procedures_time_limit_unit')),
    sa.CheckConstraint('time_limit_days >= 0', name=op.f('ck_procedures_time_limit_days')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedures')),
    sa.UniqueConstraint('code', name=op.f('uq_procedures_code'))
    )
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedures_field'), ['field'], unique=False)
    _run(SEARCH_DDL)

    op.create_table('push_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('endpoint_hash', sa.String(length=64), nullable=False),
    sa.Column('endpoint', sa.Text(), nullable=False),
    sa.Column('p256dh', sa.String(length=100), nullable=False),
    sa.Column('auth', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscriptions')),
    sa.UniqueConstraint('endpoint_hash', name=op.f('uq_push_subscriptions_endpoint_hash'))
    )
    op.create_table('agency_procedures',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_agency_procedures_agency_id_agencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_agency_procedures_procedure_id_procedures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agency_id', 'procedure_id', name=op.f('pk_agency_procedures'))
    )
    op.create_table('dossier_sequences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_dossier_sequences_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_sequences')),
    sa.UniqueConstraint('agency_id', 'day', name=op.f('uq_dossier_sequences_agency_id'))
    )
    op.create_table('officers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('totp_last_step', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('receiving','specialist','leader','commune_admin','system_admin')", name=op.f('ck_officers_role')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_officers_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officers')),
    sa.UniqueConstraint('username', name=op.f('uq_officers_username'))
    )
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officers_agency_id'), ['agency_id'], unique=False)

    op.create_table('procedure_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=False),
    sa.Column('mandatory', sa.Boolean(), nullable=False),
    sa.Column('uploadable', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_procedure_documents_procedure_id_procedures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedure_documents')),
    sa.UniqueConstraint('procedure_id', 'position', name=op.f('uq_procedure_documents_procedure_id'))
    )
    op.create_table('stats_daily',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('field', sa.String(length=100), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('received_online', sa.Integer(), nullable=False),
    sa.Column('finished_early', sa.Integer(), nullable=False),
    sa.Column('finished_on_time', sa.Integer(), nullable=False),
    sa.Column('finished_late', sa.Integer(), nullable=False),
    sa.Column('returned', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('withdrawn', sa.Integer(), nullable=False),
    sa.Column('rated_satisfied', sa.Integer(), nullable=False),
    sa.Column('rated_neutral', sa.Integer(), nullable=False),
    sa.Column('rated_not_satisfied', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_stats_daily_agency_id_agencies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agency_id', 'day', 'field', name=op.f('pk_stats_daily'))
    )
    with op.batch_alter_table('stats_daily', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stats_daily_month'), ['month'], unique=False)

    op.create_table('villages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('hall_name', sa.String(length=200), nullable=False),
    sa.Column('hall_address', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('code = lower(code)', name=op.f('ck_villages_code_lowercase')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_villages_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_villages')),
    sa.UniqueConstraint('code', name=op.f('uq_villages_code'))
    )
    with op.batch_alter_table('villages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_villages_agency_id'), ['agency_id'], unique=False)

    op.create_table('counters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('photo_key', sa.String(length=80), nullable=True),
    sa.Column('kiosk_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_counters_agency_id_agencies')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_counters_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counters'))
    )
    with op.batch_alter_table('counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counters_agency_id'), ['agency_id'], unique=False)

    op.create_table('dossiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=True),
    sa.Column('applicant_name', sa.String(length=200), nullable=False),
    sa.Column('applicant_name_folded', sa.String(length=200), nullable=False),
    sa.Column('citizen_id_number', sa.String(length=12), nullable=False),
    sa.Column('applicant_birth_date', sa.Date(), nullable=True),
    sa.Column('phone', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assigned_officer_id', sa.Integer(), nullable=True),
    sa.Column('receiving_officer_id', sa.Integer(), nullable=True),
    sa.Column('citizen_account_id', sa.Integer(), nullable=True),
    sa.Column('tracking_secret_hash', sa.String(length=64), nullable=False),
    sa.Column('idempotency_key', sa.String(length=80), nullable=True),
    sa.Column('request_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('online','counter')", name=op.f('ck_dossiers_channel')),
    sa.CheckConstraint("status IN ('submitted','received','needs_supplement','rejected','in_progress','awaiting_approval','result_ready','returned','withdrawn')", name=op.f('ck_dossiers_status')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_dossiers_agency_id_agencies')),
    sa.ForeignKeyConstraint(['assigned_officer_id'], ['officers.id'], name=op.f('fk_dossiers_assigned_officer_id_officers')),
    sa.ForeignKeyConstraint(['citizen_account_id'], ['citizens.id'], name=op.f('fk_dossiers_citizen_account_id_citizens')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_dossiers_procedure_id_procedures')),
    sa.ForeignKeyConstraint(['receiving_officer_id'], ['officers.id'], name=op.f('fk_dossiers_receiving_officer_id_officers')),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_dossiers_village_id_villages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossiers')),
    sa.UniqueConstraint('code', name=op.f('uq_dossiers_code')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_dossiers_idempotency_key'))
    )
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index('ix_dossiers_agency_status_due', ['agency_id', 'status', 'due_date'], unique=False)
        batch_op.create_index('ix_dossiers_agency_submitted', ['agency_id', 'submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_applicant_name_folded'), ['applicant_name_folded'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_citizen_account_id'), ['citizen_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_procedure_id'), ['procedure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_village_id'), ['village_id'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('about', sa.String(length=12), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=True),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('sender_name', sa.String(length=200), nullable=False),
    sa.Column('sender_phone', sa.String(length=10), nullable=False),
    sa.Column('photo_key', sa.String(length=80), nullable=True),
    sa.Column('photo_type', sa.String(length=60), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("about IN ('procedure','officer','hall','other')", name=op.f('ck_feedback_about')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_feedback_agency_id_agencies')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['officers.id'], name=op.f('fk_feedback_answered_by_id_officers')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_feedback_officer_id_officers')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_feedback_procedure_id_procedures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_agency_public', ['agency_id', 'public'], unique=False)

    op.create_table('village_scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_village_scans_village_id_villages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_village_scans')),
    sa.UniqueConstraint('village_id', 'day', name=op.f('uq_village_scans_village_id'))
    )
    op.create_table('dossier_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=True),
    sa.Column('actor_kind', sa.String(length=10), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_events_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_dossier_events_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_events'))
    )
    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_events_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('dossier_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('requirement_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('storage_key', sa.String(length=80), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=60), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('application','supplement','result')", name=op.f('ck_dossier_files_kind')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_files_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requirement_id'], ['procedure_documents.id'], name=op.f('fk_dossier_files_requirement_id_procedure_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_files')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_dossier_files_storage_key'))
    )
    with op.batch_alter_table('dossier_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_files_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('kiosk_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.String(length=16), nullable=False),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("score IN ('satisfied','neutral','not_satisfied')", name=op.f('ck_kiosk_ratings_score')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_kiosk_ratings_agency_id_agencies')),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_kiosk_ratings_counter_id_counters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_kiosk_ratings_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_ratings')),
    sa.UniqueConstraint('uuid', name=op.f('uq_kiosk_ratings_uuid'))
    )
    with op.batch_alter_table('kiosk_ratings', schema=None) as batch_op:
        batch_op.create_index('ix_kiosk_ratings_agency_rated', ['agency_id', 'rated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kiosk_ratings_officer_id'), ['officer_id'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('fee_lines', sa.JSON(), nullable=False),
    sa.Column('paid_amount', sa.Integer(), nullable=False),
    sa.Column('refunded_amount', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending','partial','paid','cancelled')", name=op.f('ck_payments_status')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_payments_amount')),
    sa.CheckConstraint('paid_amount >= 0 AND refunded_amount >= 0', name=op.f('ck_payments_sums')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_payments_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('dossier_id', name=op.f('uq_payments_dossier_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_payments_reference'))
    )
    op.create_table('push_subscription_dossiers',
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_push_subscription_dossiers_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscription_id'], ['push_subscriptions.id'], name=op.f('fk_push_subscription_dossiers_subscription_id_push_subscriptions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('subscription_id', 'dossier_id', name=op.f('pk_push_subscription_dossiers'))
    )
    with op.batch_alter_table('push_subscription_dossiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_subscription_dossiers_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.String(length=16), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("score IN ('satisfied','neutral','not_satisfied')", name=op.f('ck_ratings_score')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_ratings_agency_id_agencies')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_ratings_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('dossier_id', name=op.f('uq_ratings_dossier_id'))
    )
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ratings_agency_id'), ['agency_id'], unique=False)

    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=60), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_audit_entries_agency_id_agencies')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_audit_entries_dossier_id_dossiers')),
    sa.ForeignKeyConstraint(['file_id'], ['dossier_files.id'], name=op.f('fk_audit_entries_file_id_dossier_files')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_audit_entries_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_agency_at', ['agency_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('bank_transactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('provider_id', sa.String(length=100), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('account_number', sa.String(length=30), nullable=False),
    sa.Column('bank_bin', sa.String(length=6), nullable=False),
    sa.Column('transaction_time', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_day', sa.Date(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('matched_by_officer_id', sa.Integer(), nullable=True),
    sa.Column('raw', sa.JSON(), nullable=False),
    sa.CheckConstraint("state IN ('matched','unmatched','ignored')", name=op.f('ck_bank_transactions_state')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_bank_transactions_agency_id_agencies')),
    sa.ForeignKeyConstraint(['matched_by_officer_id'], ['officers.id'], name=op.f('fk_bank_transactions_matched_by_officer_id_officers')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_bank_transactions_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_transactions')),
    sa.UniqueConstraint('provider', 'provider_id', name=op.f('uq_bank_transactions_provider'))
    )
    with op.batch_alter_table('bank_transactions', schema=None) as batch_op:
        batch_op.create_index('ix_bank_transactions_agency_state', ['agency_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_transactions_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index('ix_bank_transactions_received_day', ['received_day'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('ttl', sa.Integer(), nullable=False),
    sa.Column('urgency', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=60), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_notifications_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['dossier_events.id'], name=op.f('fk_notifications_event_id_dossier_events'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_dossier_status', ['dossier_id', 'status'], unique=False)
        batch_op.create_index('ix_notifications_status_next_attempt', ['status', 'next_attempt_at'], unique=False)

    op.create_table('rating_officers',
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_rating_officers_officer_id_officers')),
    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], name=op.f('fk_rating_officers_rating_id_ratings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rating_id', 'officer_id', name=op.f('pk_rating_officers'))
    )
    with op.batch_alter_table('rating_officers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_officers_officer_id'), ['officer_id'], unique=False)

    op.create_table('payment_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('bank_transaction_id', sa.Integer(), nullable=True),
    sa.Column('receipt_number', sa.String(length=40), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('bank','cash','refund')", name=op.f('ck_payment_entries_kind')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payment_entries_amount')),
    sa.ForeignKeyConstraint(['bank_transaction_id'], ['bank_transactions.id'], name=op.f('fk_payment_entries_bank_transaction_id_bank_transactions')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_payment_entries_officer_id_officers')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_entries_payment_id_payments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_entries')),
    sa.UniqueConstraint('bank_transaction_id', name=op.f('uq_payment_entries_bank_transaction_id'))
    )
    with op.batch_alter_table('payment_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_entries_payment_id'), ['payment_id'], unique=False)

    op.create_table('push_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_push_deliveries_notification_id_notifications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscription_id'], ['push_subscriptions.id'], name=op.f('fk_push_deliveries_subscription_id_push_subscriptions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_deliveries')),
    sa.UniqueConstraint('notification_id', 'subscription_id', name=op.f('uq_push_deliveries_notification_id'))
    )
    with op.batch_alter_table('push_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_deliveries_notification_id'), ['notification_id'], unique=False)



def downgrade():
    with op.batch_alter_table('push_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_deliveries_notification_id'))

    op.drop_table('push_deliveries')
    with op.batch_alter_table('payment_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_entries_payment_id'))

    op.drop_table('payment_entries')
    with op.batch_alter_table('rating_officers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_officers_officer_id'))

    op.drop_table('rating_officers')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_status_next_attempt')
        batch_op.drop_index('ix_notifications_dossier_status')

    op.drop_table('notifications')
    with op.batch_alter_table('bank_transactions', schema=None) as batch_op:
        batch_op.drop_index('ix_bank_transactions_received_day')
        batch_op.drop_index(batch_op.f('ix_bank_transactions_payment_id'))
        batch_op.drop_index('ix_bank_transactions_agency_state')

    op.drop_table('bank_transactions')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_dossier_id'))
        batch_op.drop_index('ix_audit_entries_agency_at')

    op.drop_table('audit_entries')
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ratings_agency_id'))

    op.drop_table('ratings')
    with op.batch_alter_table('push_subscription_dossiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_subscription_dossiers_dossier_id'))

    op.drop_table('push_subscription_dossiers')
    op.drop_table('payments')
    with op.batch_alter_table('kiosk_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_ratings_officer_id'))
        batch_op.drop_index('ix_kiosk_ratings_agency_rated')

    op.drop_table('kiosk_ratings')
    with op.batch_alter_table('dossier_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_files_dossier_id'))

    op.drop_table('dossier_files')
    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_events_dossier_id'))

    op.drop_table('dossier_events')
    op.drop_table('village_scans')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_agency_public')

    op.drop_table('feedback')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossiers_village_id'))
        batch_op.drop_index(batch_op.f('ix_dossiers_procedure_id'))
        batch_op.drop_index(batch_op.f('ix_dossiers_phone'))
        batch_op.drop_index(batch_op.f('ix_dossiers_citizen_account_id'))
        batch_op.drop_index(batch_op.f('ix_dossiers_applicant_name_folded'))
        batch_op.drop_index('ix_dossiers_agency_submitted')
        batch_op.drop_index('ix_dossiers_agency_status_due')

    op.drop_table('dossiers')
    with op.batch_alter_table('counters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counters_agency_id'))

    op.drop_table('counters')
    with op.batch_alter_table('villages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_villages_agency_id'))

    op.drop_table('villages')
    with op.batch_alter_table('stats_daily', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stats_daily_month'))

    op.drop_table('stats_daily')
    op.drop_table('procedure_documents')
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_officers_agency_id'))

    op.drop_table('officers')
    op.drop_table('dossier_sequences')
    op.drop_table('agency_procedures')
    op.drop_table('push_subscriptions')
    _run(SEARCH_DROP_DDL)
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedures_field'))

    op.drop_table('procedures')
    op.drop_table('payment_sequences')
    op.drop_table('citizens')
    op.drop_table('calendar_overrides')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agencies_parent_id'))

    op.drop_table('agencies')

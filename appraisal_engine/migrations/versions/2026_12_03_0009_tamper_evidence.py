"""Tamper evidence: what a finalised campaign's results rest on cannot change, and the
audit log is append-only and hash-chained.

- Responses, their answers and review decisions of a finalised campaign can be neither
  added, changed nor deleted; a frozen scoring run can be neither changed nor deleted, and
  a finalised campaign keeps its status and cannot be deleted (the triggers of revision
  0002 already lock published questionnaire versions).
- The audit log takes INSERTs only. Each entry stores `sha256`, the digest of its content
  and of the entry before it (`previous_sha256`); the entries already there are chained
  here, in id order.
- `health_checks` holds the one row `/healthz` writes.

On PostgreSQL the checks on responses and answers run once per statement over its
transition tables, so a COPY of 50,000 paper ballots checks once, not per row; TRUNCATE
of a protected table is refused too.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from appraisal_engine.models.audit import chain_digest

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

FINALISED = "the results of a finalised campaign cannot change"
FROZEN = "a frozen scoring run cannot change"
APPEND_ONLY = "the audit log is append-only"

# Tables whose rows belong to a campaign: (table, SQL giving the row's campaign status,
# with {row} standing for NEW or OLD on SQLite, or a transition table's alias on PostgreSQL).
CAMPAIGN_STATUS_OF = {
    "responses": "(SELECT status FROM campaigns WHERE id = {row}.campaign_id)",
    "answers": (
        "(SELECT c.status FROM responses r JOIN campaigns c ON c.id = r.campaign_id"
        " WHERE r.id = {row}.response_id)"
    ),
    "response_reviews": (
        "(SELECT c.status FROM responses r JOIN campaigns c ON c.id = r.campaign_id"
        " WHERE r.id = {row}.response_id)"
    ),
}
RUN_CAMPAIGN_STATUS = "(SELECT status FROM campaigns WHERE id = {row}.campaign_id)"
# The campaign a row belongs to (PostgreSQL locks it before checking its status).
CAMPAIGN_ID_OF = {
    "responses": "{row}.campaign_id",
    "answers": "(SELECT r.campaign_id FROM responses r WHERE r.id = {row}.response_id)",
    "response_reviews": "(SELECT r.campaign_id FROM responses r WHERE r.id = {row}.response_id)",
}
# SQLite's INSERT OR REPLACE deletes the row it replaces, which the DELETE triggers see only
# on connections with recursive_triggers on (the app's): refuse the replacing INSERT too.
REPLACES_FINALISED = {
    "responses": (
        "EXISTS (SELECT 1 FROM responses r JOIN campaigns c ON c.id = r.campaign_id"
        " WHERE r.id = NEW.id AND c.status = 'finalised')"
    ),
    "answers": (
        "EXISTS (SELECT 1 FROM answers a JOIN responses r ON r.id = a.response_id"
        " JOIN campaigns c ON c.id = r.campaign_id WHERE a.id = NEW.id"
        " AND c.status = 'finalised')"
    ),
    "response_reviews": (
        "EXISTS (SELECT 1 FROM response_reviews v JOIN responses r ON r.id = v.response_id"
        " JOIN campaigns c ON c.id = r.campaign_id WHERE v.id = NEW.id"
        " AND c.status = 'finalised')"
    ),
}


def _sqlite_trigger(name: str, when: str, table: str, condition: str, message: str) -> str:
    return (
        f"CREATE TRIGGER {name} BEFORE {when} ON {table} WHEN {condition}"
        f" BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


SQLITE_TRIGGERS = []
for _table, _status in CAMPAIGN_STATUS_OF.items():
    _new = f"{_status.format(row='NEW')} = 'finalised'"
    _old = f"{_status.format(row='OLD')} = 'finalised'"
    SQLITE_TRIGGERS += [
        _sqlite_trigger(
            f"{_table}_finalised_insert",
            "INSERT",
            _table,
            f"{_new} OR {REPLACES_FINALISED[_table]}",
            FINALISED,
        ),
        _sqlite_trigger(
            f"{_table}_finalised_update", "UPDATE", _table, f"{_old} OR {_new}", FINALISED
        ),
        _sqlite_trigger(f"{_table}_finalised_delete", "DELETE", _table, _old, FINALISED),
    ]
SQLITE_TRIGGERS += [
    _sqlite_trigger(
        "scoring_runs_finalised_insert",
        "INSERT",
        "scoring_runs",
        f"{RUN_CAMPAIGN_STATUS.format(row='NEW')} = 'finalised'",
        FINALISED,
    ),
    # A run is never moved to another campaign, and a campaign is frozen at one run only.
    _sqlite_trigger(
        "scoring_runs_frozen_update",
        "UPDATE",
        "scoring_runs",
        "OLD.frozen OR NEW.campaign_id IS NOT OLD.campaign_id OR (NEW.frozen AND EXISTS"
        " (SELECT 1 FROM scoring_runs s WHERE s.campaign_id = NEW.campaign_id AND s.frozen"
        " AND s.id <> NEW.id))",
        FROZEN,
    ),
    _sqlite_trigger(
        "scoring_runs_frozen_delete",
        "DELETE",
        "scoring_runs",
        f"OLD.frozen OR {RUN_CAMPAIGN_STATUS.format(row='OLD')} = 'finalised'",
        FROZEN,
    ),
    _sqlite_trigger(
        "campaigns_finalised_update",
        "UPDATE OF status",
        "campaigns",
        "OLD.status = 'finalised' AND NEW.status IS NOT 'finalised'",
        FINALISED,
    ),
    _sqlite_trigger(
        "campaigns_finalised_delete", "DELETE", "campaigns", "OLD.status = 'finalised'", FINALISED
    ),
    _sqlite_trigger("audit_log_append_only_update", "UPDATE", "audit_log", "1", APPEND_ONLY),
    _sqlite_trigger(
        "audit_log_append_only_replace",
        "INSERT",
        "audit_log",
        "EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)",
        APPEND_ONLY,
    ),
    _sqlite_trigger(
        "scoring_runs_frozen_replace",
        "INSERT",
        "scoring_runs",
        "EXISTS (SELECT 1 FROM scoring_runs WHERE id = NEW.id AND frozen)",
        FROZEN,
    ),
    _sqlite_trigger("audit_log_append_only_delete", "DELETE", "audit_log", "1", APPEND_ONLY),
]


def _postgres_rows_function(table: str, status: str) -> str:
    """A statement-level check of `table`'s inserted, updated or deleted rows. The
    campaigns they belong to are share-locked first, so a campaign being finalised at the
    same moment is waited for and then seen finalised (READ COMMITTED would read it
    unlocked, as it was before)."""
    new = f"EXISTS (SELECT 1 FROM new_rows n WHERE {status.format(row='n')} = 'finalised')"
    old = f"EXISTS (SELECT 1 FROM old_rows o WHERE {status.format(row='o')} = 'finalised')"
    new_ids = f"SELECT {CAMPAIGN_ID_OF[table].format(row='n')} FROM new_rows n"
    old_ids = f"SELECT {CAMPAIGN_ID_OF[table].format(row='o')} FROM old_rows o"
    return f"""
CREATE FUNCTION appraisal_finalised_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Separate statements: each transition table exists only for its own events.
    IF TG_OP <> 'DELETE' THEN
        PERFORM 1 FROM campaigns WHERE id IN ({new_ids}) FOR SHARE;
        IF {new} THEN
            RAISE EXCEPTION '{FINALISED}' USING ERRCODE = 'restrict_violation';
        END IF;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM 1 FROM campaigns WHERE id IN ({old_ids}) FOR SHARE;
        IF {old} THEN
            RAISE EXCEPTION '{FINALISED}' USING ERRCODE = 'restrict_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER {table}_finalised_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION appraisal_finalised_{table}();
CREATE TRIGGER {table}_finalised_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION appraisal_finalised_{table}();
CREATE TRIGGER {table}_finalised_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION appraisal_finalised_{table}();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION appraisal_refuse_truncate();
"""


POSTGRES_FUNCTIONS = f"""
CREATE FUNCTION appraisal_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% cannot be truncated: it holds results and their history', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE FUNCTION appraisal_lock_frozen_run() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF (SELECT status FROM campaigns WHERE id = NEW.campaign_id) = 'finalised' THEN
            RAISE EXCEPTION '{FINALISED}' USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.frozen OR (TG_OP = 'DELETE'
            AND (SELECT status FROM campaigns WHERE id = OLD.campaign_id) = 'finalised') THEN
        RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'restrict_violation';
    END IF;
    -- A run is never moved to another campaign, and a campaign is frozen at one run only.
    IF TG_OP = 'UPDATE' AND (NEW.campaign_id IS DISTINCT FROM OLD.campaign_id
            OR (NEW.frozen AND EXISTS (SELECT 1 FROM scoring_runs s
                WHERE s.campaign_id = NEW.campaign_id AND s.frozen AND s.id <> NEW.id))) THEN
        RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER scoring_runs_frozen BEFORE INSERT OR UPDATE OR DELETE ON scoring_runs
    FOR EACH ROW EXECUTE FUNCTION appraisal_lock_frozen_run();
CREATE TRIGGER scoring_runs_no_truncate BEFORE TRUNCATE ON scoring_runs
    FOR EACH STATEMENT EXECUTE FUNCTION appraisal_refuse_truncate();

CREATE FUNCTION appraisal_lock_finalised_campaign() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'finalised' AND (TG_OP = 'DELETE' OR NEW.status <> 'finalised') THEN
        RAISE EXCEPTION '{FINALISED}' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER campaigns_finalised BEFORE UPDATE OR DELETE ON campaigns
    FOR EACH ROW EXECUTE FUNCTION appraisal_lock_finalised_campaign();
CREATE TRIGGER campaigns_no_truncate BEFORE TRUNCATE ON campaigns
    FOR EACH STATEMENT EXECUTE FUNCTION appraisal_refuse_truncate();

CREATE FUNCTION appraisal_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION appraisal_audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION appraisal_audit_append_only();
""" + "".join(
    _postgres_rows_function(table, status) for table, status in CAMPAIGN_STATUS_OF.items()
)

POSTGRES_DROP = (
    "".join(
        f"""
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
DROP TRIGGER IF EXISTS {table}_finalised_delete ON {table};
DROP TRIGGER IF EXISTS {table}_finalised_update ON {table};
DROP TRIGGER IF EXISTS {table}_finalised_insert ON {table};
DROP FUNCTION IF EXISTS appraisal_finalised_{table}();
"""
        for table in CAMPAIGN_STATUS_OF
    )
    + """
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
DROP FUNCTION IF EXISTS appraisal_audit_append_only();
DROP TRIGGER IF EXISTS campaigns_no_truncate ON campaigns;
DROP TRIGGER IF EXISTS campaigns_finalised ON campaigns;
DROP FUNCTION IF EXISTS appraisal_lock_finalised_campaign();
DROP TRIGGER IF EXISTS scoring_runs_no_truncate ON scoring_runs;
DROP TRIGGER IF EXISTS scoring_runs_frozen ON scoring_runs;
DROP FUNCTION IF EXISTS appraisal_lock_frozen_run();
DROP FUNCTION IF EXISTS appraisal_refuse_truncate();
"""
)

AUDIT = sa.table(
    "audit_log",
    sa.column("id", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("user_id", sa.Integer),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.String),
    sa.column("details", sa.JSON),
    sa.column("previous_sha256", sa.String),
    sa.column("sha256", sa.String),
)


def _chain_existing_entries() -> None:
    """Chain the entries written before this revision, in id order."""
    from appraisal_engine.models.base import UTCDateTime

    bind = op.get_bind()
    read_at = UTCDateTime().process_result_value
    previous = None
    rows = bind.execute(
        sa.select(
            AUDIT.c.id,
            AUDIT.c.at,
            AUDIT.c.user_id,
            AUDIT.c.actor,
            AUDIT.c.action,
            AUDIT.c.object_type,
            AUDIT.c.object_id,
            AUDIT.c.details,
        ).order_by(AUDIT.c.id)
    ).all()
    for entry_id, at, user_id, actor, action, object_type, object_id, details in rows:
        at = read_at(at, bind.dialect)
        digest = chain_digest(previous, at, user_id, actor, action, object_type, object_id, details)
        bind.execute(
            sa.update(AUDIT)
            .where(AUDIT.c.id == entry_id)
            .values(previous_sha256=previous, sha256=digest)
        )
        previous = digest


def upgrade() -> None:
    op.create_table(
        "health_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_checks")),
    )
    op.execute("INSERT INTO health_checks (id, checked_at) VALUES (1, CURRENT_TIMESTAMP)")
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("previous_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("sha256", sa.String(length=64), nullable=True))
    _chain_existing_entries()
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("sha256", existing_type=sa.String(length=64), nullable=False)
        batch.create_index(op.f("ix_audit_log_object"), ["object_type", "object_id"])
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    else:
        op.execute(POSTGRES_FUNCTIONS)
        _pin_search_paths()


def _pin_search_paths() -> None:
    """Every function of the app's triggers (these and revision 0002's) looks tables up in
    this schema only, then pg_temp: a temporary table named like one of ours, which any
    session may create, must not stand in for it."""
    bind = op.get_bind()
    schema = bind.scalar(sa.text("SELECT current_schema()"))
    functions = bind.scalars(
        sa.text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p"
            " JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = current_schema() AND starts_with(p.proname, 'appraisal_')"
        )
    ).all()
    for function in functions:
        op.execute(f'ALTER FUNCTION {function} SET search_path = "{schema}", pg_temp')


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {statement.split()[2]}")
    else:
        op.execute(POSTGRES_DROP)
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index(op.f("ix_audit_log_object"))
        batch.drop_column("sha256")
        batch.drop_column("previous_sha256")
    op.drop_table("health_checks")

"""Lock published questionnaire versions in the database itself.

A published version, its indicator weights, questions and options can be neither changed
nor deleted, and nothing can be added to it, whatever code runs against the database:
answers point at them, and no edit may change what an answer meant. Responses and
campaign categories may only point at published versions, so a version with responses
is always a locked one.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MESSAGE = "published questionnaire versions are immutable"

# Tables whose rows belong to a version directly: (table, its column naming the version).
CHILD_GUARDS = [
    ("version_indicators", "version_id"),
    ("questions", "version_id"),
]

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER lock_published_version_update BEFORE UPDATE ON questionnaire_versions
    WHEN OLD.status = 'published'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER lock_published_version_delete BEFORE DELETE ON questionnaire_versions
    WHEN OLD.status = 'published'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
for table, column in CHILD_GUARDS:
    published = (
        f"(SELECT status FROM questionnaire_versions WHERE id = {{row}}.{column}) = 'published'"
    )
    SQLITE_TRIGGERS += [
        f"""CREATE TRIGGER lock_published_{table}_insert BEFORE INSERT ON {table}
        WHEN {published.format(row="NEW")}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
        f"""CREATE TRIGGER lock_published_{table}_update BEFORE UPDATE ON {table}
        WHEN {published.format(row="OLD")} OR {published.format(row="NEW")}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
        f"""CREATE TRIGGER lock_published_{table}_delete BEFORE DELETE ON {table}
        WHEN {published.format(row="OLD")}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    ]
OPTION_PUBLISHED = (
    "(SELECT v.status FROM questions q JOIN questionnaire_versions v ON v.id = q.version_id"
    " WHERE q.id = {row}.question_id) = 'published'"
)
SQLITE_TRIGGERS += [
    f"""CREATE TRIGGER lock_published_options_insert BEFORE INSERT ON options
    WHEN {OPTION_PUBLISHED.format(row="NEW")}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER lock_published_options_update BEFORE UPDATE ON options
    WHEN {OPTION_PUBLISHED.format(row="OLD")} OR {OPTION_PUBLISHED.format(row="NEW")}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER lock_published_options_delete BEFORE DELETE ON options
    WHEN {OPTION_PUBLISHED.format(row="OLD")}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]

NEEDS_PUBLISHED = "questionnaire versions used by campaigns and responses must be published"
for table in ("responses", "campaign_categories"):
    for event in ("INSERT", "UPDATE"):
        SQLITE_TRIGGERS.append(
            f"""CREATE TRIGGER {table}_need_published_version_{event.lower()}
            BEFORE {event} ON {table}
            WHEN (SELECT status FROM questionnaire_versions
                  WHERE id = NEW.questionnaire_version_id) IS NOT 'published'
            BEGIN SELECT RAISE(ABORT, '{NEEDS_PUBLISHED}'); END"""
        )

# The codes of a questionnaire and of its indicators are part of a version's content.
CODE_LOCKED = "codes used by published questionnaire versions cannot change"
SQLITE_TRIGGERS += [
    f"""CREATE TRIGGER lock_published_questionnaire_code BEFORE UPDATE OF code ON questionnaires
    WHEN NEW.code IS NOT OLD.code AND EXISTS (SELECT 1 FROM questionnaire_versions
        WHERE questionnaire_id = OLD.id AND status = 'published')
    BEGIN SELECT RAISE(ABORT, '{CODE_LOCKED}'); END""",
    f"""CREATE TRIGGER lock_published_indicator_code BEFORE UPDATE OF code ON indicators
    WHEN NEW.code IS NOT OLD.code AND EXISTS (SELECT 1 FROM version_indicators vi
        JOIN questionnaire_versions v ON v.id = vi.version_id
        WHERE vi.indicator_id = OLD.id AND v.status = 'published')
    BEGIN SELECT RAISE(ABORT, '{CODE_LOCKED}'); END""",
]

POSTGRES_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION appraisal_version_status(version integer) RETURNS text
    LANGUAGE sql STABLE AS $$ SELECT status FROM questionnaire_versions WHERE id = version $$;

CREATE OR REPLACE FUNCTION appraisal_lock_published_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE OR REPLACE FUNCTION appraisal_lock_published_child() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_version integer;
    new_version integer;
BEGIN
    IF TG_TABLE_NAME = 'options' THEN
        IF TG_OP <> 'INSERT' THEN
            SELECT version_id INTO old_version FROM questions WHERE id = OLD.question_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            SELECT version_id INTO new_version FROM questions WHERE id = NEW.question_id;
        END IF;
    ELSE
        IF TG_OP <> 'INSERT' THEN old_version := OLD.version_id; END IF;
        IF TG_OP <> 'DELETE' THEN new_version := NEW.version_id; END IF;
    END IF;
    IF appraisal_version_status(old_version) = 'published'
       OR appraisal_version_status(new_version) = 'published' THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE OR REPLACE FUNCTION appraisal_require_published_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF appraisal_version_status(NEW.questionnaire_version_id) IS DISTINCT FROM 'published' THEN
        RAISE EXCEPTION '{NEEDS_PUBLISHED}' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION appraisal_lock_published_code() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.code IS DISTINCT FROM OLD.code AND (
        (TG_TABLE_NAME = 'questionnaires' AND EXISTS (
            SELECT 1 FROM questionnaire_versions
            WHERE questionnaire_id = OLD.id AND status = 'published'))
        OR (TG_TABLE_NAME = 'indicators' AND EXISTS (
            SELECT 1 FROM version_indicators vi
            JOIN questionnaire_versions v ON v.id = vi.version_id
            WHERE vi.indicator_id = OLD.id AND v.status = 'published'))
    ) THEN
        RAISE EXCEPTION '{CODE_LOCKED}' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER lock_published_questionnaire_code BEFORE UPDATE ON questionnaires
    FOR EACH ROW EXECUTE FUNCTION appraisal_lock_published_code();
CREATE TRIGGER lock_published_indicator_code BEFORE UPDATE ON indicators
    FOR EACH ROW EXECUTE FUNCTION appraisal_lock_published_code();
CREATE TRIGGER responses_need_published_version BEFORE INSERT OR UPDATE ON responses
    FOR EACH ROW EXECUTE FUNCTION appraisal_require_published_version();
CREATE TRIGGER campaign_categories_need_published_version BEFORE INSERT OR UPDATE
    ON campaign_categories FOR EACH ROW EXECUTE FUNCTION appraisal_require_published_version();
CREATE TRIGGER lock_published_version BEFORE UPDATE OR DELETE ON questionnaire_versions
    FOR EACH ROW EXECUTE FUNCTION appraisal_lock_published_version();
CREATE TRIGGER lock_published_version_indicators BEFORE INSERT OR UPDATE OR DELETE
    ON version_indicators FOR EACH ROW EXECUTE FUNCTION appraisal_lock_published_child();
CREATE TRIGGER lock_published_questions BEFORE INSERT OR UPDATE OR DELETE
    ON questions FOR EACH ROW EXECUTE FUNCTION appraisal_lock_published_child();
CREATE TRIGGER lock_published_options BEFORE INSERT OR UPDATE OR DELETE
    ON options FOR EACH ROW EXECUTE FUNCTION appraisal_lock_published_child();
"""

POSTGRES_DROP = """
DROP TRIGGER IF EXISTS lock_published_indicator_code ON indicators;
DROP TRIGGER IF EXISTS lock_published_questionnaire_code ON questionnaires;
DROP FUNCTION IF EXISTS appraisal_lock_published_code();
DROP TRIGGER IF EXISTS campaign_categories_need_published_version ON campaign_categories;
DROP TRIGGER IF EXISTS responses_need_published_version ON responses;
DROP FUNCTION IF EXISTS appraisal_require_published_version();
DROP TRIGGER IF EXISTS lock_published_options ON options;
DROP TRIGGER IF EXISTS lock_published_questions ON questions;
DROP TRIGGER IF EXISTS lock_published_version_indicators ON version_indicators;
DROP TRIGGER IF EXISTS lock_published_version ON questionnaire_versions;
DROP FUNCTION IF EXISTS appraisal_lock_published_child();
DROP FUNCTION IF EXISTS appraisal_lock_published_version();
DROP FUNCTION IF EXISTS appraisal_version_status(integer);
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    else:
        op.execute(POSTGRES_FUNCTIONS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_TRIGGERS:
            name = statement.split()[2]
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute(POSTGRES_DROP)

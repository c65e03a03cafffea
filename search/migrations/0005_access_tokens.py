import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models

# Who may open an object, as tokens: "u<user>" and "d<department>" of its access rows.
TOKENS_FUNCTION = """
CREATE OR REPLACE FUNCTION search_access_tokens(ct integer, oid bigint) RETURNS varchar[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT t ORDER BY t), '{}')::varchar[] FROM (
        SELECT 'u' || user_id AS t FROM workflow_documentaccess
        WHERE content_type_id = ct AND object_id = oid AND user_id IS NOT NULL
        UNION ALL
        SELECT 'd' || department_id FROM workflow_documentaccess
        WHERE content_type_id = ct AND object_id = oid AND department_id IS NOT NULL
    ) AS tokens
$$;
"""

# An entry written (by a save or the rebuild) takes its object's tokens.
ENTRY_TRIGGER = """
CREATE OR REPLACE FUNCTION search_entry_access() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.access := search_access_tokens(NEW.content_type_id, NEW.object_id);
    RETURN NEW;
END $$;
CREATE TRIGGER search_entry_access BEFORE INSERT OR UPDATE ON search_searchentry
FOR EACH ROW EXECUTE FUNCTION search_entry_access();
"""

# Access rows inserted, updated or deleted by any path (services, the rebuild, bulk SQL): the
# entries of the objects they belong to take their tokens again, once per statement.
ACCESS_TRIGGERS = """
CREATE OR REPLACE FUNCTION search_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE search_searchentry e SET access = '{}'
        FROM (SELECT DISTINCT content_type_id, object_id FROM new_rows) c
        WHERE e.content_type_id = c.content_type_id AND e.object_id = c.object_id
          AND e.access IS DISTINCT FROM search_access_tokens(e.content_type_id, e.object_id);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE search_searchentry e SET access = '{}'
        FROM (SELECT DISTINCT content_type_id, object_id FROM old_rows) c
        WHERE e.content_type_id = c.content_type_id AND e.object_id = c.object_id
          AND e.access IS DISTINCT FROM search_access_tokens(e.content_type_id, e.object_id);
    ELSE
        UPDATE search_searchentry e SET access = '{}'
        FROM (SELECT content_type_id, object_id FROM new_rows
              UNION SELECT content_type_id, object_id FROM old_rows) c
        WHERE e.content_type_id = c.content_type_id AND e.object_id = c.object_id
          AND e.access IS DISTINCT FROM search_access_tokens(e.content_type_id, e.object_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER search_access_inserted AFTER INSERT ON workflow_documentaccess
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_access_changed();
CREATE TRIGGER search_access_deleted AFTER DELETE ON workflow_documentaccess
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_access_changed();
CREATE TRIGGER search_access_updated AFTER UPDATE ON workflow_documentaccess
REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION search_access_changed();
"""

DROP = """
DROP TRIGGER IF EXISTS search_access_inserted ON workflow_documentaccess;
DROP TRIGGER IF EXISTS search_access_deleted ON workflow_documentaccess;
DROP TRIGGER IF EXISTS search_access_updated ON workflow_documentaccess;
DROP FUNCTION IF EXISTS search_access_changed();
DROP TRIGGER IF EXISTS search_entry_access ON search_searchentry;
DROP FUNCTION IF EXISTS search_entry_access();
DROP FUNCTION IF EXISTS search_access_tokens(integer, bigint);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("search", "0004_kind_leads_the_text_indexes"),
        ("workflow", "0007_document_access"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="access",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=24), blank=True, default=list, size=None
            ),
        ),
        migrations.RunSQL(TOKENS_FUNCTION + ENTRY_TRIGGER + ACCESS_TRIGGERS, DROP),
        # the trigger gives every existing entry its tokens
        migrations.RunSQL("UPDATE search_searchentry SET access = '{}'", migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="searchentry",
            index=django.contrib.postgres.indexes.GinIndex(
                fastupdate=False, fields=["access"], name="search_entry_access"
            ),
        ),
    ]

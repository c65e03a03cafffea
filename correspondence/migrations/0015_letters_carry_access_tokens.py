import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.functions.comparison
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

# The letters carry the tokens of their access rows ("u<user>", "d<department>", as
# ``search_access_tokens`` of search migration 0005 gives them), kept by the database itself:
# - a letter written by any path takes them again when the value written differs from the stored
#   one (an instance loaded before a task was created and saved after it writes stale tokens);
# - access rows inserted, updated or deleted by any path (services, bulk SQL) give their letters
#   the tokens again, once per statement;
# - the rebuild of the access table (``argo.access_bulk`` on) turns both off and writes every
#   letter's tokens itself in one statement per table (``workflow.access.access_rebuild``).
TRIGGERS = """
-- a row written without the column (bulk SQL with the triggers off) starts with no token
ALTER TABLE correspondence_incomingletter ALTER COLUMN access_tokens SET DEFAULT '{}';
ALTER TABLE correspondence_outgoingletter ALTER COLUMN access_tokens SET DEFAULT '{}';

CREATE OR REPLACE FUNCTION correspondence_letter_ct(model text) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT id FROM django_content_type WHERE app_label = 'correspondence' AND model = $1
$$;

CREATE OR REPLACE FUNCTION correspondence_letter_tokens() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('argo.access_bulk', true) = 'on' THEN
        RETURN NEW;  -- the rebuild writes every letter's tokens itself, once
    END IF;
    IF TG_OP = 'INSERT' OR NEW.access_tokens IS DISTINCT FROM OLD.access_tokens THEN
        NEW.access_tokens := search_access_tokens(correspondence_letter_ct(TG_ARGV[0]), NEW.id);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER incoming_access_tokens BEFORE INSERT OR UPDATE ON correspondence_incomingletter
FOR EACH ROW EXECUTE FUNCTION correspondence_letter_tokens('incomingletter');
CREATE TRIGGER outgoing_access_tokens BEFORE INSERT OR UPDATE ON correspondence_outgoingletter
FOR EACH ROW EXECUTE FUNCTION correspondence_letter_tokens('outgoingletter');

CREATE OR REPLACE FUNCTION correspondence_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    incoming integer := correspondence_letter_ct('incomingletter');
    outgoing integer := correspondence_letter_ct('outgoingletter');
    incoming_ids bigint[];
    outgoing_ids bigint[];
BEGIN
    IF current_setting('argo.access_bulk', true) = 'on' THEN
        RETURN NULL;  -- see workflow.access.access_rebuild
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT object_id) FILTER (WHERE content_type_id = incoming),
               array_agg(DISTINCT object_id) FILTER (WHERE content_type_id = outgoing)
        INTO incoming_ids, outgoing_ids FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT object_id) FILTER (WHERE content_type_id = incoming),
               array_agg(DISTINCT object_id) FILTER (WHERE content_type_id = outgoing)
        INTO incoming_ids, outgoing_ids FROM old_rows;
    ELSE
        SELECT array_agg(DISTINCT object_id) FILTER (WHERE content_type_id = incoming),
               array_agg(DISTINCT object_id) FILTER (WHERE content_type_id = outgoing)
        INTO incoming_ids, outgoing_ids
        FROM (SELECT content_type_id, object_id FROM new_rows
              UNION ALL SELECT content_type_id, object_id FROM old_rows) AS changed;
    END IF;
    IF incoming_ids IS NOT NULL THEN
        UPDATE correspondence_incomingletter l SET access_tokens = c.tokens
        FROM (SELECT id, search_access_tokens(incoming, id) AS tokens
              FROM unnest(incoming_ids) AS id) AS c
        WHERE l.id = c.id AND l.access_tokens IS DISTINCT FROM c.tokens;
    END IF;
    IF outgoing_ids IS NOT NULL THEN
        UPDATE correspondence_outgoingletter l SET access_tokens = c.tokens
        FROM (SELECT id, search_access_tokens(outgoing, id) AS tokens
              FROM unnest(outgoing_ids) AS id) AS c
        WHERE l.id = c.id AND l.access_tokens IS DISTINCT FROM c.tokens;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER correspondence_access_inserted AFTER INSERT ON workflow_documentaccess
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION correspondence_access_changed();
CREATE TRIGGER correspondence_access_deleted AFTER DELETE ON workflow_documentaccess
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION correspondence_access_changed();
CREATE TRIGGER correspondence_access_updated AFTER UPDATE ON workflow_documentaccess
REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION correspondence_access_changed();
"""

# the letters registered before: their tokens, before the triggers exist and without the subject's
# old index to update
FILL = """
UPDATE correspondence_incomingletter SET access_tokens = search_access_tokens((
    SELECT id FROM django_content_type
    WHERE app_label = 'correspondence' AND model = 'incomingletter'
), id);
UPDATE correspondence_outgoingletter SET access_tokens = search_access_tokens((
    SELECT id FROM django_content_type
    WHERE app_label = 'correspondence' AND model = 'outgoingletter'
), id);
"""

DROP = """
DROP TRIGGER IF EXISTS correspondence_access_inserted ON workflow_documentaccess;
DROP TRIGGER IF EXISTS correspondence_access_deleted ON workflow_documentaccess;
DROP TRIGGER IF EXISTS correspondence_access_updated ON workflow_documentaccess;
DROP FUNCTION IF EXISTS correspondence_access_changed();
DROP TRIGGER IF EXISTS incoming_access_tokens ON correspondence_incomingletter;
DROP TRIGGER IF EXISTS outgoing_access_tokens ON correspondence_outgoingletter;
DROP FUNCTION IF EXISTS correspondence_letter_tokens();
DROP FUNCTION IF EXISTS correspondence_letter_ct(text);
ALTER TABLE correspondence_incomingletter ALTER COLUMN access_tokens DROP DEFAULT;
ALTER TABLE correspondence_outgoingletter ALTER COLUMN access_tokens DROP DEFAULT;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('correspondence', '0014_admin_validation_ru'),
        ('crm', '0008_admin_validation_ru'),
        ('workflow', '0010_route_document_type_index'),
        ('search', '0005_access_tokens'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='incomingletter',
            name='access_tokens',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=24), blank=True, default=list, editable=False, size=None, verbose_name='кому открыто'),
        ),
        migrations.AddField(
            model_name='outgoingletter',
            name='access_tokens',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=24), blank=True, default=list, editable=False, size=None, verbose_name='кому открыто'),
        ),
        migrations.RemoveIndex(
            model_name='incomingletter',
            name='incoming_subject_utrgm',
        ),
        migrations.RemoveIndex(
            model_name='outgoingletter',
            name='outgoing_subject_utrgm',
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunSQL(TRIGGERS, DROP),
        migrations.AddIndex(
            model_name='incomingletter',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper(django.db.models.functions.comparison.Cast('subject', models.TextField())), name='gin_trgm_ops'), models.F('access_tokens'), name='incoming_subject_tokens'),
        ),
        migrations.AddIndex(
            model_name='outgoingletter',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper(django.db.models.functions.comparison.Cast('subject', models.TextField())), name='gin_trgm_ops'), models.F('access_tokens'), name='outgoing_subject_tokens'),
        ),
    ]

"""Lines may be inserted together with their posted entry (one statement on the posting path):
the statement trigger now refuses lines for a posted entry only when that entry already had
lines before the statement. A posted entry without lines cannot outlive its transaction (the
deferred check wants at least two), so what was posted stays closed to new lines."""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION finance_journalline_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    frozen bigint;
    saved text := current_setting('search_path');
BEGIN
    PERFORM set_config('search_path', format('%I, public', TG_TABLE_SCHEMA), true);
    SELECT e.id INTO frozen FROM finance_journalentry e
     WHERE e.posted AND e.id IN (SELECT entry_id FROM new_lines)
       AND EXISTS (SELECT 1 FROM finance_journalline l
                    WHERE l.entry_id = e.id AND l.id NOT IN (SELECT id FROM new_lines))
     LIMIT 1;
    IF FOUND THEN
        PERFORM finance_refuse('journal entry %s is posted: lines cannot be added to it', frozen::text);
    END IF;
    PERFORM finance_post_lines(ARRAY(SELECT id FROM new_lines WHERE posted));
    PERFORM set_config('search_path', saved, true);
    RETURN NULL;
END $$;
"""

REVERSE = r"""
CREATE OR REPLACE FUNCTION finance_journalline_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    frozen bigint;
    saved text := current_setting('search_path');
BEGIN
    PERFORM set_config('search_path', format('%I, public', TG_TABLE_SCHEMA), true);
    SELECT e.id INTO frozen FROM finance_journalentry e
     WHERE e.posted AND e.id IN (SELECT entry_id FROM new_lines) LIMIT 1;
    IF FOUND THEN
        PERFORM finance_refuse('journal entry %s is posted: lines cannot be added to it', frozen::text);
    END IF;
    PERFORM finance_post_lines(ARRAY(SELECT id FROM new_lines WHERE posted));
    PERFORM set_config('search_path', saved, true);
    RETURN NULL;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("finance", "0002_journal")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]

"""One function call writes a posted entry: ``finance_write_entry``.

The posting path (``erp.finance.posting``) used to allocate the entry's number in one round
trip and then send one large statement (entry, history row, business event, lines) that the
client had to compose, quote and the server to parse and plan on every posting. Now the client
sends the entry, its lines and its event as JSON documents to this function, which the server
plans once per session, and the number is allocated inside it, right before the rows are
written: the sequence row's lock (which makes numbers gapless and serialises postings of one
series) is held for the inserts and the commit only, no longer for a round trip and the
client's work in between.

``finance_number_render`` renders a sequence's pattern exactly like
``erp.core.numbering.render`` (``{seq}``, ``{year}``, ``{org}``, optionally ``:0Nd``);
``tests/integration/finance/test_posting.py`` compares the two.

The trigger functions of the ledger skip setting the search path when it already starts with
their schema.

Nothing about the guarantees changes: the lines' statement trigger still checks periods and
accounts and adds the lines to the balances, and the deferred triggers still prove the entry
balanced at commit."""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION finance_number_render(p_pattern text, p_seq bigint, p_year integer, p_org text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    m text[];
    value text;
    result text := p_pattern;
BEGIN
    FOR m IN SELECT regexp_matches(p_pattern, '\{(seq|year|org)(?::0([1-9])d)?\}', 'g') LOOP
        value := CASE m[1] WHEN 'seq' THEN p_seq::text WHEN 'year' THEN coalesce(p_year::text, '') ELSE p_org END;
        -- Python pads integers only (the organization's code and a missing year stay as they are).
        IF m[2] IS NOT NULL AND (m[1] = 'seq' OR (m[1] = 'year' AND p_year IS NOT NULL))
           AND length(value) < m[2]::integer THEN
            value := lpad(value, m[2]::integer, '0');
        END IF;
        result := replace(result, '{' || m[1] || coalesce(':0' || m[2] || 'd', '') || '}', value);
    END LOOP;
    RETURN result;
END $$;

CREATE FUNCTION finance_write_entry(
    p_entry jsonb, p_lines jsonb, p_event jsonb, p_history_date timestamptz, p_history_user bigint,
    p_series text, p_year integer, p_default_pattern text, p_org_code text, p_placeholder text,
    OUT entry_number text
)
LANGUAGE plpgsql AS $$
DECLARE
    v_organization bigint := (p_entry->>'organization_id')::bigint;
    seq bigint;
    pattern text;
BEGIN
    -- The number first and then the rows: from here until commit the sequence row is locked.
    UPDATE core_numbersequence s SET next_value = s.next_value + 1
     WHERE s.series = p_series AND s.organization_id = v_organization AND s.year = p_year
    RETURNING s.next_value - 1, s.pattern INTO seq, pattern;
    IF NOT FOUND THEN
        INSERT INTO core_numbersequence (series, organization_id, year, pattern, next_value)
        VALUES (p_series, v_organization, p_year, p_default_pattern, 1) ON CONFLICT DO NOTHING;
        UPDATE core_numbersequence s SET next_value = s.next_value + 1
         WHERE s.series = p_series AND s.organization_id = v_organization AND s.year = p_year
        RETURNING s.next_value - 1, s.pattern INTO seq, pattern;
    END IF;
    entry_number := finance_number_render(pattern, seq, p_year, p_org_code);
    -- Rows from JSON (no %ROWTYPE variables: the schema copy creates functions before tables).
    INSERT INTO finance_journalentry
    SELECT * FROM jsonb_populate_record(NULL::finance_journalentry, p_entry || jsonb_build_object('number', entry_number));
    INSERT INTO finance_historicaljournalentry
    SELECT * FROM jsonb_populate_record(
        NULL::finance_historicaljournalentry,
        p_entry || jsonb_build_object(
            'number', entry_number,
            'history_id', nextval(pg_get_serial_sequence('finance_historicaljournalentry', 'history_id')),
            'history_date', p_history_date,
            'history_change_reason', NULL,
            'history_type', '+',
            'history_user_id', p_history_user));
    INSERT INTO core_businessevent
    SELECT * FROM jsonb_populate_record(
        NULL::core_businessevent,
        p_event || jsonb_build_object(
            'id', nextval(pg_get_serial_sequence('core_businessevent', 'id')),
            'aggregate_repr', left(replace(p_event->>'aggregate_repr', p_placeholder, entry_number), 255)));
    INSERT INTO finance_journalline
    SELECT r.*
      FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS l(line, position),
           LATERAL jsonb_populate_record(
               NULL::finance_journalline,
               l.line || jsonb_build_object('id', nextval(pg_get_serial_sequence('finance_journalline', 'id')))
           ) AS r
     ORDER BY l.position;
END $$;

-- The trigger functions set the search path only when it does not already start with their
-- schema (it does on every posting: setting it costs more than the rest of the check).
CREATE OR REPLACE FUNCTION finance_journalline_verify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    saved text;
    entry_posted boolean;
BEGIN
    IF current_schema() IS DISTINCT FROM TG_TABLE_SCHEMA THEN
        saved := current_setting('search_path');
        PERFORM set_config('search_path', format('%I, public', TG_TABLE_SCHEMA), true);
    END IF;
    SELECT posted INTO entry_posted FROM finance_journalentry WHERE id = NEW.entry_id;
    IF entry_posted IS DISTINCT FROM true THEN
        PERFORM finance_entry_verify(NEW.entry_id);
    END IF;
    IF saved IS NOT NULL THEN
        PERFORM set_config('search_path', saved, true);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION finance_journalentry_verify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    saved text;
BEGIN
    IF current_schema() IS DISTINCT FROM TG_TABLE_SCHEMA THEN
        saved := current_setting('search_path');
        PERFORM set_config('search_path', format('%I, public', TG_TABLE_SCHEMA), true);
    END IF;
    PERFORM finance_entry_verify(NEW.id);
    IF saved IS NOT NULL THEN
        PERFORM set_config('search_path', saved, true);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION finance_journalline_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    frozen bigint;
    saved text;
BEGIN
    IF current_schema() IS DISTINCT FROM TG_TABLE_SCHEMA THEN
        saved := current_setting('search_path');
        PERFORM set_config('search_path', format('%I, public', TG_TABLE_SCHEMA), true);
    END IF;
    SELECT e.id INTO frozen FROM finance_journalentry e
     WHERE e.posted AND e.id IN (SELECT entry_id FROM new_lines)
       AND EXISTS (SELECT 1 FROM finance_journalline l
                    WHERE l.entry_id = e.id AND l.id NOT IN (SELECT id FROM new_lines))
     LIMIT 1;
    IF FOUND THEN
        PERFORM finance_refuse('journal entry %s is posted: lines cannot be added to it', frozen::text);
    END IF;
    PERFORM finance_post_lines(ARRAY(SELECT id FROM new_lines WHERE posted));
    IF saved IS NOT NULL THEN
        PERFORM set_config('search_path', saved, true);
    END IF;
    RETURN NULL;
END $$;
"""

REVERSE = r"""
CREATE OR REPLACE FUNCTION finance_journalline_verify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    saved text := current_setting('search_path');
    entry_posted boolean;
BEGIN
    PERFORM set_config('search_path', format('%I, public', TG_TABLE_SCHEMA), true);
    SELECT posted INTO entry_posted FROM finance_journalentry WHERE id = NEW.entry_id;
    IF entry_posted IS DISTINCT FROM true THEN
        PERFORM finance_entry_verify(NEW.entry_id);
    END IF;
    PERFORM set_config('search_path', saved, true);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION finance_journalentry_verify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    saved text := current_setting('search_path');
BEGIN
    PERFORM set_config('search_path', format('%I, public', TG_TABLE_SCHEMA), true);
    PERFORM finance_entry_verify(NEW.id);
    PERFORM set_config('search_path', saved, true);
    RETURN NULL;
END $$;

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

DROP FUNCTION IF EXISTS finance_write_entry(jsonb, jsonb, jsonb, timestamptz, bigint, text, integer, text, text, text);
DROP FUNCTION IF EXISTS finance_number_render(text, bigint, integer, text);
"""


class Migration(migrations.Migration):
    dependencies = [("finance", "0007_year_end_entry_index"), ("core", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]

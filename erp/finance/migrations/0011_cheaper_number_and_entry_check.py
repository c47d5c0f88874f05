"""Less work per posting inside the database, the same guarantees.

- ``finance_number_render`` replaces the plain placeholders with ``replace`` and looks for
  padded ones (``{seq:05d}``) with one ``substring`` each, instead of looping over the rows
  of ``regexp_matches`` (a fifth of a millisecond per posting). Same results as
  ``erp.core.numbering.render`` (``tests/integration/finance/test_posting.py`` compares).
- The deferred proof of an entry (balanced, dated, all lines posted) runs when an entry is
  written posted or becomes posted, no longer again when a posted entry is updated: the
  guard refuses every change of a posted entry that the proof depends on, and lines of a
  posted entry can neither be added, changed nor deleted. (Since 0010 every posting updates
  its entry once, to write its number, which ran the proof a second time.)"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION finance_number_render(p_pattern text, p_seq bigint, p_year integer, p_org text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    result text := p_pattern;
    width text;
BEGIN
    IF position('{' IN result) = 0 THEN
        RETURN result;
    END IF;
    result := replace(replace(result, '{seq}', p_seq::text), '{year}', coalesce(p_year::text, ''));
    -- Padded forms: integers only (a missing year stays empty, the organization's code as it is).
    LOOP
        width := substring(result FROM '\{seq:0([1-9])d\}');
        EXIT WHEN width IS NULL;
        result := replace(result, '{seq:0' || width || 'd}',
                          lpad(p_seq::text, greatest(width::integer, length(p_seq::text)), '0'));
    END LOOP;
    LOOP
        width := substring(result FROM '\{year:0([1-9])d\}');
        EXIT WHEN width IS NULL;
        result := replace(result, '{year:0' || width || 'd}', CASE WHEN p_year IS NULL THEN ''
            ELSE lpad(p_year::text, greatest(width::integer, length(p_year::text)), '0') END);
    END LOOP;
    -- The organization's code last: whatever it contains is not read as a placeholder.
    LOOP
        width := substring(result FROM '\{org:0([1-9])d\}');
        EXIT WHEN width IS NULL;
        result := replace(result, '{org:0' || width || 'd}', U&'\E000');
    END LOOP;
    result := replace(replace(result, '{org}', U&'\E000'), U&'\E000', p_org);
    RETURN result;
END $$;

DROP TRIGGER finance_journalentry_balanced ON finance_journalentry;
CREATE CONSTRAINT TRIGGER finance_journalentry_balanced
    AFTER INSERT ON finance_journalentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.posted) EXECUTE FUNCTION finance_journalentry_verify();
CREATE CONSTRAINT TRIGGER finance_journalentry_becomes_balanced
    AFTER UPDATE ON finance_journalentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.posted AND NOT OLD.posted) EXECUTE FUNCTION finance_journalentry_verify();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS finance_journalentry_becomes_balanced ON finance_journalentry;
DROP TRIGGER finance_journalentry_balanced ON finance_journalentry;
CREATE CONSTRAINT TRIGGER finance_journalentry_balanced
    AFTER INSERT OR UPDATE ON finance_journalentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.posted) EXECUTE FUNCTION finance_journalentry_verify();
CREATE OR REPLACE FUNCTION finance_number_render(p_pattern text, p_seq bigint, p_year integer, p_org text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    m text[];
    value text;
    result text := p_pattern;
BEGIN
    FOR m IN SELECT regexp_matches(p_pattern, '\{(seq|year|org)(?::0([1-9])d)?\}', 'g') LOOP
        value := CASE m[1] WHEN 'seq' THEN p_seq::text WHEN 'year' THEN coalesce(p_year::text, '') ELSE p_org END;
        IF m[2] IS NOT NULL AND (m[1] = 'seq' OR (m[1] = 'year' AND p_year IS NOT NULL))
           AND length(value) < m[2]::integer THEN
            value := lpad(value, m[2]::integer, '0');
        END IF;
        result := replace(result, '{' || m[1] || coalesce(':0' || m[2] || 'd', '') || '}', value);
    END LOOP;
    RETURN result;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("finance", "0010_balance_deltas_number_last")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]

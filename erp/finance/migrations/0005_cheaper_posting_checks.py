"""Fewer statements per posting inside the database, the same guarantees.

- ``finance_post_lines`` checks period and account of the posted lines with one query that
  also share-locks their periods (it took three).
- The deferred check of a posted line only asks whether its entry is posted (and then runs
  the full proof when it is not, for the message). The full proof of the entry — balanced,
  dated, every line posted — runs once per entry from the entry's own deferred trigger, which
  fires whenever an entry is written posted; lines cannot reach a posted entry any other way
  (added later: refused by the statement trigger; changed or deleted: refused by the guard)."""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION finance_post_lines(p_lines bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    IF p_lines IS NULL OR cardinality(p_lines) = 0 THEN
        RETURN;
    END IF;
    -- One pass: the periods posted into are share-locked (a concurrent close waits for us).
    FOR r IN
        SELECT l.entry_id, l.date, p.name AS period, p.status, p.start_date, p.end_date,
               a.code, a.is_active, a.is_group, a.deleted_at
          FROM finance_journalline l
          JOIN finance_period p ON p.id = l.period_id
          JOIN finance_account a ON a.id = l.account_id
         WHERE l.id = ANY(p_lines)
         ORDER BY p.id
           FOR SHARE OF p
    LOOP
        IF r.status <> 'open' THEN
            PERFORM finance_refuse('period %s is closed: nothing can be posted into it (entry %s)',
                                   r.period, r.entry_id::text);
        END IF;
        IF r.date NOT BETWEEN r.start_date AND r.end_date THEN
            PERFORM finance_refuse('the date %s is outside period %s (entry %s)',
                                   r.date::text, r.period, r.entry_id::text);
        END IF;
        IF NOT r.is_active OR r.is_group OR r.deleted_at IS NOT NULL THEN
            PERFORM finance_refuse('account %s cannot be posted to: it is %s (entry %s)', r.code,
                                   CASE WHEN r.is_group THEN 'a summary account' ELSE 'inactive' END,
                                   r.entry_id::text);
        END IF;
    END LOOP;
    INSERT INTO finance_accountbalance AS b
           (account_id, organization_id, period_id, currency_id, kind,
            debit, credit, debit_company, credit_company, line_count)
    SELECT l.account_id, l.organization_id, l.period_id, e.currency_id,
           CASE e.kind WHEN 'closing' THEN 'closing' WHEN 'opening' THEN 'opening' ELSE 'regular' END,
           sum(l.debit), sum(l.credit), sum(l.debit_company), sum(l.credit_company), count(*)
      FROM finance_journalline l JOIN finance_journalentry e ON e.id = l.entry_id
     WHERE l.id = ANY(p_lines)
     GROUP BY 1, 2, 3, 4, 5
     ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (account_id, organization_id, period_id, currency_id, kind) DO UPDATE
       SET debit = b.debit + EXCLUDED.debit,
           credit = b.credit + EXCLUDED.credit,
           debit_company = b.debit_company + EXCLUDED.debit_company,
           credit_company = b.credit_company + EXCLUDED.credit_company,
           line_count = b.line_count + EXCLUDED.line_count;
END $$;

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
"""

REVERSE = r"""
CREATE OR REPLACE FUNCTION finance_journalline_verify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    saved text := current_setting('search_path');
BEGIN
    PERFORM set_config('search_path', format('%I, public', TG_TABLE_SCHEMA), true);
    PERFORM finance_entry_verify(NEW.entry_id);
    PERFORM set_config('search_path', saved, true);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION finance_post_lines(p_lines bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    IF p_lines IS NULL OR cardinality(p_lines) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM finance_period
     WHERE id IN (SELECT DISTINCT period_id FROM finance_journalline WHERE id = ANY(p_lines))
     ORDER BY id FOR SHARE;
    SELECT l.entry_id, l.date, p.name, p.status, p.start_date, p.end_date INTO bad
      FROM finance_journalline l JOIN finance_period p ON p.id = l.period_id
     WHERE l.id = ANY(p_lines) AND (p.status <> 'open' OR l.date NOT BETWEEN p.start_date AND p.end_date)
     LIMIT 1;
    IF FOUND THEN
        IF bad.status <> 'open' THEN
            PERFORM finance_refuse('period %s is closed: nothing can be posted into it (entry %s)',
                                   bad.name, bad.entry_id::text);
        END IF;
        PERFORM finance_refuse('the date %s is outside period %s (entry %s)',
                               bad.date::text, bad.name, bad.entry_id::text);
    END IF;
    SELECT l.entry_id, a.code, a.is_active, a.is_group INTO bad
      FROM finance_journalline l JOIN finance_account a ON a.id = l.account_id
     WHERE l.id = ANY(p_lines) AND (NOT a.is_active OR a.is_group OR a.deleted_at IS NOT NULL)
     LIMIT 1;
    IF FOUND THEN
        PERFORM finance_refuse('account %s cannot be posted to: it is %s (entry %s)', bad.code,
                               CASE WHEN bad.is_group THEN 'a summary account' ELSE 'inactive' END,
                               bad.entry_id::text);
    END IF;
    INSERT INTO finance_accountbalance AS b
           (account_id, organization_id, period_id, currency_id, kind,
            debit, credit, debit_company, credit_company, line_count)
    SELECT l.account_id, l.organization_id, l.period_id, e.currency_id,
           CASE e.kind WHEN 'closing' THEN 'closing' WHEN 'opening' THEN 'opening' ELSE 'regular' END,
           sum(l.debit), sum(l.credit), sum(l.debit_company), sum(l.credit_company), count(*)
      FROM finance_journalline l JOIN finance_journalentry e ON e.id = l.entry_id
     WHERE l.id = ANY(p_lines)
     GROUP BY 1, 2, 3, 4, 5
     ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (account_id, organization_id, period_id, currency_id, kind) DO UPDATE
       SET debit = b.debit + EXCLUDED.debit,
           credit = b.credit + EXCLUDED.credit,
           debit_company = b.debit_company + EXCLUDED.debit_company,
           credit_company = b.credit_company + EXCLUDED.credit_company,
           line_count = b.line_count + EXCLUDED.line_count;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("finance", "0004_periods_include_their_last_day")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]

"""Two postings no longer wait for each other, except for the number.

Before, two postings serialised twice:

- **on the kept balances.** The lines' trigger upserted ``finance_accountbalance`` (``INSERT …
  ON CONFLICT DO UPDATE``): every posting updated — and row-locked until commit — the rows of
  its accounts and period, the same few hot rows for every posting of a day. Now each posting
  *appends* its sums as new rows (no conflict, no lock); the readers already add rows up per
  account. ``finance_compact_balances()`` (run by the worker every few minutes and by the
  balance check) folds the rows of each key into one, in one statement, so a reader sees
  either the rows or their sum, never both.
- **on the gapless number.** ``finance_write_entry`` took the number first and held the
  sequence row's lock through the inserts, the lines' trigger, the deferred checks at commit
  and the WAL flush. Now it writes the entry under a provisional number (``\ue000number\ue000``
  and its id: unique, never shown), inserts and checks the lines, runs the ledger's deferred
  checks at once (``SET CONSTRAINTS … IMMEDIATE``), and only then takes the number and writes
  it, the history row and the event. The lock is held for that and the commit only. Numbers
  stay gapless: a failing check fails before a number is taken, and a rolled-back posting
  gives its number back as before.

The entry guard lets a posted entry's number change once, from the provisional to the real
one. The guarantees are unchanged: balanced at commit (the entry's deferred trigger fires
again for the number's update), periods, accounts, immutability."""

from django.db import migrations, models

FORWARD = r"""
CREATE OR REPLACE FUNCTION finance_post_lines(p_lines bigint[]) RETURNS void
LANGUAGE plpgsql SET enable_seqscan = off AS $$
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
    -- Appended, not upserted: no row of another posting is touched or locked.
    INSERT INTO finance_accountbalance
           (account_id, organization_id, period_id, currency_id, kind,
            debit, credit, debit_company, credit_company, line_count)
    SELECT l.account_id, l.organization_id, l.period_id, e.currency_id,
           CASE e.kind WHEN 'closing' THEN 'closing' WHEN 'opening' THEN 'opening' ELSE 'regular' END,
           sum(l.debit), sum(l.credit), sum(l.debit_company), sum(l.credit_company), count(*)
      FROM finance_journalline l JOIN finance_journalentry e ON e.id = l.entry_id
     WHERE l.id = ANY(p_lines)
     GROUP BY 1, 2, 3, 4, 5;
END $$;

-- Folds the balance rows of each key into one; returns how many rows it removed.
CREATE FUNCTION finance_compact_balances() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    removed bigint;
BEGIN
    -- One compaction at a time per schema (a second one would find nothing to do).
    IF NOT pg_try_advisory_xact_lock(hashtext(current_schema() || '.finance_compact_balances')) THEN
        RETURN 0;
    END IF;
    PERFORM set_config('finance.balance_repair', 'on', true);
    WITH gone AS (
        DELETE FROM finance_accountbalance b
         USING (SELECT account_id, organization_id, period_id, currency_id, kind
                  FROM finance_accountbalance
                 GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1) k
         WHERE b.account_id = k.account_id AND b.organization_id = k.organization_id
           AND b.period_id = k.period_id AND b.currency_id = k.currency_id AND b.kind = k.kind
        RETURNING b.*
    ), folded AS (
        INSERT INTO finance_accountbalance
               (account_id, organization_id, period_id, currency_id, kind,
                debit, credit, debit_company, credit_company, line_count)
        SELECT account_id, organization_id, period_id, currency_id, kind,
               sum(debit), sum(credit), sum(debit_company), sum(credit_company), sum(line_count)
          FROM gone
         GROUP BY 1, 2, 3, 4, 5
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM folded) INTO removed;
    PERFORM set_config('finance.balance_repair', 'off', true);
    RETURN removed;
END $$;

-- A posted entry's number may change once: from the provisional one to its real number.
CREATE OR REPLACE FUNCTION finance_journalentry_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.posted THEN
            RAISE EXCEPTION 'posted journal entry % cannot be deleted', OLD.number USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.posted AND (
           NOT NEW.posted
        OR NEW.accounting_date IS DISTINCT FROM OLD.accounting_date
        OR NEW.document_date IS DISTINCT FROM OLD.document_date
        OR NEW.period_id IS DISTINCT FROM OLD.period_id
        OR NEW.currency_id IS DISTINCT FROM OLD.currency_id
        OR NEW.exchange_rate IS DISTINCT FROM OLD.exchange_rate
        OR NEW.organization_id IS DISTINCT FROM OLD.organization_id
        OR (NEW.number IS DISTINCT FROM OLD.number
            AND NOT (OLD.number = U&'\E000number\E000' || OLD.id::text AND NEW.number <> ''))
        OR NEW.kind IS DISTINCT FROM OLD.kind
        OR NEW.correction IS DISTINCT FROM OLD.correction
        OR NEW.reversal_of_id IS DISTINCT FROM OLD.reversal_of_id
        OR NEW.total_gross IS DISTINCT FROM OLD.total_gross
        OR NEW.total_gross_company IS DISTINCT FROM OLD.total_gross_company
        OR NEW.deleted_at IS NOT NULL) THEN
        RAISE EXCEPTION 'posted journal entry % cannot be changed: reverse it instead', OLD.number
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

-- The posting function names the ledger's deferred constraints (checks and foreign keys) of
-- this schema to run them before the number is taken.
DO $do$
DECLARE
    deferred text;
BEGIN
    SELECT string_agg(quote_ident(conname), ', ' ORDER BY conname) INTO deferred
      FROM pg_constraint
     WHERE conrelid IN ('finance_journalline'::regclass, 'finance_journalentry'::regclass) AND condeferrable;
    EXECUTE format($function$
CREATE OR REPLACE FUNCTION finance_write_entry(
    p_entry jsonb, p_lines jsonb, p_event jsonb, p_history_date timestamptz, p_history_user bigint,
    p_series text, p_year integer, p_default_pattern text, p_org_code text, p_placeholder text,
    OUT entry_number text
)
LANGUAGE plpgsql SET enable_seqscan = off AS $body$
DECLARE
    v_id bigint := (p_entry->>'id')::bigint;
    v_organization bigint := (p_entry->>'organization_id')::bigint;
    seq bigint;
    pattern text;
BEGIN
    -- The entry under its provisional number, its lines (checked and added to the balances by
    -- their trigger) and the deferred checks: whatever fails, fails before the number is taken.
    INSERT INTO finance_journalentry
    SELECT * FROM jsonb_populate_record(
        NULL::finance_journalentry, p_entry || jsonb_build_object('number', U&'\E000number\E000' || v_id::text));
    INSERT INTO finance_journalline
    SELECT r.*
      FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS l(line, position),
           LATERAL jsonb_populate_record(
               NULL::finance_journalline,
               l.line || jsonb_build_object('id', nextval(pg_get_serial_sequence('finance_journalline', 'id')))
           ) AS r
     ORDER BY l.position;
    SET CONSTRAINTS %1$s IMMEDIATE;
    SET CONSTRAINTS %1$s DEFERRED;
    -- The number: from here until commit the sequence row is locked.
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
    UPDATE finance_journalentry SET number = entry_number WHERE id = v_id;
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
END $body$;
$function$, deferred);
END $do$;
"""

REVERSE = r"""
DO $do$ BEGIN PERFORM finance_compact_balances(); END $do$;
DROP FUNCTION IF EXISTS finance_compact_balances();
CREATE OR REPLACE FUNCTION finance_post_lines(p_lines bigint[]) RETURNS void
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
    r record;
BEGIN
    IF p_lines IS NULL OR cardinality(p_lines) = 0 THEN
        RETURN;
    END IF;
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
"""


class Migration(migrations.Migration):
    dependencies = [("finance", "0009_posting_plans_use_indexes")]

    operations = [
        migrations.RemoveConstraint(model_name="accountbalance", name="finance_accountbalance_key"),
        migrations.AddIndex(
            model_name="accountbalance",
            index=models.Index(
                fields=["account", "organization", "period", "currency", "kind"], name="finance_balance_key_idx"
            ),
        ),
        migrations.RunSQL(FORWARD, REVERSE),
    ]

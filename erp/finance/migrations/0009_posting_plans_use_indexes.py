"""The ledger's trigger functions plan their lookups with indexes from the start.

PL/pgSQL caches each statement's plan for the session. In a new tenant the journal is tiny
when the first entries are posted, so the cached plans scanned ``finance_journalentry`` and
``finance_journalline`` sequentially — and kept doing so while the tables grew, until
autovacuum's first ANALYZE invalidated them: a bulk load into a fresh tenant (opening
balances, a migration from another system, the posting benchmark) slowed down with every
entry (server CPU 4 → 7.7 ms per entry over 4,000 entries). With ``enable_seqscan`` off
while these functions run, their plans use the primary key and ``entry_id`` indexes whatever
the tables' size; small tables without a usable index are still scanned."""

from django.db import migrations

FUNCTIONS = (
    "finance_write_entry(jsonb, jsonb, jsonb, timestamptz, bigint, text, integer, text, text, text)",
    "finance_journalline_inserted()",
    "finance_journalline_updated()",
    "finance_post_lines(bigint[])",
    "finance_entry_verify(bigint)",
    "finance_journalline_verify()",
    "finance_journalentry_verify()",
)

FORWARD = "\n".join(f"ALTER FUNCTION {function} SET enable_seqscan = off;" for function in FUNCTIONS)
REVERSE = "\n".join(f"ALTER FUNCTION {function} RESET enable_seqscan;" for function in FUNCTIONS)


class Migration(migrations.Migration):
    dependencies = [("finance", "0008_write_entry_function")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]

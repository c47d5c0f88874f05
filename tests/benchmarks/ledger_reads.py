"""The ledger's read side at volume: ``erp.finance.selectors`` on a tenant with ``lines``
posted journal lines (default 1,000,000).

The lines are written in bulk by SQL (entries of 4 lines over two fiscal years, 40 accounts,
3 organizations), through the same triggers as every posting: checks, balances kept in the
statement, the deferred proof at commit. Then each report selector is timed (median of 5 after
a warm-up): trial balance for a year and for a range that cuts two periods (it reads lines for
the cut parts), profit and loss, balance sheet, and the first and a deep page of the general
ledger of the busiest account with its running balance.

Targets (issue 3): trial balance, general ledger page and balance sheet under 1 s."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from tests.benchmarks import results

TARGET_S = 1.0
ENTRIES_PER_STATEMENT = 25_000
LABEL = "ledgerreads"

_FILL = """
WITH refs AS (
    SELECT (SELECT array_agg(id ORDER BY id) FROM core_organization) AS organizations,
           (SELECT array_agg(id ORDER BY code) FROM finance_account WHERE code LIKE 'R%%') AS accounts
),
numbered AS (
    SELECT g AS n, (%(first_day)s::date + ((g * 7919) %% %(days)s)) AS day,
           refs.organizations[1 + g %% cardinality(refs.organizations)] AS organization_id
      FROM generate_series(%(start)s, %(stop)s) AS g, refs
),
entries AS (
    INSERT INTO finance_journalentry (
        id, created_at, updated_at, is_active, deletion_reason, version, custom_fields, organization_id, number, status,
        document_date, accounting_date, currency_id, exchange_rate, total_net, total_tax, total_gross,
        total_net_company, total_tax_company, total_gross_company, approval_status, posted, processed,
        status_reason, external_reference, notes, description, kind, correction, source_id, period_id)
    SELECT nextval(pg_get_serial_sequence('finance_journalentry', 'id')), now(), now(), true, '', 1, '{}',
           organization_id, 'BULK-' || n, 'completed', day, day, %(currency)s, 1, 0, 0, 0, 0, 0, 0,
           'not_required', true, true, '', '', '', 'bulk', 'system', '', '',
           (SELECT p.id FROM finance_period p WHERE p.start_date <= day AND p.end_date >= day)
      FROM numbered
    RETURNING id, organization_id, accounting_date, period_id, substr(number, 6)::int AS n
)
INSERT INTO finance_journalline (entry_id, position, account_id, organization_id, description, analytic_tag,
                                 debit, credit, debit_company, credit_company, date, period_id, posted)
SELECT e.id, k, refs.accounts[1 + (e.n * 31 + k * 17) %% cardinality(refs.accounts)], e.organization_id, '', '',
       CASE WHEN k <= 2 THEN amount ELSE 0 END, CASE WHEN k > 2 THEN amount ELSE 0 END,
       CASE WHEN k <= 2 THEN amount ELSE 0 END, CASE WHEN k > 2 THEN amount ELSE 0 END,
       e.accounting_date, e.period_id, true
  FROM entries e
 CROSS JOIN refs
 CROSS JOIN generate_series(1, 4) AS k
 CROSS JOIN LATERAL (SELECT (10 + e.n %% 990)::numeric AS amount) AS amounts
"""


def tenant_fill(*, lines: int, progress) -> str:
    """A cloned tenant with two fiscal years, 40 accounts, 3 organizations and ``lines`` posted lines."""
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from erp.core.models import Company, Organization
    from erp.finance.balances import balances_compact
    from erp.finance.models import Account, AccountType
    from erp.tenancy.services import tenant_create
    from tests.benchmarks.tenant_creation import new_tenant
    from tests.factories.ledger import fiscal_years

    tenant = tenant_create(new=new_tenant(LABEL))
    types = [AccountType.ASSET, AccountType.LIABILITY, AccountType.EQUITY, AccountType.INCOME, AccountType.EXPENSE]
    with schema_context(tenant.schema_name):
        years = fiscal_years(2)
        root = Organization.objects.get(code="HQ")
        for code in ("B1", "B2"):
            Organization.objects.create(code=code, name=f"Branch {code}", parent=root)
        Account.objects.bulk_create(
            [
                Account(code=f"R{number:03d}", name=f"Account {number}", account_type=types[number % len(types)])
                for number in range(40)
            ]
        )
        currency = Company.objects.values_list("currency_id", flat=True).get()
        days = (years[-1].end_date - years[0].start_date).days + 1
        entries = lines // 4
        for start in range(1, entries + 1, ENTRIES_PER_STATEMENT):
            stop = min(start + ENTRIES_PER_STATEMENT - 1, entries)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    _FILL,
                    {
                        "first_day": years[0].start_date,
                        "days": days,
                        "organizations": 3,
                        "start": start,
                        "stop": stop,
                        "currency": currency,
                    },
                )
            progress(f"{stop * 4:,} lines")
        balances_compact()  # as the worker does every few minutes
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return tenant.schema_name


def _timed(function, runs: int = 5) -> float:
    function()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def run(*, lines: int, progress) -> dict:
    from django.db import connection
    from django.db.models import Sum
    from django_tenants.utils import schema_context

    from erp.finance import selectors
    from erp.finance.journal.models import AccountBalance
    from erp.finance.models import Account, FiscalYear

    started = time.perf_counter()
    schema = tenant_fill(lines=lines, progress=progress)
    fill_s = time.perf_counter() - started
    with schema_context(schema):
        year = FiscalYear.objects.order_by("start_date").last()
        counts = AccountBalance.objects.values("account").annotate(lines=Sum("line_count")).order_by("-lines")
        busiest_row = counts.first()
        busiest = Account.objects.get(pk=busiest_row["account"])
        account_lines = busiest_row["lines"]
        cut_from, cut_to = year.start_date + timedelta(days=40), year.end_date - timedelta(days=40)

        def ledger_page(offset: int):
            def read():
                ledger = selectors.general_ledger(account=busiest, date_from=year.start_date, date_to=year.end_date)
                return list(ledger.lines[offset : offset + 50])

            return read

        timings = {
            "trial_balance_year": _timed(
                lambda: selectors.trial_balance(date_from=year.start_date, date_to=year.end_date)
            ),
            "trial_balance_cut_periods": _timed(lambda: selectors.trial_balance(date_from=cut_from, date_to=cut_to)),
            "profit_and_loss_year": _timed(
                lambda: selectors.profit_and_loss(date_from=year.start_date, date_to=year.end_date)
            ),
            "balance_sheet": _timed(lambda: selectors.balance_sheet(on=year.end_date)),
            "general_ledger_first_page": _timed(ledger_page(0)),
            "general_ledger_page_100": _timed(ledger_page(5_000)),
        }
        report_balances = selectors.trial_balance(date_from=year.start_date, date_to=year.end_date).balances
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM finance_journalline")
            total_lines = cursor.fetchone()[0]
        balance_rows = AccountBalance.objects.count()
    return {
        "lines": total_lines,
        "balance_rows": balance_rows,
        "fill_seconds": fill_s,
        "busiest_account_lines": account_lines,
        "trial_balance_balances": report_balances,
        "seconds": timings,
    }


def report(outcome: dict) -> str:
    rows = [
        [name.replace("_", " "), results.milliseconds(seconds), "yes" if seconds < TARGET_S else "NO"]
        for name, seconds in outcome["seconds"].items()
    ]
    return "\n".join(
        [
            f"Ledger reads on {outcome['lines']:,} journal lines ({outcome['balance_rows']:,} kept balance rows; "
            f"filled in {outcome['fill_seconds']:.0f} s through the posting triggers; "
            f"general ledger account: {outcome['busiest_account_lines']:,} lines):",
            results.table(["selector (median of 5)", "time", f"< {TARGET_S:.0f} s"], rows),
            f"Trial balance balances: {'yes' if outcome['trial_balance_balances'] else 'NO'}.",
        ]
    )

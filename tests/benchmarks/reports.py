"""Financial reports on a tenant with a million journal lines.

The lines are generated inside PostgreSQL, not posted one by one: each batch is one
``INSERT … SELECT generate_series`` statement that writes posted entries and their four
lines together (the statement form ``erp.finance.posting`` uses), so the ledger's own
triggers do all their work: the statement trigger checks every line's period and account
and appends to ``finance_accountbalance`` (folded afterwards, as the worker does every few
minutes); at each batch's COMMIT the deferred triggers prove
every entry balanced, dated and fully posted. Only the history rows and business events of
the entries are left out (no report reads them). Afterwards the kept balances are checked
against the lines (``balance_differences``) and the tables are analysed.

The shape: two fiscal years, three organizations, a chart of about 60 accounts. Every entry
has one line on the bank account (debit or credit, alternately) — a quarter of all lines, the
"busy account" of the general ledger timings — one on an income or expense account, and two
on balance-sheet accounts.

Each report is requested through Django (URL routing, middleware, permissions, the report,
the template) by a signed-in accountant, once to warm up and then ``runs`` times; the median
and the slowest run are reported. Targets (issue 3): trial balance, general ledger page and
balance sheet under 1 s at 1,000,000 lines."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import date

from tests.benchmarks import results
from tests.benchmarks.tenant_creation import new_tenant

LABEL = "reports"
TARGET_S = 1.0
BATCH_ENTRIES = 25_000
LINES_PER_ENTRY = 4
ORGANIZATIONS = (("HQ", None), ("NORTH", "HQ"), ("SOUTH", "HQ"))


# --- the tenant and its million lines ------------------------------------------------------------


@dataclass(frozen=True)
class Books:
    schema: str
    host: str
    first_day: date
    days: int
    bank: int  # the busy account
    income: list[int]
    expense: list[int]
    other: list[int]  # balance-sheet accounts
    organizations: list[int]
    currency: str


def _chart():
    """The ledger factory's chart plus income, expense and balance-sheet accounts under summary accounts."""
    from erp.finance.models import Account, AccountType
    from tests.factories.ledger import chart

    accounts = chart()
    groups = {
        AccountType.INCOME: Account.objects.create(
            code="B4", name="Revenue", account_type=AccountType.INCOME, is_group=True
        ),
        AccountType.EXPENSE: Account.objects.create(
            code="B6", name="Costs", account_type=AccountType.EXPENSE, is_group=True
        ),
        AccountType.ASSET: Account.objects.create(
            code="B1", name="Current assets", account_type=AccountType.ASSET, is_group=True
        ),
        AccountType.LIABILITY: Account.objects.create(
            code="B2", name="Payables", account_type=AccountType.LIABILITY, is_group=True
        ),
    }
    made: dict[str, list[int]] = {kind: [] for kind in groups}
    for kind, group in groups.items():
        for number in range(1, 13):
            account = Account.objects.create(
                code=f"{group.code}{number:03d}", name=f"{group.name} {number}", account_type=kind, parent=group
            )
            made[kind].append(account.pk)
    return accounts, made


def tenant_prepare() -> Books:
    from django_tenants.utils import schema_context

    from erp.core.models import Company, Organization
    from erp.finance.models import AccountType
    from erp.tenancy.services import tenant_create
    from tests.factories.ledger import fiscal_years

    tenant = tenant_create(new=new_tenant(LABEL))
    with schema_context(tenant.schema_name):
        accounts, made = _chart()
        years = fiscal_years(2)
        organizations = {}
        for code, parent in ORGANIZATIONS:
            organizations[code] = Organization.objects.filter(code=code).first() or Organization.objects.create(
                code=code, name=code.title(), parent=organizations[parent]
            )
        books = Books(
            schema=tenant.schema_name,
            host=tenant.domains.get(is_primary=True).domain,
            first_day=years[0].start_date,
            days=(years[-1].end_date - years[0].start_date).days + 1,
            bank=accounts.bank.pk,
            income=[accounts.revenue.pk, accounts.services.pk, *made[AccountType.INCOME]],
            expense=[accounts.rent.pk, accounts.expense.pk, *made[AccountType.EXPENSE]],
            other=[accounts.receivable.pk, accounts.payable.pk, *made[AccountType.ASSET], *made[AccountType.LIABILITY]],
            organizations=[organization.pk for organization in organizations.values()],
            currency=Company.objects.values_list("currency_id", flat=True).get(),
        )
    return books


def _columns(model, overrides: dict[str, str]) -> tuple[str, str, list]:
    """(column list, value list, parameters) for INSERT … SELECT into ``model``'s table: the
    ``overrides`` as SQL expressions, time stamps now(), every other column its Django default
    as a parameter (so a column added to the model later is filled as Django would)."""
    from django.db import connection

    columns, values, params = [], [], []
    for field in model._meta.local_concrete_fields:
        if field.column in overrides:
            columns.append(field.column)
            values.append(overrides[field.column])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            columns.append(field.column)
            values.append("now()")
        elif not field.primary_key:
            columns.append(field.column)
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    return ", ".join(columns), ", ".join(values), params


# One batch: entries numbered by id (ids drawn first, so every amount and account follows from
# the id), written posted with their lines in one statement. Even entries: bank Dr / income Cr;
# odd ones: expense Dr / bank Cr; then one balance-sheet account Dr to another Cr.
_BATCH = """
WITH spec AS (
    SELECT id,
           %s::date + ((id * 7919) %% %s)::int AS day,
           (%s::bigint[])[1 + id %% %s] AS organization_id,
           (((id * 37) %% 99000) + 100)::numeric / 100 AS a,
           (((id * 53) %% 49000) + 100)::numeric / 100 AS b
      FROM (SELECT nextval(pg_get_serial_sequence('finance_journalentry', 'id')) AS id
              FROM generate_series(1, %s)) ids
),
entry AS (
    INSERT INTO finance_journalentry ({entry_columns})
    SELECT {entry_values}
      FROM spec JOIN finance_period p ON spec.day BETWEEN p.start_date AND p.end_date
    RETURNING id, accounting_date, period_id, organization_id
),
shaped AS (
    SELECT e.*, s.a, s.b, pos
      FROM entry e JOIN spec s ON s.id = e.id CROSS JOIN generate_series(1, 4) pos
)
INSERT INTO finance_journalline ({line_columns})
SELECT {line_values} FROM shaped
"""


def _ids(values: list[int]) -> str:
    """An SQL array literal of our own account or organization ids (integers, nothing to quote)."""
    return "ARRAY[" + ", ".join(str(int(value)) for value in values) + "]::bigint[]"


def _pick(values: list[int], index: str) -> str:
    return f"({_ids(values)})[1 + ({index}) %% {len(values)}]"


def _batch_statement(books: Books) -> tuple[str, list, list]:
    """The batch statement and the default-value parameters of its entry and line columns."""
    from erp.core.documents.models import Status
    from erp.finance.journal.models import EntryKind, JournalEntry, JournalLine

    if not books.currency.isalpha():
        raise ValueError(books.currency)
    debits = "CASE WHEN pos IN (1, 3) THEN (CASE WHEN pos = 1 THEN a ELSE b END) ELSE 0 END"
    credits = "CASE WHEN pos IN (2, 4) THEN (CASE WHEN pos = 2 THEN a ELSE b END) ELSE 0 END"
    half = len(books.other) // 2
    entry_columns, entry_values, entry_params = _columns(
        JournalEntry,
        {
            "id": "spec.id",
            "organization_id": "spec.organization_id",
            "number": "'BENCH-' || spec.id",
            "status": f"'{Status.COMPLETED.value}'",
            "document_date": "spec.day",
            "accounting_date": "spec.day",
            "currency_id": f"'{books.currency}'",
            "total_net": "spec.a + spec.b",
            "total_gross": "spec.a + spec.b",
            "total_net_company": "spec.a + spec.b",
            "total_gross_company": "spec.a + spec.b",
            "posted": "true",
            "posted_at": "now()",
            "processed": "true",
            "processed_at": "now()",
            "kind": f"'{EntryKind.SYSTEM.value}'",
            "period_id": "p.id",
            "description": "'Bench entry ' || spec.id",
        },
    )
    line_columns, line_values, line_params = _columns(
        JournalLine,
        {
            "entry_id": "id",
            "position": "pos",
            "account_id": (
                f"CASE pos WHEN 1 THEN CASE WHEN id %% 2 = 0 THEN {books.bank} ELSE {_pick(books.expense, 'id')} END"
                f" WHEN 2 THEN CASE WHEN id %% 2 = 0 THEN {_pick(books.income, 'id')} ELSE {books.bank} END"
                f" WHEN 3 THEN {_pick(books.other[:half], 'id')} ELSE {_pick(books.other[half:], 'id / 7')} END"
            ),
            "organization_id": "organization_id",
            "debit": debits,
            "credit": credits,
            "debit_company": debits,
            "credit_company": credits,
            "date": "accounting_date",
            "period_id": "period_id",
            "posted": "true",
        },
    )
    statement = _BATCH.format(
        entry_columns=entry_columns, entry_values=entry_values, line_columns=line_columns, line_values=line_values
    )
    return statement, entry_params, line_params


def lines_generate(books: Books, *, lines: int, progress) -> dict:
    """Post ``lines`` lines (entries of four) in batches, each its own transaction."""
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from erp.finance.balances import balance_differences, balances_compact

    entries = lines // LINES_PER_ENTRY
    started = time.perf_counter()
    with schema_context(books.schema):
        statement, entry_params, line_params = _batch_statement(books)
        done = 0
        while done < entries:
            size = min(BATCH_ENTRIES, entries - done)
            spec = [books.first_day, books.days, books.organizations, len(books.organizations), size]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, [*spec, *entry_params, *line_params])
            done += size
            progress(f"{done * LINES_PER_ENTRY:,} lines")
        generated = time.perf_counter() - started
        progress("folding the balance rows (the worker's periodic compaction)")
        balances_compact()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE finance_journalline")
            cursor.execute("VACUUM ANALYZE finance_journalentry")
            cursor.execute("VACUUM ANALYZE finance_accountbalance")
            cursor.execute("SELECT count(*) FROM finance_journalline WHERE posted")
            counted = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM finance_accountbalance")
            balance_rows = cursor.fetchone()[0]
        differences = len(balance_differences())
    return {
        "lines": counted,
        "entries": entries,
        "balance_rows": balance_rows,
        "balance_differences": differences,
        "seconds": generated,
        "lines_per_s": counted / generated if generated else 0.0,
    }


# --- the timings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    label: str
    path: str
    params: dict
    target: bool  # counts towards the 1 s target


def _middle_key(books: Books, *, date_from: date, date_to: date) -> tuple[str, int]:
    """The ledger key of the bank account's middle line in the range, and its position (found once, untimed)."""
    from django.db import connection
    from django_tenants.utils import schema_context

    where = "WHERE account_id = %s AND posted AND date BETWEEN %s AND %s"
    with schema_context(books.schema), connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM finance_journalline {where}", [books.bank, date_from, date_to])
        position = cursor.fetchone()[0] // 2
        cursor.execute(
            f"SELECT date, id FROM finance_journalline {where} ORDER BY date, id OFFSET %s LIMIT 1",
            [books.bank, date_from, date_to, position],
        )
        day, line_id = cursor.fetchone()
    return f"{day.isoformat()}.{line_id}", position


def probes(books: Books) -> list[Probe]:
    from django.urls import reverse

    first = books.first_day
    year = {"date_from": first.isoformat(), "date_to": first.replace(month=12, day=31).isoformat()}
    second = first.replace(year=first.year + 1)
    bank = {"account": "L1200", **year}
    deep, position = _middle_key(books, date_from=first, date_to=first.replace(month=12, day=31))

    def url(name: str) -> str:
        return reverse(f"finance:report-{name}", urlconf="erp.urls")

    return [
        Probe("trial balance, a year", url("trial-balance"), year, True),
        Probe(
            "trial balance, a year vs the previous",
            url("trial-balance"),
            {
                "date_from": second.isoformat(),
                "date_to": second.replace(month=12, day=31).isoformat(),
                "compare": "previous_year",
            },
            True,
        ),
        Probe(
            "trial balance, mid-month to mid-month",
            url("trial-balance"),
            {
                "date_from": first.replace(month=2, day=10).isoformat(),
                "date_to": first.replace(month=11, day=20).isoformat(),
            },
            True,
        ),
        Probe("general ledger, busy account, first page", url("general-ledger"), bank, True),
        Probe(f"general ledger, busy account, line {position:,}", url("general-ledger"), {**bank, "after": deep}, True),
        Probe("general ledger, busy account, last page", url("general-ledger"), {**bank, "last": "1"}, True),
        Probe(
            "profit and loss, a year vs the previous",
            url("profit-and-loss"),
            {**year, "compare": "previous_year"},
            False,
        ),
        Probe(
            "balance sheet, mid-month vs a year earlier",
            url("balance-sheet"),
            {"on": second.replace(month=6, day=15).isoformat(), "compare": "previous_year"},
            True,
        ),
        Probe(
            "balance sheet, year end", url("balance-sheet"), {"on": first.replace(month=12, day=31).isoformat()}, True
        ),
        Probe("journal, first page of a year", url("journal"), year, False),
        Probe("trial balance, a year, Excel", url("trial-balance"), {**year, "_export": "xlsx"}, False),
        Probe("trial balance, a year, PDF", url("trial-balance"), {**year, "_export": "pdf"}, False),
    ]


def _client(books: Books):
    from django.contrib.auth.models import Group
    from django.test import Client
    from django_tenants.utils import schema_context

    from erp.accounts.services import user_create
    from erp.core.models import Organization

    with schema_context(books.schema):
        accountant = user_create(
            email="accountant@reports.example.com",
            first_name="Bench",
            password=None,
            roles=[Group.objects.get(name="Accountant")],
            organizations=[Organization.objects.get(code="HQ")],
        )
        client = Client(HTTP_HOST=books.host)
        client.force_login(accountant)
    return client


def time_reports(books: Books, *, runs: int, progress) -> dict:
    from tests.benchmarks.page_latency import static_collect

    static_collect()  # production settings serve static files from the manifest
    client = _client(books)
    timings = {}
    for probe in probes(books):
        progress(probe.label)
        seconds = []
        for attempt in range(runs + 1):
            started = time.perf_counter()
            response = client.get(probe.path, probe.params)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise RuntimeError(f"{probe.label}: HTTP {response.status_code}")
            if attempt:  # the first request warms caches up
                seconds.append(elapsed)
        timings[probe.label] = {
            "path": probe.path,
            "params": probe.params,
            "target": probe.target,
            "median_s": statistics.median(seconds),
            "max_s": max(seconds),
            "runs": runs,
        }
    return timings


def run(*, lines: int, runs: int, progress) -> dict:
    books = tenant_prepare()
    progress(f"generating {lines:,} journal lines")
    generated = lines_generate(books, lines=lines, progress=progress)
    return {"generation": generated, "reports": time_reports(books, runs=runs, progress=progress)}


def report(outcome: dict) -> str:
    generated = outcome["generation"]
    rows, missed = [], []
    for label, data in outcome["reports"].items():
        verdict = ""
        if data["target"]:
            verdict = "met" if data["max_s"] < TARGET_S else "MISSED"
            if verdict == "MISSED":
                missed.append(label)
        rows.append([label, results.milliseconds(data["median_s"]), results.milliseconds(data["max_s"]), verdict])
    return "\n".join(
        [
            f"Financial reports at {generated['lines']:,} journal lines ({generated['entries']:,} entries, "
            f"{generated['balance_rows']:,} kept balance rows; generated through the posting triggers in "
            f"{generated['seconds']:.0f} s, {generated['lines_per_s']:,.0f} lines/s; "
            f"{generated['balance_differences']} balance differences):",
            results.table(["report (full request, signed in)", "median", "slowest", f"< {TARGET_S:.0f} s"], rows),
            "Target: trial balance, general ledger page and balance sheet under 1 s: "
            + ("met." if not missed else f"MISSED by {', '.join(missed)}."),
        ]
    )

"""Arrangement for general-ledger tests: a small chart, fiscal years, posting shortcuts.

Independent of the chart template a tenant was created with: the accounts get codes of
their own (``L…``), and the retained-earnings account is the tenant's if it has one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection

from erp.finance.models import Account, AccountRole, AccountType, FiscalYear
from erp.finance.posting import PostingLine, post_entry
from erp.finance.services import fiscal_year_create


@dataclass
class Chart:
    bank: Account
    receivable: Account
    payable: Account
    equity: Account
    retained: Account
    revenue: Account
    services: Account
    expense: Account
    rent: Account
    group: Account

    @property
    def postable(self) -> list[Account]:
        return [
            self.bank,
            self.receivable,
            self.payable,
            self.equity,
            self.retained,
            self.revenue,
            self.services,
            self.expense,
            self.rent,
        ]


def _account(code: str, name: str, account_type: str, **fields) -> Account:
    account, _created = Account.objects.get_or_create(
        code=code, defaults={"name": name, "account_type": account_type, **fields}
    )
    return account


def chart() -> Chart:
    group = _account("L9", "Ledger test group", AccountType.ASSET, is_group=True)
    retained = Account.objects.for_role(AccountRole.RETAINED_EARNINGS).first() or _account(
        "L3900", "Retained earnings", AccountType.EQUITY, role=AccountRole.RETAINED_EARNINGS
    )
    return Chart(
        bank=_account("L1200", "Bank", AccountType.ASSET, parent=group),
        receivable=_account("L1400", "Receivables", AccountType.ASSET, reconcilable=True),
        payable=_account("L2000", "Payables", AccountType.LIABILITY, reconcilable=True),
        equity=_account("L3000", "Share capital", AccountType.EQUITY),
        retained=retained,
        revenue=_account("L4000", "Revenue", AccountType.INCOME),
        services=_account("L4100", "Service revenue", AccountType.INCOME),
        expense=_account("L6000", "Material expense", AccountType.EXPENSE),
        rent=_account("L6100", "Rent", AccountType.EXPENSE),
        group=group,
    )


def fiscal_years(count: int = 2, *, by=None) -> list[FiscalYear]:
    """``count`` consecutive calendar fiscal years, reusing those the tenant has."""
    years = list(FiscalYear.objects.order_by("start_date"))
    if not years:
        years.append(fiscal_year_create(first_year=2025, start_month=1, by=by))
    while len(years) < count:
        start = years[-1].end_date + timedelta(days=1)
        years.append(fiscal_year_create(first_year=start.year, start_month=start.month, by=by))
    return years[:count]


def money(value: str | int) -> Decimal:
    return Decimal(str(value))


def post(*, debit: Account, credit: Account, amount: str | Decimal, on: date, organization, by=None, **options):
    """One two-line entry: ``amount`` from ``credit`` to ``debit``."""
    amount = money(amount)
    return post_entry(
        lines=[PostingLine(account=debit, debit=amount), PostingLine(account=credit, credit=amount)],
        on=on,
        organization=organization,
        description=options.pop("description", "test posting"),
        source=options.pop("source", None),
        by=by,
        **options,
    )


def run_commit_checks() -> None:
    """Fire the deferred constraint triggers now, as COMMIT would (tests run in a transaction
    that is rolled back, so they would otherwise never run)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def draft_entry(*, organization, on: date, lines, by=None, currency=None, exchange_rate=Decimal("1")):
    """A manual draft entry with ``lines`` = [(account, debit, credit), …] (as the entry screen saves it)."""
    from erp.core.models import Company
    from erp.finance.journal.models import JournalEntry, JournalLine

    entry = JournalEntry.objects.create(
        organization=organization,
        document_date=on,
        accounting_date=on,
        currency_id=currency or Company.objects.values_list("currency_id", flat=True).get(),
        exchange_rate=exchange_rate,
        description="manual entry",
        created_by=by,
    )
    JournalLine.objects.bulk_create(
        [
            JournalLine(
                entry=entry,
                position=position,
                account=account,
                organization=organization,
                debit=money(debit),
                credit=money(credit),
                debit_company=money(debit) * exchange_rate,
                credit_company=money(credit) * exchange_rate,
            )
            for position, (account, debit, credit) in enumerate(lines, start=1)
        ]
    )
    return entry


def numbering_problems(numbers) -> dict[str, int]:
    """Gaps and duplicates in document numbers like ``JE-HQ-2025-00042``: each series (what
    precedes the last dash) must run 1, 2, 3 … without holes or repeats."""
    series: dict[str, list[int]] = {}
    numbers = [number for number in numbers if number]
    for number in numbers:
        prefix, _dash, seq = number.rpartition("-")
        series.setdefault(prefix, []).append(int(seq))
    gaps = sum(max(values) - len(set(values)) for values in series.values())
    return {"gaps": gaps, "duplicates": len(numbers) - len(set(numbers))}

"""Reads of the general ledger for screens and reports.

Figures are in the company currency and come from the kept ``AccountBalance`` rows: whole
periods inside a date range are read from there (a few thousand rows whatever the number of
journal lines); only the part of a period cut by a range boundary reads lines, through the
(period, account) index of posted lines.

Conventions (see ``BalanceKind``):
- movements in a range count regular and, unless asked otherwise, year-end closing postings;
- balances at a date are cumulative since the first posting, regular and closing postings:
  the closing entry has zeroed income and expense of closed years into retained earnings;
- opening entries (the balances a closed year carried forward) restate what cumulative
  balances already contain and are never added to them.

Signed amounts are debit minus credit ("net"); ``AccountRow`` offers them per side as well.

The report screens build on ``trial_balance``, ``profit_and_loss``, ``balance_sheet`` and
``general_ledger``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value, Window

from erp.finance.journal.models import AccountBalance, BalanceKind, EntryKind, JournalEntry, JournalLine
from erp.finance.models import Account, AccountType, Period

ZERO = Decimal("0")
MOVEMENT_KINDS = (BalanceKind.REGULAR, BalanceKind.CLOSING)
ENTRY_KINDS = {
    BalanceKind.REGULAR: (EntryKind.MANUAL, EntryKind.SYSTEM),
    BalanceKind.CLOSING: (EntryKind.CLOSING,),
    BalanceKind.OPENING: (EntryKind.OPENING,),
}

Sides = tuple[Decimal, Decimal]  # (debit, credit)


def _add(totals: dict[int, list[Decimal]], account_id: int, debit: Decimal | None, credit: Decimal | None) -> None:
    pair = totals[account_id]
    pair[0] += debit or ZERO
    pair[1] += credit or ZERO


def movements(
    *,
    date_from: date | None,
    date_to: date,
    organization_ids: Iterable[int] | None = None,
    kinds: Iterable[str] = MOVEMENT_KINDS,
) -> dict[int, Sides]:
    """Posted debits and credits per account id with a date in [date_from, date_to]
    (from the first posting when ``date_from`` is None)."""
    kinds = tuple(kinds)
    organizations = None if organization_ids is None else list(organization_ids)
    touching = Period.objects.filter(start_date__lte=date_to)
    if date_from is not None:
        touching = touching.filter(end_date__gte=date_from)
    whole, cut = [], []
    for period_id, start, end in touching.values_list("id", "start_date", "end_date"):
        inside = (date_from is None or start >= date_from) and end <= date_to
        (whole if inside else cut).append(period_id)
    totals: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    if whole:
        balances = AccountBalance.objects.filter(period_id__in=whole, kind__in=kinds)
        if organizations is not None:
            balances = balances.filter(organization_id__in=organizations)
        for row in balances.values("account_id").annotate(debit=Sum("debit_company"), credit=Sum("credit_company")):
            _add(totals, row["account_id"], row["debit"], row["credit"])
    if cut:
        lines = JournalLine.objects.filter(posted=True, period_id__in=cut, date__lte=date_to)
        lines = _of_kinds(lines, kinds, cut)
        if date_from is not None:
            lines = lines.filter(date__gte=date_from)
        if organizations is not None:
            lines = lines.filter(organization_id__in=organizations)
        for row in lines.values("account_id").annotate(debit=Sum("debit_company"), credit=Sum("credit_company")):
            _add(totals, row["account_id"], row["debit"], row["credit"])
    return {account_id: (pair[0], pair[1]) for account_id, pair in totals.items()}


@dataclass(frozen=True)
class AccountRow:
    account_id: int
    code: str
    name: str
    account_type: str
    parent_id: int | None
    opening: Decimal  # net (debit − credit) before the range
    debit: Decimal  # movements in the range
    credit: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit

    @property
    def opening_debit(self) -> Decimal:
        return max(self.opening, ZERO)

    @property
    def opening_credit(self) -> Decimal:
        return max(-self.opening, ZERO)

    @property
    def closing_debit(self) -> Decimal:
        return max(self.closing, ZERO)

    @property
    def closing_credit(self) -> Decimal:
        return max(-self.closing, ZERO)


def account_balances(
    *,
    date_from: date,
    date_to: date,
    organization_ids: Iterable[int] | None = None,
    include_closing: bool = True,
) -> list[AccountRow]:
    """Per account (in code order): the balance before ``date_from``, the movements up to
    ``date_to`` and the resulting balance; accounts with nothing to show are left out."""
    organizations = None if organization_ids is None else list(organization_ids)
    before = movements(date_from=None, date_to=date_from - timedelta(days=1), organization_ids=organizations)
    kinds = MOVEMENT_KINDS if include_closing else (BalanceKind.REGULAR,)
    during = movements(date_from=date_from, date_to=date_to, organization_ids=organizations, kinds=kinds)
    wanted = set(before) | set(during)
    accounts = Account.all_objects.filter(pk__in=wanted).order_by("code")
    rows = []
    for account in accounts.values("id", "code", "name", "account_type", "parent_id"):
        opening_debit, opening_credit = before.get(account["id"], (ZERO, ZERO))
        debit, credit = during.get(account["id"], (ZERO, ZERO))
        if not (opening_debit - opening_credit or debit or credit):
            continue
        rows.append(
            AccountRow(
                account_id=account["id"],
                code=account["code"],
                name=account["name"],
                account_type=account["account_type"],
                parent_id=account["parent_id"],
                opening=opening_debit - opening_credit,
                debit=debit,
                credit=credit,
            )
        )
    return rows


@dataclass
class TrialBalance:
    rows: list[AccountRow]
    opening_debit: Decimal = ZERO
    opening_credit: Decimal = ZERO
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    closing_debit: Decimal = ZERO
    closing_credit: Decimal = ZERO

    @property
    def balances(self) -> bool:
        return (
            self.opening_debit == self.opening_credit
            and self.debit == self.credit
            and self.closing_debit == self.closing_credit
        )


def trial_balance(
    *,
    date_from: date,
    date_to: date,
    organization_ids: Iterable[int] | None = None,
    include_closing: bool = True,
) -> TrialBalance:
    """Every account's opening balance, movements and closing balance for the range, with totals."""
    rows = account_balances(
        date_from=date_from, date_to=date_to, organization_ids=organization_ids, include_closing=include_closing
    )
    result = TrialBalance(rows=rows)
    for row in rows:
        result.opening_debit += row.opening_debit
        result.opening_credit += row.opening_credit
        result.debit += row.debit
        result.credit += row.credit
        result.closing_debit += row.closing_debit
        result.closing_credit += row.closing_credit
    return result


@dataclass
class ProfitAndLoss:
    income: Decimal
    expense: Decimal
    rows: list[AccountRow] = field(default_factory=list)

    @property
    def result(self) -> Decimal:
        return self.income - self.expense


def profit_and_loss(*, date_from: date, date_to: date, organization_ids: Iterable[int] | None = None) -> ProfitAndLoss:
    """Income and expense of the range, before the year-end closing moved them to equity."""
    during = movements(
        date_from=date_from, date_to=date_to, organization_ids=organization_ids, kinds=(BalanceKind.REGULAR,)
    )
    accounts = Account.all_objects.filter(
        pk__in=during, account_type__in=(AccountType.INCOME, AccountType.EXPENSE)
    ).order_by("code")
    report = ProfitAndLoss(income=ZERO, expense=ZERO)
    for account in accounts.values("id", "code", "name", "account_type", "parent_id"):
        debit, credit = during[account["id"]]
        if account["account_type"] == AccountType.INCOME:
            report.income += credit - debit
        else:
            report.expense += debit - credit
        report.rows.append(
            AccountRow(
                account_id=account["id"],
                code=account["code"],
                name=account["name"],
                account_type=account["account_type"],
                parent_id=account["parent_id"],
                opening=ZERO,
                debit=debit,
                credit=credit,
            )
        )
    return report


@dataclass
class BalanceSheet:
    assets: Decimal
    liabilities: Decimal
    equity: Decimal
    current_result: Decimal  # income − expense not yet closed into equity
    rows: list[AccountRow] = field(default_factory=list)

    @property
    def balances(self) -> bool:
        return self.assets == self.liabilities + self.equity + self.current_result


def balance_sheet(*, on: date, organization_ids: Iterable[int] | None = None) -> BalanceSheet:
    """Balances of every account at the end of ``on``: assets = liabilities + equity + the
    result of the years not closed yet."""
    totals = movements(date_from=None, date_to=on, organization_ids=organization_ids)
    sheet = BalanceSheet(assets=ZERO, liabilities=ZERO, equity=ZERO, current_result=ZERO)
    accounts = Account.all_objects.filter(pk__in=totals).order_by("code")
    for account in accounts.values("id", "code", "name", "account_type", "parent_id"):
        debit, credit = totals[account["id"]]
        kind = account["account_type"]
        if kind == AccountType.ASSET:
            sheet.assets += debit - credit
        elif kind == AccountType.LIABILITY:
            sheet.liabilities += credit - debit
        elif kind == AccountType.EQUITY:
            sheet.equity += credit - debit
        else:
            sheet.current_result += credit - debit
            continue
        sheet.rows.append(
            AccountRow(
                account_id=account["id"],
                code=account["code"],
                name=account["name"],
                account_type=kind,
                parent_id=account["parent_id"],
                opening=debit - credit,
                debit=ZERO,
                credit=ZERO,
            )
        )
    return sheet


@dataclass
class GeneralLedger:
    account: Account
    opening: Decimal  # net balance before date_from
    closing: Decimal  # net balance at the end of date_to
    lines: QuerySet[JournalLine]  # each with .running_balance (net, including the opening)


def general_ledger(
    *, account: Account, date_from: date, date_to: date, organization_ids: Iterable[int] | None = None
) -> GeneralLedger:
    """The posted lines of one account in date order (index ``finance_line_ledger_idx``), each
    annotated with the running balance; opening entries are left out (see module docstring).

    Slice ``lines`` for a page: PostgreSQL computes the running sum while it walks the index,
    so a page costs the rows up to its end, not the whole range."""
    organizations = None if organization_ids is None else list(organization_ids)
    before = movements(date_from=None, date_to=date_from - timedelta(days=1), organization_ids=organizations)
    during = movements(date_from=date_from, date_to=date_to, organization_ids=organizations)
    opening_debit, opening_credit = before.get(account.pk, (ZERO, ZERO))
    debit, credit = during.get(account.pk, (ZERO, ZERO))
    opening = opening_debit - opening_credit
    lines = JournalLine.objects.filter(account=account, posted=True, date__gte=date_from, date__lte=date_to).exclude(
        entry__kind=EntryKind.OPENING
    )
    if organizations is not None:
        lines = lines.filter(organization_id__in=organizations)
    lines = (
        lines.select_related("entry", "partner", "organization")
        .annotate(
            running_balance=Window(
                Sum(F("debit_company") - F("credit_company")),
                order_by=[F("date").asc(), F("id").asc()],
            )
            + Value(opening, output_field=DecimalField(max_digits=22, decimal_places=4))
        )
        .order_by("date", "id")
    )
    return GeneralLedger(account=account, opening=opening, closing=opening + debit - credit, lines=lines)


# --- Paged reads for the report screens ----------------------------------------------------------
# A page of an account's ledger (or of the journal) is found by its key, never by counting
# rows: the balance in front of a page comes from the kept balances of the periods before it
# plus the lines of its own period in front of it, so a page deep in a million lines costs
# what the first one does.


@dataclass(frozen=True, order=True)
class LedgerKey:
    """A place in an account's ledger: lines sort by (date, id). ``LedgerKey(day, 0)`` is the
    start of ``day`` (before its first line)."""

    date: date
    id: int = 0

    def __str__(self) -> str:
        return f"{self.date.isoformat()}.{self.id}"

    @classmethod
    def parse(cls, text: str) -> LedgerKey | None:
        """``"2025-03-31.1234"`` → ``LedgerKey``; None for anything else."""
        day, _dot, number = (text or "").partition(".")
        try:
            return cls(date.fromisoformat(day), int(number or 0))
        except ValueError:
            return None


def _keyed(queryset: QuerySet, date_field: str, *, after: LedgerKey | None, before: LedgerKey | None) -> QuerySet:
    """Rows after ``after`` or before ``before`` in (date_field, id) order."""
    key, op = (after, "gt") if after is not None else (before, "lt")
    if key is None:
        return queryset
    # The plain date bound lets the index range start at the key; the OR only sorts out its day.
    return queryset.filter(**{f"{date_field}__{op}e": key.date}).filter(
        Q(**{f"{date_field}__{op}": key.date}) | Q(**{date_field: key.date, f"id__{op}": key.id})
    )


def _entry_kinds(kinds: Iterable[str]) -> list[str]:
    return [entry_kind for kind in kinds for entry_kind in ENTRY_KINDS[kind]]


def _of_kinds(lines: QuerySet[JournalLine], kinds: tuple[str, ...], period_ids: list[int]) -> QuerySet[JournalLine]:
    """``lines`` of the periods without those of entries of other kinds. The few closing and
    opening entries are found through the entries' period index and left out by id (a hashed
    subplan): a join with the entries would cost a scan of them."""
    others = [kind for kind in EntryKind.values if kind not in _entry_kinds(kinds)]
    if not others:
        return lines
    return lines.exclude(
        entry_id__in=JournalEntry.objects.filter(period_id__in=period_ids, kind__in=others).values("id")
    )


def ledger_totals_before(
    *,
    account_id: int,
    key: LedgerKey,
    organization_ids: Iterable[int] | None = None,
    kinds: Iterable[str] = MOVEMENT_KINDS,
) -> tuple[Decimal, int]:
    """Net amount (debit − credit, company currency) and number of the account's posted lines
    that sort before ``key``: periods that end before ``key.date`` from ``AccountBalance``,
    the period containing it from its own lines in front of ``key`` (a range of the index
    ``finance_line_ledger_idx``). Three queries, whatever the number of earlier lines."""
    kinds = tuple(kinds)
    organizations = None if organization_ids is None else list(organization_ids)
    balances = AccountBalance.objects.filter(account_id=account_id, period__end_date__lt=key.date, kind__in=kinds)
    if organizations is not None:
        balances = balances.filter(organization_id__in=organizations)
    kept = balances.aggregate(net=Sum(F("debit_company") - F("credit_company")), count=Sum("line_count"))
    net, count = kept["net"] or ZERO, kept["count"] or 0
    period = Period.objects.containing(key.date).values_list("pk", "start_date").first()
    if period is None:  # no period, no lines on that day
        return net, count
    period_id, start = period
    lines = JournalLine.objects.filter(account_id=account_id, posted=True, date__gte=start, date__lte=key.date).filter(
        Q(date__lt=key.date) | Q(date=key.date, id__lt=key.id)
    )
    if organizations is not None:
        lines = lines.filter(organization_id__in=organizations)
    cut = _of_kinds(lines, kinds, [period_id]).aggregate(
        net=Sum(F("debit_company") - F("credit_company")), count=Count("id")
    )
    return net + (cut["net"] or ZERO), count + cut["count"]


@dataclass
class LedgerPage:
    """One page of an account's general ledger between two dates."""

    account: Account
    opening: Decimal  # net balance before date_from
    closing: Decimal  # net balance at the end of date_to
    line_count: int  # lines between the dates
    position: int  # 1-based number of the page's first line among them (0 when there are none)
    lines: list[JournalLine]  # each with .running_balance (net, including everything before it)

    @property
    def has_previous(self) -> bool:
        return self.position > 1

    @property
    def has_next(self) -> bool:
        return bool(self.lines) and self.position + len(self.lines) - 1 < self.line_count


def ledger_lines(
    *,
    account: Account,
    date_from: date,
    date_to: date,
    organization_ids: Iterable[int] | None = None,
    kinds: Iterable[str] = MOVEMENT_KINDS,
) -> QuerySet[JournalLine]:
    """The posted lines of ``account`` between the dates in ledger order (date, id), with
    their entry, partner and organization."""
    lines = JournalLine.objects.filter(
        account=account,
        posted=True,
        date__gte=date_from,
        date__lte=date_to,
        entry__kind__in=_entry_kinds(kinds),
    )
    if organization_ids is not None:
        lines = lines.filter(organization_id__in=list(organization_ids))
    return lines.select_related("entry", "partner", "organization").order_by("date", "id")


def general_ledger_page(
    *,
    account: Account,
    date_from: date,
    date_to: date,
    organization_ids: Iterable[int] | None = None,
    kinds: Iterable[str] = MOVEMENT_KINDS,
    after: LedgerKey | None = None,
    before: LedgerKey | None = None,
    last: bool = False,
    per_page: int = 50,
) -> LedgerPage:
    """The first page, the page after ``after``, the page before ``before`` or the ``last``
    page of the account's ledger, each line with its running balance. Seven queries at most,
    none of them reading lines outside the page except those of one period (see
    ``ledger_totals_before``)."""
    organizations = None if organization_ids is None else list(organization_ids)
    kinds = tuple(kinds)

    def totals_before(key: LedgerKey) -> tuple[Decimal, int]:
        return ledger_totals_before(account_id=account.pk, key=key, organization_ids=organizations, kinds=kinds)

    opening, count_before = totals_before(LedgerKey(date_from))
    closing, count_through = totals_before(LedgerKey(date_to + timedelta(days=1)))
    lines = ledger_lines(
        account=account, date_from=date_from, date_to=date_to, organization_ids=organizations, kinds=kinds
    )
    lines = _keyed(lines, "date", after=after, before=before)
    if last or before is not None:
        page = list(reversed(lines.order_by("-date", "-id")[:per_page]))
    else:
        page = list(lines[:per_page])
    if not page:
        return LedgerPage(account, opening, closing, count_through - count_before, 0, [])
    if after is None and before is None and not last:
        running, in_front = opening, count_before
    else:
        running, in_front = totals_before(LedgerKey(page[0].date, page[0].id))
    for line in page:
        running += line.debit_company - line.credit_company
        line.running_balance = running
    return LedgerPage(
        account=account,
        opening=opening,
        closing=closing,
        line_count=count_through - count_before,
        position=in_front - count_before + 1,
        lines=page,
    )


@dataclass
class JournalPage:
    """Posted entries between two dates, a page of them with their lines."""

    entries: list[JournalEntry]  # each with .report_lines
    entry_count: int
    total: Decimal  # debits (= credits) of every entry between the dates, company currency
    has_previous: bool
    has_next: bool


def journal_entries(
    *, date_from: date, date_to: date, organization_ids: Iterable[int] | None = None
) -> QuerySet[JournalEntry]:
    """Posted entries by accounting date (index ``finance_entry_date_idx``)."""
    entries = JournalEntry.objects.filter(posted=True, accounting_date__gte=date_from, accounting_date__lte=date_to)
    if organization_ids is not None:
        entries = entries.filter(organization_id__in=list(organization_ids))
    return entries.select_related("organization").order_by("accounting_date", "id")


def with_lines(entries: list) -> list:
    """``entries`` with ``.report_lines`` (account, partner, organization joined): one query."""
    by_entry: dict[int, list[JournalLine]] = defaultdict(list)
    lines = JournalLine.objects.filter(entry_id__in=[entry.pk for entry in entries]).select_related(
        "account", "partner", "organization"
    )
    for line in lines.order_by("entry_id", "position", "id"):
        by_entry[line.entry_id].append(line)
    for entry in entries:
        entry.report_lines = by_entry[entry.pk]
    return entries


def journal_page(
    *,
    date_from: date,
    date_to: date,
    organization_ids: Iterable[int] | None = None,
    after: LedgerKey | None = None,
    before: LedgerKey | None = None,
    last: bool = False,
    per_page: int = 25,
) -> JournalPage:
    """A page of the journal, keyed by (accounting date, id) like ``general_ledger_page``: three queries."""
    entries = journal_entries(date_from=date_from, date_to=date_to, organization_ids=organization_ids)
    summary = entries.aggregate(count=Count("id"), total=Sum("total_gross_company"))
    backwards = last or before is not None
    entries = _keyed(entries, "accounting_date", after=after, before=before)
    if backwards:
        page = list(entries.order_by("-accounting_date", "-id")[: per_page + 1])
        more_in_front = len(page) > per_page
        page = list(reversed(page[:per_page]))
        has_previous, has_next = more_in_front, not last
    else:
        page = list(entries[: per_page + 1])
        has_next = len(page) > per_page
        page = page[:per_page]
        has_previous = after is not None
    return JournalPage(
        entries=with_lines(page),
        entry_count=summary["count"],
        total=summary["total"] or ZERO,
        has_previous=has_previous,
        has_next=has_next,
    )

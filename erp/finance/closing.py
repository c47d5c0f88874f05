"""Year-end closing and reopening of a fiscal year.

Closing a year, in one transaction:

1. the closing entry (kind ``closing``, dated the year's last day) zeroes every income and
   expense account of every organization and books each organization's result to the
   retained-earnings account (the account with that role);
2. the opening entry (kind ``opening``, dated the next year's first day) carries every
   balance-sheet account's balance forward, per organization; the next fiscal year is
   created when it does not exist yet;
3. every period of the year is closed, then the year.

Reports read cumulative balances without opening entries (``erp.finance.selectors``), so
the opening entry restates, never doubles, what the balance sheet shows; the profit and loss
of the year leaves the closing entry out, so it still shows the year's result.

Rules: years close in order (the previous year first), the last period must be open or is
reopened for the closing entry; a year is reopened only while the next year is open. Reopening
reverses the opening and closing entries on their own dates and reopens the year and its last
period; the other periods stay closed until someone reopens them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.core import events
from erp.core.documents.models import Status
from erp.core.exceptions import DomainError
from erp.core.models import Organization
from erp.finance import posting
from erp.finance.journal.models import AccountBalance, BalanceKind, Correction, EntryKind, JournalEntry
from erp.finance.models import (
    BALANCE_SHEET_TYPES,
    Account,
    AccountRole,
    AccountType,
    FiscalYear,
    Period,
    PeriodStatus,
)
from erp.finance.services import fiscal_year_create

ZERO = Decimal("0")


@dataclass(frozen=True)
class YearEndResult:
    fiscal_year: FiscalYear
    next_year: FiscalYear
    result: Decimal  # income − expense of the year, all organizations
    closing_entry: JournalEntry | None  # None when no income or expense was posted
    opening_entry: JournalEntry | None  # None when no balance-sheet account has a balance


def _require_permission(by) -> None:
    if by is None or not by.has_perm("finance.close_period"):
        raise DomainError(_("You may not close or reopen fiscal years."))


def _lock_year(fiscal_year: FiscalYear) -> FiscalYear:
    return FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)


def _balances(*, periods, types) -> dict[tuple[int, int], Decimal]:
    """Net company-currency balance (debit − credit) per (account, organization) over
    ``periods``, counting regular and closing postings, for accounts of ``types``."""
    rows = (
        AccountBalance.objects.filter(
            period__in=periods,
            kind__in=(BalanceKind.REGULAR, BalanceKind.CLOSING),
            account__account_type__in=types,
        )
        .values("account_id", "organization_id")
        .annotate(debit=Sum("debit_company"), credit=Sum("credit_company"))
    )
    return {
        (row["account_id"], row["organization_id"]): row["debit"] - row["credit"]
        for row in rows
        if row["debit"] != row["credit"]
    }


def _zeroing_line(account_id: int, organization_id: int, net: Decimal, text: str) -> posting.PostingLine:
    """The line that brings a net balance to zero (``net`` > 0 is a debit balance)."""
    side = {"credit": net} if net > 0 else {"debit": -net}
    return posting.PostingLine(account=account_id, organization=organization_id, description=text, **side)


def _carrying_line(account_id: int, organization_id: int, net: Decimal, text: str) -> posting.PostingLine:
    side = {"debit": net} if net > 0 else {"credit": -net}
    return posting.PostingLine(account=account_id, organization=organization_id, description=text, **side)


def _header_organization() -> Organization:
    return Organization.objects.filter(parent__isnull=True).order_by("pk").first()


def _next_year(fiscal_year: FiscalYear, *, by) -> FiscalYear:
    following = FiscalYear.objects.filter(start_date=fiscal_year.end_date + timedelta(days=1)).first()
    if following is None:
        start = fiscal_year.end_date + timedelta(days=1)
        following = fiscal_year_create(first_year=start.year, start_month=start.month, by=by)
    return following


def _set_status(instance, status: str, *, by) -> None:
    closing = status == PeriodStatus.CLOSED
    instance.status = status
    instance.closed_at = timezone.now() if closing else None
    instance.closed_by = by if closing else None
    instance._history_user = by
    instance.save(update_fields=["status", "closed_at", "closed_by"])


@transaction.atomic
def fiscal_year_close(*, fiscal_year: FiscalYear, by) -> YearEndResult:
    _require_permission(by)
    fiscal_year = _lock_year(fiscal_year)
    if fiscal_year.is_closed:
        raise DomainError(_("The fiscal year %(year)s is closed already.") % {"year": fiscal_year.name})
    earlier = FiscalYear.objects.filter(end_date__lt=fiscal_year.start_date, status=PeriodStatus.OPEN).first()
    if earlier is not None:
        raise DomainError(
            _("Close the fiscal year %(earlier)s first: years are closed in order.") % {"earlier": earlier.name}
        )
    retained = Account.objects.for_role(AccountRole.RETAINED_EARNINGS).first()
    if retained is None:
        raise DomainError(
            _("No active account has the role “retained earnings”: give that role to an equity account first.")
        )
    periods = list(Period.objects.select_for_update().filter(fiscal_year=fiscal_year).order_by("start_date"))
    last = periods[-1]
    if not last.is_open:
        _set_status(last, PeriodStatus.OPEN, by=by)
    next_year = _next_year(fiscal_year, by=by)
    header = _header_organization()

    # 1. Income and expense to retained earnings, per organization.
    results = _balances(periods=periods, types=(AccountType.INCOME, AccountType.EXPENSE))
    text = _("Year-end closing %(year)s") % {"year": fiscal_year.name}
    lines: list[posting.PostingLine] = []
    per_organization: dict[int, Decimal] = defaultdict(Decimal)
    for (account_id, organization_id), net in sorted(results.items()):
        lines.append(_zeroing_line(account_id, organization_id, net, text))
        per_organization[organization_id] += net
    for organization_id, net in sorted(per_organization.items()):
        if net:
            lines.append(_carrying_line(retained.pk, organization_id, net, text))
    result = -sum(per_organization.values(), ZERO)
    closing_entry = None
    if lines:
        closing_entry = posting.post_entry(
            lines=lines,
            on=fiscal_year.end_date,
            organization=header,
            description=text,
            source=None,
            by=by,
            kind=EntryKind.CLOSING,
            closes_year=fiscal_year,
        )

    # 2. Balance-sheet accounts carried forward (cumulative, so earlier years count too).
    carried = _balances(
        periods=Period.objects.filter(end_date__lte=fiscal_year.end_date), types=sorted(BALANCE_SHEET_TYPES)
    )
    text = _("Opening balances %(year)s") % {"year": next_year.name}
    lines = [
        _carrying_line(account_id, organization_id, net, text)
        for (account_id, organization_id), net in sorted(carried.items())
    ]
    opening_entry = None
    if lines:
        opening_entry = posting.post_entry(
            lines=lines,
            on=next_year.start_date,
            organization=header,
            description=text,
            source=None,
            by=by,
            kind=EntryKind.OPENING,
            closes_year=fiscal_year,
        )

    # 3. The year's periods, then the year.
    for period in periods:
        if period.is_open:
            _set_status(period, PeriodStatus.CLOSED, by=by)
    _set_status(fiscal_year, PeriodStatus.CLOSED, by=by)
    events.record(
        verb="finance.fiscalyear.closed",
        target=fiscal_year,
        actor=by,
        data={
            "result": str(result),
            "closing_entry": closing_entry.number if closing_entry else "",
            "opening_entry": opening_entry.number if opening_entry else "",
        },
    )
    return YearEndResult(fiscal_year, next_year, result, closing_entry, opening_entry)


def _undo(entry: JournalEntry, *, by, reason: str) -> None:
    posting.reverse_entry(entry=entry, on=entry.accounting_date, by=by, correction=Correction.REVERSAL)
    JournalEntry.objects.filter(pk=entry.pk).update(status=Status.REVERSED, status_reason=reason[:255])


@transaction.atomic
def fiscal_year_reopen(*, fiscal_year: FiscalYear, by) -> FiscalYear:
    _require_permission(by)
    fiscal_year = _lock_year(fiscal_year)
    if not fiscal_year.is_closed:
        raise DomainError(_("The fiscal year %(year)s is open.") % {"year": fiscal_year.name})
    later = FiscalYear.objects.filter(start_date__gt=fiscal_year.end_date, status=PeriodStatus.CLOSED).first()
    if later is not None:
        raise DomainError(
            _("Reopen the fiscal year %(later)s first: it carries this year's balances forward.")
            % {"later": later.name}
        )
    entries = list(
        JournalEntry.objects.select_for_update()
        .filter(closes_year=fiscal_year, correction=Correction.NONE, posted=True)
        .exclude(status=Status.REVERSED)
        .order_by("-kind")  # opening entries first, then closing entries
    )
    reason = _("Fiscal year %(year)s reopened") % {"year": fiscal_year.name}
    _set_status(fiscal_year, PeriodStatus.OPEN, by=by)
    last = Period.objects.select_for_update().filter(fiscal_year=fiscal_year).order_by("-start_date").first()
    if not last.is_open:
        _set_status(last, PeriodStatus.OPEN, by=by)
    for entry in entries:
        if entry.kind == EntryKind.OPENING and not entry.period.is_open:
            raise DomainError(
                _("The period %(period)s holds the opening entry %(entry)s and is closed: reopen it first.")
                % {"period": entry.period.label, "entry": entry.number}
            )
        _undo(entry, by=by, reason=reason)
    events.record(verb="finance.fiscalyear.reopened", target=fiscal_year, actor=by, data={"entries": len(entries)})
    return fiscal_year

"""Reads on receivables and payables: aged balances at any date, partner ledgers with a running
balance, statements, the dunning list, what a partner has open for matching.

Aged balances are one SQL aggregation: the items not settled by the date (``settled_on``, read
from the aging index) less what allocations dated up to then took off them, summed per
partner into due-date buckets. The ledger reads the partner's journal lines on receivable
(payable) accounts through the (partner, date) index."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Q, QuerySet, Sum
from django.urls import NoReverseMatch, reverse

from erp.finance.journal.models import JournalLine
from erp.finance.models import Account, AccountRole
from erp.finance.openitems.models import Allocation, OpenItem, Side
from erp.partners.models import Partner

ZERO = Decimal("0")

BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90")


@dataclass
class AgedRow:
    partner_id: int
    partner: Partner | None = None
    current: Decimal = ZERO
    days_1_30: Decimal = ZERO
    days_31_60: Decimal = ZERO
    days_61_90: Decimal = ZERO
    over_90: Decimal = ZERO
    total: Decimal = ZERO

    @property
    def overdue(self) -> Decimal:
        return self.total - self.current


@dataclass
class AgedReport:
    side: str
    on: date
    rows: list[AgedRow] = field(default_factory=list)
    totals: AgedRow = field(default_factory=lambda: AgedRow(partner_id=0))


_AGED = """
WITH items AS (
    SELECT i.id, i.partner_id, i.due_date, i.amount_company
      FROM finance_openitem i
     WHERE i.side = %(side)s AND i.document_date <= %(on)s
       AND (i.settled_on IS NULL OR i.settled_on > %(on)s)
       {filters}
), cleared AS (
    SELECT a.charge_id AS item_id, a.charge_company AS amount
      FROM finance_allocation a JOIN items ON items.id = a.charge_id
     WHERE a.date <= %(on)s
    UNION ALL
    SELECT a.credit_id, -a.credit_company
      FROM finance_allocation a JOIN items ON items.id = a.credit_id
     WHERE a.date <= %(on)s
), open AS (
    SELECT items.partner_id, %(on)s::date - items.due_date AS late,
           items.amount_company - COALESCE(c.amount, 0) AS amount
      FROM items LEFT JOIN (SELECT item_id, sum(amount) AS amount FROM cleared GROUP BY item_id) c
        ON c.item_id = items.id
)
SELECT partner_id,
       COALESCE(sum(amount) FILTER (WHERE late <= 0), 0),
       COALESCE(sum(amount) FILTER (WHERE late BETWEEN 1 AND 30), 0),
       COALESCE(sum(amount) FILTER (WHERE late BETWEEN 31 AND 60), 0),
       COALESCE(sum(amount) FILTER (WHERE late BETWEEN 61 AND 90), 0),
       COALESCE(sum(amount) FILTER (WHERE late > 90), 0),
       sum(amount)
  FROM open
 GROUP BY partner_id
HAVING sum(amount) <> 0
"""


def aged_balances(
    *, side: str, on: date, organization_ids: Iterable[int] | None = None, partner_id: int | None = None
) -> AgedReport:
    """What each partner owed (``receivable``) or was owed (``payable``) at the end of ``on``,
    by how late it was: not yet due, 1–30, 31–60, 61–90 and over 90 days past the due date.

    Computed as of that date from the items and allocations dated on or before it, in the
    company currency; the partners' names are read for the rows found only."""
    filters, params = [], {"side": side, "on": on}
    if organization_ids is not None:
        filters.append("AND i.organization_id = ANY(%(organizations)s)")
        params["organizations"] = list(organization_ids)
    if partner_id is not None:
        filters.append("AND i.partner_id = %(partner)s")
        params["partner"] = partner_id
    with connection.cursor() as cursor:
        cursor.execute(_AGED.format(filters=" ".join(filters)), params)
        rows = [AgedRow(row[0], None, *row[1:]) for row in cursor.fetchall()]
    partners = Partner.all_objects.in_bulk([row.partner_id for row in rows])
    report = AgedReport(side=side, on=on)
    for row in rows:
        row.partner = partners.get(row.partner_id)
        for name in (*BUCKETS, "total"):
            setattr(report.totals, name, getattr(report.totals, name) + getattr(row, name))
    report.rows = sorted(rows, key=lambda row: (row.partner.name.casefold() if row.partner else "", row.partner_id))
    return report


# --- open items of a partner ---------------------------------------------------------------------


def open_items(*, side: str, partner: Partner, user=None) -> QuerySet[OpenItem]:
    items = OpenItem.objects.open().filter(side=side, partner=partner)
    if user is not None:
        items = items.for_user(user)
    return items.select_related("customer_invoice", "vendor_bill", "payment").order_by("due_date", "id")


def partners_with_open_items(*, side: str, user=None) -> QuerySet[Partner]:
    """Partners with something open on ``side`` that can be matched (a charge and a credit)."""
    items = OpenItem.objects.open().filter(side=side)
    if user is not None:
        items = items.for_user(user)
    charges = items.filter(amount__gt=0).values("partner_id")
    credits = items.filter(amount__lt=0).values("partner_id")
    return Partner.all_objects.filter(pk__in=charges).filter(pk__in=credits).order_by("name")


def partner_balance(*, partner: Partner, side: str = Side.RECEIVABLE) -> Decimal:
    """What the partner owes us (receivable) or we owe them (payable) now, in the company currency:
    the open items' sum. Sales' credit check reads it."""
    total = OpenItem.objects.open().filter(side=side, partner=partner).aggregate(total=Sum("open_amount_company"))
    return total["total"] or ZERO


@dataclass
class ItemAtDate:
    item: OpenItem
    open_amount: Decimal
    open_amount_company: Decimal
    on: date

    @property
    def days_overdue(self) -> int:
        return max((self.on - self.item.due_date).days, 0)


def open_items_at(
    *, side: str, partner: Partner, on: date, organization_ids: Iterable[int] | None = None
) -> list[ItemAtDate]:
    """The partner's items open at the end of ``on`` with what was open of them then."""
    items = OpenItem.objects.filter(side=side, partner=partner, document_date__lte=on).filter(
        Q(settled_on__isnull=True) | Q(settled_on__gt=on)
    )
    if organization_ids is not None:
        items = items.filter(organization_id__in=list(organization_ids))
    items = list(items.select_related("customer_invoice", "vendor_bill", "payment").order_by("due_date", "id"))
    ids = [item.pk for item in items]
    cleared: dict[int, list[Decimal]] = {}
    allocations = Allocation.objects.filter(date__lte=on).filter(Q(charge_id__in=ids) | Q(credit_id__in=ids))
    for charge_id, credit_id, amount, discount, charge_company, credit_company in allocations.values_list(
        "charge_id", "credit_id", "amount", "discount", "charge_company", "credit_company"
    ):
        cleared.setdefault(charge_id, [ZERO, ZERO])
        cleared[charge_id][0] += amount + discount
        cleared[charge_id][1] += charge_company
        cleared.setdefault(credit_id, [ZERO, ZERO])
        cleared[credit_id][0] -= amount
        cleared[credit_id][1] -= credit_company
    result = []
    for item in items:
        doc, company = cleared.get(item.pk, (ZERO, ZERO))
        result.append(ItemAtDate(item, item.amount - doc, item.amount_company - company, on))
    return [row for row in result if row.open_amount]


# --- partner ledger ---------------------------------------------------------------------------------


def side_account_ids(side: str, partner: Partner | None = None) -> list[int]:
    """The receivable (payable) accounts: those with the role, the partner's own, those used by items."""
    role = AccountRole.RECEIVABLE if side == Side.RECEIVABLE else AccountRole.PAYABLE
    ids = set(Account.all_objects.filter(role=role).values_list("pk", flat=True))
    if partner is not None:
        own = partner.receivable_account_id if side == Side.RECEIVABLE else partner.payable_account_id
        if own:
            ids.add(own)
        ids |= set(OpenItem.objects.filter(side=side, partner=partner).values_list("account_id", flat=True).distinct())
    return sorted(ids)


@dataclass
class LedgerRow:
    line: JournalLine
    debit: Decimal
    credit: Decimal
    balance: Decimal
    document: str = ""
    url: str = ""


@dataclass
class PartnerLedger:
    partner: Partner
    side: str
    date_from: date
    date_to: date
    opening: Decimal
    rows: list[LedgerRow]
    closing: Decimal
    debit: Decimal = ZERO
    credit: Decimal = ZERO


def _document_links(lines: list[JournalLine]) -> dict[int, tuple[str, str]]:
    """(document number, URL) of the document each line's entry was posted by, in a few queries."""
    from erp.finance.invoicing.models import CustomerInvoice, VendorBill
    from erp.finance.payments.models import Payment

    wanted: dict[str, set[str]] = {}
    for line in lines:
        entry = line.entry
        if entry.source_type_id:
            wanted.setdefault(entry.source_type.model, set()).add(entry.source_id)
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for model in (CustomerInvoice, VendorBill, Payment):
        name = model._meta.model_name
        for document in model.all_objects.filter(pk__in=wanted.get(name, ())):
            found[(name, str(document.pk))] = (document.number, document.get_absolute_url())
    links = {}
    for line in lines:
        entry = line.entry
        key = (entry.source_type.model, entry.source_id) if entry.source_type_id else None
        if key in found:
            links[line.pk] = found[key]
        else:
            try:
                links[line.pk] = (entry.number, reverse("finance:journalentry-detail", args=[entry.pk]))
            except NoReverseMatch:
                links[line.pk] = (entry.number, "")
    return links


def partner_ledger(
    *,
    partner: Partner,
    side: str,
    date_from: date,
    date_to: date,
    organization_ids: Iterable[int] | None = None,
    limit: int = 2000,
) -> PartnerLedger:
    """The partner's postings on receivable (payable) accounts between the dates, oldest first, with
    the balance before ``date_from`` and a running balance (debit − credit for receivables, credit −
    debit for payables: what the partner owes, what we owe)."""
    accounts = side_account_ids(side, partner)
    lines = JournalLine.objects.filter(partner=partner, account_id__in=accounts, posted=True)
    if organization_ids is not None:
        lines = lines.filter(organization_id__in=list(organization_ids))
    before = lines.filter(date__lt=date_from).aggregate(debit=Sum("debit_company"), credit=Sum("credit_company"))
    sign = 1 if side == Side.RECEIVABLE else -1
    opening = sign * ((before["debit"] or ZERO) - (before["credit"] or ZERO))
    page = list(
        lines.filter(date__gte=date_from, date__lte=date_to)
        .select_related("entry__source_type", "entry")
        .order_by("date", "entry_id", "id")[:limit]
    )
    links = _document_links(page)
    running = opening
    rows = []
    ledger = PartnerLedger(partner, side, date_from, date_to, opening, rows, opening)
    for line in page:
        running += sign * (line.debit_company - line.credit_company)
        ledger.debit += line.debit_company
        ledger.credit += line.credit_company
        document, url = links.get(line.pk, ("", ""))
        rows.append(LedgerRow(line, line.debit_company, line.credit_company, running, document, url))
    ledger.closing = running
    return ledger


# --- dunning ---------------------------------------------------------------------------------------


@dataclass
class DunningGroup:
    partner: Partner
    items: list[OpenItem]
    total: Decimal = ZERO
    oldest_days: int = 0


def dunning_list(
    *, on: date, organization_ids: Iterable[int] | None = None, min_days: int = 1, partner_ids=None
) -> list[DunningGroup]:
    """Overdue customer invoice installments (due at least ``min_days`` before ``on``), per customer."""
    items = (
        OpenItem.objects.open()
        .receivable()
        .charges()
        .filter(due_date__lte=date.fromordinal(on.toordinal() - min_days))
        .select_related("partner", "customer_invoice")
        .order_by("partner__name", "partner_id", "due_date", "id")
    )
    if organization_ids is not None:
        items = items.filter(organization_id__in=list(organization_ids))
    if partner_ids is not None:
        items = items.filter(partner_id__in=list(partner_ids))
    groups: dict[int, DunningGroup] = {}
    for item in items:
        group = groups.setdefault(item.partner_id, DunningGroup(item.partner, []))
        item.days_overdue = (on - item.due_date).days
        group.items.append(item)
        group.total += item.open_amount_company
        group.oldest_days = max(group.oldest_days, item.days_overdue)
    return list(groups.values())

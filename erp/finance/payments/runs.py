"""Vendor payment runs: which bills to pay now, and paying them.

A bill installment is proposed when it is due by the run's ``due_by`` date, or when its
early-payment discount is still open on the payment date but would end before the next run
(then it is paid now, with the discount). A vendor's open credits (credit notes, unallocated
payments) are set off against its bills first; vendors whose credits cover their bills are
left out. Executing a run creates and posts one payment per vendor with a line per bill."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.core import events, numbering
from erp.core.exceptions import DomainError
from erp.core.models import Currency, Organization
from erp.finance.models import Account
from erp.finance.openitems import services as openitems
from erp.finance.openitems.models import OpenItem
from erp.finance.payments import services
from erp.finance.payments.models import Payment, PaymentKind, PaymentRun, PaymentRunStatus
from erp.partners.models import Partner

ZERO = Decimal("0")


@dataclass
class ProposedBill:
    item: OpenItem
    discount: Decimal
    pay: Decimal  # open amount less the discount

    @property
    def takes_discount(self) -> bool:
        return self.discount > 0


@dataclass
class ProposedVendor:
    partner: Partner
    bills: list[ProposedBill] = field(default_factory=list)
    credits: list[OpenItem] = field(default_factory=list)

    @property
    def bills_total(self) -> Decimal:
        return sum((bill.pay for bill in self.bills), ZERO)

    @property
    def credits_total(self) -> Decimal:
        return -sum((credit.open_amount for credit in self.credits), ZERO)

    @property
    def amount(self) -> Decimal:
        return self.bills_total - self.credits_total


def proposal(
    *,
    payment_date: date,
    due_by: date,
    next_run: date | None,
    currency: Currency | str,
    organization_ids: Iterable[int] | None = None,
    item_ids: Iterable[int] | None = None,
) -> list[ProposedVendor]:
    """The vendors and bills a run on ``payment_date`` pays (``item_ids``: only those bills)."""
    code = currency.pk if isinstance(currency, Currency) else currency
    wanted = Q(due_date__lte=due_by)
    if next_run is not None:
        wanted |= Q(discount_date__gte=payment_date, discount_date__lt=next_run, discount_amount__gt=0)
    items = (
        OpenItem.objects.open()
        .payable()
        .filter(currency_id=code, document_date__lte=payment_date, vendor_bill__isnull=False, amount__gt=0)
        .filter(wanted)
        .select_related("partner", "currency", "vendor_bill")
        .order_by("partner__name", "partner_id", "due_date", "id")
    )
    if organization_ids is not None:
        items = items.filter(organization_id__in=list(organization_ids))
    if item_ids is not None:
        items = items.filter(pk__in=list(item_ids))
    vendors: dict[int, ProposedVendor] = {}
    for item in items:
        discount = openitems.discount_available(item, on=payment_date)
        vendor = vendors.setdefault(item.partner_id, ProposedVendor(item.partner))
        vendor.bills.append(ProposedBill(item, discount, item.open_amount - discount))
    credits = (
        OpenItem.objects.open()
        .payable()
        .credits()
        .filter(partner_id__in=list(vendors), currency_id=code, document_date__lte=payment_date)
        .order_by("due_date", "id")
    )
    if organization_ids is not None:
        credits = credits.filter(organization_id__in=list(organization_ids))
    for credit in credits:
        vendors[credit.partner_id].credits.append(credit)
    return [vendor for vendor in vendors.values() if vendor.amount > 0]


def payment_run_create(
    *,
    organization: Organization,
    payment_date: date,
    due_by: date,
    bank_account: Account,
    currency: Currency,
    by,
    next_run: date | None = None,
) -> PaymentRun:
    if next_run is not None and next_run <= payment_date:
        raise DomainError(_("The next run must be after the payment date."), field="next_run")
    if bank_account.role not in services.BANK_ROLES:
        raise DomainError(_("Choose a bank or cash account."), field="bank_account")
    with transaction.atomic():
        run = PaymentRun.objects.create(
            organization=organization,
            number=numbering.next_number(
                series="payment_run",
                organization=organization,
                year=payment_date.year,
                default_pattern="RUN-{org}-{year}-{seq:04d}",
            ),
            payment_date=payment_date,
            due_by=due_by,
            next_run=next_run,
            bank_account=bank_account,
            currency=currency,
            created_by=by,
        )
        events.record(verb="finance.paymentrun.created", target=run, actor=by, organization=organization)
    return run


def run_proposal(run: PaymentRun, *, organization_ids=None, item_ids=None) -> list[ProposedVendor]:
    return proposal(
        payment_date=run.payment_date,
        due_by=run.due_by,
        next_run=run.next_run,
        currency=run.currency_id,
        organization_ids=organization_ids,
        item_ids=item_ids,
    )


def payment_run_execute(
    *, run: PaymentRun, by, item_ids: Iterable[int] | None = None, organization_ids=None
) -> list[Payment]:
    """Set off each vendor's credits against its bills, then create and post one payment per
    vendor for the rest (with the early-payment discounts the proposal takes)."""
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run.pk)
        if run.status != PaymentRunStatus.DRAFT:
            raise DomainError(_("%(run)s has been executed already.") % {"run": run})
        vendors = run_proposal(run, organization_ids=organization_ids, item_ids=item_ids)
        if not vendors:
            raise DomainError(_("Nothing to pay: choose at least one bill."))
        created = []
        for vendor in vendors:
            created.append(_pay_vendor(run, vendor, by=by))
        run.status = PaymentRunStatus.EXECUTED
        run.executed_at = timezone.now()
        run.executed_by = by
        run.save(update_fields=["status", "executed_at", "executed_by"])
        events.record(
            verb="finance.paymentrun.executed",
            target=run,
            actor=by,
            organization=run.organization,
            data={"payments": len(created)},
        )
    return created


def _pay_vendor(run: PaymentRun, vendor: ProposedVendor, *, by) -> Payment:
    credits = list(vendor.credits)
    lines: list[services.AllocationData] = []
    for bill in vendor.bills:
        need = bill.pay
        while need > 0 and credits:
            credit = credits[0]
            credit.refresh_from_db()
            available = -credit.open_amount
            take = min(need, available)
            if take > 0:
                openitems.allocate(charge=bill.item, credit=credit, amount=take, on=run.payment_date, by=by)
                bill.item.refresh_from_db()
                need -= take
            if take >= available:
                credits.pop(0)
        if need > 0 or bill.discount > 0:
            lines.append(services.AllocationData(document=bill.item.vendor_bill, amount=need, discount=bill.discount))
    payment = services.payment_create(
        kind=PaymentKind.VENDOR_PAYMENT,
        organization=run.organization,
        partner=vendor.partner,
        bank_account=run.bank_account,
        on=run.payment_date,
        currency=run.currency_id,
        allocations=lines,
        payment_run=run,
        reference=run.number,
        by=by,
    )
    return services.payment_post(payment=payment, by=by)


def run_payments(run: PaymentRun):
    return run.payments.select_related("partner", "currency").order_by("partner__name", "number")

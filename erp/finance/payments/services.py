"""Payments: create, post (through the document services), allocate, match.

    from erp.finance.payments.services import AllocationData, payment_create, payment_post

    payment = payment_create(
        kind=Payment.Kind.CUSTOMER_RECEIPT, organization=org, partner=customer,
        bank_account=bank, amount=Decimal("1190.00"), on=day, by=user,
        allocations=[AllocationData(document=invoice)],   # all that is open, less a discount due
    )
    payment_post(payment=payment, by=user)

Posting a payment books the bank against the partner's receivable or payable and writes the
payment's open item; each line then settles its invoice (or, for a refund, the credit it pays
back) through ``erp.finance.openitems.services.allocate``. What the lines leave is kept as a
credit on the partner, to be matched later (``open_items_match``) or refunded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from erp.core import events
from erp.core.currency import RateNotFound, quote
from erp.core.documents import services as documents
from erp.core.exceptions import DomainError
from erp.core.models import Currency, Organization
from erp.finance import posting
from erp.finance.amounts import money_text
from erp.finance.invoicing.models import CustomerInvoice, VendorBill
from erp.finance.models import Account, AccountRole
from erp.finance.openitems import services as openitems
from erp.finance.openitems.models import Allocation, OpenItem, Side
from erp.finance.payments.models import KIND_SIDE, Payment, PaymentKind, PaymentLine
from erp.partners.models import Partner

ZERO = Decimal("0")
BANK_ROLES = (AccountRole.BANK, AccountRole.CASH)


@dataclass(frozen=True)
class AllocationData:
    """What a payment pays: ``document`` (an invoice; for a refund the credit note or payment it
    pays back), ``amount`` (None: all that is open, less the discount) and ``discount`` (None:
    the early-payment discount the terms give, if the payment settles the invoice in time)."""

    document: models.Model
    amount: Decimal | None = None
    discount: Decimal | None = None


def bank_accounts():
    return Account.objects.postable().filter(role__in=BANK_ROLES).order_by("code")


def _target_field(document: models.Model) -> str:
    if isinstance(document, CustomerInvoice):
        return "customer_invoice"
    if isinstance(document, VendorBill):
        return "vendor_bill"
    if isinstance(document, Payment):
        return "refunded_payment"
    raise DomainError(_("A payment pays invoices, credit notes or earlier payments only."))


def available_discount(document: models.Model, *, on: date) -> Decimal:
    """The early-payment discount still available on ``on`` for the document's open installments."""
    return sum((openitems.discount_available(item, on=on) for item in document.open_items.open().charges()), ZERO)


def open_amount(document: models.Model, *, charges: bool) -> Decimal:
    items = document.open_items.open()
    items = items.charges() if charges else items.credits()
    return abs(sum((item.open_amount for item in items), ZERO))


def line_amounts(payment: Payment, data: AllocationData) -> tuple[Decimal, Decimal]:
    """(amount, discount) of a payment line, the empty ones worked out as ``AllocationData`` says."""
    if not payment.settles:
        left = open_amount(data.document, charges=False)
        return (left if data.amount is None else Decimal(data.amount)), ZERO
    left = open_amount(data.document, charges=True)
    discount = data.discount
    if discount is None:
        available = available_discount(data.document, on=payment.document_date)
        settles = data.amount is None or Decimal(data.amount) + available >= left
        discount = available if settles else ZERO
    amount = left - Decimal(discount) if data.amount is None else Decimal(data.amount)
    return amount, Decimal(discount)


def _rate(payment: Payment) -> Decimal:
    company = posting.company_currency()
    if payment.currency_id == company.code:
        return Decimal("1")
    try:
        return quote(from_currency=payment.currency_id, to_currency=company, on_date=payment.document_date).rate
    except RateNotFound as error:
        raise DomainError(error.message, field="exchange_rate") from None


def payment_create(
    *,
    kind: str,
    organization: Organization,
    partner: Partner,
    bank_account: Account,
    by,
    amount: Decimal | None = None,
    on: date | None = None,
    currency: Currency | str | None = None,
    exchange_rate: Decimal | None = None,
    allocations: Sequence[AllocationData] = (),
    reference: str = "",
    notes: str = "",
    payment_run=None,
) -> Payment:
    """A draft payment; ``amount`` None: what its allocations add up to."""
    day = on or timezone.localdate()
    code = (currency.pk if isinstance(currency, Currency) else currency) or partner.currency_id
    with transaction.atomic(savepoint=False):
        payment = Payment(
            kind=kind,
            organization=organization,
            partner=partner,
            bank_account=bank_account,
            document_date=day,
            accounting_date=day,
            currency_id=code or posting.company_currency().code,
            external_reference=reference[:100],
            notes=notes,
            payment_run=payment_run,
            created_by=by,
            updated_by=by,
        )
        payment.exchange_rate = exchange_rate if exchange_rate is not None else _rate(payment)
        rows = []
        for position, data in enumerate(allocations, start=1):
            line_amount, discount = line_amounts(payment, data)
            rows.append(
                PaymentLine(
                    position=position,
                    amount=line_amount,
                    discount=discount,
                    **{_target_field(data.document): data.document},
                )
            )
        payment.amount = sum((row.amount for row in rows), ZERO) if amount is None else Decimal(amount)
        payment._history_user = by
        payment.save()
        for row in rows:
            row.payment = payment
        PaymentLine.objects.bulk_create(rows)
        _set_totals(payment)
        payment.save()
        events.record(verb="finance.payment.created", target=payment, actor=by, data={"amount": str(payment.amount)})
    return payment


def payment_post(*, payment: Payment, by) -> Payment:
    return documents.document_complete(document=payment, by=by)


def _set_totals(payment: Payment) -> None:
    company_places = posting.company_currency().decimal_places
    payment.total_net = payment.total_gross = payment.amount
    payment.total_tax = payment.total_tax_company = ZERO
    payment.total_net_company = payment.total_gross_company = (payment.amount * payment.exchange_rate).quantize(
        Decimal(1).scaleb(-company_places)
    )


# --- checks and posting (called by PaymentEffects) ------------------------------------------------------


def _lines(payment: Payment) -> list[PaymentLine]:
    return list(
        payment.lines.select_related("customer_invoice", "vendor_bill", "refunded_payment").order_by("position", "id")
    )


def payment_check(payment: Payment, *, posting_now: bool) -> None:
    side = KIND_SIDE[payment.kind]
    if payment.partner_id is None:
        raise DomainError(_("Choose the business partner."), field="partner")
    if payment.amount <= 0:
        raise DomainError(_("Enter an amount greater than zero."), field="amount")
    if payment.bank_account.role not in BANK_ROLES:
        raise DomainError(_("Choose a bank or cash account."), field="bank_account")
    lines = _lines(payment)
    allocated = sum((line.amount for line in lines), ZERO)
    if allocated > payment.amount:
        raise DomainError(
            _("The lines allocate %(allocated)s, more than the payment's %(amount)s.")
            % {
                "allocated": money_text(allocated, payment.currency_id),
                "amount": money_text(payment.amount, payment.currency_id),
            }
        )
    for line in lines:
        target = line.target
        if target.partner_id != payment.partner_id:
            raise DomainError(_("%(document)s belongs to another partner.") % {"document": target})
        if target.currency_id != payment.currency_id:
            raise DomainError(
                _("%(document)s is in %(currency)s: a payment pays documents in its own currency.")
                % {"document": target, "currency": target.currency_id}
            )
        if getattr(target, "side", side) != side:
            raise DomainError(_("%(document)s is not a document of this kind of payment.") % {"document": target})
        if posting_now:
            if target.accounting_date > payment.accounting_date:
                raise DomainError(
                    _("%(document)s is dated %(date)s, after the payment.")
                    % {"document": target, "date": date_format(target.accounting_date, "SHORT_DATE_FORMAT")}
                )
            wanted = open_amount(target, charges=payment.settles)
            if line.amount + line.discount > wanted:
                raise DomainError(
                    _("%(document)s has only %(open)s open.")
                    % {"document": target, "open": money_text(wanted, target.currency_id)}
                )


def _partner_account(payment: Payment, lines: list[PaymentLine]) -> int:
    for line in lines:
        item = line.target.open_items.first()
        if item is not None:
            return item.account_id
    from erp.partners.selectors import partner_accounts

    account = partner_accounts(payment.partner)["receivable" if payment.side == Side.RECEIVABLE else "payable"]
    if account is None:
        raise DomainError(_("%(partner)s has no receivable or payable account.") % {"partner": payment.partner})
    return account.pk


def payment_ledger_post(payment: Payment, *, by) -> OpenItem:
    """The payment's entry (bank against the partner) and open item, then its lines' allocations."""
    lines = _lines(payment)
    account_id = _partner_account(payment, lines)
    # Money in: the bank is debited. Receipts and vendor refunds bring money in.
    bank_debit = payment.is_incoming
    text = f"{payment.get_kind_display()} {payment.number} · {payment.partner.name}"
    amount = payment.amount
    company = posting.to_company_amounts(
        [(amount, ZERO), (ZERO, amount)], rate=payment.exchange_rate, places=posting.company_currency().decimal_places
    )
    amount_company = company[0][0]
    side_pair = {"debit": amount, "debit_company": amount_company}
    other_pair = {"credit": amount, "credit_company": amount_company}
    bank_line = posting.PostingLine(
        account=payment.bank_account_id, description=text, **(side_pair if bank_debit else other_pair)
    )
    partner_line = posting.PostingLine(
        account=account_id, partner=payment.partner_id, description=text, **(other_pair if bank_debit else side_pair)
    )
    entry = posting.post_entry(
        lines=[partner_line, bank_line],
        on=payment.accounting_date,
        organization=payment.organization,
        description=text,
        source=payment,
        by=by,
        currency=payment.currency,
        exchange_rate=payment.exchange_rate,
        external_reference=payment.external_reference,
    )
    payment.journal_entry = entry
    payment.total_gross_company = payment.total_net_company = amount_company
    sign = -1 if payment.settles else 1
    [item] = openitems.open_items_create(
        side=payment.side,
        source=payment,
        partner_id=payment.partner_id,
        account_id=account_id,
        organization_id=payment.organization_id,
        currency_id=payment.currency_id,
        journal_entry=entry,
        reference=payment.number,
        on=payment.accounting_date,
        items=[
            openitems.ItemData(
                due_date=payment.accounting_date, amount=sign * amount, amount_company=sign * amount_company
            )
        ],
    )
    for line in lines:
        apply_to_document(
            item=item,
            document=line.target,
            amount=line.amount,
            discount=line.discount,
            on=payment.accounting_date,
            by=by,
        )
    return item


def apply_to_document(
    *, item: OpenItem, document: models.Model, amount: Decimal, discount: Decimal, on: date, by
) -> list[Allocation]:
    """Allocate the open item ``item`` to ``document``'s open items, earliest due first.

    A charge (refund) settles the document's credits; a credit (payment) settles its charges,
    taking the ``discount`` installment by installment: first each installment's own discount,
    then what is left of the discount from the last ones."""
    allocations: list[Allocation] = []
    if item.amount > 0:
        remaining = amount
        for credit in document.open_items.open().credits().order_by("due_date", "installment"):
            if remaining <= 0:
                break
            take = min(remaining, -credit.open_amount)
            allocations.append(openitems.allocate(charge=item, credit=credit, amount=take, on=on, by=by))
            item.refresh_from_db()
            remaining -= take
        return allocations
    charges = list(document.open_items.open().charges().order_by("due_date", "installment"))
    plan = []
    remaining_amount, remaining_discount = amount, discount
    for charge in charges:
        own = min(remaining_discount, charge.discount_amount, charge.open_amount)
        take = min(remaining_amount, charge.open_amount - own)
        plan.append([charge, take, own])
        remaining_amount -= take
        remaining_discount -= own
    for row in reversed(plan):
        if remaining_discount <= 0:
            break
        extra = min(remaining_discount, row[0].open_amount - row[1] - row[2])
        row[2] += extra
        remaining_discount -= extra
    if remaining_amount > 0 or remaining_discount > 0:
        raise DomainError(
            _("%(document)s has less open than the %(amount)s allocated to it.")
            % {"document": document, "amount": amount}
        )
    for charge, take, own in plan:
        if take or own:
            allocations.append(openitems.allocate(charge=charge, credit=item, amount=take, discount=own, on=on, by=by))
            item.refresh_from_db()
    return allocations


# --- matching after posting --------------------------------------------------------------------------


def payment_allocate(
    *,
    payment: Payment,
    document: models.Model,
    by,
    amount: Decimal | None = None,
    discount: Decimal | None = None,
    on: date | None = None,
) -> list[Allocation]:
    """Allocate what is still open of a posted payment to ``document`` (after posting)."""
    with transaction.atomic():
        item = OpenItem.objects.select_for_update().get(payment=payment)
        data = AllocationData(document=document, amount=amount, discount=discount)
        line_amount, line_discount = line_amounts(payment, data)
        line_amount = min(line_amount, abs(item.open_amount))
        return apply_to_document(
            item=item,
            document=document,
            amount=line_amount,
            discount=line_discount,
            on=on or max(timezone.localdate(), payment.accounting_date),
            by=by,
        )


def payment_kind_for(side: str, *, incoming: bool) -> str:
    if side == Side.RECEIVABLE:
        return PaymentKind.CUSTOMER_RECEIPT if incoming else PaymentKind.CUSTOMER_REFUND
    return PaymentKind.VENDOR_REFUND if incoming else PaymentKind.VENDOR_PAYMENT

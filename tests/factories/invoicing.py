"""Receivables and payables for tests: the tenant's chart accounts by role, tax codes, partners
with payment terms, invoices and payments made through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from erp.core.currency import exchange_rate_create
from erp.core.models import Currency, ExchangeRate
from erp.finance.invoicing import services as invoicing
from erp.finance.invoicing.models import InvoiceKind
from erp.finance.journal.models import JournalLine
from erp.finance.models import Account, AccountRole, TaxCode, TaxType
from erp.finance.openitems.models import OpenItem
from erp.finance.payments import services as payments
from erp.finance.payments.models import PaymentKind
from tests.factories import finance, partners
from tests.factories.ledger import fiscal_years, money

ZERO = Decimal("0")


@dataclass
class Books:
    receivable: Account
    payable: Account
    revenue: Account
    expense: Account
    bank: Account
    output_tax: TaxCode
    input_tax: TaxCode
    discount_granted: Account
    discount_received: Account
    exchange_gain: Account
    exchange_loss: Account


def _role(role: str) -> Account:
    return Account.objects.for_role(role).order_by("code").first()


def books(*, by=None) -> Books:
    """Fiscal years 2025 and 2026 and the tenant's (IFRS) accounts; tax codes of 19 %."""
    fiscal_years(2, by=by)
    output = TaxCode.objects.filter(tax_type=TaxType.SALES, rate=19, price_included=False).first()
    output = output or finance.tax_code(code="OUT19", rate=Decimal("19"), account=_role(AccountRole.TAX_PAYABLE))
    purchase = TaxCode.objects.filter(tax_type=TaxType.PURCHASE, rate=19, price_included=False).first()
    purchase = purchase or finance.tax_code(
        code="IN19", rate=Decimal("19"), tax_type=TaxType.PURCHASE, account=_role(AccountRole.TAX_RECEIVABLE)
    )
    return Books(
        receivable=_role(AccountRole.RECEIVABLE),
        payable=_role(AccountRole.PAYABLE),
        revenue=_role(AccountRole.SALES),
        expense=_role(AccountRole.PURCHASES),
        bank=_role(AccountRole.BANK),
        output_tax=output,
        input_tax=purchase,
        discount_granted=_role(AccountRole.DISCOUNT_GRANTED),
        discount_received=_role(AccountRole.DISCOUNT_RECEIVED),
        exchange_gain=_role(AccountRole.EXCHANGE_GAIN),
        exchange_loss=_role(AccountRole.EXCHANGE_LOSS),
    )


def rate(code: str, on: date, value: str) -> ExchangeRate:
    """``value`` EUR per unit of ``code`` on ``on``."""
    return exchange_rate_create(
        from_currency=Currency.objects.get(code=code),
        to_currency=Currency.objects.get(code="EUR"),
        on_date=on,
        value=Decimal(value),
        by=None,
    )


def term(*, net_days: int = 30, discount_percent: str = "0", discount_days: int = 0, installments=None):
    return partners.payment_term(
        net_days=net_days,
        discount_percent=Decimal(discount_percent),
        discount_days=discount_days,
        installments=installments,
    )


def line(quantity="1", price="100.00", *, tax=None, **fields) -> invoicing.InvoiceLineData:
    return invoicing.InvoiceLineData(
        quantity=Decimal(str(quantity)),
        unit_price=Decimal(str(price)),
        tax_code=tax if tax is not None else invoicing.NO_TAX,
        description=fields.pop("description", "Consulting"),
        **fields,
    )


def customer_invoice(*, organization, partner, lines, by, on: date, post: bool = True, **options):
    invoice = invoicing.customer_invoice_create(
        organization=organization, partner=partner, lines=lines, by=by, document_date=on, **options
    )
    if post:
        invoice = invoicing.invoice_post(invoice=invoice, by=by)
    return invoice


def vendor_bill(*, organization, partner, lines, by, on: date, number: str, post: bool = True, **options):
    bill = invoicing.vendor_bill_create(
        organization=organization,
        partner=partner,
        vendor_invoice_number=number,
        lines=lines,
        by=by,
        document_date=on,
        **options,
    )
    if post:
        bill = invoicing.invoice_post(invoice=bill, by=by)
    return bill


def payment(
    *,
    kind=PaymentKind.CUSTOMER_RECEIPT,
    organization,
    partner,
    bank,
    by,
    on: date,
    amount=None,
    pays=(),
    post=True,
    **options,
):
    created = payments.payment_create(
        kind=kind,
        organization=organization,
        partner=partner,
        bank_account=bank,
        amount=None if amount is None else money(amount),
        on=on,
        by=by,
        allocations=[
            payments.AllocationData(document=item)
            if not isinstance(item, tuple)
            else payments.AllocationData(
                document=item[0], amount=money(item[1]), discount=money(item[2]) if len(item) > 2 else None
            )
            for item in pays
        ],
        **options,
    )
    if post:
        created = payments.payment_post(payment=created, by=by)
    return created


def balance(account: Account, *, partner=None) -> Decimal:
    """Debits less credits posted to ``account`` in the company currency."""
    lines = JournalLine.objects.filter(account=account, posted=True)
    if partner is not None:
        lines = lines.filter(partner=partner)
    totals = lines.aggregate(debit=Sum("debit_company"), credit=Sum("credit_company"))
    return (totals["debit"] or ZERO) - (totals["credit"] or ZERO)


def open_items_total(*, side: str, account: Account | None = None) -> Decimal:
    items = OpenItem.objects.filter(side=side)
    if account is not None:
        items = items.filter(account=account)
    return items.aggregate(total=Sum("open_amount_company"))["total"] or ZERO


CREDIT_NOTE = InvoiceKind.CREDIT_NOTE

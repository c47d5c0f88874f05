"""Invoices for other modules: create a draft from their documents, credit it, post it.

    from erp.finance.invoicing.services import InvoiceLineData, customer_invoice_create, invoice_post

    invoice = customer_invoice_create(
        organization=order.organization,
        partner=order.partner,
        lines=[
            InvoiceLineData(product=line.product, quantity=delivered, unit_price=line.unit_price,
                            discount_percent=line.discount_percent, tax_code=line.tax_code, source=line)
            for line, delivered in to_invoice
        ],
        document_date=day,
        currency=order.currency,
        source=order,
        by=user,
    )
    invoice_post(invoice=invoice, by=user)

A line's ``source`` (a sales order line, a goods receipt line) is kept as content type + id,
so ``erp.finance.invoicing.selectors.invoiced_quantities`` tells what has been invoiced of it.
What a line leaves empty comes from its product (description, unit, tax code, income or
expense account — the product's, its category's, then the chart's default)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.core import events
from erp.core.documents import services as documents
from erp.core.exceptions import DomainError
from erp.core.models import Currency, Organization
from erp.finance.invoicing import lines as invoice_lines
from erp.finance.invoicing.effects import credit_left, exchange_rate_for
from erp.finance.invoicing.models import (
    CustomerInvoice,
    CustomerInvoiceLine,
    InvoiceBase,
    InvoiceKind,
    VendorBill,
    VendorBillLine,
)
from erp.partners.models import Partner, PaymentTerm

ZERO = Decimal("0")
UNSET = object()


class DuplicateVendorInvoice(DomainError):
    pass


@dataclass(frozen=True)
class InvoiceLineData:
    """One line to invoice. ``tax_code``/``account``/``unit``/``description`` left empty (None,
    "") come from the product; pass ``tax_code=NO_TAX`` for a line without tax."""

    quantity: Decimal = Decimal("1")
    unit_price: Decimal = ZERO
    discount_percent: Decimal = ZERO
    description: str = ""
    product: models.Model | None = None
    unit: models.Model | None = None
    tax_code: object = None
    account: models.Model | None = None
    analytic_tag: str = ""
    source: models.Model | None = None


NO_TAX = "no-tax"


def _line(model: type[models.Model], invoice: InvoiceBase, position: int, data: InvoiceLineData):
    source_type = ContentType.objects.get_for_model(data.source) if data.source is not None else None
    line = model(
        invoice=invoice,
        position=position,
        description=(data.description or "")[:255],
        quantity=Decimal(data.quantity),
        unit_price=Decimal(data.unit_price),
        discount_percent=Decimal(data.discount_percent),
        product=data.product,
        unit=data.unit,
        account=data.account,
        analytic_tag=data.analytic_tag[:50],
        source_type=source_type,
        source_id=data.source.pk if data.source is not None else None,
    )
    if data.tax_code is None:
        line.tax_code = invoice_lines.product_tax(invoice, data.product)
    elif data.tax_code != NO_TAX:
        line.tax_code = data.tax_code
    return line


def _create(
    model: type[InvoiceBase],
    line_model: type[models.Model],
    *,
    organization: Organization,
    partner: Partner,
    lines: Sequence[InvoiceLineData],
    by,
    kind: str,
    document_date: date | None,
    accounting_date: date | None,
    currency: Currency | str | None,
    exchange_rate: Decimal | None,
    payment_term: PaymentTerm | None,
    original: InvoiceBase | None,
    source: models.Model | None,
    external_reference: str,
    notes: str,
    **fields,
) -> InvoiceBase:
    day = document_date or timezone.localdate()
    currency_code = (
        (currency.pk if isinstance(currency, Currency) else currency) or partner.currency_id or _company_code()
    )
    invoice = model(
        organization=organization,
        partner=partner,
        kind=kind,
        document_date=day,
        accounting_date=accounting_date or day,
        currency_id=currency_code,
        payment_term=payment_term,
        original=original,
        external_reference=external_reference[:100],
        notes=notes,
        created_by=by,
        updated_by=by,
        **fields,
    )
    if source is not None:
        invoice.source_type = ContentType.objects.get_for_model(source)
        invoice.source_id = str(source.pk)
    invoice.exchange_rate = exchange_rate if exchange_rate is not None else exchange_rate_for(invoice)
    invoice._history_user = by
    invoice.save()
    rows = [_line(line_model, invoice, position, data) for position, data in enumerate(lines, start=1)]
    line_model.objects.bulk_create(rows)
    invoice_lines.recompute(invoice)
    invoice.save()
    events.record(verb=f"finance.{model._meta.model_name}.created", target=invoice, actor=by, data={"lines": len(rows)})
    return invoice


def _company_code() -> str:
    from erp.core.models import Company

    return Company.objects.values_list("currency_id", flat=True).get()


def customer_invoice_create(
    *,
    organization: Organization,
    partner: Partner,
    lines: Sequence[InvoiceLineData],
    by,
    kind: str = InvoiceKind.INVOICE,
    document_date: date | None = None,
    accounting_date: date | None = None,
    currency: Currency | str | None = None,
    exchange_rate: Decimal | None = None,
    payment_term: PaymentTerm | None = None,
    original: CustomerInvoice | None = None,
    source: models.Model | None = None,
    external_reference: str = "",
    notes: str = "",
    language: str = "",
) -> CustomerInvoice:
    """A draft customer invoice (or credit note) with ``lines``; post it with ``invoice_post``."""
    with transaction.atomic(savepoint=False):
        return _create(
            CustomerInvoice,
            CustomerInvoiceLine,
            organization=organization,
            partner=partner,
            lines=lines,
            by=by,
            kind=kind,
            document_date=document_date,
            accounting_date=accounting_date,
            currency=currency,
            exchange_rate=exchange_rate,
            payment_term=payment_term,
            original=original,
            source=source,
            external_reference=external_reference,
            notes=notes,
            language=language,
        )


def vendor_invoice_number_check(*, partner: Partner, kind: str, number: str, exclude_pk: int | None = None) -> None:
    """``DuplicateVendorInvoice`` when this vendor's document number has been entered already."""
    from erp.core.documents.models import Status

    existing = (
        VendorBill.objects.filter(partner=partner, kind=kind, vendor_invoice_number__iexact=number.strip())
        .exclude(status__in=[Status.CANCELLED, Status.VOIDED])
        .exclude(pk=exclude_pk)
        .first()
    )
    if existing is not None:
        raise DuplicateVendorInvoice(
            duplicate_message(partner=partner, number=number, existing=existing), field="vendor_invoice_number"
        )


def duplicate_message(*, partner: Partner, number: str, existing: VendorBill | None) -> str:
    if existing is None:
        return _("The invoice number %(number)s of %(vendor)s has been entered already.") % {
            "number": number.strip(),
            "vendor": partner.name,
        }
    return _("The invoice number %(number)s of %(vendor)s has been entered already, as %(bill)s.") % {
        "number": existing.vendor_invoice_number,
        "vendor": partner.name,
        "bill": existing,
    }


def vendor_bill_create(
    *,
    organization: Organization,
    partner: Partner,
    vendor_invoice_number: str,
    lines: Sequence[InvoiceLineData],
    by,
    kind: str = InvoiceKind.INVOICE,
    document_date: date | None = None,
    accounting_date: date | None = None,
    currency: Currency | str | None = None,
    exchange_rate: Decimal | None = None,
    payment_term: PaymentTerm | None = None,
    original: VendorBill | None = None,
    source: models.Model | None = None,
    external_reference: str = "",
    notes: str = "",
) -> VendorBill:
    """A draft vendor bill (or vendor credit note). The vendor's invoice number is required and
    may be entered once per vendor: ``DuplicateVendorInvoice`` (also when a concurrent entry wins)."""
    number = vendor_invoice_number.strip()
    if not number:
        raise DomainError(_("Enter the vendor's invoice number."), field="vendor_invoice_number")
    vendor_invoice_number_check(partner=partner, kind=kind, number=number)
    try:
        with transaction.atomic():
            return _create(
                VendorBill,
                VendorBillLine,
                organization=organization,
                partner=partner,
                lines=lines,
                by=by,
                kind=kind,
                document_date=document_date,
                accounting_date=accounting_date,
                currency=currency,
                exchange_rate=exchange_rate,
                payment_term=payment_term,
                original=original,
                source=source,
                external_reference=external_reference,
                notes=notes,
                vendor_invoice_number=number[:100],
            )
    except IntegrityError as error:
        if "finance_vendorbill_vendor_number_unique" in str(error):
            raise DuplicateVendorInvoice(
                duplicate_message(partner=partner, number=number, existing=None), field="vendor_invoice_number"
            ) from None
        raise


def invoice_post(*, invoice: InvoiceBase, by) -> InvoiceBase:
    """Post a draft or approved invoice (submitting it first; an approval workflow may hold it)."""
    return documents.document_complete(document=invoice, by=by)


def credit_note_create(
    *,
    invoice: InvoiceBase,
    by,
    lines: Sequence[InvoiceLineData] | None = None,
    document_date: date | None = None,
    vendor_invoice_number: str = "",
    notes: str = "",
) -> InvoiceBase:
    """A draft credit note for the posted ``invoice``: all its lines (``lines=None``) or those given.
    Its exchange rate is the invoice's, so crediting moves no exchange difference."""
    if not invoice.is_posted or invoice.is_credit_note:
        raise DomainError(_("Only posted invoices can be credited."))
    if credit_left(invoice) <= 0:
        raise DomainError(_("%(invoice)s has been credited in full already.") % {"invoice": invoice})
    if lines is None:
        lines = [
            InvoiceLineData(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                description=line.description,
                product=line.product,
                unit=line.unit,
                tax_code=line.tax_code or NO_TAX,
                account=line.account,
                analytic_tag=line.analytic_tag,
                source=None,
            )
            for line in invoice.lines.select_related("product", "unit", "tax_code", "account")
        ]
    common = {
        "organization": invoice.organization,
        "partner": invoice.partner,
        "lines": lines,
        "by": by,
        "kind": InvoiceKind.CREDIT_NOTE,
        "document_date": document_date or max(timezone.localdate(), invoice.document_date),
        "currency": invoice.currency_id,
        "exchange_rate": invoice.exchange_rate,
        "original": invoice,
        "notes": notes,
        "external_reference": invoice.number,
    }
    if isinstance(invoice, VendorBill):
        return vendor_bill_create(
            vendor_invoice_number=vendor_invoice_number or f"CN {invoice.vendor_invoice_number}", **common
        )
    return customer_invoice_create(language=invoice.language, **common)


def invoice_recipient(invoice: CustomerInvoice) -> str:
    """Where the invoice goes: the customer's e-mail, else its main contact's (or any contact's)."""
    partner = invoice.partner
    if partner.email:
        return partner.email
    contact = partner.contacts.exclude(email="").order_by("-is_primary", "name").first()
    return contact.email if contact else ""


def customer_invoice_send(*, invoice: CustomerInvoice, by, to: str = "") -> CustomerInvoice:
    """Queue the e-mail of a posted invoice with its PDF (huey); the task records it as sent."""
    from functools import partial

    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from erp.core.tasks import current_schema
    from erp.finance.invoicing import tasks
    from erp.finance.invoicing.models import SendStatus

    with transaction.atomic():
        invoice = CustomerInvoice.objects.select_for_update(of=("self",)).select_related("partner").get(pk=invoice.pk)
        if not invoice.is_posted:
            raise DomainError(_("Only posted invoices can be sent."))
        recipient = to.strip() or invoice_recipient(invoice)
        if not recipient:
            raise DomainError(
                _("%(partner)s has no e-mail address: enter the recipient.") % {"partner": invoice.partner.name},
                field="to",
            )
        try:
            validate_email(recipient)
        except ValidationError:
            raise DomainError(_("Enter a valid e-mail address."), field="to") from None
        invoice.send_status = SendStatus.QUEUED
        invoice.send_error = ""
        invoice.save(update_fields=["send_status", "send_error"])
        events.record(verb="finance.customerinvoice.sent", target=invoice, actor=by, data={"to": recipient})
        transaction.on_commit(
            partial(
                tasks.customer_invoice_email, schema_name=current_schema(), invoice_id=invoice.pk, recipient=recipient
            )
        )
    return invoice

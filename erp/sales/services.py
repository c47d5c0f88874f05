"""Sales operations: quotations (create, revise, mark lost, convert, send), orders (create,
invoice, cancel the remainder, keep their progress), each in one transaction.

    quotation = quotation_create(organization=org, partner=customer, valid_until=day,
                                 lines=[LineData(product=chair, quantity=Decimal(10))], by=user)
    documents.document_submit(document=quotation, by=user)      # numbered, open
    order = quotation_convert(quotation=quotation, by=user)     # a draft order with its lines
    documents.document_submit(document=order, by=user)          # credit check, stock reserved
    invoice = sales_order_invoice(order=order, by=user, post=True)

Submitting, approving and cancelling go through ``erp.core.documents.services`` (the generic
actions of the detail page); what they do for sales documents is in ``erp.sales.effects``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.core import bulk, events
from erp.core.documents import hooks
from erp.core.documents import services as documents
from erp.core.documents.models import Status
from erp.core.exceptions import DomainError
from erp.core.models import Currency, Organization
from erp.finance import posting
from erp.finance.invoicing import services as invoicing
from erp.finance.invoicing.models import CustomerInvoice
from erp.finance.invoicing.selectors import invoiced_quantities
from erp.partners.models import Partner
from erp.sales import lines as sales_lines
from erp.sales.models import (
    Progress,
    Quotation,
    QuotationLine,
    QuotationOutcome,
    SalesDocument,
    SalesLine,
    SalesOrder,
    SalesOrderLine,
    SendStatus,
)

ZERO = Decimal("0")
DEFAULT_VALIDITY_DAYS = 30
NO_TAX = invoicing.NO_TAX
# Header fields a quotation hands on to its revision and to its order.
HEADER_FIELDS = (
    "organization_id",
    "partner_id",
    "contact_id",
    "currency_id",
    "exchange_rate",
    "price_list_id",
    "payment_term_id",
    "salesperson_id",
    "language",
    "terms",
    "external_reference",
    "notes",
    "custom_fields",
)
LINE_FIELDS = (
    "position",
    "description",
    "quantity",
    "unit_price",
    "discount_percent",
    "line_net",
    "line_tax",
    "line_gross",
    "product_id",
    "unit_id",
    "tax_code_id",
    "price_manual",
)


@dataclass(frozen=True)
class LineData:
    """One line: a ``product`` or a free-text ``description``. ``unit_price`` None: from the price
    list (or the product's price); ``tax_code`` None: the product's sales tax, ``NO_TAX``: none."""

    quantity: Decimal = Decimal("1")
    product: object = None
    description: str = ""
    unit: object = None
    unit_price: Decimal | None = None
    discount_percent: Decimal = ZERO
    tax_code: object = None


def _save(document, by) -> None:
    document.updated_by = by
    document.version += 1
    document._history_user = by
    document.save()


def _lock(model, pk: int):
    return model.objects.select_for_update(of=("self",)).select_related("partner", "currency").get(pk=pk)


def _build_lines(document: SalesDocument, line_model: type[SalesLine], data: Sequence[LineData]) -> list[SalesLine]:
    rows = []
    for position, line in enumerate(data, start=1):
        if line.product is None and not line.description.strip():
            raise DomainError(_("Line %(line)d: enter a description or choose a product.") % {"line": position})
        tax = sales_lines.default_tax(document, line.product) if line.tax_code is None else line.tax_code
        rows.append(
            line_model(
                position=position,
                product=line.product,
                description=line.description[:255],
                quantity=Decimal(line.quantity),
                unit=line.unit,
                unit_price=ZERO if line.unit_price is None else Decimal(line.unit_price),
                price_manual=line.unit_price is not None,
                discount_percent=Decimal(line.discount_percent),
                tax_code=None if tax == NO_TAX else tax,
                **{_parent_field(line_model): document},
            )
        )
    return rows


def _parent_field(line_model: type[SalesLine]) -> str:
    return "quotation" if line_model is QuotationLine else "order"


def _create(model, line_model, *, organization, partner, lines, by, document_date, currency, **fields):
    day = document_date or timezone.localdate()
    code = (currency.pk if isinstance(currency, Currency) else currency) or partner.currency_id
    document = model(
        organization=organization,
        partner=partner,
        document_date=day,
        accounting_date=day,
        currency_id=code or posting.company_currency().code,
        created_by=by,
        updated_by=by,
        **fields,
    )
    document._history_user = by
    document.save()
    line_model.objects.bulk_create(_build_lines(document, line_model, lines))
    sales_lines.recompute(document)
    document.save()
    events.record(verb=f"sales.{model._meta.model_name}.created", target=document, actor=by)
    return document


def quotation_create(
    *,
    organization: Organization,
    partner: Partner,
    lines: Sequence[LineData],
    by,
    document_date: date | None = None,
    valid_until: date | None = None,
    currency: Currency | str | None = None,
    **fields,
) -> Quotation:
    """A draft quotation; ``fields``: contact, price_list, payment_term, salesperson, language,
    terms, external_reference, notes."""
    day = document_date or timezone.localdate()
    with transaction.atomic():
        return _create(
            Quotation,
            QuotationLine,
            organization=organization,
            partner=partner,
            lines=lines,
            by=by,
            document_date=day,
            currency=currency,
            valid_until=valid_until or day + timedelta(days=DEFAULT_VALIDITY_DAYS),
            **fields,
        )


def sales_order_create(
    *,
    organization: Organization,
    partner: Partner,
    lines: Sequence[LineData],
    by,
    document_date: date | None = None,
    currency: Currency | str | None = None,
    **fields,
) -> SalesOrder:
    """A draft sales order; ``fields`` as for quotations plus requested_date, shipping_address, warehouse."""
    with transaction.atomic():
        return _create(
            SalesOrder,
            SalesOrderLine,
            organization=organization,
            partner=partner,
            lines=lines,
            by=by,
            document_date=document_date,
            currency=currency,
            **fields,
        )


def _copy_lines(source: SalesDocument, target: SalesDocument, line_model: type[SalesLine]) -> None:
    parent = _parent_field(line_model)
    line_model.objects.bulk_create(
        [
            line_model(**{field: getattr(line, field) for field in LINE_FIELDS}, **{parent: target})
            for line in source.lines.order_by("position", "id")
        ]
    )


# --- quotations ----------------------------------------------------------------------------------


def _require_open(quotation: Quotation, action: str) -> None:
    if quotation.outcome != QuotationOutcome.OPEN or quotation.status not in (Status.DRAFT, Status.APPROVED):
        raise DomainError(
            _("%(quotation)s is %(status)s: it cannot be %(action)s.")
            % {"quotation": quotation, "status": quotation_state_label(quotation), "action": action}
        )


def quotation_state_label(quotation: Quotation) -> str:
    """“Lost”, “Accepted”, “Revised” or the status (“Draft”, “Approved” …)."""
    if quotation.outcome:
        return quotation.get_outcome_display()
    return quotation.get_status_display()


@transaction.atomic
def quotation_revise(*, quotation: Quotation, by) -> Quotation:
    """A new draft revision with the quotation's header and lines; the quotation itself stays
    readable, cancelled with the outcome *revised*. The revision keeps the number with “-R2”…"""
    quotation = _lock(Quotation, quotation.pk)
    if quotation.status != Status.APPROVED or quotation.outcome != QuotationOutcome.OPEN:
        raise DomainError(
            _("Only open quotations are revised; %(quotation)s is %(status)s (edit a draft directly).")
            % {"quotation": quotation, "status": quotation_state_label(quotation)}
        )
    if not by.has_perm("sales.add_quotation"):
        raise DomainError(_("You are not allowed to create quotations."))
    base = quotation.number if quotation.revision == 1 else quotation.number.rsplit("-R", 1)[0]
    today = timezone.localdate()
    validity = max((quotation.valid_until - quotation.document_date).days, 1)
    revision = Quotation(
        **{field: getattr(quotation, field) for field in HEADER_FIELDS},
        number=f"{base}-R{quotation.revision + 1}",
        document_date=today,
        accounting_date=today,
        valid_until=today + timedelta(days=validity),
        revision=quotation.revision + 1,
        previous_revision=quotation,
        created_by=by,
        updated_by=by,
    )
    revision._history_user = by
    revision.save()
    _copy_lines(quotation, revision, QuotationLine)
    sales_lines.recompute(revision)
    revision.save()
    quotation.cancel()
    quotation.outcome = QuotationOutcome.REVISED
    quotation.status_reason = (_("Revised by %(revision)s") % {"revision": revision.number})[:255]
    _save(quotation, by)
    events.record(verb="sales.quotation.revised", target=quotation, actor=by, data={"revision": revision.number})
    events.record(verb="sales.quotation.created", target=revision, actor=by, data={"revision_of": quotation.number})
    return revision


@transaction.atomic
def quotation_mark_lost(*, quotation: Quotation, by, reason: str) -> Quotation:
    """The customer declined: the quotation is cancelled with the outcome *lost* and the reason."""
    if not reason.strip():
        raise DomainError(_("Please give the reason why the quotation was lost."), field="reason")
    quotation = _lock(Quotation, quotation.pk)
    _require_open(quotation, _("marked as lost"))
    quotation = documents.document_cancel(document=quotation, by=by, reason=reason)
    quotation.outcome = QuotationOutcome.LOST
    _save(quotation, by)
    events.record(verb="sales.quotation.lost", target=quotation, actor=by, data={"reason": reason.strip()})
    return quotation


@transaction.atomic
def quotation_convert(*, quotation: Quotation, by) -> SalesOrder:
    """The customer accepted: a draft sales order with the quotation's header and lines; the
    quotation is completed with the outcome *accepted* (a draft is submitted first)."""
    quotation = _lock(Quotation, quotation.pk)
    _require_open(quotation, _("converted"))
    if not by.has_perm("sales.add_salesorder"):
        raise DomainError(_("You are not allowed to create sales orders."))
    if quotation.status == Status.DRAFT:
        quotation = documents.document_submit(document=quotation, by=by)
        if quotation.status != Status.APPROVED:
            raise DomainError(
                _("%(quotation)s was sent for approval: convert it once it is approved.") % {"quotation": quotation}
            )
    today = timezone.localdate()
    order = SalesOrder(
        **{field: getattr(quotation, field) for field in HEADER_FIELDS},
        quotation=quotation,
        document_date=today,
        accounting_date=today,
        created_by=by,
        updated_by=by,
    )
    order._history_user = by
    order.save()
    _copy_lines(quotation, order, SalesOrderLine)
    # The quoted prices hold: lines priced from the list keep the quotation's price.
    order.lines.update(price_manual=True)
    sales_lines.recompute(order)
    order.save()
    quotation.complete()
    quotation.outcome = QuotationOutcome.ACCEPTED
    quotation.processed, quotation.processed_at, quotation.processed_by = True, timezone.now(), by
    _save(quotation, by)
    events.record(verb="sales.quotation.accepted", target=quotation, actor=by, data={"order": str(order.pk)})
    events.record(verb="sales.salesorder.created", target=order, actor=by, data={"quotation": quotation.number})
    return order


def document_recipient(document: SalesDocument) -> str:
    """The contact's e-mail, else the customer's, else its main contact's."""
    if document.contact_id and document.contact.email:
        return document.contact.email
    partner = document.partner
    if partner.email:
        return partner.email
    contact = partner.contacts.exclude(email="").order_by("-is_primary", "name").first()
    return contact.email if contact else ""


def quotation_send(*, quotation: Quotation, by, to: str = "") -> Quotation:
    """Queue the e-mail of a numbered quotation with its PDF (huey); the task records it as sent."""
    from erp.core.tasks import current_schema
    from erp.sales import tasks

    with transaction.atomic():
        quotation = (
            Quotation.objects.select_for_update(of=("self",)).select_related("partner", "contact").get(pk=quotation.pk)
        )
        if quotation.status == Status.DRAFT or not quotation.number:
            raise DomainError(_("Submit the quotation before sending it."))
        if quotation.status in (Status.CANCELLED, Status.VOIDED):
            raise DomainError(
                _("%(quotation)s is %(status)s: it is not sent any more.")
                % {"quotation": quotation, "status": quotation_state_label(quotation)}
            )
        recipient = to.strip() or document_recipient(quotation)
        if not recipient:
            raise DomainError(
                _("%(partner)s has no e-mail address: enter the recipient.") % {"partner": quotation.partner.name},
                field="to",
            )
        try:
            validate_email(recipient)
        except ValidationError:
            raise DomainError(_("Enter a valid e-mail address."), field="to") from None
        quotation.send_status = SendStatus.QUEUED
        quotation.send_error = ""
        quotation.save(update_fields=["send_status", "send_error"])
        events.record(verb="sales.quotation.sent", target=quotation, actor=by, data={"to": recipient})
        transaction.on_commit(
            partial(tasks.quotation_email, schema_name=current_schema(), quotation_id=quotation.pk, recipient=recipient)
        )
    return quotation


# --- orders ----------------------------------------------------------------------------------------

INVOICEABLE = (Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED)


def _order_lines(order: SalesOrder) -> list[SalesOrderLine]:
    return list(order.lines.select_related("product", "unit", "tax_code").order_by("position", "id"))


def invoiceable_quantities(order: SalesOrder, lines: list[SalesOrderLine]) -> dict[int, Decimal]:
    """Per line, what an invoice created now would bill: delivered (stockable products) or ordered
    (others), less what posted invoices and invoices still in draft already bill."""
    billed = invoiced_quantities(sources=lines, include_drafts=True)
    return {line.pk: line.quantity_invoiceable - billed.get(line.pk, ZERO) for line in lines}


@transaction.atomic
def sales_order_invoice(*, order: SalesOrder, by, on: date | None = None, post: bool = False) -> CustomerInvoice:
    """A customer invoice (draft, or posted with ``post``) for what the order has delivered and not
    invoiced yet (ordered quantities for services), through ``erp.finance.invoicing``; its lines
    refer to the order lines, so posting it counts them as invoiced."""
    order = _lock(SalesOrder, order.pk)
    if order.status not in INVOICEABLE:
        raise DomainError(
            _("%(order)s has the status “%(status)s”: only confirmed orders are invoiced.")
            % {"order": order, "status": order.get_status_display()}
        )
    if not by.has_perm("sales.invoice_salesorder"):
        raise DomainError(_("You are not allowed to invoice sales orders."))
    lines = _order_lines(order)
    quantities = invoiceable_quantities(order, lines)
    rows = [
        invoicing.InvoiceLineData(
            quantity=quantities[line.pk],
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            description=line.description,
            product=line.product,
            unit=line.unit,
            tax_code=line.tax_code or invoicing.NO_TAX,
            source=line,
        )
        for line in lines
        if quantities[line.pk] > 0
    ]
    if not rows:
        raise DomainError(
            _("Nothing of %(order)s is waiting to be invoiced: deliver first, or its invoices are drafts still.")
            % {"order": order}
        )
    invoice = invoicing.customer_invoice_create(
        organization=order.organization,
        partner=order.partner,
        lines=rows,
        by=by,
        document_date=on,
        currency=order.currency_id,
        payment_term=order.payment_term,
        source=order,
        external_reference=(order.external_reference or order.number)[:100],
        language=order.language,
    )
    events.record(verb="sales.salesorder.invoiced", target=order, actor=by, data={"invoice": str(invoice)})
    if post:
        invoice = invoicing.invoice_post(invoice=invoice, by=by)
    return invoice


@transaction.atomic
def sales_order_cancel_remainder(*, order: SalesOrder, by, reason: str) -> SalesOrder:
    """Nothing more will be delivered: what each line has not delivered (services: not invoiced)
    is cancelled, its stock released; the order completes once the rest is invoiced."""
    if not reason.strip():
        raise DomainError(_("Please give a reason."), field="reason")
    order = _lock(SalesOrder, order.pk)
    if order.status not in (Status.APPROVED, Status.IN_PROGRESS):
        raise DomainError(
            _("%(order)s has the status “%(status)s”: there is no remainder to cancel.")
            % {"order": order, "status": order.get_status_display()}
        )
    if not by.has_perm("sales.cancel_salesorder"):
        raise DomainError(_("You are not allowed to cancel sales orders."))
    lines = _order_lines(order)
    changed = []
    for line in lines:
        open_quantity = line.quantity_open
        if open_quantity > 0:
            line.quantity_cancelled += open_quantity
            changed.append(line)
    if not changed:
        raise DomainError(_("%(order)s has nothing left to deliver.") % {"order": order})
    bulk.bulk_update(changed, ["quantity_cancelled"])
    from erp.sales import stock

    stock.order_release(order)
    order.status_reason = reason.strip()[:255]
    _refresh(order, lines, by=by)
    events.record(
        verb="sales.salesorder.remainder_cancelled",
        target=order,
        actor=by,
        data={"reason": reason.strip(), "lines": len(changed)},
    )
    return order


def _progress(done: Decimal, wanted: Decimal) -> str:
    if wanted <= 0:
        return Progress.NOT_NEEDED
    if done >= wanted:
        return Progress.DONE
    return Progress.PARTIAL if done > 0 else Progress.NOTHING


def _refresh(order: SalesOrder, lines: list[SalesOrderLine], *, by) -> None:
    """Statuses from the lines (already current); In Progress once something happened,
    Completed once every line is delivered and invoiced or cancelled. The order row is locked."""
    stocked = [line for line in lines if line.is_delivered_by_stock]
    order.delivery_status = _progress(
        sum((line.quantity_delivered for line in stocked), ZERO),
        sum((line.quantity - line.quantity_cancelled for line in stocked), ZERO),
    )
    wanted = sum((line.quantity - line.quantity_cancelled for line in lines), ZERO)
    invoiced = sum((min(line.quantity_invoiced, line.quantity - line.quantity_cancelled) for line in lines), ZERO)
    order.invoice_status = _progress(invoiced, wanted)
    started = any(line.quantity_delivered or line.quantity_invoiced or line.quantity_cancelled for line in lines)
    finished = all(line.quantity_open <= 0 and line.quantity_to_invoice == 0 for line in lines)
    verb = ""
    if order.status == Status.APPROVED and started:
        order.start()
        verb = "started"
    if order.status == Status.IN_PROGRESS and finished:
        order.complete()
        order.processed, order.processed_at, order.processed_by = True, timezone.now(), by
        verb = "completed"
    _save(order, by)
    if verb:
        events.record(verb=f"sales.salesorder.{verb}", target=order, actor=by)
        hooks.transition_done(order, verb=verb, by=by, data={})


@transaction.atomic
def sales_order_refresh(*, order: SalesOrder, by) -> SalesOrder:
    """Re-read what posted invoices bill of each line and what deliveries delivered, and update
    the order's statuses (called after an invoice of the order is posted, voided or cancelled)."""
    from erp.sales import stock

    order = _lock(SalesOrder, order.pk)
    if order.status in (Status.DRAFT, Status.CANCELLED):
        return order
    lines = _order_lines(order)
    billed = invoiced_quantities(sources=lines)
    delivered = stock.delivered_quantities(order, lines)
    for line in lines:
        line.quantity_invoiced = billed.get(line.pk, ZERO)
        line.quantity_delivered = delivered.get(line.pk, ZERO)
    bulk.bulk_update(lines, ["quantity_invoiced", "quantity_delivered"])
    _refresh(order, lines, by=by)
    return order


def on_invoice_transition(document, *, verb: str, by, data: dict) -> None:
    """Transition listener: an invoice of an order was posted, voided or cancelled."""
    if not isinstance(document, CustomerInvoice) or verb not in ("completed", "voided", "cancelled", "reversed"):
        return
    if not document.source_type_id or not document.source_id:
        return
    from django.contrib.contenttypes.models import ContentType

    if document.source_type_id != ContentType.objects.get_for_model(SalesOrder).pk:
        return
    order = SalesOrder.objects.filter(pk=int(document.source_id)).first()
    if order is not None:
        sales_order_refresh(order=order, by=by)


def on_order_transition(document, *, verb: str, by, data: dict) -> None:
    """Transition listener: a confirmed order reserves its stock, a cancelled one gives it back."""
    if not isinstance(document, SalesOrder):
        return
    from erp.sales import stock

    if verb == "approved":
        stock.order_reserve(document)
    elif verb == "cancelled":
        stock.order_release(document)

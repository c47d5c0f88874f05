"""Purchasing operations: requisitions (create, turn their lines into orders or requests for
quotation, from the replenishment suggestions), requests for quotation (create, invite vendors,
enter their replies, award), purchase orders (create, cancel the remainder, keep their progress),
each in one transaction.

    requisition = requisition_create(organization=org, lines=[RequisitionLineData(product=paper,
                                     quantity=Decimal(10), vendor=office_supplies)], by=user)
    documents.document_submit(document=requisition, by=user)   # the workflow may take it
    orders = requisition_order(requisition=requisition, by=buyer)  # one draft order per vendor
    documents.document_submit(document=orders[0], by=buyer)     # approval by amount, if set up

Submitting, approving and cancelling go through ``erp.core.documents.services`` (the generic
actions of the detail pages); what they do for purchasing documents is in
``erp.purchasing.effects``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.core import events
from erp.core.documents import hooks
from erp.core.documents.models import Status
from erp.core.exceptions import ConcurrentModification, DomainError
from erp.core.models import Currency, Organization
from erp.finance import posting
from erp.finance.invoicing.effects import exchange_rate_for
from erp.partners.models import Partner
from erp.purchasing import lines as order_lines
from erp.purchasing import pricing
from erp.purchasing.models import (
    LineState,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceiptLine,
    PurchaseRequisition,
    PurchaseRequisitionLine,
    PurchaseReturnLine,
    RequestForQuotation,
    RequestForQuotationLine,
    RFQQuote,
    RFQVendor,
    SendStatus,
)
from erp.purchasing.models.settings import MismatchAction, PurchasingSettings
from erp.purchasing.selectors import purchasing_settings

ZERO = Decimal("0")
NO_TAX = "no-tax"
ORDERABLE = (Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED)


@dataclass(frozen=True)
class RequisitionLineData:
    """A ``product`` or a free-text ``description``; ``unit_price`` is the estimate (company
    currency); ``vendor`` the suggested vendor."""

    quantity: Decimal = Decimal("1")
    product: object = None
    description: str = ""
    unit: object = None
    unit_price: Decimal = ZERO
    needed_by: date | None = None
    vendor: Partner | None = None


@dataclass(frozen=True)
class OrderLineData:
    """``unit_price`` None: the vendor's price from the catalog (0 without one); ``tax_code``
    None: the product's purchase tax, ``NO_TAX``: none."""

    quantity: Decimal = Decimal("1")
    product: object = None
    description: str = ""
    unit: object = None
    unit_price: Decimal | None = None
    discount_percent: Decimal = ZERO
    tax_code: object = None
    expected_date: date | None = None
    requisition_line: PurchaseRequisitionLine | None = None


@dataclass(frozen=True)
class RFQLineData:
    quantity: Decimal = Decimal("1")
    product: object = None
    description: str = ""
    unit: object = None
    needed_by: date | None = None
    requisition_line: PurchaseRequisitionLine | None = None


@dataclass(frozen=True)
class QuoteData:
    """A vendor's reply to one request line: its unit price, the quantity offered when it differs,
    the lead time in days."""

    unit_price: Decimal
    quantity: Decimal | None = None
    lead_time_days: int | None = None
    notes: str = ""


def _save(document, by) -> None:
    document.updated_by = by
    document.version += 1
    document._history_user = by
    document.save()


def _lock(model, pk: int):
    return model.objects.select_for_update(of=("self",)).get(pk=pk)


def _require_perm(by, permission: str, message: str) -> None:
    if not by.has_perm(permission):
        raise DomainError(message)


def _status_error(document, action: str) -> DomainError:
    return DomainError(
        _("%(document)s has the status “%(status)s”: it cannot be %(action)s.")
        % {"document": document, "status": document.get_status_display(), "action": action}
    )


def _check_line(position: int, *, product, description: str, quantity) -> None:
    if product is None and not description.strip():
        raise DomainError(_("Line %(line)d: enter a description or choose a product.") % {"line": position})
    if Decimal(quantity) <= 0:
        raise DomainError(_("Line %(line)d: the quantity must be greater than zero.") % {"line": position})


def _new_document(model, *, organization: Organization, by, document_date: date | None, currency=None, **fields):
    day = document_date or timezone.localdate()
    code = currency.pk if isinstance(currency, Currency) else currency
    document = model(
        organization=organization,
        document_date=day,
        accounting_date=day,
        currency_id=code or posting.company_currency().code,
        created_by=by,
        updated_by=by,
        **fields,
    )
    document._history_user = by
    return document


# --- requisitions ------------------------------------------------------------------------------------


@transaction.atomic
def requisition_create(
    *,
    organization: Organization,
    lines: Sequence[RequisitionLineData],
    by,
    document_date: date | None = None,
    needed_by: date | None = None,
    description: str = "",
    requested_by=None,
    notes: str = "",
) -> PurchaseRequisition:
    """A draft requisition (estimates in the company currency)."""
    for position, line in enumerate(lines, start=1):
        _check_line(position, product=line.product, description=line.description, quantity=line.quantity)
        if line.vendor is not None and not line.vendor.is_vendor:
            raise DomainError(
                _("Line %(line)d: %(partner)s is not a vendor.") % {"line": position, "partner": line.vendor}
            )
    requisition = _new_document(
        PurchaseRequisition,
        organization=organization,
        by=by,
        document_date=document_date,
        needed_by=needed_by,
        description=description[:255],
        requested_by=requested_by or by,
        notes=notes,
    )
    requisition.save()
    PurchaseRequisitionLine.objects.bulk_create(
        PurchaseRequisitionLine(
            requisition=requisition,
            position=position,
            product=line.product,
            description=line.description[:255],
            quantity=Decimal(line.quantity),
            unit=line.unit,
            unit_price=Decimal(line.unit_price),
            needed_by=line.needed_by,
            vendor=line.vendor,
        )
        for position, line in enumerate(lines, start=1)
    )
    order_lines.requisition_recompute(requisition)
    requisition.save()
    events.record(verb="purchasing.purchaserequisition.created", target=requisition, actor=by)
    return requisition


def _open_lines(requisition: PurchaseRequisition, line_ids: Sequence[int] | None) -> list[PurchaseRequisitionLine]:
    found = (
        requisition.lines.select_for_update(of=("self",))
        .select_related("product", "product__base_uom", "product__purchase_uom", "unit", "vendor")
        .order_by("position", "id")
    )
    if line_ids is not None:
        found = found.filter(pk__in=line_ids)
    rows = [line for line in found if line.is_open]
    if not rows:
        raise DomainError(_("%(requisition)s has no open lines to order.") % {"requisition": requisition})
    return rows


def _requisition_orderable(requisition: PurchaseRequisition, action: str) -> None:
    if requisition.status not in ORDERABLE:
        raise _status_error(requisition, action)


def _requisition_progress(requisition: PurchaseRequisition, *, by) -> None:
    """In Progress once a line is ordered or asked for, Completed once none is open (row locked)."""
    states = list(requisition.lines.values_list("state", flat=True))
    verb = ""
    if requisition.status == Status.APPROVED and any(state != LineState.OPEN for state in states):
        requisition.start()
        verb = "started"
    if requisition.status == Status.IN_PROGRESS and all(state != LineState.OPEN for state in states):
        requisition.complete()
        requisition.processed, requisition.processed_at, requisition.processed_by = True, timezone.now(), by
        verb = "completed"
    _save(requisition, by)
    if verb:
        events.record(verb=f"purchasing.purchaserequisition.{verb}", target=requisition, actor=by)
        hooks.transition_done(requisition, verb=verb, by=by, data={})


def vendor_for(line: PurchaseRequisitionLine, *, on: date) -> Partner | None:
    """The suggested vendor, else the one with the best catalog price for the line's product."""
    if line.vendor_id:
        return line.vendor
    if line.product is None:
        return None
    found = pricing.cheapest_vendor(
        product=line.product,
        quantity=line.quantity,
        unit=line.unit or line.product.purchase_unit,
        on=on,
        currency_code=posting.company_currency().code,
    )
    return found[0] if found else None


@transaction.atomic
def requisition_order(
    *, requisition: PurchaseRequisition, by, line_ids: Sequence[int] | None = None, on: date | None = None
) -> list[PurchaseOrder]:
    """Draft purchase orders for the open lines (``line_ids``: some of them), one per vendor: the
    suggested one, else the cheapest in the catalog. Product lines get the vendor's price; lines
    the vendor has no price for keep the estimate when the order is in the company currency."""
    requisition = _lock(PurchaseRequisition, requisition.pk)
    _requisition_orderable(requisition, _("ordered"))
    _require_perm(by, "purchasing.add_purchaseorder", _("You are not allowed to create purchase orders."))
    day = on or timezone.localdate()
    rows = _open_lines(requisition, line_ids)
    groups: dict[int, tuple[Partner, list[PurchaseRequisitionLine]]] = {}
    for line in rows:
        vendor = vendor_for(line, on=day)
        if vendor is None:
            raise DomainError(
                _("Line %(line)d (%(text)s) has no vendor: choose a suggested vendor or add the vendor's price.")
                % {"line": line.position, "text": line}
            )
        groups.setdefault(vendor.pk, (vendor, []))[1].append(line)
    company = posting.company_currency().code
    orders = []
    for vendor, group in groups.values():
        currency = vendor.currency_id or company
        data = []
        for line in group:
            price = None
            if currency == company and line.unit_price:
                offer = None
                if line.product is not None:
                    offer = pricing.best_offer(
                        product=line.product,
                        vendor_id=vendor.pk,
                        quantity=line.quantity,
                        unit=line.unit or line.product.purchase_unit,
                        on=day,
                        currency_code=currency,
                    )
                price = None if offer is not None else line.unit_price
            data.append(
                OrderLineData(
                    quantity=line.quantity,
                    product=line.product,
                    description=line.description,
                    unit=line.unit,
                    unit_price=price,
                    requisition_line=line,
                )
            )
        orders.append(
            _order_create(
                organization=requisition.organization,
                partner=vendor,
                lines=data,
                by=by,
                document_date=day,
                currency=currency,
                external_reference=requisition.number[:100],
            )
        )
        PurchaseRequisitionLine.objects.filter(pk__in=[line.pk for line in group]).update(state=LineState.ORDERED)
    _requisition_progress(requisition, by=by)
    events.record(
        verb="purchasing.purchaserequisition.ordered",
        target=requisition,
        actor=by,
        data={"orders": ", ".join(str(order.pk) for order in orders)},
    )
    return orders


@transaction.atomic
def requisition_request_quotes(
    *,
    requisition: PurchaseRequisition,
    vendors: Sequence[Partner],
    by,
    line_ids: Sequence[int] | None = None,
    reply_by: date | None = None,
) -> RequestForQuotation:
    """A draft request for quotation of the open lines (``line_ids``: some of them) to ``vendors``
    (the lines' suggested vendors when none are given)."""
    requisition = _lock(PurchaseRequisition, requisition.pk)
    _requisition_orderable(requisition, _("sent out for quotations"))
    _require_perm(by, "purchasing.add_requestforquotation", _("You are not allowed to create requests for quotation."))
    rows = _open_lines(requisition, line_ids)
    invited = list(vendors) or list({line.vendor_id: line.vendor for line in rows if line.vendor_id}.values())
    rfq = _rfq_create(
        organization=requisition.organization,
        lines=[
            RFQLineData(
                quantity=line.quantity,
                product=line.product,
                description=line.description,
                unit=line.unit,
                needed_by=line.needed_by or requisition.needed_by,
                requisition_line=line,
            )
            for line in rows
        ],
        vendors=invited,
        by=by,
        description=(requisition.description or requisition.number)[:255],
        reply_by=reply_by,
        needed_by=requisition.needed_by,
    )
    PurchaseRequisitionLine.objects.filter(pk__in=[line.pk for line in rows]).update(state=LineState.QUOTING)
    _requisition_progress(requisition, by=by)
    events.record(
        verb="purchasing.purchaserequisition.quotes_requested", target=requisition, actor=by, data={"rfq": rfq.pk}
    )
    return rfq


@transaction.atomic
def requisitions_from_replenishment(*, suggestions: Sequence[tuple[object, Decimal]], by) -> list[PurchaseRequisition]:
    """Draft requisitions for reorder suggestions ``(rule, quantity)`` (from
    ``erp.inventory.selectors.replenishment`` and ``suggested_quantity``), one per organization of
    the rules' warehouses; each line is the product in its base unit with the cheapest vendor
    suggested."""
    today = timezone.localdate()
    by_organization: dict[int, tuple[Organization, list[RequisitionLineData]]] = {}
    for rule, quantity in suggestions:
        if quantity <= 0:
            continue
        product = rule.product
        found = pricing.cheapest_vendor(
            product=product,
            quantity=quantity,
            unit=product.base_uom,
            on=today,
            currency_code=posting.company_currency().code,
        )
        organization = rule.warehouse.organization
        by_organization.setdefault(organization.pk, (organization, []))[1].append(
            RequisitionLineData(
                quantity=quantity,
                product=product,
                description=product.name[:255],
                unit=product.base_uom,
                unit_price=found[1].unit_price if found else ZERO,
                vendor=found[0] if found else None,
            )
        )
    if not by_organization:
        raise DomainError(_("Nothing needs to be reordered."))
    return [
        requisition_create(
            organization=organization,
            lines=rows,
            by=by,
            description=_("Replenishment"),
        )
        for organization, rows in by_organization.values()
    ]


# --- requests for quotation -----------------------------------------------------------------------------


def _rfq_create(*, organization, lines, vendors, by, document_date=None, currency=None, **fields):
    for position, line in enumerate(lines, start=1):
        _check_line(position, product=line.product, description=line.description, quantity=line.quantity)
    rfq = _new_document(
        RequestForQuotation, organization=organization, by=by, document_date=document_date, currency=currency, **fields
    )
    rfq.save()
    RequestForQuotationLine.objects.bulk_create(
        RequestForQuotationLine(
            rfq=rfq,
            position=position,
            product=line.product,
            description=(line.description or (line.product.name if line.product else ""))[:255],
            quantity=Decimal(line.quantity),
            unit=line.unit or (line.product.purchase_unit if line.product else None),
            needed_by=line.needed_by,
            requisition_line=line.requisition_line,
        )
        for position, line in enumerate(lines, start=1)
    )
    for vendor in vendors:
        _invite(rfq, vendor)
    events.record(verb="purchasing.requestforquotation.created", target=rfq, actor=by)
    return rfq


@transaction.atomic
def rfq_create(
    *,
    organization: Organization,
    lines: Sequence[RFQLineData],
    vendors: Sequence[Partner] = (),
    by,
    document_date: date | None = None,
    currency: Currency | str | None = None,
    description: str = "",
    reply_by: date | None = None,
    needed_by: date | None = None,
) -> RequestForQuotation:
    """A draft request for quotation with its lines and invited vendors."""
    return _rfq_create(
        organization=organization,
        lines=lines,
        vendors=vendors,
        by=by,
        document_date=document_date,
        currency=currency,
        description=description[:255],
        reply_by=reply_by,
        needed_by=needed_by,
    )


def _invite(rfq: RequestForQuotation, vendor: Partner) -> RFQVendor:
    if not vendor.is_vendor:
        raise DomainError(_("%(partner)s is not a vendor.") % {"partner": vendor}, field="partner")
    if rfq.vendors.filter(partner=vendor).exists():
        raise DomainError(_("%(partner)s is invited already.") % {"partner": vendor}, field="partner")
    return RFQVendor.objects.create(rfq=rfq, partner=vendor)


def _may_change(by) -> None:
    _require_perm(
        by, "purchasing.change_requestforquotation", _("You are not allowed to change requests for quotation.")
    )


def _open_rfq(rfq: RequestForQuotation, *, states, action: str) -> RequestForQuotation:
    rfq = _lock(RequestForQuotation, rfq.pk)
    if rfq.status not in states:
        raise _status_error(rfq, action)
    return rfq


@transaction.atomic
def rfq_vendor_add(*, rfq: RequestForQuotation, partner: Partner, by) -> RFQVendor:
    """Invite another vendor (while the request is a draft or open)."""
    rfq = _open_rfq(rfq, states=(Status.DRAFT, Status.APPROVED), action=_("changed"))
    _require_perm(
        by, "purchasing.change_requestforquotation", _("You are not allowed to change requests for quotation.")
    )
    invited = _invite(rfq, partner)
    events.record(
        verb="purchasing.requestforquotation.vendor_invited", target=rfq, actor=by, data={"vendor": partner.name}
    )
    return invited


@transaction.atomic
def rfq_vendor_remove(*, rfq: RequestForQuotation, vendor_id: int, by) -> None:
    """Take back an invitation that has no reply yet."""
    rfq = _open_rfq(rfq, states=(Status.DRAFT, Status.APPROVED), action=_("changed"))
    _require_perm(
        by, "purchasing.change_requestforquotation", _("You are not allowed to change requests for quotation.")
    )
    invited = rfq.vendors.select_related("partner").filter(pk=vendor_id).first()
    if invited is None:
        raise DomainError(_("This vendor is not invited."))
    if invited.quotes.exists():
        raise DomainError(_("%(partner)s has replied already: its reply stays.") % {"partner": invited.partner})
    invited.delete()
    events.record(
        verb="purchasing.requestforquotation.vendor_removed",
        target=rfq,
        actor=by,
        data={"vendor": invited.partner.name},
    )


@transaction.atomic
def rfq_reply(
    *,
    rfq: RequestForQuotation,
    partner: Partner,
    quotes: Mapping[int, QuoteData],
    by,
    replied_on: date | None = None,
    valid_until: date | None = None,
    reference: str = "",
    notes: str = "",
) -> RFQVendor:
    """Enter (or replace) an invited vendor's reply: a price per request line it quotes (keys:
    line ids; lines it does not quote are left out)."""
    rfq = _open_rfq(rfq, states=(Status.APPROVED,), action=_("answered"))
    _require_perm(
        by, "purchasing.change_requestforquotation", _("You are not allowed to change requests for quotation.")
    )
    invited = RFQVendor.objects.select_for_update().filter(rfq=rfq, partner=partner).first()
    if invited is None:
        raise DomainError(_("%(partner)s was not asked for a quotation.") % {"partner": partner})
    if not quotes:
        raise DomainError(_("Enter a price for at least one line."))
    lines = {line.pk: line for line in rfq.lines.all()}
    rows = []
    for line_id, quote in quotes.items():
        line = lines.get(line_id)
        if line is None:
            raise DomainError(_("The reply names a line of another request."))
        if quote.unit_price < 0:
            raise DomainError(_("Line %(line)d: the price cannot be negative.") % {"line": line.position})
        if quote.quantity is not None and quote.quantity <= 0:
            raise DomainError(
                _("Line %(line)d: the quantity offered must be greater than zero.") % {"line": line.position}
            )
        rows.append(
            RFQQuote(
                vendor=invited,
                line=line,
                unit_price=quote.unit_price,
                quantity=quote.quantity,
                lead_time_days=quote.lead_time_days,
                notes=quote.notes[:255],
            )
        )
    invited.quotes.all().delete()
    RFQQuote.objects.bulk_create(rows)
    invited.replied_on = replied_on or timezone.localdate()
    invited.valid_until, invited.reference, invited.notes = valid_until, reference[:100], notes
    invited.save(update_fields=["replied_on", "valid_until", "reference", "notes"])
    events.record(
        verb="purchasing.requestforquotation.replied",
        target=rfq,
        actor=by,
        data={"vendor": partner.name, "lines": len(rows)},
    )
    return invited


@transaction.atomic
def rfq_award(*, rfq: RequestForQuotation, partner: Partner, by, on: date | None = None) -> PurchaseOrder:
    """Award the request to ``partner``: a draft purchase order of the lines it quoted, at its
    prices, lead times and quantities; the request is completed. Requisition lines the vendor did
    not quote are open again."""
    rfq = _open_rfq(rfq, states=(Status.APPROVED,), action=_("awarded"))
    _require_perm(by, "purchasing.add_purchaseorder", _("You are not allowed to create purchase orders."))
    invited = rfq.vendors.filter(partner=partner).first()
    if invited is None:
        raise DomainError(_("%(partner)s was not asked for a quotation.") % {"partner": partner})
    quotes = {
        quote.line_id: quote
        for quote in invited.quotes.select_related("line", "line__product", "line__unit", "line__requisition_line")
    }
    if not quotes:
        raise DomainError(_("%(partner)s has not replied: enter its prices first.") % {"partner": partner})
    day = on or timezone.localdate()
    data = []
    for line in rfq.lines.select_related("product", "unit", "requisition_line").order_by("position", "id"):
        quote = quotes.get(line.pk)
        if quote is None:
            continue
        data.append(
            OrderLineData(
                quantity=quote.quantity or line.quantity,
                product=line.product,
                description=line.description,
                unit=line.unit,
                unit_price=quote.unit_price,
                expected_date=day + timedelta(days=quote.lead_time_days) if quote.lead_time_days is not None else None,
                requisition_line=line.requisition_line,
            )
        )
    order = _order_create(
        organization=rfq.organization,
        partner=partner,
        lines=data,
        by=by,
        document_date=day,
        currency=rfq.currency_id,
        rfq=rfq,
        vendor_reference=invited.reference,
        external_reference=rfq.number[:100],
    )
    quoted = [line.requisition_line_id for line in rfq.lines.all() if line.pk in quotes and line.requisition_line_id]
    not_quoted = [
        line.requisition_line_id for line in rfq.lines.all() if line.pk not in quotes and line.requisition_line_id
    ]
    PurchaseRequisitionLine.objects.filter(pk__in=quoted).update(state=LineState.ORDERED)
    PurchaseRequisitionLine.objects.filter(pk__in=not_quoted, state=LineState.QUOTING).update(state=LineState.OPEN)
    rfq.complete()
    rfq.awarded_vendor = partner
    rfq.processed, rfq.processed_at, rfq.processed_by = True, timezone.now(), by
    _save(rfq, by)
    events.record(
        verb="purchasing.requestforquotation.awarded",
        target=rfq,
        actor=by,
        data={"vendor": partner.name, "order": str(order.pk)},
    )
    hooks.transition_done(rfq, verb="completed", by=by, data={})
    return order


# --- purchase orders ---------------------------------------------------------------------------------------


def _order_create(*, organization, partner, lines, by, document_date=None, currency=None, **fields) -> PurchaseOrder:
    if not partner.is_vendor:
        raise DomainError(_("%(partner)s is not a vendor.") % {"partner": partner}, field="partner")
    for position, line in enumerate(lines, start=1):
        _check_line(position, product=line.product, description=line.description, quantity=line.quantity)
    order = _new_document(
        PurchaseOrder,
        organization=organization,
        partner=partner,
        by=by,
        document_date=document_date,
        currency=currency or partner.currency_id,
        payment_term=fields.pop("payment_term", None) or partner.vendor_payment_term,
        **fields,
    )
    order.exchange_rate = exchange_rate_for(order)
    order.save()
    rows = []
    for position, line in enumerate(lines, start=1):
        tax = order_lines.product_tax(order, line.product) if line.tax_code is None else line.tax_code
        rows.append(
            PurchaseOrderLine(
                order=order,
                position=position,
                product=line.product,
                description=line.description[:255],
                quantity=Decimal(line.quantity),
                unit=line.unit,
                unit_price=ZERO if line.unit_price is None else Decimal(line.unit_price),
                discount_percent=Decimal(line.discount_percent),
                tax_code=None if tax == NO_TAX else tax,
                expected_date=line.expected_date,
                requisition_line=line.requisition_line,
            )
        )
    PurchaseOrderLine.objects.bulk_create(rows)
    order_lines.order_recompute(order)
    order.save()
    events.record(verb="purchasing.purchaseorder.created", target=order, actor=by)
    return order


@transaction.atomic
def purchase_order_create(
    *,
    organization: Organization,
    partner: Partner,
    lines: Sequence[OrderLineData],
    by,
    document_date: date | None = None,
    currency: Currency | str | None = None,
    **fields,
) -> PurchaseOrder:
    """A draft purchase order; ``fields``: expected_date, payment_term, vendor_reference,
    external_reference, notes. Lines without a price get the vendor's from the catalog."""
    return _order_create(
        organization=organization,
        partner=partner,
        lines=lines,
        by=by,
        document_date=document_date,
        currency=currency,
        **fields,
    )


def _order_lines(order: PurchaseOrder) -> list[PurchaseOrderLine]:
    return list(order.lines.select_for_update(of=("self",)).select_related("product").order_by("position", "id"))


def _order_refresh(order: PurchaseOrder, lines: list[PurchaseOrderLine], *, by) -> None:
    """In Progress once something was received, billed or cancelled; Completed once every line is
    received and billed or cancelled (row locked, lines current)."""
    started = any(line.quantity_received or line.quantity_billed or line.quantity_cancelled for line in lines)
    finished = all(line.quantity_open <= 0 and line.quantity_to_bill <= 0 for line in lines)
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
        events.record(verb=f"purchasing.purchaseorder.{verb}", target=order, actor=by)
        hooks.transition_done(order, verb=verb, by=by, data={})


@transaction.atomic
def purchase_order_cancel_remainder(*, order: PurchaseOrder, by, reason: str) -> PurchaseOrder:
    """Nothing more will come: what each line still has open (not received; services: not
    billed) is cancelled; the order completes once what arrived is billed. An order nothing has
    arrived for is cancelled as a whole instead."""
    if not reason.strip():
        raise DomainError(_("Please give a reason."), field="reason")
    order = _lock(PurchaseOrder, order.pk)
    if order.status not in (Status.APPROVED, Status.IN_PROGRESS):
        raise DomainError(
            _("%(order)s has the status “%(status)s”: there is no remainder to cancel.")
            % {"order": order, "status": order.get_status_display()}
        )
    _require_perm(by, "purchasing.cancel_purchaseorder", _("You are not allowed to cancel purchase orders."))
    lines = _order_lines(order)
    if not any(line.quantity_received or line.quantity_billed for line in lines):
        raise DomainError(_("Nothing of %(order)s has arrived or been billed: cancel the order.") % {"order": order})
    changed = []
    for line in lines:
        if line.quantity_open > 0:
            line.quantity_cancelled += line.quantity_open
            changed.append(line)
    if not changed:
        raise DomainError(_("%(order)s has nothing left to receive.") % {"order": order})
    PurchaseOrderLine.objects.bulk_update(changed, ["quantity_cancelled"])
    order.status_reason = reason.strip()[:255]
    _order_refresh(order, lines, by=by)
    events.record(
        verb="purchasing.purchaseorder.remainder_cancelled",
        target=order,
        actor=by,
        data={"reason": reason.strip(), "lines": len(changed)},
    )
    return order


def order_recipient(order: PurchaseOrder) -> str:
    """The vendor's e-mail, else its primary contact's."""
    partner = order.partner
    if partner is None:
        return ""
    if partner.email:
        return partner.email
    contact = partner.contacts.exclude(email="").order_by("-is_primary", "name").first()
    return contact.email if contact else ""


SENDABLE = (Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED)


def purchase_order_send(*, order: PurchaseOrder, by, to: str = "") -> PurchaseOrder:
    """Queue the e-mail of a confirmed order with its PDF (huey); the task records it as sent."""
    from erp.core.tasks import current_schema
    from erp.purchasing import tasks

    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update(of=("self",)).select_related("partner").get(pk=order.pk)
        if order.status not in SENDABLE:
            raise DomainError(
                _("%(order)s has the status “%(status)s”: only approved orders are sent to the vendor.")
                % {"order": order, "status": order.get_status_display()}
            )
        _require_perm(by, "purchasing.send_purchaseorder", _("You are not allowed to send purchase orders."))
        recipient = to.strip() or order_recipient(order)
        if not recipient:
            raise DomainError(
                _("%(partner)s has no e-mail address: enter the recipient.") % {"partner": order.partner.name},
                field="to",
            )
        try:
            validate_email(recipient)
        except ValidationError:
            raise DomainError(_("Enter a valid e-mail address."), field="to") from None
        order.send_status, order.send_error = SendStatus.QUEUED, ""
        order.save(update_fields=["send_status", "send_error"])
        events.record(verb="purchasing.purchaseorder.sent", target=order, actor=by, data={"to": recipient})
        transaction.on_commit(
            partial(tasks.purchase_order_email, schema_name=current_schema(), order_id=order.pk, recipient=recipient)
        )
    return order


# --- receipts ----------------------------------------------------------------------------------------------

RECEIVABLE = (Status.APPROVED, Status.IN_PROGRESS)
COUNTED = (Status.COMPLETED, Status.CLOSED)


@transaction.atomic
def purchase_order_receive(
    *, order: PurchaseOrder, warehouse, by, quantities: Mapping[int, Decimal] | None = None, on: date | None = None
):
    """A draft goods receipt into ``warehouse`` of what the order's stocked lines still await
    (``quantities`` per order line, in its unit; all that is open by default), each line at the
    order's net unit price in the company currency. Completing the receipt books the stock against
    goods received not invoiced and counts the quantities as received on the order."""
    from erp.inventory.models import GoodsReceipt, GoodsReceiptLine

    order = _lock(PurchaseOrder, order.pk)
    if order.status not in RECEIVABLE:
        raise DomainError(
            _("%(order)s has the status “%(status)s”: only confirmed orders are received.")
            % {"order": order, "status": order.get_status_display()}
        )
    _require_perm(by, "inventory.add_goodsreceipt", _("You are not allowed to create goods receipts."))
    if warehouse.organization_id != order.organization_id:
        raise DomainError(
            _("%(warehouse)s belongs to another organization.") % {"warehouse": warehouse}, field="warehouse"
        )
    lines = [line for line in _order_lines(order) if line.is_stocked]
    pending = pending_receipts(lines)
    wanted = []
    for line in lines:
        still = line.quantity_open - pending.get(line.pk, ZERO)
        quantity = still if quantities is None else Decimal(quantities.get(line.pk, ZERO))
        if quantity < 0:
            raise DomainError(_("Line %(line)d: the quantity cannot be negative.") % {"line": line.position})
        if quantity > still:
            raise DomainError(
                _("Line %(line)d: only %(open)s are still to receive (drafts of receipts included).")
                % {"line": line.position, "open": f"{max(still, ZERO).normalize():f}"}
            )
        if quantity > 0:
            wanted.append((line, quantity))
    if not wanted:
        raise DomainError(_("Nothing of %(order)s is waiting to be received.") % {"order": order})
    day = on or timezone.localdate()
    company = posting.company_currency()
    receipt = GoodsReceipt(
        organization=order.organization,
        warehouse=warehouse,
        partner=order.partner,
        document_date=day,
        accounting_date=day,
        currency=company,
        external_reference=(order.number or "")[:100],
        description=(_("Receipt of %(order)s") % {"order": order})[:255],
        created_by=by,
        updated_by=by,
        status=Status.DRAFT,
    )
    receipt._history_user = by
    receipt.save()
    rows = [
        GoodsReceiptLine(
            document=receipt,
            position=position,
            product=line.product,
            quantity=quantity,
            uom=line.unit,
            unit_cost=(line.unit_net * order.exchange_rate).quantize(Decimal("0.000001")),
        )
        for position, (line, quantity) in enumerate(wanted, start=1)
    ]
    GoodsReceiptLine.objects.bulk_create(rows)
    PurchaseReceiptLine.objects.bulk_create(
        PurchaseReceiptLine(order_line=line, receipt_line=row)
        for (line, _quantity), row in zip(wanted, rows, strict=True)
    )
    events.record(
        verb="purchasing.purchaseorder.receipt_prepared", target=order, actor=by, data={"receipt": str(receipt.pk)}
    )
    return receipt


def pending_receipts(lines: list[PurchaseOrderLine]) -> dict[int, Decimal]:
    """Per order line, what receipts still in draft or review are about to receive."""
    rows = (
        PurchaseReceiptLine.objects.filter(
            order_line__in=lines,
            receipt_line__document__status__in=(Status.DRAFT, Status.IN_REVIEW, Status.APPROVED),
            receipt_line__document__deleted_at__isnull=True,
        )
        .values("order_line_id")
        .annotate(total=Sum("receipt_line__quantity"))
    )
    return {row["order_line_id"]: row["total"] for row in rows}


def received_quantities(lines: list[PurchaseOrderLine]) -> dict[int, Decimal]:
    """Per order line, what completed receipts received less what went back to the vendor."""
    rows = (
        PurchaseReceiptLine.objects.filter(order_line__in=lines, receipt_line__document__status__in=COUNTED)
        .values("order_line_id")
        .annotate(total=Sum("receipt_line__quantity"))
    )
    returned = returned_quantities(lines)
    return {row["order_line_id"]: row["total"] - returned.get(row["order_line_id"], ZERO) for row in rows}


def returned_quantities(lines: list[PurchaseOrderLine]) -> dict[int, Decimal]:
    """Per order line, what returns to vendor sent back (``erp.purchasing.returns``)."""
    rows = (
        PurchaseReturnLine.objects.filter(order_line__in=lines, return_line__document__status__in=COUNTED)
        .values("order_line_id")
        .annotate(total=Sum("return_line__quantity"))
    )
    return {row["order_line_id"]: row["total"] for row in rows}


@transaction.atomic
def purchase_order_refresh(*, order: PurchaseOrder, by) -> PurchaseOrder:
    """Re-read what completed receipts received of each line and move the order on (called when a
    receipt of the order is completed, voided or reversed)."""
    order = _lock(PurchaseOrder, order.pk)
    if order.status not in (Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED):
        return order
    lines = _order_lines(order)
    received = received_quantities(lines)
    for line in lines:
        line.quantity_received = received.get(line.pk, ZERO)
    PurchaseOrderLine.objects.bulk_update(lines, ["quantity_received"])
    if order.status != Status.COMPLETED:
        _order_refresh(order, lines, by=by)
    return order


def on_receipt_transition(document, *, verb: str, by, data: dict) -> None:
    """Transition listener: a receipt of an order was completed, voided or reversed."""
    from erp.inventory.models import GoodsReceipt

    if not isinstance(document, GoodsReceipt) or verb not in ("completed", "voided", "reversed"):
        return
    orders = PurchaseOrder.objects.filter(lines__receipt_links__receipt_line__document=document).distinct()
    for order in orders:
        purchase_order_refresh(order=order, by=by)


def _vendor_address(partner: Partner) -> str:
    if partner.email:
        return partner.email
    contact = partner.contacts.exclude(email="").order_by("-is_primary", "name").first()
    return contact.email if contact else ""


def rfq_send(*, rfq: RequestForQuotation, by) -> list[RFQVendor]:
    """Queue the e-mail of an open request with its PDF to each invited vendor not sent to yet
    (huey); each task records its vendor as sent. Refused when a vendor has no e-mail address."""
    from erp.core.tasks import current_schema
    from erp.purchasing import tasks

    with transaction.atomic():
        rfq = _open_rfq(rfq, states=(Status.APPROVED,), action=_("sent"))
        _require_perm(
            by, "purchasing.send_requestforquotation", _("You are not allowed to send requests for quotation.")
        )
        waiting = list(
            rfq.vendors.select_for_update(of=("self",))
            .select_related("partner")
            .filter(send_status__in=[SendStatus.NOT_SENT, SendStatus.FAILED])
        )
        if not waiting:
            raise DomainError(_("Every invited vendor has the request already."))
        addresses = {invited.pk: _vendor_address(invited.partner) for invited in waiting}
        missing = [str(invited.partner) for invited in waiting if not addresses[invited.pk]]
        if missing:
            raise DomainError(
                _("No e-mail address for %(vendors)s: add one to the vendor first.") % {"vendors": ", ".join(missing)}
            )
        schema = current_schema()
        for invited in waiting:
            invited.send_status, invited.send_error = SendStatus.QUEUED, ""
            invited.save(update_fields=["send_status", "send_error"])
            transaction.on_commit(
                partial(tasks.rfq_email, schema_name=schema, rfq_vendor_id=invited.pk, recipient=addresses[invited.pk])
            )
        events.record(
            verb="purchasing.requestforquotation.sent",
            target=rfq,
            actor=by,
            data={"vendors": ", ".join(str(invited.partner) for invited in waiting)},
        )
    return waiting


# --- settings ----------------------------------------------------------------------------------------


@transaction.atomic
def purchasing_settings_update(
    *,
    expected_version: int,
    by,
    price_tolerance_percent: Decimal,
    quantity_tolerance_percent: Decimal,
    mismatch_action: str,
    mismatch_role=None,
):
    """Change the three-way match's tolerances, what a bill outside them does and the role that
    approves it (None: Manager); refused when someone saved the settings since ``expected_version``."""
    settings = PurchasingSettings.objects.select_for_update().get(pk=purchasing_settings().pk)
    if settings.version != expected_version:
        raise ConcurrentModification(
            _("Someone else changed the settings while you were editing them. Reload the page and try again.")
        )
    for field, value in (
        ("price_tolerance_percent", price_tolerance_percent),
        ("quantity_tolerance_percent", quantity_tolerance_percent),
    ):
        if value is None or not ZERO <= Decimal(value) <= Decimal(100):
            raise DomainError(_("Enter a percentage from 0 to 100."), field=field)
    if mismatch_action not in MismatchAction.values:
        raise DomainError(_("Choose what a bill outside the tolerances does."), field="mismatch_action")
    settings.price_tolerance_percent = Decimal(price_tolerance_percent)
    settings.quantity_tolerance_percent = Decimal(quantity_tolerance_percent)
    settings.mismatch_action = mismatch_action
    settings.mismatch_role = mismatch_role
    settings.version += 1
    settings.updated_by = by
    settings.save()
    events.record(
        verb="purchasing.settings.updated",
        target=settings,
        actor=by,
        data={
            "price_tolerance_percent": str(settings.price_tolerance_percent),
            "quantity_tolerance_percent": str(settings.quantity_tolerance_percent),
            "mismatch_action": settings.mismatch_action,
            "mismatch_role": settings.mismatch_role.name if settings.mismatch_role else "",
        },
    )
    return settings

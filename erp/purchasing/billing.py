"""Vendor bills from a purchase order, and the three-way match (order, receipt, bill).

``purchase_order_bill`` makes a draft vendor bill of what completed receipts of the order
brought in and no bill has claimed yet: one bill line per received receipt line (its source is
the ``PurchaseReceiptLine`` link), at the order's price unless another is given. Posting the
bill (``erp.finance.invoicing``) books each such line as ``bill_lines_split`` says: the received
value clears goods received not invoiced, what the bill charges more or less goes to the
account with the price-difference role (the line's expense account when the chart has none);
in the same transaction ``erp.purchasing.costing`` moves the part of it that belongs to the
received quantity onto the goods (stock still on hand revalued, the issued part re-costed).
Input tax and the payable are the bill's own.

The three-way match compares, per bill line, the billed unit price with the order's and the
billed quantity (with what posted bills billed before) with what was received, using the
tolerances of ``PurchasingSettings`` (``bill_match``, per line). Outside them a bill is either
refused on posting or, on submit, gets an approval step decided by the settings' mismatch role
(Manager when none is set) in the document's approval workflow, as the settings say;
``bill_mismatches`` names the differences.
Posted (and voided) bills set ``quantity_billed`` on the order lines and move the order on; the
vendor's credit notes for goods returned after billing (``erp.purchasing.credits``) bill the same
received lines negatively: they count less billed, claim nothing and are not matched."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case, DecimalField, F, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from erp.accounts import roles
from erp.core import events
from erp.core.documents import hooks
from erp.core.documents.models import ApprovalStatus, Status
from erp.core.exceptions import DomainError
from erp.finance.invoicing import services as invoicing
from erp.finance.invoicing.models import InvoiceKind, VendorBill, VendorBillLine
from erp.finance.models import Account, AccountRole
from erp.purchasing.models import PurchaseOrder, PurchaseOrderLine, PurchaseReceiptLine, PurchaseReturnLine
from erp.purchasing.models.settings import MismatchAction
from erp.purchasing.selectors import purchasing_settings
from erp.workflow.requirements import Requirement

ZERO = Decimal("0")
HUNDRED = Decimal("100")
BILLABLE = (Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED)
RECEIVED = (Status.COMPLETED, Status.CLOSED)
POSTED = (Status.COMPLETED, Status.CLOSED)
NOT_BILLED = (Status.CANCELLED, Status.VOIDED)


def _link_type() -> ContentType:
    return ContentType.objects.get_for_model(PurchaseReceiptLine)


def _bill_lines(**filters):
    return VendorBillLine.objects.filter(source_type=_link_type(), invoice__deleted_at__isnull=True, **filters)


def _net_quantity():
    """A bill line's quantity, negative on a credit note (``erp.purchasing.credits``)."""
    return Sum(
        Case(
            When(invoice__kind=InvoiceKind.CREDIT_NOTE, then=-F("quantity")),
            default=F("quantity"),
            output_field=DecimalField(),
        )
    )


def unbilled_links(order: PurchaseOrder) -> list[PurchaseReceiptLine]:
    """Received lines of completed receipts of ``order`` no bill (but a cancelled or voided one) claims,
    each annotated with ``billable``: what was received less what went back to the vendor before
    it was billed (``erp.purchasing.returns``; lines returned in full are left out)."""
    claimed = _bill_lines(invoice__kind=InvoiceKind.INVOICE).exclude(invoice__status__in=NOT_BILLED).values("source_id")
    returned = (
        PurchaseReturnLine.objects.filter(returned_line=OuterRef("receipt_line"))
        .values("returned_line")
        .annotate(total=Sum("return_line__quantity"))
        .values("total")
    )
    return list(
        PurchaseReceiptLine.objects.filter(
            order_line__order=order, receipt_line__document__status__in=RECEIVED, receipt_line__quantity__gt=0
        )
        .exclude(pk__in=claimed)
        .annotate(
            billable=F("receipt_line__quantity")
            - Coalesce(Subquery(returned), Value(ZERO), output_field=DecimalField())
        )
        .filter(billable__gt=0)
        .select_related("order_line__product", "order_line__unit", "order_line__tax_code", "receipt_line")
        .order_by("order_line__position", "order_line_id", "pk")
    )


def purchase_order_bill(
    *,
    order: PurchaseOrder,
    vendor_invoice_number: str,
    by,
    on: date | None = None,
    prices: Mapping[int, Decimal] | None = None,
) -> VendorBill:
    """A draft vendor bill of what was received of ``order`` and not billed yet (``prices`` per
    order line: the vendor's unit price, before the line's discount; the order's by default)."""
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
        if order.status not in BILLABLE:
            raise DomainError(
                _("%(order)s has the status “%(status)s”: only confirmed orders are billed.")
                % {"order": order, "status": order.get_status_display()}
            )
        if not by.has_perm("finance.add_vendorbill"):
            raise DomainError(_("You are not allowed to enter vendor bills."))
        links = unbilled_links(order)
        if not links:
            raise DomainError(_("Nothing received of %(order)s is waiting to be billed.") % {"order": order})
        prices = prices or {}
        rows = []
        for link in links:
            line = link.order_line
            price = Decimal(prices.get(line.pk, line.unit_price))
            if price < 0:
                raise DomainError(_("Line %(line)d: the price cannot be negative.") % {"line": line.position})
            rows.append(
                invoicing.InvoiceLineData(
                    quantity=link.billable,
                    unit_price=price,
                    discount_percent=line.discount_percent,
                    description=line.description,
                    product=line.product,
                    unit=line.unit,
                    tax_code=line.tax_code or invoicing.NO_TAX,
                    source=link,
                )
            )
        bill = invoicing.vendor_bill_create(
            organization=order.organization,
            partner=order.partner,
            vendor_invoice_number=vendor_invoice_number,
            lines=rows,
            by=by,
            document_date=on,
            currency=order.currency_id,
            payment_term=order.payment_term,
            source=order,
            external_reference=order.number or "",
        )
        events.record(
            verb="purchasing.purchaseorder.bill_prepared", target=order, actor=by, data={"bill": str(bill.pk)}
        )
        return bill


def bills_of_order(order: PurchaseOrder) -> list[VendorBill]:
    """The vendor bills made from ``order`` (newest last)."""
    return list(
        VendorBill.objects.filter(
            source_type=ContentType.objects.get_for_model(PurchaseOrder),
            source_id=str(order.pk),
            deleted_at__isnull=True,
        ).order_by("id")
    )


# --- posting: the received value clears GRNI ------------------------------------------------------


def _role_account(role: str) -> int | None:
    return Account.objects.for_role(role).values_list("pk", flat=True).first()


def bill_lines_split(lines: list[VendorBillLine]) -> list[list[tuple[int, Decimal]]]:
    """The net of each bill line that bills a received order line: the received value (at the
    receipt's cost, in the bill's currency) against GRNI, the rest to the price difference.
    Three queries for the whole bill."""
    links = PurchaseReceiptLine.objects.select_related("receipt_line").in_bulk([int(line.source_id) for line in lines])
    grni_account = _role_account(AccountRole.GOODS_RECEIVED_NOT_INVOICED)
    if grni_account is None:
        raise DomainError(_("No account has the role “goods received not invoiced”."))
    difference_account = _role_account(AccountRole.PRICE_DIFFERENCE)
    splits = []
    for line in lines:
        receipt_line = links[int(line.source_id)].receipt_line
        invoice = line.invoice
        quantity = min(line.quantity, receipt_line.quantity)
        places = Decimal(1).scaleb(-invoice.currency.decimal_places)
        received = (quantity * receipt_line.unit_cost / invoice.exchange_rate).quantize(places)
        difference = line.line_net - received
        if not difference:
            splits.append([(grni_account, received)])
        else:
            splits.append([(grni_account, received), (difference_account or line.account_id, difference)])
    return splits


# --- three-way match ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    line: VendorBillLine
    order_line: PurchaseOrderLine
    billed_before: Decimal
    message: str


@dataclass(frozen=True)
class MatchRow:
    """One bill line against its order line: quantities ordered, received and billed (with what
    posted bills billed before), the order's and the billed unit price (net of discount), the
    value the price difference makes on this line, and what is outside the tolerances."""

    line: VendorBillLine
    order_line: PurchaseOrderLine
    billed_before: Decimal
    billed: Decimal  # billed before plus this bill's lines of the same order line
    order_price: Decimal
    billed_price: Decimal
    problems: tuple[str, ...]

    @property
    def ordered(self) -> Decimal:
        return self.order_line.quantity

    @property
    def received(self) -> Decimal:
        return self.order_line.quantity_received

    @property
    def price_difference(self) -> Decimal:
        return self.billed_price - self.order_price

    @property
    def value_difference(self) -> Decimal:
        """What the line costs more (less) than at the order's price."""
        return self.price_difference * self.line.quantity

    @property
    def within(self) -> bool:
        return not self.problems

    @property
    def message(self) -> str:
        return _(
            "Line %(line)d (%(item)s): ordered %(ordered)s at %(order_price)s, received %(received)s, "
            "billed %(billed)s at %(bill_price)s: %(problems)s."
        ) % {
            "line": self.line.position,
            "item": self.line.description or self.order_line,
            "ordered": _number(self.ordered),
            "order_price": _number(self.order_price),
            "received": _number(self.received),
            "billed": _number(self.billed),
            "bill_price": _number(self.billed_price),
            "problems": "; ".join(self.problems),
        }


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0")


def bill_match(bill: VendorBill) -> list[MatchRow]:
    """Per line of ``bill`` that bills a received order line, the three-way match: the price
    against the order's, the quantity billed (with what posted bills billed before, less what
    posted credit notes of returned goods credited; the bill's own credit notes count with it)
    against what was received, each with the tolerances of the tenant's settings."""
    settings = purchasing_settings()
    lines = list(_bill_lines(invoice=bill).order_by("position", "id"))
    if not lines:
        return []
    links = {
        link.pk: link
        for link in PurchaseReceiptLine.objects.filter(pk__in=[line.source_id for line in lines]).select_related(
            "order_line"
        )
    }
    order_lines = {link.order_line_id for link in links.values()}
    before = dict(
        _bill_lines(invoice__status__in=POSTED)
        .exclude(invoice=bill)
        .exclude(invoice__original=bill)
        .filter(source_id__in=PurchaseReceiptLine.objects.filter(order_line__in=order_lines).values("pk"))
        .values("source_id")
        .annotate(total=_net_quantity())
        .values_list("source_id", "total")
    )
    owners = dict(PurchaseReceiptLine.objects.filter(pk__in=list(before)).values_list("pk", "order_line_id"))
    billed_before: dict[int, Decimal] = {}
    for source_id, total in before.items():
        billed_before[owners[source_id]] = billed_before.get(owners[source_id], ZERO) + total
    billed_here: dict[int, Decimal] = {}
    for line in lines:
        order_line_id = links[line.source_id].order_line_id
        billed_here[order_line_id] = billed_here.get(order_line_id, ZERO) + line.quantity
    # The bill's own posted credit notes (goods returned after it) count with it, less.
    credited = (
        _bill_lines(invoice__status__in=POSTED, invoice__original=bill, invoice__kind=InvoiceKind.CREDIT_NOTE)
        .filter(source_id__in=list(links))
        .values("source_id")
        .annotate(total=Sum("quantity"))
    )
    for row in credited:
        order_line_id = links[row["source_id"]].order_line_id
        billed_here[order_line_id] = billed_here.get(order_line_id, ZERO) - row["total"]
    rows = []
    for line in lines:
        ordered = links[line.source_id].order_line
        ordered_price = ordered.unit_net
        billed_price = line.unit_price * (HUNDRED - line.discount_percent) / HUNDRED
        problems = []
        if ordered_price:
            off = abs(billed_price - ordered_price) / ordered_price * HUNDRED
            if off > settings.price_tolerance_percent:
                problems.append(
                    _("the price differs by %(off)s %% (tolerance %(tolerance)s %%)")
                    % {"off": f"{off:.2f}", "tolerance": _number(settings.price_tolerance_percent)}
                )
        elif billed_price:
            problems.append(_("the order has no price"))
        earlier = billed_before.get(ordered.pk, ZERO)
        allowed = ordered.quantity_received * (HUNDRED + settings.quantity_tolerance_percent) / HUNDRED
        if earlier + billed_here[ordered.pk] > allowed:
            problems.append(
                _("more is billed than was received (tolerance %(tolerance)s %%)")
                % {"tolerance": _number(settings.quantity_tolerance_percent)}
            )
        rows.append(
            MatchRow(
                line=line,
                order_line=ordered,
                billed_before=earlier,
                billed=earlier + billed_here[ordered.pk],
                order_price=ordered_price,
                billed_price=billed_price,
                problems=tuple(problems),
            )
        )
    return rows


def bill_mismatches(bill: VendorBill) -> list[Mismatch]:
    """The lines of ``bill`` outside the tolerances (price against the order, quantity against
    what was received less what posted bills billed before)."""
    return [
        Mismatch(line=row.line, order_line=row.order_line, billed_before=row.billed_before, message=row.message)
        for row in bill_match(bill)
        if not row.within
    ]


def _is_order_bill(document) -> bool:
    return isinstance(document, VendorBill) and not document.is_credit_note and _bill_lines(invoice=document).exists()


def mismatch_role() -> Group:
    """The role that approves a bill outside the tolerances (the settings', else Manager)."""
    role = purchasing_settings().mismatch_role or Group.objects.filter(name=roles.MANAGER).first()
    if role is None:
        raise DomainError(
            _("No role approves the differences of vendor bills: choose one in the purchasing settings."),
        )
    return role


def mismatch_approvals(document, *, by) -> list[Requirement]:
    """Approval requirement (``erp.workflow.requirements``): on submit, a bill of an order outside
    the tolerances gets a step decided by the mismatch role, when the settings ask for an
    approval (blocking tenants refuse it on posting instead: ``match_check``)."""
    if not _is_order_bill(document) or purchasing_settings().mismatch_action != MismatchAction.APPROVAL:
        return []
    mismatches = bill_mismatches(document)
    if not mismatches:
        return []
    events.record(
        verb="purchasing.bill.mismatch",
        target=document,
        actor=by,
        data={"lines": [mismatch.message for mismatch in mismatches]},
    )
    return [Requirement(name=_("Differences from the purchase order"), role=mismatch_role())]


def match_check(document, *, trigger: str, by) -> list[str]:
    """Rule check on posting: a bill outside the tolerances is refused (unless it was approved)."""
    if trigger != hooks.BEFORE_COMPLETE or not _is_order_bill(document):
        return []
    mismatches = bill_mismatches(document)
    if not mismatches:
        return []
    text = " ".join(mismatch.message for mismatch in mismatches)
    if purchasing_settings().mismatch_action == MismatchAction.APPROVAL:
        if document.approval_status == ApprovalStatus.APPROVED:
            return [text]
        raise DomainError(_("The bill differs from the order and needs an approval: %(lines)s") % {"lines": text})
    raise DomainError(_("The bill differs from the order beyond the tolerances: %(lines)s") % {"lines": text})


# --- what was billed ------------------------------------------------------------------------------


def billed_quantities(lines: list[PurchaseOrderLine]) -> dict[int, Decimal]:
    """Per order line, what posted bills billed of it less what posted credit notes credited
    (the vendor's credit note for goods returned after billing: ``erp.purchasing.credits``)."""
    links = dict(PurchaseReceiptLine.objects.filter(order_line__in=lines).values_list("pk", "order_line_id"))
    totals: dict[int, Decimal] = {}
    rows = (
        _bill_lines(invoice__status__in=POSTED, source_id__in=list(links))
        .values("source_id")
        .annotate(total=_net_quantity())
    )
    for row in rows:
        order_line_id = links[row["source_id"]]
        totals[order_line_id] = totals.get(order_line_id, ZERO) + row["total"]
    return totals


def on_bill_transition(document, *, verb: str, by, data: dict) -> None:
    """Transition listener: a bill of an order (or a credit note of returned goods) was posted or
    voided: count what is billed."""
    from erp.purchasing import services

    if not isinstance(document, VendorBill) or verb not in ("completed", "voided"):
        return
    link_ids = _bill_lines(invoice=document).values("source_id")
    orders = PurchaseOrder.objects.filter(lines__receipt_links__in=link_ids).distinct()
    for order in orders:
        with transaction.atomic():
            order = services._lock(PurchaseOrder, order.pk)
            if order.status not in BILLABLE:
                continue
            lines = services._order_lines(order)
            billed = billed_quantities(lines)
            for line in lines:
                line.quantity_billed = billed.get(line.pk, ZERO)
            PurchaseOrderLine.objects.bulk_update(lines, ["quantity_billed"])
            if order.status != Status.COMPLETED:
                services._order_refresh(order, lines, by=by)

"""The vendor's credit note for goods returned to the vendor after they were billed.

A return to vendor (``erp.purchasing.returns``) of goods a posted bill had billed leaves its
debit on goods received not invoiced: the vendor owes the money back. ``purchase_return_credit``
makes the draft vendor credit note of it: credit note of the bill that billed the returned lines
(``original``), its source the return, one line per returned line that was billed — the returned
quantity (less what credit notes of this return credited already, at most what the bill billed
of the received line less what its credit notes credited) at the bill line's price, discount and
tax, its source the same ``PurchaseReceiptLine`` link as the bill line. Posting it is the bill's
posting with the sides swapped (``billing.bill_lines_split``): GRNI credited at the received
cost, the price difference to the price-difference account, input tax and the payable reduced;
the order lines' ``quantity_billed`` goes down (``billing.billed_quantities``).

Which part of a return was billed: per received line, the returns in the order they were made
use up first what no bill billed of it (a return before billing makes the bill bill less; such a
return needs no credit note), the rest of them was billed.

One credit note per return and bill: the vendor's credit note number is entered once per vendor,
so when the returned goods were billed on several bills the return is refused (enter those credit
notes by hand, one per bill)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.core import events
from erp.core.exceptions import DomainError
from erp.finance.invoicing import services as invoicing
from erp.finance.invoicing.models import InvoiceKind, VendorBill, VendorBillLine
from erp.inventory.models import GoodsReceipt
from erp.purchasing.billing import NOT_BILLED, _bill_lines
from erp.purchasing.models import PurchaseReceiptLine, PurchaseReturnLine

ZERO = Decimal("0")


@dataclass
class CreditRow:
    """A returned line of a return to vendor: what of it was billed, on which bill line, and what
    is still to credit (its unit)."""

    return_link: PurchaseReturnLine
    receipt_link: PurchaseReceiptLine | None
    returned: Decimal
    billed: Decimal  # the part of the return that had been billed
    credited: Decimal  # what credit notes of this return credited of it (not cancelled or voided)
    bill_line: VendorBillLine | None
    room: Decimal  # what the bill billed of the received line less what its credit notes credited

    @property
    def to_credit(self) -> Decimal:
        return max(min(self.billed - self.credited, self.room), ZERO)


def _return_type() -> ContentType:
    return ContentType.objects.get_for_model(GoodsReceipt)


def credit_notes_of_return(document: GoodsReceipt) -> list[VendorBill]:
    """The vendor credit notes made for the return ``document`` (newest last)."""
    return list(
        VendorBill.objects.filter(
            kind=InvoiceKind.CREDIT_NOTE,
            source_type=_return_type(),
            source_id=str(document.pk),
            deleted_at__isnull=True,
        ).order_by("id")
    )


def credit_notes_of_bills(bills: list[VendorBill]) -> list[VendorBill]:
    """The vendor credit notes of ``bills`` (newest last)."""
    if not bills:
        return []
    return list(
        VendorBill.objects.filter(original__in=bills, kind=InvoiceKind.CREDIT_NOTE, deleted_at__isnull=True).order_by(
            "id"
        )
    )


def credit_rows(document: GoodsReceipt) -> list[CreditRow]:
    """Per returned line of the return ``document``, what of it was billed and is still to credit."""
    return_links = list(
        PurchaseReturnLine.objects.filter(return_line__document=document)
        .select_related("return_line", "returned_line")
        .order_by("return_line__position", "return_line_id")
    )
    if not return_links:
        return []
    received_ids = [link.returned_line_id for link in return_links]
    receipt_links = {
        link.receipt_line_id: link
        for link in PurchaseReceiptLine.objects.filter(receipt_line_id__in=received_ids).select_related("receipt_line")
    }
    link_ids = [link.pk for link in receipt_links.values()]
    active = _bill_lines(source_id__in=link_ids).exclude(invoice__status__in=NOT_BILLED)
    # What bills (not credit notes) billed per received line, and their lines, oldest first.
    bill_lines: dict[int, list[VendorBillLine]] = defaultdict(list)
    for line in (
        active.filter(invoice__kind=InvoiceKind.INVOICE)
        .select_related("invoice", "product", "unit", "tax_code", "account")
        .order_by("invoice_id", "position", "id")
    ):
        bill_lines[line.source_id].append(line)
    credit_notes = active.filter(invoice__kind=InvoiceKind.CREDIT_NOTE)
    # What credit notes credited per (received line, bill), and per received line for this return.
    credited_on_bill = {
        (row["source_id"], row["invoice__original_id"]): row["total"]
        for row in credit_notes.values("source_id", "invoice__original_id").annotate(total=Sum("quantity"))
    }
    credited_here = dict(
        credit_notes.filter(invoice__source_type=_return_type(), invoice__source_id=str(document.pk))
        .values("source_id")
        .annotate(total=Sum("quantity"))
        .values_list("source_id", "total")
    )
    # All returns of these received lines in the order they were made: they use up what no bill
    # billed of the received line first.
    earlier: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for returned_line_id, return_line_id, quantity in (
        PurchaseReturnLine.objects.filter(returned_line_id__in=received_ids)
        .order_by("return_line_id")
        .values_list("returned_line_id", "return_line_id", "return_line__quantity")
    ):
        earlier[returned_line_id].append((return_line_id, quantity))
    rows = []
    for return_link in return_links:
        receipt_link = receipt_links.get(return_link.returned_line_id)
        returned = return_link.return_line.quantity
        lines = bill_lines.get(receipt_link.pk, []) if receipt_link is not None else []
        billed_total = sum((line.quantity for line in lines), ZERO)
        unbilled = max(return_link.returned_line.quantity - billed_total, ZERO)
        billed = ZERO
        for return_line_id, quantity in earlier[return_link.returned_line_id]:
            taken = min(quantity, unbilled)
            unbilled -= taken
            if return_line_id == return_link.return_line_id:
                billed = quantity - taken
                break
        bill_line = lines[0] if lines else None
        room = ZERO
        if bill_line is not None:
            of_bill = sum((line.quantity for line in lines if line.invoice_id == bill_line.invoice_id), ZERO)
            room = of_bill - credited_on_bill.get((receipt_link.pk, bill_line.invoice_id), ZERO)
        rows.append(
            CreditRow(
                return_link=return_link,
                receipt_link=receipt_link,
                returned=returned,
                billed=billed,
                credited=credited_here.get(receipt_link.pk, ZERO) if receipt_link is not None else ZERO,
                bill_line=bill_line,
                room=room,
            )
        )
    return rows


def is_return(document) -> bool:
    return (
        isinstance(document, GoodsReceipt)
        and document.reversal_of_id is not None
        and PurchaseReturnLine.objects.filter(return_line__document=document).exists()
    )


def creditable(rows: list[CreditRow]) -> bool:
    """Something of these returned lines was billed by a posted bill and is not credited yet."""
    return any(row.to_credit > 0 and row.bill_line.invoice.is_posted for row in rows)


def can_credit(document: GoodsReceipt) -> bool:
    """Something of the return ``document`` was billed by a posted bill and is not credited yet."""
    return creditable(credit_rows(document))


def purchase_return_credit(
    *, document: GoodsReceipt, vendor_invoice_number: str, by, on: date | None = None
) -> VendorBill:
    """The draft vendor credit note for the goods the return to vendor ``document`` sent back
    after a posted bill had billed them (``vendor_invoice_number``: the number of the vendor's
    credit note; ``on``: its date, today by default)."""
    with transaction.atomic():
        if not by.has_perm("finance.add_vendorbill"):
            raise DomainError(_("You are not allowed to enter vendor bills."))
        # Lock the return so two credit notes of it wait for each other.
        document = GoodsReceipt.objects.select_for_update(of=("self",)).get(pk=document.pk)
        if not is_return(document):
            raise DomainError(_("%(document)s is not a return to vendor of a purchase order.") % {"document": document})
        rows = [row for row in credit_rows(document) if row.billed > 0]
        if not rows:
            raise DomainError(
                _(
                    "Nothing %(document)s sent back had been billed: no credit note is needed, the return "
                    "reduced what is billed of the order."
                )
                % {"document": document}
            )
        bills = {row.bill_line.invoice_id: row.bill_line.invoice for row in rows}
        if len(bills) > 1:
            raise DomainError(
                _(
                    "The goods %(document)s sent back were billed on several bills (%(bills)s): enter the "
                    "vendor's credit notes by hand, one per bill."
                )
                % {"document": document, "bills": ", ".join(str(bill) for bill in bills.values())}
            )
        (bill,) = bills.values()
        if not bill.is_posted:
            raise DomainError(
                _("%(bill)s, which billed the returned goods, has the status “%(status)s”: post it first.")
                % {"bill": bill, "status": bill.get_status_display()}
            )
        rows = [row for row in rows if row.to_credit > 0]
        if not rows:
            notes = ", ".join(str(note) for note in credit_notes_of_return(document))
            raise DomainError(
                _("What %(document)s sent back has been credited already (%(notes)s).")
                % {"document": document, "notes": notes or bill}
            )
        earliest = max(bill.document_date, bill.accounting_date)
        day = on or max(timezone.localdate(), earliest)
        if day < earliest:
            raise DomainError(
                _("A credit note cannot be dated before the bill it credits (%(bill)s, %(date)s).")
                % {"bill": bill, "date": earliest},
                field="on",
            )
        lines = [
            invoicing.InvoiceLineData(
                quantity=row.to_credit,
                unit_price=row.bill_line.unit_price,
                discount_percent=row.bill_line.discount_percent,
                description=row.bill_line.description,
                product=row.bill_line.product,
                unit=row.bill_line.unit,
                tax_code=row.bill_line.tax_code or invoicing.NO_TAX,
                account=row.bill_line.account,
                analytic_tag=row.bill_line.analytic_tag,
                source=row.receipt_link,
            )
            for row in rows
        ]
        note = invoicing.vendor_bill_create(
            organization=bill.organization,
            partner=bill.partner,
            vendor_invoice_number=vendor_invoice_number,
            lines=lines,
            by=by,
            kind=InvoiceKind.CREDIT_NOTE,
            document_date=day,
            currency=bill.currency_id,
            exchange_rate=bill.exchange_rate,
            payment_term=bill.payment_term,
            original=bill,
            source=document,
            external_reference=bill.number or "",
            notes=_("Goods returned to the vendor: %(document)s") % {"document": document.number},
        )
        events.record(
            verb="inventory.goodsreceipt.credit_note_prepared",
            target=document,
            actor=by,
            data={"credit_note": str(note.pk), "bill": str(bill.pk)},
        )
        return note

"""Writing open items and settling them with each other.

``open_items_create`` is called by the posting of invoices and payments. ``allocate`` settles
one charge (an invoice installment, a refund paid out) with one credit (a payment, a credit
note), with an optional early-payment discount, and posts what the ledger needs so that the
receivable (payable) accounts keep equalling the open items:

- the discount, split by the invoice's tax codes into the discount account and a tax
  correction, against the partner's account (in the invoice currency at its booking rate);
- the exchange difference between the two items' booking rates, to the exchange gain or loss
  account (in the company currency).

``allocation_remove`` undoes an allocation: its entries are voided on their own dates, so every
report at every date stays as if the allocation had never been made."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from erp.core import events
from erp.core.currency import quantize
from erp.core.exceptions import DomainError
from erp.finance import posting
from erp.finance.amounts import money_text
from erp.finance.journal.models import Correction, JournalEntry
from erp.finance.models import Account, AccountRole
from erp.finance.openitems.models import Allocation, OpenItem, Side
from erp.finance.posting import PostingLine

ZERO = Decimal("0")
HUNDRED = Decimal("100")


class AllocationRefused(DomainError):
    pass


@dataclass(frozen=True)
class ItemData:
    """One open item to write (amounts signed, see ``OpenItem``)."""

    due_date: date
    amount: Decimal
    amount_company: Decimal
    discount_date: date | None = None
    discount_amount: Decimal = ZERO


def open_items_create(
    *,
    side: str,
    source,
    partner_id: int,
    account_id: int,
    organization_id: int,
    currency_id: str,
    journal_entry: JournalEntry,
    reference: str,
    on: date,
    items: Sequence[ItemData],
) -> list[OpenItem]:
    """The open items of a posted document (``source``: a customer invoice, vendor bill or payment)."""
    from erp.finance.invoicing.models import CustomerInvoice, VendorBill
    from erp.finance.payments.models import Payment

    source_field = {CustomerInvoice: "customer_invoice", VendorBill: "vendor_bill", Payment: "payment"}[type(source)]
    rows = [
        OpenItem(
            side=side,
            organization_id=organization_id,
            partner_id=partner_id,
            account_id=account_id,
            currency_id=currency_id,
            journal_entry=journal_entry,
            installment=number,
            installments=len(items),
            reference=reference[:40],
            document_date=on,
            due_date=item.due_date,
            discount_date=item.discount_date,
            discount_amount=item.discount_amount,
            amount=item.amount,
            amount_company=item.amount_company,
            open_amount=item.amount,
            open_amount_company=item.amount_company,
            **{source_field: source},
        )
        for number, item in enumerate(items, start=1)
        if item.amount
    ]
    return OpenItem.objects.bulk_create(rows)


def split_company(amounts: Sequence[Decimal], *, total_company: Decimal, places: int) -> list[Decimal]:
    """``total_company`` shared out in proportion to ``amounts``; the last share takes the rounding."""
    total = sum(amounts, ZERO)
    shares, running = [], ZERO
    for index, amount in enumerate(amounts):
        if index == len(amounts) - 1:
            shares.append(total_company - running)
        else:
            share = quantize(total_company * amount / total, places) if total else ZERO
            shares.append(share)
            running += share
    return shares


# --- allocation -----------------------------------------------------------------------------------


def _lock(*items: OpenItem) -> list[OpenItem]:
    """The items re-read under a row lock, in id order (a fixed order: no deadlocks)."""
    rows = OpenItem.objects.select_for_update().filter(pk__in=[item.pk for item in items]).order_by("pk")
    locked = {item.pk: item for item in rows}
    return [locked[item.pk] for item in items]


def _share(part: Decimal, of: Decimal, total_company: Decimal, places: int) -> Decimal:
    return quantize(total_company * part / of, places) if of else ZERO


def _role_account(role: str) -> Account:
    account = Account.objects.for_role(role).order_by("code").first()
    if account is None:
        raise AllocationRefused(
            _("The chart of accounts has no account with the role “%(role)s”: give one account that role first.")
            % {"role": AccountRole(role).label}
        )
    return account


def _check(charge: OpenItem, credit: OpenItem, *, amount: Decimal, discount: Decimal, on: date) -> None:
    if charge.amount <= 0 or credit.amount >= 0:
        raise AllocationRefused(_("An invoice can only be settled with a payment or a credit note."))
    if (charge.side, charge.partner_id) != (credit.side, credit.partner_id):
        raise AllocationRefused(_("Both items must belong to the same partner."))
    if charge.currency_id != credit.currency_id:
        raise AllocationRefused(
            _("%(charge)s is in %(a)s and %(credit)s in %(b)s: only items in the same currency can be matched.")
            % {"charge": charge, "a": charge.currency_id, "credit": credit, "b": credit.currency_id}
        )
    if charge.account_id != credit.account_id:
        raise AllocationRefused(
            _("%(charge)s and %(credit)s were posted to different accounts and cannot be matched.")
            % {"charge": charge, "credit": credit}
        )
    if amount < 0 or discount < 0 or (amount == 0 and discount == 0):
        raise AllocationRefused(_("Enter an amount greater than zero."), field="amount")
    if amount > -credit.open_amount:
        raise AllocationRefused(
            _("%(credit)s has only %(open)s left to allocate.")
            % {"credit": credit, "open": money_text(-credit.open_amount, credit.currency_id)},
            field="amount",
        )
    if amount + discount > charge.open_amount:
        raise AllocationRefused(
            _("%(charge)s has only %(open)s open.")
            % {"charge": charge, "open": money_text(charge.open_amount, charge.currency_id)},
            field="amount",
        )
    if discount and credit.payment_id is None:
        raise AllocationRefused(_("An early-payment discount is only taken with a payment."), field="discount")
    latest = max(charge.document_date, credit.document_date)
    if on < latest:
        raise AllocationRefused(
            _("The allocation date cannot be before %(date)s, the date of the later document.")
            % {"date": date_format(latest, "SHORT_DATE_FORMAT")},
            field="date",
        )


def allocate(
    *, charge: OpenItem, credit: OpenItem, amount: Decimal, discount: Decimal = ZERO, on: date, by
) -> Allocation:
    """Settle ``amount`` of ``charge`` with ``credit`` (and ``discount`` more of ``charge``)."""
    amount, discount = Decimal(amount), Decimal(discount)
    with transaction.atomic(savepoint=False):
        charge, credit = _lock(charge, credit)
        _check(charge, credit, amount=amount, discount=discount, on=on)
        places = posting.company_currency().decimal_places
        cleared = amount + discount
        if cleared == charge.open_amount:
            charge_company = charge.open_amount_company
        else:
            charge_company = _share(cleared, charge.amount, charge.amount_company, places)
        if amount == -credit.open_amount:
            credit_company = -credit.open_amount_company
        else:
            credit_company = _share(amount, -credit.amount, -credit.amount_company, places)
        if amount == 0:
            discount_company = charge_company
        else:
            discount_company = min(_share(discount, charge.amount, charge.amount_company, places), charge_company)
        allocation = Allocation(
            side=charge.side,
            partner_id=charge.partner_id,
            charge=charge,
            credit=credit,
            date=on,
            amount=amount,
            discount=discount,
            charge_company=charge_company,
            credit_company=credit_company,
            discount_company=discount_company,
            exchange_difference=credit_company - charge_company + discount_company,
            created_by=by,
        )
        source = credit.source
        if discount:
            allocation.discount_entry = _post_discount(allocation, source=source, by=by)
        if allocation.exchange_difference:
            allocation.exchange_entry = _post_exchange_difference(allocation, source=source, by=by)
        allocation.save()
        _reduce(charge, cleared, charge_company, on)
        _reduce(credit, -amount, -credit_company, on)
        events.record(
            verb="finance.openitem.allocated",
            target=source,
            actor=by,
            data={
                "invoice": charge.reference,
                "amount": str(amount),
                "discount": str(discount),
                "exchange_difference": str(allocation.exchange_difference),
            },
        )
    return allocation


def _reduce(item: OpenItem, amount: Decimal, amount_company: Decimal, on: date) -> None:
    item.open_amount -= amount
    item.open_amount_company -= amount_company
    if item.open_amount == 0:
        item.open_amount_company = ZERO
        latest = (
            Allocation.objects.filter(**{"charge" if item.amount > 0 else "credit": item})
            .aggregate(latest=Max("date"))
            .get("latest")
        )
        item.settled_on = max(on, latest) if latest else on
    item.save(update_fields=["open_amount", "open_amount_company", "settled_on"])


def _discount_parts(charge: OpenItem, discount: Decimal, places: int) -> list[tuple[int | None, Decimal, Decimal]]:
    """The discount split like the invoice's gross amounts by tax code: (tax account, tax rate,
    gross share). Lines without tax give (None, 0, share)."""
    invoice = charge.customer_invoice or charge.vendor_bill
    groups: dict[tuple[int | None, Decimal, bool], Decimal] = {}
    if invoice is not None:
        for line in invoice.lines.select_related("tax_code"):
            tax = line.tax_code
            key = (tax.account_id, tax.rate, tax.price_included) if tax else (None, ZERO, False)
            groups[key] = groups.get(key, ZERO) + line.line_gross
    groups = {key: gross for key, gross in groups.items() if gross}
    if not groups:
        return [(None, ZERO, discount)]
    keys = list(groups)
    shares = split_company([groups[key] for key in keys], total_company=discount, places=places)
    return [(key[0], key[1], share) for key, share in zip(keys, shares, strict=True)]


def _post_discount(allocation: Allocation, *, source, by) -> JournalEntry:
    """Discount net to the discount account and its tax back to the tax account, against the partner."""
    charge = allocation.charge
    receivable = charge.side == Side.RECEIVABLE
    currency = charge.currency
    places = currency.decimal_places
    discount_account = _role_account(AccountRole.DISCOUNT_GRANTED if receivable else AccountRole.DISCOUNT_RECEIVED)
    amounts: list[tuple[int, Decimal]] = []
    for tax_account, rate, gross in _discount_parts(charge, allocation.discount, places):
        tax = quantize(gross * rate / (HUNDRED + rate), places) if tax_account else ZERO
        amounts.append((discount_account.pk, gross - tax))
        if tax:
            amounts.append((tax_account, tax))
    merged: dict[int, Decimal] = {}
    for account_id, value in amounts:
        merged[account_id] = merged.get(account_id, ZERO) + value
    accounts = [account_id for account_id, value in merged.items() if value]
    companies = split_company(
        [merged[account_id] for account_id in accounts],
        total_company=allocation.discount_company,
        places=posting.company_currency().decimal_places,
    )
    text = _("Early-payment discount on %(invoice)s") % {"invoice": charge.reference}
    lines = [
        PostingLine(
            account=charge.account_id,
            partner=charge.partner_id,
            description=text,
            **(
                {"credit": allocation.discount, "credit_company": allocation.discount_company}
                if receivable
                else {"debit": allocation.discount, "debit_company": allocation.discount_company}
            ),
        )
    ]
    for account_id, company in zip(accounts, companies, strict=True):
        value = merged[account_id]
        lines.append(
            PostingLine(
                account=account_id,
                description=text,
                **(
                    {"debit": value, "debit_company": company}
                    if receivable
                    else {"credit": value, "credit_company": company}
                ),
            )
        )
    return posting.post_entry(
        lines=lines,
        on=allocation.date,
        organization=charge.organization,
        description=text,
        source=source,
        by=by,
        currency=currency,
        exchange_rate=quantize(charge.amount_company / charge.amount, 8),
    )


def _post_exchange_difference(allocation: Allocation, *, source, by) -> JournalEntry:
    """The realised exchange difference in the company currency: the partner's account moves by
    ``exchange_difference`` in its normal direction, against exchange gain or loss."""
    charge = allocation.charge
    difference = allocation.exchange_difference
    receivable = charge.side == Side.RECEIVABLE
    # A positive difference raises the partner's balance: a gain on receivables, a loss on payables.
    gain = (difference > 0) == receivable
    other = _role_account(AccountRole.EXCHANGE_GAIN if gain else AccountRole.EXCHANGE_LOSS)
    value = abs(difference)
    partner_debit = (difference > 0) == receivable
    text = _("Exchange difference on %(invoice)s") % {"invoice": charge.reference}
    lines = [
        PostingLine(
            account=charge.account_id,
            partner=charge.partner_id,
            description=text,
            **({"debit": value} if partner_debit else {"credit": value}),
        ),
        PostingLine(account=other, description=text, **({"credit": value} if partner_debit else {"debit": value})),
    ]
    return posting.post_entry(
        lines=lines, on=allocation.date, organization=charge.organization, description=text, source=source, by=by
    )


def discount_available(item: OpenItem, *, on: date) -> Decimal:
    """The early-payment discount still open on ``item`` on ``on``, in proportion to what is open."""
    if item.amount > 0 and item.discount_date and on <= item.discount_date and item.discount_amount:
        return quantize(item.discount_amount * item.open_amount / item.amount, item.currency.decimal_places)
    return ZERO


def match(
    *, charge: OpenItem, credit: OpenItem, on: date, by, amount: Decimal | None = None, discount: Decimal | None = None
) -> Allocation:
    """``allocate`` with the blanks filled: the discount the terms give when a payment settles the
    invoice in time, and as much as both items allow."""
    with transaction.atomic():
        charge, credit = _lock(charge, credit)
        if discount is None:
            available = discount_available(charge, on=on) if credit.payment_id else ZERO
            settles = -credit.open_amount + available >= charge.open_amount
            discount = available if settles and (amount is None or amount + available >= charge.open_amount) else ZERO
        if amount is None:
            amount = max(min(-credit.open_amount, charge.open_amount - discount), ZERO)
        return allocate(charge=charge, credit=credit, amount=amount, discount=discount, on=on, by=by)


def auto_match(*, side: str, partner, on: date, by) -> list[Allocation]:
    """Match the partner's open credits with its open charges, oldest first on both sides (same
    currency and account only), with the discounts due; returns the allocations made."""
    made: list[Allocation] = []
    with transaction.atomic():
        items = OpenItem.objects.open().filter(side=side, partner=partner, document_date__lte=on)
        credits = list(items.credits().select_for_update().order_by("document_date", "id"))
        charges = list(items.charges().select_for_update().order_by("due_date", "id"))
        for credit in credits:
            for charge in charges:
                if credit.open_amount == 0:
                    break
                if charge.open_amount == 0 or (charge.currency_id, charge.account_id) != (
                    credit.currency_id,
                    credit.account_id,
                ):
                    continue
                made.append(match(charge=charge, credit=credit, on=on, by=by))
                charge.refresh_from_db()
                credit.refresh_from_db()
    return made


# --- undoing ---------------------------------------------------------------------------------------


def journal_entry_void(entry: JournalEntry, *, by) -> None:
    """Void a posted entry on its own date (a mirror entry), as a document void would."""
    entry = JournalEntry.objects.select_for_update().get(pk=entry.pk)
    posting.reverse_entry(entry=entry, on=entry.accounting_date, by=by, correction=Correction.VOID)
    entry.void()
    entry.updated_by = by
    entry.save(update_fields=["status", "updated_by", "updated_at"])


def allocation_remove(*, allocation: Allocation, by) -> None:
    """Undo ``allocation``: both items are open again by what it took, its entries voided."""
    with transaction.atomic(savepoint=False):
        allocation = Allocation.objects.select_for_update().select_related("charge", "credit").get(pk=allocation.pk)
        charge, credit = _lock(allocation.charge, allocation.credit)
        for entry in (allocation.discount_entry, allocation.exchange_entry):
            if entry is not None:
                journal_entry_void(entry, by=by)
        charge.open_amount += allocation.amount + allocation.discount
        charge.open_amount_company += allocation.charge_company
        credit.open_amount -= allocation.amount
        credit.open_amount_company -= allocation.credit_company
        for item in (charge, credit):
            item.settled_on = None
            if item.open_amount == item.amount:
                item.open_amount_company = item.amount_company
        source = credit.source
        allocation.delete()
        for item in (charge, credit):
            item.save(update_fields=["open_amount", "open_amount_company", "settled_on"])
        events.record(
            verb="finance.openitem.unallocated",
            target=source,
            actor=by,
            data={"invoice": charge.reference, "amount": str(allocation.amount)},
        )


def allocation_blockers(items) -> list[str]:
    """Why documents with these items cannot be voided: what has been allocated to them."""
    allocations = Allocation.objects.filter(charge__in=items) | Allocation.objects.filter(credit__in=items)
    references = sorted(
        {reference for pair in allocations.values_list("charge__reference", "credit__reference") for reference in pair}
    )
    if not references:
        return []
    return [
        _("It is matched with %(documents)s: remove those allocations on the matching screen first.")
        % {"documents": ", ".join(references)}
    ]

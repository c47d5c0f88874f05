"""What posting an invoice writes: one journal entry and its open items.

Customer invoice: receivable (gross, with the partner) against revenue per account and output
tax per tax code. Vendor bill: expense per account and input tax against the payable. A credit
note posts the same with debits and credits swapped, and settles the invoice it credits.

In a foreign currency the entry is in the invoice's currency at the invoice's rate; the
company-currency amounts are computed here (``posting.to_company_amounts``, the same rounding
``post_entry`` applies) and passed with the lines, so the open items carry exactly the
company amount the partner line was posted with.

Other modules may book a line's net amount to several accounts — purchasing clears goods
received not invoiced and books the price difference for a bill line that invoices a goods
receipt: ``register_line_split(ReceiptLine, split)`` where ``split(lines)`` gets all lines of
the invoice with such a source (to look up what they need at once) and returns, per line and in
their order, ``[(account_id, amount), …]`` adding up to the line's net amount (in the invoice
currency)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext as _

from erp.core.documents import totals as document_totals
from erp.core.exceptions import DomainError
from erp.finance import posting
from erp.finance.invoicing.lines import is_sales
from erp.finance.invoicing.models import InvoiceBase, InvoiceLineBase
from erp.finance.openitems import services as openitems
from erp.finance.openitems.services import ItemData
from erp.finance.posting import PostingLine
from erp.partners.selectors import default_address, partner_accounts

ZERO = Decimal("0")

LineSplit = Callable[[list[InvoiceLineBase]], list[list[tuple[int, Decimal]]]]
_splits: dict[type[models.Model], LineSplit] = {}


def register_line_split(model: type[models.Model], split: LineSplit) -> LineSplit:
    """Lines whose source is a ``model`` row are posted as ``split(lines)`` says."""
    _splits[model] = split
    return split


def _split_for(line: InvoiceLineBase) -> LineSplit | None:
    if line.source_type_id is None or not _splits:
        return None
    model = ContentType.objects.get_for_id(line.source_type_id).model_class()
    return _splits.get(model)


def partner_account_id(invoice: InvoiceBase) -> int:
    accounts = partner_accounts(invoice.partner)
    account = accounts["receivable" if is_sales(invoice) else "payable"]
    if account is None:
        raise DomainError(
            _("%(partner)s has no %(side)s account and the chart has none with that role.")
            % {"partner": invoice.partner, "side": _("receivable") if is_sales(invoice) else _("payable")}
        )
    return account.pk


def payment_term_for(invoice: InvoiceBase):
    if invoice.payment_term_id:
        return invoice.payment_term
    partner = invoice.partner
    return partner.payment_term if is_sales(invoice) else partner.vendor_payment_term


def _net_amounts(lines: list[InvoiceLineBase], totals: document_totals.Totals) -> dict[tuple[int, str], Decimal]:
    """Net per (account, analytic tag); per tax code the nets add up to that code's taxable base
    (with tax-inclusive prices the base is computed on the group: its rounding goes to the
    group's largest line)."""
    split_lines: dict[LineSplit, list[InvoiceLineBase]] = {}
    for line in lines:
        split = _split_for(line)
        if split is not None:
            split_lines.setdefault(split, []).append(line)
    split_parts: dict[int, list[tuple[int, Decimal]]] = {}
    for split, group in split_lines.items():
        split_parts.update(zip(map(id, group), split(group), strict=True))
    by_key: dict[str, list[list]] = {}
    for line in lines:
        parts = split_parts.get(id(line)) or [(line.account_id, line.line_net)]
        if sum((amount for _account, amount in parts), ZERO) != line.line_net:
            raise DomainError(_("The accounts of line %(line)s do not add up to its net amount.") % {"line": line})
        for account_id, amount in parts:
            by_key.setdefault(str(line.tax_code_id or ""), []).append([account_id, line.analytic_tag, amount])
    nets: dict[tuple[int, str], Decimal] = {}
    for key, rows in by_key.items():
        group = totals.tax_breakdown.get(key) if key else None
        if group is not None:
            difference = group["net"] - sum((row[2] for row in rows), ZERO)
            if difference:
                max(rows, key=lambda row: abs(row[2]))[2] += difference
        for account_id, tag, amount in rows:
            nets[(account_id, tag)] = nets.get((account_id, tag), ZERO) + amount
    return nets


def _tax_amounts(lines: list[InvoiceLineBase], totals: document_totals.Totals) -> dict[int, Decimal]:
    accounts = {str(line.tax_code_id): line.tax_code.account_id for line in lines if line.tax_code_id}
    taxes: dict[int, Decimal] = {}
    for key, group in totals.tax_breakdown.items():
        if group["tax"] and key in accounts:
            taxes[accounts[key]] = taxes.get(accounts[key], ZERO) + group["tax"]
    return taxes


def _pair(amount: Decimal, *, debit: bool) -> tuple[Decimal, Decimal]:
    """(debit, credit) of ``amount`` on the side asked; a negative amount goes to the other side."""
    if amount < 0:
        amount, debit = -amount, not debit
    return (amount, ZERO) if debit else (ZERO, amount)


def post(invoice: InvoiceBase, lines: list[InvoiceLineBase], *, by) -> None:
    """Post ``invoice`` (its totals freshly computed on ``lines``) and write its open items."""
    from erp.finance.invoicing.lines import invoice_totals

    totals = invoice_totals(invoice, lines)
    if totals.gross <= 0:
        raise DomainError(_("The total must be greater than zero; to reduce an invoice, issue a credit note."))
    sales = is_sales(invoice)
    partner_debit = sales != invoice.is_credit_note
    account_id = partner_account_id(invoice)
    text = f"{invoice.kind_label} {invoice.number} · {invoice.partner.name}"
    rows: list[tuple[int, str, str, tuple[Decimal, Decimal]]] = [
        (account_id, "", text, _pair(totals.gross, debit=partner_debit))
    ]
    for (line_account, tag), amount in _net_amounts(lines, totals).items():
        if amount:
            rows.append((line_account, tag, invoice.number, _pair(amount, debit=not partner_debit)))
    first_tax = len(rows)
    for tax_account, amount in _tax_amounts(lines, totals).items():
        rows.append((tax_account, "", invoice.number, _pair(amount, debit=not partner_debit)))
    company_places = posting.company_currency().decimal_places
    converted = posting.to_company_amounts(
        [pair for *_rest, pair in rows], rate=invoice.exchange_rate, places=company_places
    )
    postings = []
    for index, ((line_account, tag, description, (debit, credit)), (debit_company, credit_company)) in enumerate(
        zip(rows, converted, strict=True)
    ):
        postings.append(
            PostingLine(
                account=line_account,
                debit=debit,
                credit=credit,
                debit_company=debit_company,
                credit_company=credit_company,
                partner=invoice.partner_id if index == 0 else None,
                description=description,
                analytic_tag=tag,
            )
        )
    entry = posting.post_entry(
        lines=postings,
        on=invoice.accounting_date,
        organization=invoice.organization,
        description=text,
        source=invoice,
        by=by,
        currency=invoice.currency,
        exchange_rate=invoice.exchange_rate,
        external_reference=getattr(invoice, "vendor_invoice_number", "") or invoice.external_reference,
    )
    gross_company = sum(converted[0])
    tax_company = sum((sum(pair) for pair in converted[first_tax:]), ZERO)
    invoice.journal_entry = entry
    invoice.total_gross_company = gross_company
    invoice.total_tax_company = tax_company
    invoice.total_net_company = gross_company - tax_company
    _snapshot_partner(invoice)
    items = _items(invoice, totals.gross, gross_company, company_places)
    invoice.due_date = max(item.due_date for item in items)
    created = openitems.open_items_create(
        side=invoice.side,
        source=invoice,
        partner_id=invoice.partner_id,
        account_id=account_id,
        organization_id=invoice.organization_id,
        currency_id=invoice.currency_id,
        journal_entry=entry,
        reference=invoice.number,
        on=invoice.accounting_date,
        items=items,
    )
    if invoice.is_credit_note and invoice.original_id:
        _settle_original(invoice, created[0], by=by)


def _items(invoice: InvoiceBase, gross: Decimal, gross_company: Decimal, company_places: int) -> list[ItemData]:
    if invoice.is_credit_note:
        return [ItemData(due_date=invoice.document_date, amount=-gross, amount_company=-gross_company)]
    term = payment_term_for(invoice)
    if term is None:
        return [ItemData(due_date=invoice.document_date, amount=gross, amount_company=gross_company)]
    invoice.payment_term = term
    installments = term.schedule(
        invoice_date=invoice.document_date, amount=gross, places=invoice.currency.decimal_places
    )
    companies = openitems.split_company(
        [part.amount for part in installments], total_company=gross_company, places=company_places
    )
    return [
        ItemData(
            due_date=part.due_date,
            amount=part.amount,
            amount_company=company,
            discount_date=part.discount_date,
            discount_amount=part.discount_amount or ZERO,
        )
        for part, company in zip(installments, companies, strict=True)
    ]


def _snapshot_partner(invoice: InvoiceBase) -> None:
    partner = invoice.partner
    address = default_address(partner, "billing")
    invoice.partner_name = partner.name
    invoice.partner_tax_id = partner.tax_id
    if address is not None:
        lines = [*address.lines]
        if address.country:
            lines.append(address.country)
        invoice.partner_address = "\n".join(lines)


def _settle_original(credit_note: InvoiceBase, credit_item, *, by) -> None:
    """A credit note against an invoice settles the invoice's open installments, earliest first;
    what exceeds them (the invoice was paid already) stays on the partner as a credit."""
    remaining = -credit_item.amount
    for charge in credit_note.original.open_items.open().charges().order_by("due_date", "installment"):
        if remaining <= 0:
            break
        amount = min(remaining, charge.open_amount)
        openitems.allocate(charge=charge, credit=credit_item, amount=amount, on=credit_note.accounting_date, by=by)
        credit_item.refresh_from_db(fields=["open_amount", "open_amount_company", "settled_on"])
        remaining -= amount

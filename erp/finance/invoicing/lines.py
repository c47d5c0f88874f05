"""Invoice lines: their defaults (from the product, its category, the chart) and the totals.

``lines_complete`` fills what a line left empty; ``invoice_totals`` computes line amounts and
the tax per tax code with ``erp.core.documents.totals`` and stores them on the lines and the
invoice. Both run on every save of a draft and once more before posting."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from erp.catalog.selectors import product_accounts
from erp.core import bulk
from erp.core.documents import totals as document_totals
from erp.core.exceptions import DomainError
from erp.finance.invoicing.models import InvoiceBase, InvoiceLineBase
from erp.finance.models import Account, AccountRole, TaxType
from erp.finance.openitems.models import Side

ZERO = Decimal("0")


def is_sales(invoice: InvoiceBase) -> bool:
    return invoice.side == Side.RECEIVABLE


def default_account_role(invoice: InvoiceBase) -> str:
    return AccountRole.SALES if is_sales(invoice) else AccountRole.PURCHASES


def chart_default_account(invoice: InvoiceBase) -> Account | None:
    return Account.objects.for_role(default_account_role(invoice)).order_by("code").first()


def tax_type_for(invoice: InvoiceBase) -> str:
    return TaxType.SALES if is_sales(invoice) else TaxType.PURCHASE


def _lines(invoice: InvoiceBase) -> list[InvoiceLineBase]:
    return list(invoice.lines.select_related("product", "tax_code").order_by("position", "id"))


def product_tax(invoice: InvoiceBase, product) -> object:
    """The tax code a new line of ``product`` gets: the product's sales or purchase tax, none for a
    tax-exempt partner."""
    if product is None or (invoice.partner_id and invoice.partner.tax_exempt):
        return None
    return product.sales_tax if is_sales(invoice) else product.purchase_tax


def lines_complete(invoice: InvoiceBase, lines: list[InvoiceLineBase]) -> list[InvoiceLineBase]:
    """Fill the description, unit and account product lines left empty from the product (the
    account from its category or the chart's default for any line), in memory; returns the lines
    changed. The tax code is the product's only when a line is added (``product_tax``): a line
    whose tax was removed keeps none."""
    sales = is_sales(invoice)
    accounts: dict[int, Account | None] = {}
    fallback: list[Account | None] = []
    changed = []
    for line in lines:
        before = (line.description, line.unit_id, line.account_id)
        product = line.product
        if product is not None:
            line.description = line.description or product.name[:255]
            if line.unit_id is None:
                line.unit_id = (product.sales_uom_id if sales else product.purchase_uom_id) or product.base_uom_id
            if line.account_id is None:
                if product.pk not in accounts:
                    resolved = product_accounts(product)
                    accounts[product.pk] = resolved.income if sales else resolved.expense
                line.account = accounts[product.pk]
        if line.account_id is None:
            if not fallback:
                fallback.append(chart_default_account(invoice))
            line.account = fallback[0]
        if (line.description, line.unit_id, line.account_id) != before:
            changed.append(line)
    return changed


def line_inputs(lines: list[InvoiceLineBase]) -> list[document_totals.LineInput]:
    return [
        document_totals.LineInput(
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            tax_rate=line.tax_code.rate if line.tax_code_id else ZERO,
            tax_key=str(line.tax_code_id or ""),
            price_includes_tax=bool(line.tax_code_id and line.tax_code.price_included),
        )
        for line in lines
    ]


def invoice_totals(invoice: InvoiceBase, lines: list[InvoiceLineBase]) -> document_totals.Totals:
    """Line amounts and the invoice's totals, set on the objects (not saved)."""
    totals = document_totals.document_totals(line_inputs(lines), places=invoice.currency.decimal_places)
    for line, amounts in zip(lines, totals.lines, strict=True):
        line.line_net, line.line_tax, line.line_gross = amounts.net, amounts.tax, amounts.gross
    from erp.finance import posting

    company = totals.in_company_currency(rate=invoice.exchange_rate, places=posting.company_currency().decimal_places)
    invoice.total_net, invoice.total_tax, invoice.total_gross = totals.net, totals.tax, totals.gross
    invoice.total_net_company, invoice.total_tax_company = company.net, company.tax
    invoice.total_gross_company = company.gross
    return totals


LINE_FIELDS = ["description", "unit", "tax_code", "account", "line_net", "line_tax", "line_gross"]


def recompute(invoice: InvoiceBase) -> list[InvoiceLineBase]:
    """Complete the lines, recompute and store their amounts; the invoice's totals are set on it."""
    lines = _lines(invoice)
    before = bulk.snapshot(lines, LINE_FIELDS)
    lines_complete(invoice, lines)
    invoice_totals(invoice, lines)
    bulk.bulk_update(lines, LINE_FIELDS, unchanged_since=before)
    return lines


def check_lines(invoice: InvoiceBase, lines: list[InvoiceLineBase]) -> None:
    """What posting needs of the lines: an account, a tax code of the right type, an amount."""
    if not lines:
        raise DomainError(_("An invoice needs at least one line."))
    wanted = tax_type_for(invoice)
    for number, line in enumerate(lines, start=1):
        if line.account_id is None:
            raise DomainError(
                _(
                    "Line %(line)d has no account: choose one, or give an account the role “%(role)s” in the chart "
                    "of accounts."
                )
                % {"line": number, "role": AccountRole(default_account_role(invoice)).label}
            )
        if line.tax_code_id and line.tax_code.tax_type != wanted:
            raise DomainError(
                _("Line %(line)d: %(tax)s is not a %(type)s tax.")
                % {"line": number, "tax": line.tax_code, "type": TaxType(wanted).label.lower()}
            )
        if line.quantity == 0:
            raise DomainError(_("Line %(line)d has no quantity.") % {"line": number})

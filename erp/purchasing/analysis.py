"""Purchase analysis: what was bought, by vendor, product or month, net in the company currency.

Two sources side by side, each dated by its own document:

- **billed**: the lines of posted vendor bills (credit notes less), order bills and stand-alone
  ones (expenses, services) alike, at the billed prices, dated by the bill;
- **ordered** and **received**: the lines of confirmed purchase orders less what was cancelled
  of them, and of that what has been received, at the order's prices, dated by the order.

Filters: a period, an organization, a vendor (name or code) and a product category (with its
sub-categories); a row opens the bills and orders behind it (``show``). The bar chart
(``erp.core.analysis``) shows the billed amounts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django import forms
from django.db.models import Case, Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, When
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.catalog.filters import descendant_ids
from erp.catalog.models import ProductCategory
from erp.core import analysis
from erp.core.access import organization_ids_for
from erp.core.currency import quantize
from erp.core.decorators import permission_required
from erp.core.documents.models import Status
from erp.finance import posting
from erp.finance.invoicing.models import InvoiceKind, VendorBillLine
from erp.purchasing.models import PurchaseOrderLine

ZERO = Decimal("0")
POSTED = (Status.COMPLETED, Status.CLOSED)
CONFIRMED = (Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED, Status.CLOSED)
MONEY = DecimalField(max_digits=30, decimal_places=10)
NO_PRODUCT = "none"
DOCUMENTS_SHOWN = 200


class Dimension:
    VENDOR = "vendor"
    PRODUCT = "product"
    MONTH = "month"

    CHOICES = (
        (VENDOR, gettext_lazy("Vendor")),
        (PRODUCT, gettext_lazy("Product")),
        (MONTH, gettext_lazy("Month")),
    )


@dataclass
class Row:
    key: str
    label: str
    billed: Decimal = ZERO
    bills: int = 0
    ordered: Decimal = ZERO
    received: Decimal = ZERO
    orders: int = 0
    sort: tuple = field(default=(), repr=False)


@dataclass(frozen=True)
class Filters:
    """What the rows are restricted to (``show``: one row's key, for its documents)."""

    user: object
    date_from: date | None = None
    date_to: date | None = None
    organization: object = None
    vendor: str = ""
    category_ids: tuple[int, ...] | None = None  # a category and those below it
    show: str = ""


# Per dimension: the grouping fields of a bill or order line (``{doc}``: the document, ``invoice``
# or ``order``).
KEYS = {
    Dimension.VENDOR: ("{doc}__partner_id", "{doc}__partner__name"),
    Dimension.PRODUCT: ("product_id", "product__sku", "product__name"),
    Dimension.MONTH: ("month",),
}


def _key(dimension: str, values: dict, doc: str) -> tuple[str, str, tuple]:
    """The row's key (as it travels in the URL), label and sort key."""
    if dimension == Dimension.VENDOR:
        name = values[f"{doc}__partner__name"] or "—"
        return str(values[f"{doc}__partner_id"]), name, (name.casefold(),)
    if dimension == Dimension.PRODUCT:
        if values["product_id"] is None:
            return NO_PRODUCT, _("Other lines"), ("\uffff",)
        sku = values["product__sku"]
        return str(values["product_id"]), f"{sku} {values['product__name']}", (sku,)
    month = values["month"]
    return (month.strftime("%Y-%m") if month else ""), analysis.month_label(month), (month or date.min,)


def _show_filter(dimension: str, key: str, doc: str) -> Q:
    """The lines of one row (``key`` as ``_key`` made it; checked by the form)."""
    if dimension == Dimension.VENDOR:
        return Q(**{f"{doc}__partner_id": int(key)})
    if dimension == Dimension.PRODUCT:
        return Q(product__isnull=True) if key == NO_PRODUCT else Q(product_id=int(key))
    year, month = int(key[:4]), int(key[5:7])
    start, end = date(year, month, 1), date(year + month // 12, month % 12 + 1, 1)
    return Q(**{f"{doc}__document_date__gte": start, f"{doc}__document_date__lt": end})


def _restricted(lines: QuerySet, filters: Filters, *, doc: str, dimension: str) -> QuerySet:
    lines = lines.filter(
        **{f"{doc}__organization_id__in": organization_ids_for(filters.user), f"{doc}__deleted_at": None}
    )
    if filters.organization is not None:
        lines = lines.filter(**{f"{doc}__organization": filters.organization})
    if filters.date_from:
        lines = lines.filter(**{f"{doc}__document_date__gte": filters.date_from})
    if filters.date_to:
        lines = lines.filter(**{f"{doc}__document_date__lte": filters.date_to})
    if filters.vendor:
        lines = lines.filter(
            Q(**{f"{doc}__partner__name__icontains": filters.vendor})
            | Q(**{f"{doc}__partner__code__iexact": filters.vendor})
        )
    if filters.category_ids is not None:
        lines = lines.filter(product__category_id__in=filters.category_ids)
    if filters.show:
        lines = lines.filter(_show_filter(dimension, filters.show, doc))
    return lines


def billed_lines(filters: Filters, *, dimension: str = Dimension.VENDOR) -> QuerySet:
    """The lines of posted vendor bills and credit notes within ``filters``, each with its
    ``amount``: the net in the company currency, negative on credit notes."""
    lines = _restricted(
        VendorBillLine.objects.filter(invoice__status__in=POSTED), filters, doc="invoice", dimension=dimension
    )
    net = F("line_net") * F("invoice__exchange_rate")
    return lines.annotate(
        amount=Case(
            When(invoice__kind=InvoiceKind.CREDIT_NOTE, then=ExpressionWrapper(-net, output_field=MONEY)),
            default=ExpressionWrapper(net, output_field=MONEY),
            output_field=MONEY,
        )
    )


def ordered_lines(filters: Filters, *, dimension: str = Dimension.VENDOR) -> QuerySet:
    """The lines of confirmed purchase orders within ``filters``, each with ``ordered`` (the net
    of what was not cancelled) and ``received`` (the net of what arrived), in the company currency."""
    lines = _restricted(
        PurchaseOrderLine.objects.filter(order__status__in=CONFIRMED), filters, doc="order", dimension=dimension
    )
    rate = F("order__exchange_rate")
    return lines.annotate(
        ordered=ExpressionWrapper(
            F("line_net") * (F("quantity") - F("quantity_cancelled")) / F("quantity") * rate, output_field=MONEY
        ),
        received=ExpressionWrapper(F("line_net") * F("quantity_received") / F("quantity") * rate, output_field=MONEY),
    )


def purchases_by(*, dimension: str, filters: Filters, places: int | None = None) -> list[Row]:
    """Billed, ordered and received amounts grouped by ``dimension``: the largest billed first
    (months in date order), rounded to ``places`` (the company currency's); two queries."""
    places = posting.company_currency().decimal_places if places is None else places
    rows: dict[str, Row] = {}

    def row_for(values: dict, doc: str) -> Row:
        key, label, sort = _key(dimension, values, doc)
        return rows.setdefault(key, Row(key=key, label=label, sort=sort))

    bills = billed_lines(filters, dimension=dimension)
    orders = ordered_lines(filters, dimension=dimension)
    if dimension == Dimension.MONTH:
        bills = bills.annotate(month=TruncMonth("invoice__document_date"))
        orders = orders.annotate(month=TruncMonth("order__document_date"))
    for values in bills.values(*(name.format(doc="invoice") for name in KEYS[dimension])).annotate(
        total=Sum("amount"), documents=Count("invoice", distinct=True)
    ):
        row = row_for(values, "invoice")
        row.billed, row.bills = quantize(values["total"] or ZERO, places), values["documents"]
    for values in orders.values(*(name.format(doc="order") for name in KEYS[dimension])).annotate(
        total=Sum("ordered"), arrived=Sum("received"), documents=Count("order", distinct=True)
    ):
        row = row_for(values, "order")
        row.ordered = quantize(values["total"] or ZERO, places)
        row.received = quantize(values["arrived"] or ZERO, places)
        row.orders = values["documents"]
    if dimension == Dimension.MONTH:
        return sorted(rows.values(), key=lambda row: row.sort)
    return sorted(rows.values(), key=lambda row: (-row.billed, -row.ordered, row.sort))


@dataclass
class DocumentRow:
    url: str
    number: str
    date: date
    partner: str
    kind: str
    amount: Decimal
    received: Decimal | None = None


def documents_of(
    *, dimension: str, filters: Filters, places: int | None = None
) -> tuple[list[DocumentRow], list[DocumentRow]]:
    """The posted bills and the confirmed orders behind one row (``filters.show``), each with
    its share of the row, oldest first; at most ``DOCUMENTS_SHOWN`` of each; two queries."""
    places = posting.company_currency().decimal_places if places is None else places
    bills = [
        DocumentRow(
            url=reverse("finance:vendorbill-detail", args=[values["invoice_id"]]),
            number=values["invoice__number"],
            date=values["invoice__document_date"],
            partner=values["invoice__partner__name"],
            kind=str(InvoiceKind(values["invoice__kind"]).label),
            amount=quantize(values["total"], places),
        )
        for values in billed_lines(filters, dimension=dimension)
        .values("invoice_id", "invoice__number", "invoice__document_date", "invoice__partner__name", "invoice__kind")
        .annotate(total=Sum("amount"))
        .order_by("invoice__document_date", "invoice_id")[:DOCUMENTS_SHOWN]
    ]
    orders = [
        DocumentRow(
            url=reverse("purchasing:purchaseorder-detail", args=[values["order_id"]]),
            number=values["order__number"],
            date=values["order__document_date"],
            partner=values["order__partner__name"],
            kind=str(_("Purchase order")),
            amount=quantize(values["total"], places),
            received=quantize(values["arrived"], places),
        )
        for values in ordered_lines(filters, dimension=dimension)
        .values("order_id", "order__number", "order__document_date", "order__partner__name")
        .annotate(total=Sum("ordered"), arrived=Sum("received"))
        .order_by("order__document_date", "order_id")[:DOCUMENTS_SHOWN]
    ]
    return bills, orders


# --- the screen -----------------------------------------------------------------------------------------

MONTH_KEY = re.compile(r"^[12]\d{3}-(0[1-9]|1[0-2])$")  # 1000-01 … 2999-12


class AnalysisForm(analysis.AnalysisForm):
    dimensions = Dimension.CHOICES

    # A text search: a select of every vendor would not scale to thousands of them.
    vendor = forms.CharField(label=gettext_lazy("Vendor"), required=False, max_length=100)
    category = forms.ModelChoiceField(label=gettext_lazy("Product category"), queryset=None, required=False)
    show = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ProductCategory.objects.filter(deleted_at=None).order_by("name")

    def clean_vendor(self) -> str:
        return self.cleaned_data["vendor"].strip()

    def clean(self) -> dict:
        data = super().clean()
        show = data.get("show") or ""
        if show and "by" in data:
            dimension = data["by"] or self.dimensions[0][0]
            identifier = show.isdigit() and len(show) <= 18  # a bigint
            valid = {
                Dimension.VENDOR: identifier,
                Dimension.PRODUCT: identifier or show == NO_PRODUCT,
                Dimension.MONTH: bool(MONTH_KEY.match(show)),
            }[dimension]
            if not valid:
                self.add_error("show", _("There is no such row to show."))
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            user=self.user,
            date_from=data["date_from"],
            date_to=data["date_to"],
            organization=data["organization"],
            vendor=data["vendor"],
            category_ids=None if data["category"] is None else tuple(descendant_ids(data["category"].pk)),
            show=data["show"],
        )


@permission_required("purchasing.view_purchaseorder", "finance.view_vendorbill")
def purchase_analysis(request: HttpRequest) -> HttpResponse:
    form = analysis.analysis_form(AnalysisForm, request)
    currency = posting.company_currency()
    places = currency.decimal_places
    rows: list[Row] = []
    shown = bills = orders = None
    if form.is_valid():
        filters = form.filters()
        rows = purchases_by(dimension=form.dimension, filters=replace(filters, show=""), places=places)
        if filters.show:
            shown = next((row for row in rows if row.key == filters.show), None)
            bills, orders = documents_of(dimension=form.dimension, filters=filters, places=places)
    total = Row(
        key="",
        label=_("Total"),
        billed=sum((row.billed for row in rows), ZERO),
        bills=sum(row.bills for row in rows),
        ordered=sum((row.ordered for row in rows), ZERO),
        received=sum((row.received for row in rows), ZERO),
        orders=sum(row.orders for row in rows),
    )
    query = request.GET.copy()
    query.pop("show", None)
    return TemplateResponse(
        request,
        "purchasing/analysis.html",
        {
            "title": _("Purchase analysis"),
            "form": form,
            "rows": rows,
            "total": total,
            "dimension": form.dimension_label,
            "chart": analysis.bar_chart(rows, value=lambda row: row.billed),
            "currency": currency.code,
            "places": places,
            "query": query.urlencode(),
            "shown": shown,
            "bills": bills,
            "orders": orders,
            "documents_shown": DOCUMENTS_SHOWN,
        },
    )

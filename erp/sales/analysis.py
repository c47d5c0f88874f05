"""Sales analysis: what confirmed orders sold, by customer, product, month or salesperson, net in
the company currency, with what of it has been invoiced; with a bar chart (``erp.core.analysis``)
for the screen and the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.core import analysis
from erp.core.access import organization_ids_for
from erp.core.currency import quantize
from erp.core.decorators import permission_required
from erp.core.documents.models import Status
from erp.finance import posting
from erp.sales.models import SalesOrderLine

ZERO = Decimal("0")
CONFIRMED = (Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED, Status.CLOSED)
MONEY = DecimalField(max_digits=30, decimal_places=10)


class Dimension:
    CUSTOMER = "customer"
    PRODUCT = "product"
    MONTH = "month"
    SALESPERSON = "salesperson"

    CHOICES = (
        (CUSTOMER, gettext_lazy("Customer")),
        (PRODUCT, gettext_lazy("Product")),
        (MONTH, gettext_lazy("Month")),
        (SALESPERSON, gettext_lazy("Salesperson")),
    )


@dataclass
class Row:
    label: str
    net: Decimal
    invoiced: Decimal
    orders: int


def _label(dimension: str, values: dict) -> str:
    if dimension == Dimension.CUSTOMER:
        return values["order__partner__name"] or "—"
    if dimension == Dimension.PRODUCT:
        return f"{values['product__sku']} {values['product__name']}" if values["product__sku"] else _("Other lines")
    if dimension == Dimension.MONTH:
        return analysis.month_label(values["month"])
    first, last, email = (
        values["order__salesperson__first_name"],
        values["order__salesperson__last_name"],
        values["order__salesperson__email"],
    )
    return f"{first} {last}".strip() or email or _("Nobody")


KEYS = {
    Dimension.CUSTOMER: ("order__partner_id", "order__partner__name"),
    Dimension.PRODUCT: ("product_id", "product__sku", "product__name"),
    Dimension.MONTH: ("month",),
    Dimension.SALESPERSON: (
        "order__salesperson_id",
        "order__salesperson__first_name",
        "order__salesperson__last_name",
        "order__salesperson__email",
    ),
}


def sales_by(
    *, dimension: str, user, date_from: date | None = None, date_to: date | None = None, organization=None
) -> list[Row]:
    """Net sales of confirmed orders dated ``date_from``…``date_to`` grouped by ``dimension``,
    largest first (months in date order), in the company currency; one query."""
    lines = SalesOrderLine.objects.filter(
        order__status__in=CONFIRMED, order__organization_id__in=organization_ids_for(user), order__deleted_at=None
    )
    if organization is not None:
        lines = lines.filter(order__organization=organization)
    if date_from:
        lines = lines.filter(order__document_date__gte=date_from)
    if date_to:
        lines = lines.filter(order__document_date__lte=date_to)
    if dimension == Dimension.MONTH:
        lines = lines.annotate(month=TruncMonth("order__document_date"))
    rate = F("order__exchange_rate")
    rows = (
        lines.values(*KEYS[dimension])
        .annotate(
            net=Sum(ExpressionWrapper(F("line_net") * rate, output_field=MONEY)),
            invoiced=Sum(
                ExpressionWrapper(F("line_net") * F("quantity_invoiced") / F("quantity") * rate, output_field=MONEY)
            ),
            orders=Count("order", distinct=True),
        )
        .order_by("month" if dimension == Dimension.MONTH else "-net")
    )
    places = posting.company_currency().decimal_places
    return [
        Row(
            label=_label(dimension, row),
            net=quantize(row["net"] or ZERO, places),
            invoiced=quantize(row["invoiced"] or ZERO, places),
            orders=row["orders"],
        )
        for row in rows
    ]


# --- the screen -----------------------------------------------------------------------------------------


class AnalysisForm(analysis.AnalysisForm):
    dimensions = Dimension.CHOICES


@permission_required("sales.view_salesorder")
def sales_analysis(request: HttpRequest) -> HttpResponse:
    form = analysis.analysis_form(AnalysisForm, request)
    rows: list[Row] = []
    if form.is_valid():
        rows = sales_by(
            dimension=form.dimension,
            user=request.user,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            organization=form.cleaned_data["organization"],
        )
    total = Row(
        label=_("Total"),
        net=sum((row.net for row in rows), ZERO),
        invoiced=sum((row.invoiced for row in rows), ZERO),
        orders=sum(row.orders for row in rows),
    )
    return TemplateResponse(
        request,
        "sales/analysis.html",
        {
            "title": _("Sales analysis"),
            "form": form,
            "rows": rows,
            "total": total,
            "dimension": form.dimension_label,
            "chart": analysis.bar_chart(rows),
            "currency": posting.company_currency().code,
        },
    )


def dashboard_widget(request: HttpRequest) -> str:
    """Net sales of the last twelve months, for the dashboard."""
    today = timezone.localdate()
    months = today.year * 12 + today.month - 1 - 11  # this month and the eleven before it
    start = date(months // 12, months % 12 + 1, 1)
    rows = sales_by(dimension=Dimension.MONTH, user=request.user, date_from=start)
    return render_to_string(
        "sales/_dashboard_chart.html",
        {
            "chart": analysis.bar_chart(rows),
            "rows": rows,
            "currency": posting.company_currency().code,
            "since": start,
        },
        request=request,
    )

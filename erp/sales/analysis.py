"""Sales analysis: what confirmed orders sold, by customer, product, month or salesperson, net in
the company currency, with what of it has been invoiced; and a server-rendered SVG bar chart
(no script, so the Content-Security-Policy and PDFs are content with it) for the screen and the
dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django import forms
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.core.access import organization_ids_for
from erp.core.currency import quantize
from erp.core.decorators import permission_required
from erp.core.documents.models import Status
from erp.core.models import Organization
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
        return date_format(values["month"], "YEAR_MONTH_FORMAT") if values["month"] else "—"
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


# --- the chart ----------------------------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    value: Decimal
    x: float
    y: float
    width: float
    height: float


def bar_chart(rows: list[Row], *, width: int = 640, height: int = 220, limit: int = 12) -> dict:
    """Vertical bars of the rows' net amounts in an SVG of ``width`` × ``height`` (the first
    ``limit`` rows), with a baseline and the largest value as the scale."""
    shown = rows[:limit]
    top = max((row.net for row in shown), default=ZERO)
    plot_top, plot_bottom, left = 16, height - 34, 8
    slot = (width - 2 * left) / max(len(shown), 1)
    bars = []
    for index, row in enumerate(shown):
        share = float(row.net / top) if top > 0 and row.net > 0 else 0.0
        bar_height = round(share * (plot_bottom - plot_top), 1)
        bars.append(
            Bar(
                label=row.label,
                value=row.net,
                x=round(left + index * slot + slot * 0.15, 1),
                y=round(plot_bottom - bar_height, 1),
                width=round(slot * 0.7, 1),
                height=bar_height,
            )
        )
    return {"bars": bars, "width": width, "height": height, "baseline": plot_bottom, "top": top, "slot": slot}


# --- the screen -----------------------------------------------------------------------------------------


class AnalysisForm(forms.Form):
    by = forms.ChoiceField(label=gettext_lazy("By"), choices=Dimension.CHOICES, required=False)
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    organization = forms.ModelChoiceField(label=gettext_lazy("Organization"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.for_user(user).order_by("name")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end lies before the start."))
        return data


def _year_start() -> date:
    return timezone.localdate().replace(month=1, day=1)


@permission_required("sales.view_salesorder")
def sales_analysis(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    params.setdefault("by", Dimension.CUSTOMER)
    params.setdefault("date_from", _year_start().isoformat())
    form = AnalysisForm(params, user=request.user)
    rows: list[Row] = []
    dimension = Dimension.CUSTOMER
    if form.is_valid():
        dimension = form.cleaned_data["by"] or Dimension.CUSTOMER
        rows = sales_by(
            dimension=dimension,
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
            "dimension": dict(Dimension.CHOICES)[dimension],
            "chart": bar_chart(rows),
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
            "chart": bar_chart(rows),
            "rows": rows,
            "currency": posting.company_currency().code,
            "since": start,
        },
        request=request,
    )

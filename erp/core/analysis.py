"""What the analysis screens (sales, purchasing) share: the filter form with the grouping, the
period and the organization; the default period; labels of months; and a server-rendered SVG
bar chart (no script, so the Content-Security-Policy and PDFs are content with it), drawn by
``templates/core/_bar_chart.html``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import attrgetter

from django import forms
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.core.models import Organization

ZERO = Decimal("0")


def year_start() -> date:
    """The first day of this year: where an analysis starts unless told otherwise."""
    return timezone.localdate().replace(month=1, day=1)


def month_label(value: date | None) -> str:
    return date_format(value, "YEAR_MONTH_FORMAT") if value else "—"


# --- the filter form ---------------------------------------------------------------------------------


class AnalysisForm(forms.Form):
    """Group ``by`` one of ``dimensions`` (a subclass names them), a period and an organization
    the user may see; an end before the start is an error of the end."""

    dimensions: Sequence[tuple[str, str]] = ()

    by = forms.ChoiceField(label=gettext_lazy("By"), choices=(), required=False)
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    organization = forms.ModelChoiceField(label=gettext_lazy("Organization"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["by"].choices = self.dimensions
        self.fields["organization"].queryset = Organization.objects.for_user(user).order_by("name")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end lies before the start."))
        return data

    @property
    def dimension(self) -> str:
        """The chosen grouping (the first one when none or a bad one was asked for)."""
        if self.is_bound:
            self.is_valid()  # cleans once; the fields that are valid are in cleaned_data
        return getattr(self, "cleaned_data", {}).get("by") or self.dimensions[0][0]

    @property
    def dimension_label(self) -> str:
        return str(dict(self.dimensions)[self.dimension])


def analysis_form(form_class: type[AnalysisForm], request: HttpRequest) -> AnalysisForm:
    """``form_class`` bound to the request's query, grouped by the first dimension from the start
    of the year unless the query says otherwise."""
    params = request.GET.copy()
    params.setdefault("by", form_class.dimensions[0][0])
    params.setdefault("date_from", year_start().isoformat())
    return form_class(params, user=request.user)


# --- the chart ---------------------------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    value: Decimal
    x: float
    y: float
    width: float
    height: float


def bar_chart(
    rows: Sequence,
    *,
    value: Callable[[object], Decimal] = attrgetter("net"),
    width: int = 640,
    height: int = 220,
    limit: int = 12,
) -> dict:
    """Vertical bars of the rows' ``value`` (their ``label`` under each) in an SVG of ``width`` ×
    ``height`` (the first ``limit`` rows), with a baseline and the largest value as the scale."""
    shown = rows[:limit]
    top = max((value(row) for row in shown), default=ZERO)
    plot_top, plot_bottom, left = 16, height - 34, 8
    slot = (width - 2 * left) / max(len(shown), 1)
    bars = []
    for index, row in enumerate(shown):
        amount = value(row)
        share = float(amount / top) if top > 0 and amount > 0 else 0.0
        bar_height = round(share * (plot_bottom - plot_top), 1)
        bars.append(
            Bar(
                label=row.label,
                value=amount,
                x=round(left + index * slot + slot * 0.15, 1),
                y=round(plot_bottom - bar_height, 1),
                width=round(slot * 0.7, 1),
                height=bar_height,
            )
        )
    return {"bars": bars, "width": width, "height": height, "baseline": plot_bottom, "top": top, "slot": slot}

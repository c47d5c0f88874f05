"""Fiscal years and their monthly periods: create a year, close and reopen periods."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.core.decorators import permission_required
from erp.core.exceptions import DomainError
from erp.core.listing import list_page
from erp.core.models import BusinessEvent
from erp.core.web import form_error, redirect_to, render_form
from erp.finance import services
from erp.finance.filters import FiscalYearFilter
from erp.finance.forms import FiscalYearForm
from erp.finance.models import FiscalYear, Period, PeriodStatus
from erp.finance.tables import FiscalYearTable


@permission_required("finance.view_fiscalyear")
def fiscalyear_list(request: HttpRequest) -> HttpResponse:
    queryset = FiscalYear.objects.annotate(open_periods=Count("periods", filter=Q(periods__status=PeriodStatus.OPEN)))
    filterset = FiscalYearFilter(request.GET, queryset=queryset)
    can_add = request.user.has_perm("finance.add_fiscalyear")
    return list_page(
        request,
        filterset=filterset,
        table_class=FiscalYearTable,
        title=_("Fiscal years"),
        export_name="fiscal-years",
        context={
            "create_url": reverse("finance:fiscalyear-create") if can_add else None,
            "create_label": _("New fiscal year"),
        },
    )


@permission_required("finance.add_fiscalyear")
def fiscalyear_create(request: HttpRequest) -> HttpResponse:
    form = FiscalYearForm(request.POST or None, next_start=services.next_fiscal_year_start())
    if request.method == "POST" and form.is_valid():
        try:
            fiscal_year = services.fiscal_year_create(
                first_year=form.cleaned_data["first_year"],
                start_month=form.cleaned_data["start_month"],
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Fiscal year %(name)s created with 12 periods.") % {"name": fiscal_year.name})
            return redirect_to(request, fiscal_year.get_absolute_url())
    return render_form(request, form=form, title=_("New fiscal year"), cancel_url=reverse("finance:fiscalyear-list"))


@permission_required("finance.view_fiscalyear")
def fiscalyear_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fiscal_year = get_object_or_404(FiscalYear.objects.select_related("created_by", "closed_by"), pk=pk)
    periods = list(fiscal_year.periods.select_related("closed_by").order_by("number"))
    events = BusinessEvent.objects.filter(
        Q(aggregate_type="finance.fiscalyear", aggregate_id=str(fiscal_year.pk))
        | Q(aggregate_type="finance.period", aggregate_id__in=[str(p.pk) for p in periods])
    ).select_related("actor")[:30]
    return TemplateResponse(
        request,
        "finance/fiscalyear_detail.html",
        {
            "title": _("Fiscal year %(name)s") % {"name": fiscal_year.name},
            "fiscal_year": fiscal_year,
            "periods": periods,
            "events": events,
            "can_close": request.user.has_perm("finance.close_period"),
        },
    )


def _period_action(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    period = get_object_or_404(Period.objects.select_related("fiscal_year"), pk=pk)
    try:
        action(period=period, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"period": period.label})
    return redirect_to(request, period.fiscal_year.get_absolute_url())


@require_POST
@permission_required("finance.close_period")
def period_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _period_action(request, pk, services.period_close, _("%(period)s is closed."))


@require_POST
@permission_required("finance.close_period")
def period_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _period_action(request, pk, services.period_reopen, _("%(period)s is open again."))

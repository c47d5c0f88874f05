"""Currencies (activate the ones the company uses) and daily exchange rates."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.core import currency as services
from erp.core.decorators import permission_required
from erp.core.exceptions import DomainError
from erp.core.filters import CurrencyFilter, ExchangeRateFilter
from erp.core.forms import ExchangeRateForm
from erp.core.imports import import_page
from erp.core.listing import list_page
from erp.core.models import Company, Currency, ExchangeRate
from erp.core.rate_import import RATE_COLUMNS_HELP, RATE_EXAMPLE, exchange_rates_import, exchange_rates_plan
from erp.core.tables import CurrencyTable, ExchangeRateTable
from erp.core.web import form_error, redirect_to, render_form


@permission_required("core.view_currency")
def currency_list(request: HttpRequest) -> HttpResponse:
    filterset = CurrencyFilter(request.GET, queryset=Currency.objects.all())
    company = Company.objects.only("currency_id").first()
    return list_page(
        request,
        filterset=filterset,
        table_class=CurrencyTable,
        title=_("Currencies"),
        export_name="currencies",
        context={"company_currency": company.currency_id if company else None},
    )


@require_POST
@permission_required("core.change_currency")
def currency_set_active(request: HttpRequest, code: str) -> HttpResponse:
    currency = get_object_or_404(Currency, code=code.upper())
    activate = request.POST.get("is_active") == "1"
    try:
        services.currency_set_active(currency=currency, is_active=activate, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, (_("%(code)s activated.") if activate else _("%(code)s deactivated.")) % {"code": currency.code}
        )
    back = request.POST.get("next", "")
    return redirect_to(
        request, back if back.startswith("/") and not back.startswith("//") else reverse("core:currency-list")
    )


@permission_required("core.view_exchangerate")
def exchangerate_list(request: HttpRequest) -> HttpResponse:
    filterset = ExchangeRateFilter(request.GET, queryset=ExchangeRate.objects.all())
    can_add = request.user.has_perm("core.add_exchangerate")
    return list_page(
        request,
        filterset=filterset,
        table_class=ExchangeRateTable,
        title=_("Exchange rates"),
        export_name="exchange-rates",
        template="core/exchangerate_list.html",
        context={
            "create_url": reverse("core:exchangerate-create") if can_add else None,
            "create_label": _("New rate"),
            "import_url": reverse("core:exchangerate-import") if can_add else None,
        },
    )


@permission_required("core.add_exchangerate")
def exchangerate_create(request: HttpRequest) -> HttpResponse:
    form = ExchangeRateForm(request.POST or None, initial=request.GET.dict() if request.method == "GET" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exchange_rate = services.exchange_rate_create(
                from_currency=data["from_currency"],
                to_currency=data["to_currency"],
                on_date=data["date"],
                value=data["rate"],
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Rate %(rate)s saved.") % {"rate": exchange_rate})
            return redirect_to(request, reverse("core:exchangerate-list"))
    return render_form(request, form=form, title=_("New exchange rate"), cancel_url=reverse("core:exchangerate-list"))


@permission_required("core.change_exchangerate")
def exchangerate_update(request: HttpRequest, pk: int) -> HttpResponse:
    exchange_rate = get_object_or_404(ExchangeRate, pk=pk)
    form = ExchangeRateForm(request.POST or None, instance=exchange_rate)
    if request.method == "POST" and form.is_valid():
        try:
            exchange_rate = services.exchange_rate_update(
                exchange_rate=exchange_rate, value=form.cleaned_data["rate"], by=request.user
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Rate %(rate)s saved.") % {"rate": exchange_rate})
            return redirect_to(request, reverse("core:exchangerate-list"))
    return render_form(
        request,
        form=form,
        title=_("Exchange rate %(pair)s on %(date)s")
        % {"pair": f"{exchange_rate.from_currency_id}/{exchange_rate.to_currency_id}", "date": exchange_rate.date},
        cancel_url=reverse("core:exchangerate-list"),
        template="core/exchangerate_form.html",
        context={"exchange_rate": exchange_rate},
    )


@require_POST
@permission_required("core.delete_exchangerate")
def exchangerate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    exchange_rate = get_object_or_404(ExchangeRate, pk=pk)
    services.exchange_rate_delete(exchange_rate=exchange_rate, by=request.user)
    messages.success(request, _("Rate %(rate)s deleted.") % {"rate": exchange_rate})
    return redirect_to(request, reverse("core:exchangerate-list"))


@permission_required("core.add_exchangerate", "core.change_exchangerate")
def exchangerate_import(request: HttpRequest) -> HttpResponse:
    return import_page(
        request,
        title=_("Import exchange rates"),
        planner=exchange_rates_plan,
        applier=lambda plan: exchange_rates_import(plan=plan, by=request.user),
        done_url=reverse("core:exchangerate-list"),
        cancel_url=reverse("core:exchangerate-list"),
        columns_help=RATE_COLUMNS_HELP,
        example=RATE_EXAMPLE,
        success_message=_("Exchange rates imported."),
    )

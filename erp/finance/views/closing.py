"""Year-end closing and reopening of a fiscal year (buttons on the fiscal year's page)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.core.decorators import permission_required
from erp.core.exceptions import DomainError
from erp.core.web import redirect_to
from erp.finance import closing
from erp.finance.models import FiscalYear


@require_POST
@permission_required("finance.close_period")
def fiscalyear_close(request: HttpRequest, pk: int) -> HttpResponse:
    fiscal_year = get_object_or_404(FiscalYear, pk=pk)
    try:
        outcome = closing.fiscal_year_close(fiscal_year=fiscal_year, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Fiscal year %(year)s is closed: its result of %(result)s is in retained earnings.")
            % {"year": fiscal_year.name, "result": outcome.result},
        )
    return redirect_to(request, fiscal_year.get_absolute_url())


@require_POST
@permission_required("finance.close_period")
def fiscalyear_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    fiscal_year = get_object_or_404(FiscalYear, pk=pk)
    try:
        closing.fiscal_year_reopen(fiscal_year=fiscal_year, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Fiscal year %(year)s is open again: its closing and opening entries are reversed.")
            % {"year": fiscal_year.name},
        )
    return redirect_to(request, fiscal_year.get_absolute_url())

"""The financial report screens: filters, the report, drill-down links, Excel and PDF.

Every report is one GET URL: the filters are its query string (so a report can be
bookmarked, reloaded and shared), ``?_export=xlsx`` or ``?_export=pdf`` downloads it.
Under HTMX the filter form and the report come back as the ``report`` partial."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from erp.core.decorators import permission_required
from erp.core.web import is_htmx_fragment
from erp.finance import selectors
from erp.finance.reports import build, export
from erp.finance.reports.forms import BalanceSheetForm, ComparedRangeForm, LedgerForm, RangeForm, Scope, default_range

TEMPLATE = "finance/reports/report.html"
EXPORTS = ("xlsx", "pdf")
# Lines an export may hold: a general ledger or journal beyond that is narrowed by its dates.
EXPORT_LIMITS = {"xlsx": 100_000, "pdf": 5_000}
PAGING = ("after", "before", "last", "_export")
SUMMARY_PERMISSION = "finance.view_accountbalance"  # trial balance, profit and loss, balance sheet
LINES_PERMISSION = "finance.view_journalentry"  # general ledger, journal, and every drill-down to lines


def _filters(request: HttpRequest) -> dict[str, str]:
    """The report's filters from the query string, without paging and export parameters."""
    return {key: value for key, value in request.GET.items() if key not in PAGING}


def _page(request: HttpRequest, *, title: str, form, report: build.Report | None, hint: str = "") -> HttpResponse:
    template = TEMPLATE + ("#report" if is_htmx_fragment(request) else "")
    return TemplateResponse(
        request,
        template,
        {
            "title": title,
            "form": form,
            "report": report,
            "hint": hint,
            "export_query": urlencode(_filters(request)),
        },
    )


def _links(request: HttpRequest, scope: Scope) -> build.Links:
    return build.links_for(scope, enabled=request.user.has_perm(LINES_PERMISSION))


def _export(request: HttpRequest, report: build.Report, fmt: str) -> HttpResponse:
    if fmt == "pdf":
        return export.pdf_response(report, request=request)
    return export.xlsx_response(report)


def _too_many(request: HttpRequest, limit: int) -> HttpResponse:
    messages.error(
        request,
        _("The export would hold more than %(limit)s lines: choose a shorter period or one organization.")
        % {"limit": f"{limit:,}"},
    )
    return redirect(f"{request.path}?{urlencode(_filters(request))}")


def _summary_report(request: HttpRequest, *, form, title: str, make: Callable[..., build.Report]) -> HttpResponse:
    """A report computed from the kept balances: the same rows on screen and in the exports."""
    if not form.is_valid():
        return _page(request, title=title, form=form, report=None)
    scope = form.scope()
    report = make(scope, links=_links(request, scope))
    fmt = request.GET.get("_export")
    if fmt in EXPORTS:
        return _export(request, report, fmt)
    return _page(request, title=title, form=form, report=report)


@permission_required(SUMMARY_PERMISSION)
def trial_balance(request: HttpRequest) -> HttpResponse:
    form = ComparedRangeForm(request.GET, user=request.user)
    return _summary_report(request, form=form, title=_("Trial balance"), make=build.trial_balance)


@permission_required(SUMMARY_PERMISSION)
def profit_and_loss(request: HttpRequest) -> HttpResponse:
    form = ComparedRangeForm(request.GET, user=request.user)
    return _summary_report(request, form=form, title=_("Profit and loss"), make=build.profit_and_loss)


@permission_required(SUMMARY_PERMISSION)
def balance_sheet(request: HttpRequest) -> HttpResponse:
    form = BalanceSheetForm(request.GET, user=request.user)
    return _summary_report(request, form=form, title=_("Balance sheet"), make=build.balance_sheet)


def _key(request: HttpRequest, name: str) -> selectors.LedgerKey | None:
    return selectors.LedgerKey.parse(request.GET.get(name, ""))


@permission_required(LINES_PERMISSION)
def general_ledger(request: HttpRequest) -> HttpResponse:
    title = _("General ledger")
    if not request.GET.get("account"):
        date_from, date_to = default_range()
        form = LedgerForm(user=request.user, initial={"date_from": date_from, "date_to": date_to})
        hint = _("Choose an account to see its lines with the running balance.")
        return _page(request, title=title, form=form, report=None, hint=hint)
    form = LedgerForm(request.GET, user=request.user)
    if not form.is_valid():
        return _page(request, title=title, form=form, report=None)
    scope = form.scope()
    links = _links(request, scope)
    wanted = build.LedgerRequest(
        account=form.cleaned_data["account"],
        exclude_closing=form.cleaned_data["exclude_closing"],
        after=_key(request, "after"),
        before=_key(request, "before"),
        last=request.GET.get("last") == "1",
    )
    fmt = request.GET.get("_export")
    if fmt in EXPORTS:
        if build.ledger_line_count(scope, wanted) > EXPORT_LIMITS[fmt]:
            return _too_many(request, EXPORT_LIMITS[fmt])
        return _export(request, build.general_ledger_all(scope, wanted, links=links), fmt)
    report = build.general_ledger(scope, wanted, links=links, base_query=_filters(request))
    return _page(request, title=title, form=form, report=report)


@permission_required(LINES_PERMISSION)
def journal(request: HttpRequest) -> HttpResponse:
    title = _("Journal")
    form = RangeForm(request.GET, user=request.user)
    if not form.is_valid():
        return _page(request, title=title, form=form, report=None)
    scope = form.scope()
    links = _links(request, scope)
    fmt = request.GET.get("_export")
    if fmt in EXPORTS:
        try:
            report = build.journal_all(scope, links=links, limit=EXPORT_LIMITS[fmt])
        except build.TooManyLines as error:
            return _too_many(request, error.limit)
        return _export(request, report, fmt)
    report = build.journal(
        scope,
        links=links,
        base_query=_filters(request),
        after=_key(request, "after"),
        before=_key(request, "before"),
        last=request.GET.get("last") == "1",
    )
    return _page(request, title=title, form=form, report=report)

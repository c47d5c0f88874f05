"""Receivables and payables screens: matching, aged balances, partner ledger, customer statement,
dunning list. Each view exists once and is bound to a side by its URL (``side=``)."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.core.access import organization_ids_for
from erp.core.exceptions import DomainError
from erp.core.web import redirect_to
from erp.finance.amounts import amount_text
from erp.finance.openitems import selectors, services, statements
from erp.finance.openitems.forms import DunningForm, LedgerForm, MatchForm, ReportForm
from erp.finance.openitems.models import Allocation, OpenItem, Side

VIEW_PERMISSION = {Side.RECEIVABLE: "finance.view_receivables", Side.PAYABLE: "finance.view_payables"}
TITLES = {
    "aged": {Side.RECEIVABLE: _("Aged receivables"), Side.PAYABLE: _("Aged payables")},
    "ledger": {Side.RECEIVABLE: _("Customer ledger"), Side.PAYABLE: _("Vendor ledger")},
    "matching": {Side.RECEIVABLE: _("Match customer payments"), Side.PAYABLE: _("Match vendor payments")},
}


def _require(request: HttpRequest, *permissions: str) -> None:
    if not request.user.has_perms(permissions):
        raise PermissionDenied


def _organizations(request: HttpRequest, form) -> list[int]:
    """The organizations a report covers: the one chosen, else all the user may see."""
    allowed = organization_ids_for(request.user)
    chosen = form.cleaned_data.get("organization") if form.is_valid() else None
    return [chosen.pk] if chosen is not None and chosen.pk in allowed else sorted(allowed)


def _url(name: str, side: str) -> str:
    return reverse(f"finance:{'receivable' if side == Side.RECEIVABLE else 'payable'}-{name}")


# --- aged balances -------------------------------------------------------------------------------------


def aged(request: HttpRequest, *, side: str) -> HttpResponse:
    _require(request, VIEW_PERMISSION[side])
    form = ReportForm(request.GET or None, user=request.user)
    on = form.cleaned_data["on"] if form.is_valid() else timezone.localdate()
    report = selectors.aged_balances(side=side, on=on, organization_ids=_organizations(request, form))
    if request.GET.get("_export") == "csv":
        return _aged_csv(report)
    context = {
        "title": TITLES["aged"][side],
        "form": form,
        "report": report,
        "side": side,
        "ledger_url": _url("ledger", side),
        "statement_url": reverse("finance:receivable-statement") if side == Side.RECEIVABLE else "",
    }
    template = "finance/openitems/aged.html" + ("#report" if request.htmx and not request.htmx.boosted else "")
    return TemplateResponse(request, template, context)


def _aged_csv(report: selectors.AgedReport) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Partner"), _("Code"), _("Current"), "1–30", "31–60", "61–90", _("Over 90"), _("Total")])
    for row in [*report.rows]:
        writer.writerow(
            [
                row.partner.name if row.partner else row.partner_id,
                row.partner.code if row.partner else "",
                *(getattr(row, name) for name in (*selectors.BUCKETS, "total")),
            ]
        )
    totals = report.totals
    writer.writerow([_("Total"), "", *(getattr(totals, name) for name in (*selectors.BUCKETS, "total"))])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="aged-{report.side}-{report.on.isoformat()}.csv"'
    return response


# --- partner ledger --------------------------------------------------------------------------------------


def ledger(request: HttpRequest, *, side: str) -> HttpResponse:
    _require(request, VIEW_PERMISSION[side])
    form = LedgerForm(request.GET or None, user=request.user, side=side)
    result = None
    if form.is_valid() and form.cleaned_data.get("partner"):
        data = form.cleaned_data
        result = selectors.partner_ledger(
            partner=data["partner"],
            side=side,
            date_from=data["date_from"],
            date_to=data["on"],
            organization_ids=_organizations(request, form),
        )
    context = {
        "title": TITLES["ledger"][side],
        "form": form,
        "ledger": result,
        "side": side,
        "candidates": form.fields["partner"].candidates,
        "statement_url": reverse("finance:receivable-statement") if side == Side.RECEIVABLE else "",
    }
    return TemplateResponse(request, "finance/openitems/ledger.html", context)


# --- customer statement ---------------------------------------------------------------------------------


def statement(request: HttpRequest) -> HttpResponse:
    _require(request, VIEW_PERMISSION[Side.RECEIVABLE])
    form = LedgerForm(request.GET or None, user=request.user, side=Side.RECEIVABLE)
    if not form.is_valid() or not form.cleaned_data.get("partner"):
        messages.error(request, _("Choose the customer of the statement."))
        return redirect_to(request, _url("ledger", Side.RECEIVABLE))
    data = form.cleaned_data
    document = statements.statement_pdf(
        partner=data["partner"],
        date_from=data["date_from"],
        on=data["on"],
        organization_ids=_organizations(request, form),
    )
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{statements.filename(data["partner"], data["on"])}"'
    return response


@require_POST
def statement_send(request: HttpRequest) -> HttpResponse:
    _require(request, VIEW_PERMISSION[Side.RECEIVABLE], "finance.send_customerinvoice")
    form = LedgerForm(request.POST, user=request.user, side=Side.RECEIVABLE)
    back = _url("ledger", Side.RECEIVABLE)
    if not form.is_valid() or not form.cleaned_data.get("partner"):
        messages.error(request, _("Choose the customer of the statement."))
        return redirect_to(request, back)
    data = form.cleaned_data
    try:
        recipient = statements.statement_send(
            partner=data["partner"],
            date_from=data["date_from"],
            on=data["on"],
            organization_ids=_organizations(request, form),
            to=request.POST.get("to", ""),
            by=request.user,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The statement is being sent to %(to)s.") % {"to": recipient})
    return redirect_to(request, f"{back}?partner={data['partner'].pk}&date_from={data['date_from']}&on={data['on']}")


# --- dunning ----------------------------------------------------------------------------------------------


def dunning(request: HttpRequest) -> HttpResponse:
    _require(request, VIEW_PERMISSION[Side.RECEIVABLE])
    form = DunningForm(request.GET or None, user=request.user)
    valid = form.is_valid()
    on = form.cleaned_data["on"] if valid else timezone.localdate()
    min_days = form.cleaned_data["min_days"] if valid else 1
    groups = selectors.dunning_list(on=on, organization_ids=_organizations(request, form), min_days=min_days)
    reminded = statements.reminders_sent(group.partner.pk for group in groups)
    for group in groups:
        group.last_reminder = reminded.get(group.partner.pk)
    context = {
        "title": _("Dunning list"),
        "form": form,
        "groups": groups,
        "on": on,
        "min_days": min_days,
        "total": sum((group.total for group in groups), 0),
        "statement_url": reverse("finance:receivable-statement"),
        "can_send": request.user.has_perm("finance.send_customerinvoice"),
    }
    return TemplateResponse(request, "finance/openitems/dunning.html", context)


@require_POST
def dunning_send(request: HttpRequest) -> HttpResponse:
    """E-mail a payment reminder to one customer of the dunning list."""
    _require(request, VIEW_PERMISSION[Side.RECEIVABLE], "finance.send_customerinvoice")
    form = DunningForm(request.POST, user=request.user)
    partner_form = LedgerForm(request.POST, user=request.user, side=Side.RECEIVABLE)
    back = _url("dunning", Side.RECEIVABLE)
    if not form.is_valid() or not partner_form.is_valid() or not partner_form.cleaned_data.get("partner"):
        messages.error(request, _("Choose the customer of the reminder."))
        return redirect_to(request, back)
    partner, on = partner_form.cleaned_data["partner"], form.cleaned_data["on"]
    try:
        recipient = statements.reminder_send(
            partner=partner,
            on=on,
            min_days=form.cleaned_data["min_days"],
            organization_ids=_organizations(request, form),
            to=request.POST.get("to", ""),
            by=request.user,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The reminder to %(partner)s is being sent to %(to)s.") % {"partner": partner, "to": recipient}
        )
    return redirect_to(request, f"{back}?on={on.isoformat()}&min_days={form.cleaned_data['min_days']}")


# --- matching ---------------------------------------------------------------------------------------------


def matching(request: HttpRequest, *, side: str) -> HttpResponse:
    _require(request, "finance.match_openitem")
    form = LedgerForm(request.GET or None, user=request.user, side=side)
    partner = form.cleaned_data.get("partner") if form.is_valid() else None
    return _matching_page(request, side=side, form=form, partner=partner, match_form=MatchForm())


def _matching_page(request, *, side: str, form, partner, match_form: MatchForm) -> HttpResponse:
    context = {
        "title": TITLES["matching"][side],
        "form": form,
        "side": side,
        "partner": partner,
        "candidates": form.fields["partner"].candidates if hasattr(form, "fields") else [],
        "match_form": match_form,
        "today": timezone.localdate(),
        "action_url": _url("match", side),
        "auto_url": _url("match-auto", side),
    }
    if partner is None:
        context["partners"] = list(selectors.partners_with_open_items(side=side, user=request.user)[:100])
    else:
        items = list(selectors.open_items(side=side, partner=partner, user=request.user))
        for item in items:
            item.discount_today = services.discount_available(item, on=timezone.localdate())
        context["charges"] = [item for item in items if item.amount > 0]
        context["credits"] = [item for item in items if item.amount < 0]
        context["allocations"] = list(
            Allocation.objects.filter(side=side, partner=partner)
            .select_related("charge", "credit")
            .order_by("-date", "-id")[:20]
        )
    return TemplateResponse(request, "finance/openitems/matching.html", context)


@require_POST
def match(request: HttpRequest, *, side: str) -> HttpResponse:
    _require(request, "finance.match_openitem")
    match_form = MatchForm(request.POST)
    items = OpenItem.objects.for_user(request.user).filter(side=side)
    if not match_form.is_valid():
        messages.error(request, _("Choose an invoice and a payment or credit note to match."))
        return redirect_to(request, f"{_url('matching', side)}?partner={request.POST.get('partner', '')}")
    data = match_form.cleaned_data
    charge = get_object_or_404(items, pk=data["charge"])
    credit = get_object_or_404(items, pk=data["credit"])
    back = f"{_url('matching', side)}?partner={charge.partner_id}"
    try:
        allocation = services.match(
            charge=charge,
            credit=credit,
            amount=data.get("amount"),
            discount=data.get("discount"),
            on=data.get("date") or _latest(charge, credit),
            by=request.user,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(credit)s matched with %(charge)s: %(amount)s.")
            % {"credit": credit, "charge": charge, "amount": amount_text(allocation.amount)},
        )
    return redirect_to(request, back)


def _latest(charge: OpenItem, credit: OpenItem) -> date:
    return max(timezone.localdate(), charge.document_date, credit.document_date)


@require_POST
def match_auto(request: HttpRequest, *, side: str) -> HttpResponse:
    _require(request, "finance.match_openitem")
    form = LedgerForm(request.POST, user=request.user, side=side)
    if not form.is_valid() or not form.cleaned_data.get("partner"):
        messages.error(request, _("Choose the partner."))
        return redirect_to(request, _url("matching", side))
    partner = form.cleaned_data["partner"]
    try:
        made = services.auto_match(side=side, partner=partner, on=timezone.localdate(), by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(count)d matches made.") % {"count": len(made)})
    return redirect_to(request, f"{_url('matching', side)}?partner={partner.pk}")


@require_POST
def unmatch(request: HttpRequest, pk: int, *, side: str) -> HttpResponse:
    _require(request, "finance.match_openitem")
    allowed = OpenItem.objects.for_user(request.user).filter(side=side).values("pk")
    allocation = get_object_or_404(Allocation.objects.filter(side=side, charge__in=allowed), pk=pk)
    try:
        services.allocation_remove(allocation=allocation, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The allocation was removed."))
    return redirect_to(request, f"{_url('matching', side)}?partner={allocation.partner_id}")

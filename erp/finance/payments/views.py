"""Payment screens beyond the generic document ones: the remittance PDF, paying an invoice from
its page, vendor payment runs."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from erp.core.access import organization_ids_for
from erp.core.documents.screens import DocumentScreens
from erp.core.exceptions import DomainError
from erp.core.models import Company, Currency, Organization
from erp.core.web import form_error, redirect_to, render_form
from erp.finance.invoicing.models import CustomerInvoice, VendorBill
from erp.finance.openitems.models import Side
from erp.finance.payments import pdf, runs, services
from erp.finance.payments.models import PaymentRun, PaymentRunStatus

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def payment_pdf(request: HttpRequest, pk: int, *, screens: DocumentScreens) -> HttpResponse:
    payment = get_object_or_404(screens.queryset(request.user), pk=pk)
    response = HttpResponse(pdf.payments_pdf([payment], title=str(payment)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{(payment.number or f"draft-{payment.pk}")}.pdf"'
    return response


def payment_for_invoice(request: HttpRequest, pk: int, *, screens: DocumentScreens) -> HttpResponse:
    """A draft payment of what is open on an invoice (less the discount due today), to review and complete."""
    model = CustomerInvoice if screens.side == Side.RECEIVABLE else VendorBill
    invoice = get_object_or_404(model.objects.for_user(request.user), pk=pk)
    bank = services.bank_accounts().first()
    try:
        if bank is None:
            raise DomainError(_("The chart of accounts has no bank or cash account."))
        payment = services.payment_create(
            kind=services.payment_kind_for(screens.side, incoming=screens.side == Side.RECEIVABLE),
            organization=invoice.organization,
            partner=invoice.partner,
            bank_account=bank,
            on=max(timezone.localdate(), invoice.accounting_date),
            currency=invoice.currency_id,
            allocations=[services.AllocationData(document=invoice)],
            by=request.user,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect_to(request, invoice.get_absolute_url())
    messages.success(request, _("Payment draft created: check the date, account and amount, then complete it."))
    return redirect_to(request, reverse(screens.url_name("update"), args=[payment.pk]))


# --- payment runs -------------------------------------------------------------------------------------


class PaymentRunForm(forms.Form):
    organization = forms.ModelChoiceField(label=gettext_lazy("Organization"), queryset=Organization.objects.none())
    payment_date = forms.DateField(label=gettext_lazy("Payment date"), widget=DATE_INPUT)
    due_by = forms.DateField(label=gettext_lazy("Pay bills due by"), widget=DATE_INPUT)
    next_run = forms.DateField(
        label=gettext_lazy("Next payment run"),
        required=False,
        widget=DATE_INPUT,
        help_text=gettext_lazy("Bills whose early-payment discount ends before then are paid now."),
    )
    bank_account = forms.ModelChoiceField(label=gettext_lazy("Bank account"), queryset=services.bank_accounts())
    currency = forms.ModelChoiceField(label=gettext_lazy("Currency"), queryset=Currency.objects.filter(is_active=True))

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.for_user(user).active().order_by("name")
        self.fields["bank_account"].queryset = services.bank_accounts()


def paymentrun_list(request: HttpRequest) -> HttpResponse:
    allowed = organization_ids_for(request.user)
    payment_runs = PaymentRun.objects.filter(organization_id__in=allowed).select_related("bank_account")[:100]
    return TemplateResponse(
        request, "finance/payments/paymentrun_list.html", {"title": _("Payment runs"), "runs": payment_runs}
    )


def paymentrun_create(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    company = Company.objects.first()
    initial = {
        "payment_date": today,
        "due_by": today,
        "currency": company.currency_id if company else None,
        "organization": getattr(getattr(request, "organization", None), "pk", None),
        "bank_account": services.bank_accounts().first(),
    }
    form = PaymentRunForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            run = runs.payment_run_create(by=request.user, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            return redirect_to(request, run.get_absolute_url())
    return render_form(
        request,
        form=form,
        title=_("New payment run"),
        cancel_url=reverse("finance:paymentrun-list"),
        submit_label=_("Propose payments"),
    )


def _run(request: HttpRequest, pk: int) -> PaymentRun:
    allowed = organization_ids_for(request.user)
    return get_object_or_404(
        PaymentRun.objects.filter(organization_id__in=allowed).select_related("bank_account", "currency"), pk=pk
    )


def paymentrun_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    context = {"title": str(run), "run": run}
    if run.status == PaymentRunStatus.DRAFT:
        vendors = runs.run_proposal(run, organization_ids=[run.organization_id])
        context["vendors"] = vendors
        context["total"] = sum((vendor.amount for vendor in vendors), 0)
    else:
        context["payments"] = list(runs.run_payments(run))
        context["total"] = sum((payment.amount for payment in context["payments"]), 0)
    return TemplateResponse(request, "finance/payments/paymentrun_detail.html", context)


MAX_ID = 2**63 - 1  # the largest primary key (bigint)


def _item_ids(values: list[str]) -> list[int]:
    """The ticked open items' ids; values that cannot be primary keys (not ASCII digits, 0,
    beyond bigint) are left out."""
    ids = []
    for value in values:
        if value.isascii() and value.isdigit() and len(value) <= len(str(MAX_ID)):
            number = int(value)
            if 0 < number <= MAX_ID:
                ids.append(number)
    return ids


def paymentrun_execute(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    ids = _item_ids(request.POST.getlist("item"))
    try:
        if not ids:
            raise DomainError(_("Nothing to pay: choose at least one bill."))
        created = runs.payment_run_execute(
            run=run, by=request.user, item_ids=ids, organization_ids=[run.organization_id]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext("%(count)d payment created and posted.", "%(count)d payments created and posted.", len(created))
            % {"count": len(created)},
        )
    return redirect_to(request, run.get_absolute_url())


def paymentrun_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    response = HttpResponse(pdf.payments_pdf(list(run.payments.all()), title=str(run)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{run.number}.pdf"'
    return response

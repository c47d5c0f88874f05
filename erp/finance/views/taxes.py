"""Tax codes: list, create, edit, (de)activate."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.core.decorators import permission_required
from erp.core.exceptions import DomainError
from erp.core.listing import list_page
from erp.core.web import form_error, redirect_to, render_form
from erp.finance import services
from erp.finance.filters import TaxCodeFilter
from erp.finance.forms import TaxCodeForm
from erp.finance.models import TaxCode
from erp.finance.tables import TaxCodeTable


@permission_required("finance.view_taxcode")
def taxcode_list(request: HttpRequest) -> HttpResponse:
    filterset = TaxCodeFilter(request.GET, queryset=TaxCode.objects.select_related("account"))
    can_add = request.user.has_perm("finance.add_taxcode")
    return list_page(
        request,
        filterset=filterset,
        table_class=TaxCodeTable,
        title=_("Tax codes"),
        export_name="tax-codes",
        context={
            "create_url": reverse("finance:taxcode-create") if can_add else None,
            "create_label": _("New tax code"),
        },
    )


def _tax_fields(form: TaxCodeForm) -> dict:
    data = form.cleaned_data
    return {
        "code": data["code"],
        "name": data["name"],
        "rate": data["rate"],
        "tax_type": data["tax_type"],
        "account": data["account"],
        "price_included": data["price_included"],
        "description": data["description"],
    }


@permission_required("finance.add_taxcode")
def taxcode_create(request: HttpRequest) -> HttpResponse:
    form = TaxCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tax_code = services.tax_code_create(**_tax_fields(form), by=request.user)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Tax code %(code)s created.") % {"code": tax_code.code})
            return redirect_to(request, reverse("finance:taxcode-list"))
    return render_form(request, form=form, title=_("New tax code"), cancel_url=reverse("finance:taxcode-list"))


@permission_required("finance.change_taxcode")
def taxcode_update(request: HttpRequest, pk: int) -> HttpResponse:
    tax_code = get_object_or_404(TaxCode.objects.select_related("account"), pk=pk)
    form = TaxCodeForm(request.POST or None, instance=tax_code)
    if request.method == "POST" and form.is_valid():
        try:
            tax_code = services.tax_code_update(
                tax_code=tax_code,
                expected_version=form.cleaned_data["version"] or tax_code.version,
                **_tax_fields(form),
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Tax code %(code)s saved.") % {"code": tax_code.code})
            return redirect_to(request, reverse("finance:taxcode-list"))
    return render_form(
        request,
        form=form,
        title=_("Tax code %(code)s") % {"code": tax_code.code},
        cancel_url=reverse("finance:taxcode-list"),
        template="finance/taxcode_form.html",
        context={"tax_code": tax_code},
    )


@require_POST
@permission_required("finance.change_taxcode")
def taxcode_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    tax_code = get_object_or_404(TaxCode, pk=pk)
    activate = request.POST.get("is_active") == "1"
    try:
        services.tax_code_set_active(tax_code=tax_code, is_active=activate, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, (_("%(code)s reactivated.") if activate else _("%(code)s deactivated.")) % {"code": tax_code.code}
        )
    return redirect_to(request, reverse("finance:taxcode-update", args=[tax_code.pk]))

"""Business partner screens: list, detail, create/edit with addresses and contacts, (de)activate,
import; payment terms and partner categories."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.core import attachments
from erp.core.decorators import permission_required
from erp.core.exceptions import DomainError
from erp.core.formsets import changed_forms, child_rows, is_deleted, with_added_row
from erp.core.imports import import_page
from erp.core.listing import list_page
from erp.core.models import BusinessEvent, Company
from erp.core.web import form_error, redirect_to, render_form
from erp.partners import imports, selectors, services
from erp.partners.filters import PartnerCategoryFilter, PartnerFilter, PaymentTermFilter
from erp.partners.forms import (
    AddressFormSet,
    ContactFormSet,
    InstallmentFormSet,
    PartnerCategoryForm,
    PartnerForm,
    PaymentTermForm,
)
from erp.partners.models import Partner, PartnerCategory, PaymentTerm
from erp.partners.services import ADDRESS_FIELDS, CONTACT_FIELDS, InstallmentData
from erp.partners.tables import PartnerCategoryTable, PartnerTable, PaymentTermTable

PARTNER_FORM = "partners/partner_form.html"
TERM_FORM = "partners/paymentterm_form.html"
ROW_PREFIXES = ("addresses", "contacts")


# --- partners ---------------------------------------------------------------------------------


@permission_required("partners.view_partner")
def partner_list(request: HttpRequest) -> HttpResponse:
    filterset = PartnerFilter(request.GET, queryset=selectors.partner_list())
    user = request.user
    can_add = user.has_perm("partners.add_partner")
    return list_page(
        request,
        filterset=filterset,
        table_class=PartnerTable,
        title=_("Business partners"),
        export_name="partners",
        context={
            "create_url": reverse("partners:partner-create") if can_add else None,
            "create_label": _("New partner"),
            "import_url": reverse("partners:partner-import")
            if can_add and user.has_perm("partners.change_partner")
            else None,
        },
    )


@permission_required("partners.view_partner")
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        partner = selectors.partner_detail(pk=pk)
    except Partner.DoesNotExist:
        raise Http404 from None
    can_change = request.user.has_perm("partners.change_partner")
    addresses = list(partner.addresses.all())
    return TemplateResponse(
        request,
        "partners/partner_detail.html",
        {
            "title": str(partner),
            "partner": partner,
            "addresses": addresses,
            "contacts": list(partner.contacts.all()),
            "categories": list(partner.categories.all()),
            "accounts": selectors.partner_accounts(partner),
            "history": partner.history.select_related("history_user").order_by("-history_date")[:20],
            "events": BusinessEvent.objects.filter(
                aggregate_type="partners.partner", aggregate_id=str(partner.pk)
            ).select_related("actor")[:20],
            "can_change": can_change,
            **attachments.panel_context(partner, namespace="partners", name="partner", can_change=can_change),
        },
    )


def _version(form, record) -> int:
    """The version the form was loaded with (the record's own when the form did not send one)."""
    sent = form.cleaned_data.get("version")
    return record.version if sent is None else sent


def _partner_form(request: HttpRequest, partner: Partner | None) -> HttpResponse:
    instance = partner or Partner()
    data = request.POST if request.method == "POST" else None
    added = with_added_row(request, ROW_PREFIXES) if data is not None else None
    initial = None
    if partner is None and data is None:
        company = Company.objects.select_related("currency").first()
        initial = {"is_customer": True, "country": company.country if company else ""}
    form = PartnerForm(added or data, instance=instance, initial=initial)
    address_set = AddressFormSet(added or data, instance=instance, prefix="addresses")
    contact_set = ContactFormSet(added or data, instance=instance, prefix="contacts")
    duplicates: list[Partner] = []
    if data is not None and added is None and form.is_valid() and address_set.is_valid() and contact_set.is_valid():
        rows = {
            "addresses": child_rows(address_set, ADDRESS_FIELDS),
            "contacts": child_rows(contact_set, CONTACT_FIELDS),
            "categories": form.cleaned_data["categories"],
            "custom_fields": form.cleaned_custom_fields,
        }
        try:
            if partner is None:
                saved = services.partner_create(
                    code=form.cleaned_data["code"],
                    **form.service_fields(),
                    **rows,
                    allow_duplicate=request.POST.get("confirm_duplicate") == "1",
                    by=request.user,
                )
            else:
                saved = services.partner_update(
                    partner=partner,
                    expected_version=_version(form, partner),
                    **form.service_fields(),
                    **rows,
                    by=request.user,
                )
        except services.PossibleDuplicate as error:
            duplicates = error.matches
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("%(partner)s saved.") % {"partner": saved})
            for warning in getattr(saved, "rule_warnings", []):
                messages.warning(request, warning)
            return redirect_to(request, saved.get_absolute_url())
    title = _("New business partner") if partner is None else _("Edit %(partner)s") % {"partner": partner}
    return render_form(
        request,
        form=form,
        title=title,
        cancel_url=partner.get_absolute_url() if partner else reverse("partners:partner-list"),
        template=PARTNER_FORM,
        context={"address_set": address_set, "contact_set": contact_set, "duplicates": duplicates},
    )


@permission_required("partners.add_partner")
def partner_create(request: HttpRequest) -> HttpResponse:
    return _partner_form(request, None)


@permission_required("partners.change_partner")
def partner_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _partner_form(request, get_object_or_404(Partner.objects.all(), pk=pk))


@require_POST
@permission_required("partners.change_partner")
def partner_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner.objects.all(), pk=pk)
    activate = request.POST.get("is_active") == "1"
    services.partner_set_active(partner=partner, is_active=activate, by=request.user)
    messages.success(
        request, (_("%(partner)s reactivated.") if activate else _("%(partner)s deactivated.")) % {"partner": partner}
    )
    return redirect_to(request, partner.get_absolute_url())


@permission_required("partners.add_partner", "partners.change_partner")
def partner_import(request: HttpRequest) -> HttpResponse:
    return import_page(
        request,
        title=_("Import business partners"),
        planner=imports.partners_plan,
        applier=lambda plan: imports.partners_import(plan=plan, by=request.user),
        done_url=reverse("partners:partner-list"),
        cancel_url=reverse("partners:partner-list"),
        columns_help=imports.COLUMNS_HELP,
        example=imports.EXAMPLE,
        success_message=_("Business partners imported."),
    )


# --- payment terms ----------------------------------------------------------------------------


@permission_required("partners.view_paymentterm")
def paymentterm_list(request: HttpRequest) -> HttpResponse:
    filterset = PaymentTermFilter(request.GET, queryset=selectors.payment_term_list())
    can_add = request.user.has_perm("partners.add_paymentterm")
    return list_page(
        request,
        filterset=filterset,
        table_class=PaymentTermTable,
        title=_("Payment terms"),
        export_name="payment-terms",
        context={
            "create_url": reverse("partners:paymentterm-create") if can_add else None,
            "create_label": _("New payment term"),
        },
    )


@permission_required("partners.view_paymentterm")
def paymentterm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_object_or_404(PaymentTerm.objects.prefetch_related("lines"), pk=pk)
    example_date = timezone.localdate()
    return TemplateResponse(
        request,
        "partners/paymentterm_detail.html",
        {
            "title": str(term),
            "term": term,
            "lines": list(term.lines.all()),
            "example_date": example_date,
            "example": term.schedule(invoice_date=example_date, amount=1000),
            "customer_count": term.customers.count(),
            "vendor_count": term.vendors.count(),
            "history": term.history.select_related("history_user").order_by("-history_date")[:20],
            "events": BusinessEvent.objects.filter(
                aggregate_type="partners.paymentterm", aggregate_id=str(term.pk)
            ).select_related("actor")[:20],
        },
    )


def _installments(formset) -> list[InstallmentData]:
    return [
        InstallmentData(
            percent=form.cleaned_data["percent"],
            days=form.cleaned_data["days"],
            end_of_month=form.cleaned_data.get("end_of_month") or False,
        )
        for form in changed_forms(formset)
        if not is_deleted(formset, form)
    ]


def _term_form(request: HttpRequest, term: PaymentTerm | None) -> HttpResponse:
    instance = term or PaymentTerm()
    data = request.POST if request.method == "POST" else None
    added = with_added_row(request, ("installments",)) if data is not None else None
    form = PaymentTermForm(added or data, instance=instance)
    line_set = InstallmentFormSet(added or data, instance=instance, prefix="installments")
    if data is not None and added is None and form.is_valid() and line_set.is_valid():
        fields = {
            name: form.cleaned_data[name]
            for name in ("code", "name", "net_days", "end_of_month", "discount_percent", "discount_days", "description")
        }
        try:
            if term is None:
                saved = services.payment_term_create(**fields, installments=_installments(line_set), by=request.user)
            else:
                saved = services.payment_term_update(
                    term=term,
                    expected_version=_version(form, term),
                    **fields,
                    installments=_installments(line_set),
                    by=request.user,
                )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Payment term %(code)s saved.") % {"code": saved.code})
            return redirect_to(request, saved.get_absolute_url())
    return render_form(
        request,
        form=form,
        title=_("New payment term") if term is None else _("Edit %(term)s") % {"term": term},
        cancel_url=term.get_absolute_url() if term else reverse("partners:paymentterm-list"),
        template=TERM_FORM,
        context={"line_set": line_set},
    )


@permission_required("partners.add_paymentterm")
def paymentterm_create(request: HttpRequest) -> HttpResponse:
    return _term_form(request, None)


@permission_required("partners.change_paymentterm")
def paymentterm_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _term_form(request, get_object_or_404(PaymentTerm.objects.all(), pk=pk))


@require_POST
@permission_required("partners.change_paymentterm")
def paymentterm_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_object_or_404(PaymentTerm.objects.all(), pk=pk)
    activate = request.POST.get("is_active") == "1"
    services.payment_term_set_active(term=term, is_active=activate, by=request.user)
    messages.success(
        request, (_("%(code)s reactivated.") if activate else _("%(code)s deactivated.")) % {"code": term.code}
    )
    return redirect_to(request, term.get_absolute_url())


# --- partner categories -----------------------------------------------------------------------


@permission_required("partners.view_partnercategory")
def partnercategory_list(request: HttpRequest) -> HttpResponse:
    queryset = PartnerCategory.objects.annotate(partner_count=Count("partners"))
    can_add = request.user.has_perm("partners.add_partnercategory")
    return list_page(
        request,
        filterset=PartnerCategoryFilter(request.GET, queryset=queryset),
        table_class=PartnerCategoryTable,
        title=_("Partner categories"),
        export_name="partner-categories",
        context={
            "create_url": reverse("partners:partnercategory-create") if can_add else None,
            "create_label": _("New category"),
        },
    )


def _category_form(request: HttpRequest, category: PartnerCategory | None) -> HttpResponse:
    form = PartnerCategoryForm(request.POST or None, instance=category or PartnerCategory())
    if category is None:
        form.fields.pop("is_active")
    if request.method == "POST" and form.is_valid():
        try:
            if category is None:
                services.category_create(name=form.cleaned_data["name"], by=request.user)
            else:
                services.category_update(
                    category=category,
                    name=form.cleaned_data["name"],
                    is_active=form.cleaned_data["is_active"],
                    by=request.user,
                )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Category saved."))
            return redirect_to(request, reverse("partners:partnercategory-list"))
    return render_form(
        request,
        form=form,
        title=_("New partner category") if category is None else _("Edit %(name)s") % {"name": category.name},
        cancel_url=reverse("partners:partnercategory-list"),
    )


@permission_required("partners.add_partnercategory")
def partnercategory_create(request: HttpRequest) -> HttpResponse:
    return _category_form(request, None)


@permission_required("partners.change_partnercategory")
def partnercategory_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _category_form(request, get_object_or_404(PartnerCategory, pk=pk))

"""Custom field definitions: the tenant administrator's screens."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.core.customfields import services
from erp.core.customfields.filters import CustomFieldDefinitionFilter
from erp.core.customfields.forms import CustomFieldDefinitionForm
from erp.core.customfields.models import CustomField
from erp.core.customfields.tables import CustomFieldTable
from erp.core.decorators import permission_required
from erp.core.exceptions import DomainError
from erp.core.listing import list_page
from erp.core.web import form_error, redirect_to, render_form

FORM_TEMPLATE = "core/customfield_form.html"


@permission_required("core.view_customfield")
def customfield_list(request: HttpRequest) -> HttpResponse:
    filterset = CustomFieldDefinitionFilter(request.GET, queryset=CustomField.objects.all())
    return list_page(
        request,
        filterset=filterset,
        table_class=CustomFieldTable,
        title=_("Custom fields"),
        export_name="custom-fields",
        context={
            "create_url": reverse("core:customfield-create") if request.user.has_perm("core.add_customfield") else None,
            "create_label": _("New custom field"),
        },
    )


@permission_required("core.add_customfield")
def customfield_create(request: HttpRequest) -> HttpResponse:
    form = CustomFieldDefinitionForm(request.POST or None, initial={"model": request.GET.get("model", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            definition = services.customfield_create(
                model=data["model"],
                code=data["code"],
                field_type=data["field_type"],
                lookup_model=data["lookup_model"],
                by=request.user,
                **form.options(),
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Custom field “%(field)s” added.") % {"field": definition})
            return redirect_to(request, reverse("core:customfield-list"))
    return render_form(
        request,
        form=form,
        title=_("New custom field"),
        cancel_url=reverse("core:customfield-list"),
        template=FORM_TEMPLATE,
    )


@permission_required("core.change_customfield")
def customfield_update(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_object_or_404(CustomField, pk=pk)
    form = CustomFieldDefinitionForm(request.POST or None, instance=definition)
    if request.method == "POST" and form.is_valid():
        try:
            definition = services.customfield_update(
                definition=definition,
                expected_version=form.cleaned_data["version"] or definition.version,
                by=request.user,
                **form.options(),
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Custom field “%(field)s” saved.") % {"field": definition})
            return redirect_to(request, reverse("core:customfield-list"))
    return render_form(
        request,
        form=form,
        title=_("Edit custom field %(field)s") % {"field": definition},
        cancel_url=reverse("core:customfield-list"),
        template=FORM_TEMPLATE,
        context={"definition": definition},
    )


@require_POST
@permission_required("core.delete_customfield")
def customfield_delete(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_object_or_404(CustomField, pk=pk)
    reason = request.POST.get("reason", "").strip() or _("Removed by %(user)s") % {"user": request.user}
    services.customfield_remove(definition=definition, by=request.user, reason=reason)
    messages.success(
        request,
        _("Custom field “%(field)s” removed; values already stored stay in the records' history.")
        % {"field": definition},
    )
    return redirect_to(request, reverse("core:customfield-list"))

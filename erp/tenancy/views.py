"""The operator's site on the bare base domain: tenants and their lifecycle."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tenants.utils import schema_context

from erp.accounts.forms import ThrottledAuthenticationForm
from erp.accounts.roles import label as role_label
from erp.core.decorators import login_only, permission_required, public
from erp.core.exceptions import DomainError
from erp.core.listing import list_page
from erp.core.web import form_error, redirect_to, render_form
from erp.tenancy import services
from erp.tenancy.filters import ClientFilter
from erp.tenancy.forms import TenantCreateForm
from erp.tenancy.models import Client
from erp.tenancy.tables import ClientTable

MANAGE = "tenancy.manage_tenants"

login = public(
    auth_views.LoginView.as_view(
        template_name="tenancy/login.html",
        authentication_form=ThrottledAuthenticationForm,
        redirect_authenticated_user=True,
        next_page="operator:tenant-list",
    )
)
logout = login_only(auth_views.LogoutView.as_view(next_page="accounts:login"))


@permission_required(MANAGE)
def tenant_list(request: HttpRequest) -> HttpResponse:
    queryset = Client.objects.companies().prefetch_related("domains")
    filterset = ClientFilter(request.GET, queryset=queryset)
    return list_page(
        request,
        filterset=filterset,
        table_class=ClientTable,
        title=_("Tenants"),
        export_name="tenants",
        context={"create_url": reverse("operator:tenant-create"), "create_label": _("New tenant")},
    )


@permission_required(MANAGE)
def tenant_create(request: HttpRequest) -> HttpResponse:
    form = TenantCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.tenant_create(new=form.to_new_tenant(), by=request.user)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request, _("Tenant %(name)s created at %(url)s.") % {"name": client.name, "url": client.primary_domain}
            )
            return redirect_to(request, reverse("operator:tenant-detail", args=[client.pk]))
    return render_form(
        request,
        form=form,
        title=_("New tenant"),
        cancel_url=reverse("operator:tenant-list"),
        submit_label=_("Create tenant"),
    )


@permission_required(MANAGE)
def tenant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(Client.objects.companies().prefetch_related("domains"), pk=pk)
    from erp.accounts.models import User

    with schema_context(client.schema_name):
        users = list(User.objects.order_by("email").prefetch_related("groups"))
    for member in users:
        member.role_labels = [role_label(group.name) for group in member.groups.all()]
    connection.set_schema_to_public()
    port = request.get_port()
    return TemplateResponse(
        request,
        "tenancy/tenant_detail.html",
        {"title": client.name, "client": client, "users": users, "tenant_url": client.url(port=port)},
    )


@require_POST
@permission_required(MANAGE)
def tenant_set_status(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(Client.objects.companies(), pk=pk)
    status = request.POST.get("status", "")
    if status not in Client.Status.values:
        messages.error(request, _("Unknown status."))
    else:
        try:
            client = services.tenant_set_status(client=client, status=status)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if client.status == Client.Status.SUSPENDED:
                messages.success(request, _("%(name)s is suspended: its users are signed out.") % {"name": client.name})
            else:
                messages.success(request, _("%(name)s is active again.") % {"name": client.name})
    return redirect_to(request, reverse("operator:tenant-detail", args=[client.pk]))


@public
def home(request: HttpRequest) -> HttpResponse:
    return redirect_to(request, reverse("operator:tenant-list"))

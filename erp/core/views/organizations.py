"""Organizations: the tree of business units, and the switcher in the top bar."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.core import services
from erp.core.decorators import login_only, permission_required
from erp.core.exceptions import DomainError
from erp.core.filters import OrganizationFilter
from erp.core.forms import OrganizationForm
from erp.core.listing import list_page
from erp.core.middleware import SESSION_ORGANIZATION_KEY
from erp.core.models import BusinessEvent, Organization
from erp.core.tables import OrganizationTable
from erp.core.web import form_error, redirect_to, render_form


def _tree(organizations: list[Organization]) -> list[dict]:
    by_parent: dict[int | None, list[Organization]] = {}
    ids = {o.pk for o in organizations}
    for organization in organizations:
        parent = organization.parent_id if organization.parent_id in ids else None
        by_parent.setdefault(parent, []).append(organization)

    def build(parent_id: int | None) -> list[dict]:
        return [{"node": o, "children": build(o.pk)} for o in by_parent.get(parent_id, [])]

    return build(None)


@permission_required("core.view_organization")
def organization_list(request: HttpRequest) -> HttpResponse:
    queryset = Organization.objects.for_user(request.user).select_related("parent")
    filterset = OrganizationFilter(request.GET, queryset=queryset)
    tree = _tree(list(queryset.order_by("name"))) if not request.GET else None
    return list_page(
        request,
        filterset=filterset,
        table_class=OrganizationTable,
        title=_("Organizations"),
        export_name="organizations",
        template="core/organization_list.html",
        context={
            "tree": tree,
            "create_url": reverse("core:organization-create")
            if request.user.has_perm("core.add_organization")
            else None,
        },
    )


@permission_required("core.view_organization")
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(
        Organization.objects.for_user(request.user).select_related("parent", "created_by", "updated_by"), pk=pk
    )
    children = organization.children.all().order_by("name")
    users = (
        get_user_model()
        .objects.filter(
            userobjectpermission__object_pk=str(organization.pk),
            userobjectpermission__permission__codename="access_organization",
        )
        .order_by("email")
        .distinct()
    )
    history = organization.history.select_related("history_user").order_by("-history_date")[:20]
    events = BusinessEvent.objects.filter(
        aggregate_type="core.organization", aggregate_id=str(organization.pk)
    ).select_related("actor")[:20]
    return TemplateResponse(
        request,
        "core/organization_detail.html",
        {
            "organization": organization,
            "children": children,
            "users": users,
            "history": history,
            "events": events,
            "title": organization.name,
        },
    )


@permission_required("core.add_organization")
def organization_create(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(
        request.POST or None,
        user=request.user,
        initial={"parent": request.GET.get("parent")} if request.method == "GET" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                parent=form.cleaned_data["parent"],
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Organization %(name)s created.") % {"name": organization.name})
            return redirect_to(request, organization.get_absolute_url())
    return render_form(request, form=form, title=_("New organization"), cancel_url=reverse("core:organization-list"))


@permission_required("core.change_organization")
def organization_update(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(Organization.objects.for_user(request.user), pk=pk)
    form = OrganizationForm(request.POST or None, user=request.user, instance=organization)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                organization = services.organization_update(
                    organization=organization,
                    code=form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                    parent=form.cleaned_data["parent"],
                    expected_version=form.cleaned_data["version"] or organization.version,
                    by=request.user,
                )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Organization %(name)s saved.") % {"name": organization.name})
            return redirect_to(request, organization.get_absolute_url())
    return render_form(
        request,
        form=form,
        title=_("Edit %(name)s") % {"name": organization.name},
        cancel_url=organization.get_absolute_url(),
    )


@require_POST
@permission_required("core.change_organization")
def organization_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(Organization.objects.for_user(request.user), pk=pk)
    activate = request.POST.get("is_active") == "1"
    try:
        services.organization_set_active(organization=organization, is_active=activate, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            (_("%(name)s reactivated.") if activate else _("%(name)s deactivated.")) % {"name": organization.name},
        )
    return redirect_to(request, organization.get_absolute_url())


@require_POST
@login_only
def organization_switch(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("organization", "")
    allowed = Organization.objects.for_user(request.user).active()
    chosen = allowed.filter(pk=int(wanted)).first() if wanted.isdecimal() else None
    if chosen is None:
        messages.error(request, _("You cannot work in that organization."))
    else:
        request.session[SESSION_ORGANIZATION_KEY] = chosen.pk
        messages.success(request, _("You are now working in %(name)s.") % {"name": chosen.name})
    next_url = request.POST.get("next") or reverse("core:dashboard")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("core:dashboard")
    return redirect_to(request, next_url)

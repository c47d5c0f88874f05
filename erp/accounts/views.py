"""Sign-in, profile, users and roles of a tenant."""

from __future__ import annotations

from collections import OrderedDict
from functools import partial

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from erp.accounts import selectors, services, tasks
from erp.accounts.filters import RoleFilter, UserFilter
from erp.accounts.forms import (
    PasswordResetForm,
    ProfileForm,
    RoleForm,
    ThrottledAuthenticationForm,
    UserCreateForm,
    UserEditForm,
)
from erp.accounts.models import User
from erp.accounts.roles import ADMINISTRATOR
from erp.accounts.roles import label as role_label
from erp.accounts.tables import RoleTable, UserTable
from erp.core.decorators import login_only, permission_required, public
from erp.core.exceptions import DomainError
from erp.core.listing import list_page
from erp.core.models import BusinessEvent, Organization
from erp.core.tasks import current_schema
from erp.core.web import form_error, redirect_to, render_form

# --- Sign-in and password -------------------------------------------------------

login = public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=ThrottledAuthenticationForm,
        redirect_authenticated_user=True,
    )
)
logout = login_only(auth_views.LogoutView.as_view())
password_reset = public(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        form_class=PasswordResetForm,
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password-reset-done"),
    )
)
password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = public(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password-reset-complete"),
    )
)
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
)


@login_only
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect_to(request, reverse("accounts:profile"))
    return render_form(request, form=form, title=_("Change password"), cancel_url=reverse("accounts:profile"))


@login_only
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect_to(request, reverse("accounts:profile"))
    return render_form(
        request,
        form=form,
        title=_("Your profile"),
        template="accounts/profile.html",
        context={"roles": [role_label(g.name) for g in request.user.groups.all()]},
    )


# --- Users ---------------------------------------------------------------------------


def _users():
    return User.objects.prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))


@permission_required("accounts.view_user")
def user_list(request: HttpRequest) -> HttpResponse:
    filterset = UserFilter(request.GET, queryset=_users())
    return list_page(
        request,
        filterset=filterset,
        table_class=UserTable,
        title=_("Users"),
        export_name="users",
        context={
            "create_url": reverse("accounts:user-create") if request.user.has_perm("accounts.add_user") else None,
            "create_label": _("New user"),
        },
    )


def _granted_organizations(user: User):
    return Organization.all_objects.filter(
        pk__in=[
            int(pk)
            for pk in user.userobjectpermission_set.filter(permission__codename="access_organization").values_list(
                "object_pk", flat=True
            )
        ]
    ).order_by("name")


@permission_required("accounts.view_user")
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(_users(), pk=pk)
    return TemplateResponse(
        request,
        "accounts/user_detail.html",
        {
            "title": str(member),
            "member": member,
            "roles": [role_label(g.name) for g in member.groups.all()],
            "organizations": _granted_organizations(member),
            "history": member.history.select_related("history_user").order_by("-history_date")[:20],
            "events": BusinessEvent.objects.filter(
                aggregate_type="accounts.user", aggregate_id=str(member.pk)
            ).select_related("actor")[:20],
        },
    )


def _send_invitation(request: HttpRequest, user: User) -> None:
    transaction.on_commit(
        partial(
            tasks.send_invitation_email,
            schema_name=current_schema(),
            user_id=user.pk,
            domain=request.get_host(),
            use_https=request.is_secure(),
        )
    )


@permission_required("accounts.add_user")
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.user_create(
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password"] or None,
                roles=list(data["roles"]),
                organizations=list(data["organizations"]),
                language=request.user.language,
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            if not data["password"]:
                _send_invitation(request, member)
                messages.success(request, _("%(email)s has been invited by e-mail.") % {"email": member.email})
            else:
                messages.success(request, _("User %(email)s created.") % {"email": member.email})
            return redirect_to(request, reverse("accounts:user-detail", args=[member.pk]))
    return render_form(request, form=form, title=_("New user"), cancel_url=reverse("accounts:user-list"))


@permission_required("accounts.change_user")
def user_update(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(User, pk=pk)
    granted = list(_granted_organizations(member))
    initial = {
        "email": member.email,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "roles": list(member.groups.all()),
        "organizations": granted,
        "is_active": member.is_active,
    }
    form = UserEditForm(request.POST or None, user=request.user, initial=initial, granted=granted)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                user=member,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                roles=list(data["roles"]),
                organizations=list(data["organizations"]),
                is_active=data["is_active"],
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("User %(email)s saved.") % {"email": member.email})
            return redirect_to(request, reverse("accounts:user-detail", args=[member.pk]))
    return render_form(
        request,
        form=form,
        title=_("Edit %(name)s") % {"name": member},
        cancel_url=reverse("accounts:user-detail", args=[member.pk]),
    )


@require_POST
@permission_required("accounts.change_user")
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(User, pk=pk)
    activate = request.POST.get("is_active") == "1"
    try:
        services.user_set_active(user=member, is_active=activate, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            (_("%(email)s reactivated.") if activate else _("%(email)s deactivated.")) % {"email": member.email},
        )
    return redirect_to(request, reverse("accounts:user-detail", args=[member.pk]))


# --- Roles ---------------------------------------------------------------------------

STANDARD_ACTIONS = {
    "view": gettext_lazy("View"),
    "add": gettext_lazy("Add"),
    "change": gettext_lazy("Change"),
    "delete": gettext_lazy("Delete"),
}


def _permission_matrix(selected: set[int]) -> list[dict]:
    """Rows per model (grouped by app) with the standard actions as columns and the rest listed."""
    rows: OrderedDict[tuple[str, str], dict] = OrderedDict()
    for permission in selectors.grantable_permissions():
        content_type = permission.content_type
        model = content_type.model_class()
        key = (content_type.app_label, content_type.model)
        row = rows.setdefault(
            key,
            {
                "app": model._meta.app_config.verbose_name,
                "model": model._meta.verbose_name_plural,
                "actions": {},
                "other": [],
            },
        )
        action = permission.codename.split("_", 1)[0]
        entry = {"id": permission.pk, "checked": permission.pk in selected}
        if action in STANDARD_ACTIONS and permission.codename == f"{action}_{content_type.model}":
            # Django stores these names in English only ("Can view …"): label them from the matrix.
            entry["name"] = f"{STANDARD_ACTIONS[action]}: {row['model']}"
            row["actions"][action] = entry
        else:
            # Custom permissions are declared with gettext_lazy, so their stored name is a msgid.
            entry["name"] = _(permission.name)
            row["other"].append(entry)
    for row in rows.values():
        row["cells"] = [row["actions"].get(action) for action in STANDARD_ACTIONS]
    return list(rows.values())


@permission_required("auth.view_group")
def role_list(request: HttpRequest) -> HttpResponse:
    queryset = Group.objects.annotate(
        user_count=Count("user", distinct=True), permission_count=Count("permissions", distinct=True)
    )
    filterset = RoleFilter(request.GET, queryset=queryset)
    return list_page(
        request,
        filterset=filterset,
        table_class=RoleTable,
        title=_("Roles"),
        export_name="roles",
        context={
            "create_url": reverse("accounts:role-create") if request.user.has_perm("auth.add_group") else None,
            "create_label": _("New role"),
        },
    )


@permission_required("auth.view_group")
def role_detail(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(Group, pk=pk)
    editable = request.user.has_perm("auth.change_group") and role.name != ADMINISTRATOR
    if request.method == "POST":
        if not editable:
            messages.error(request, _("This role cannot be changed."))
            return redirect_to(request, reverse("accounts:role-detail", args=[role.pk]))
        wanted = [int(pk) for pk in request.POST.getlist("permissions") if pk.isdecimal()]
        try:
            services.role_set_permissions(
                role=role, permissions=list(Permission.objects.filter(pk__in=wanted)), by=request.user
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Permissions of %(role)s saved.") % {"role": role_label(role.name)})
        return redirect_to(request, reverse("accounts:role-detail", args=[role.pk]))
    selected = set(role.permissions.values_list("pk", flat=True))
    return TemplateResponse(
        request,
        "accounts/role_detail.html",
        {
            "title": role_label(role.name),
            "role": role,
            "role_label": role_label(role.name),
            "matrix": _permission_matrix(selected),
            "actions": list(STANDARD_ACTIONS.values()),
            "editable": editable,
            "is_administrator": role.name == ADMINISTRATOR,
            "members": role.user_set.order_by("email"),
        },
    )


@permission_required("auth.add_group")
def role_create(request: HttpRequest) -> HttpResponse:
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        role = services.role_create(name=form.cleaned_data["name"], by=request.user)
        messages.success(request, _("Role %(name)s created. Now choose its permissions.") % {"name": role.name})
        return redirect_to(request, reverse("accounts:role-detail", args=[role.pk]))
    return render_form(request, form=form, title=_("New role"), cancel_url=reverse("accounts:role-list"))

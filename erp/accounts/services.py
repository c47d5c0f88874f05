"""Users, roles and organization access: every write goes through here."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import assign_perm, remove_perm

from erp.accounts.models import SeededRolePermission, User
from erp.accounts.roles import ADMINISTRATOR, ROLE_PERMISSIONS, is_grantable
from erp.accounts.selectors import grantable_permissions
from erp.core import access, events
from erp.core.exceptions import DomainError
from erp.core.models import Organization

# Roles are auth groups: name their events as roles, not as "groups".
events.label_verbs(
    {
        "accounts.role.created": gettext_lazy("Role created"),
        "accounts.role.permissions_changed": gettext_lazy("Role permissions changed"),
    }
)


def _matches(spec: str, app_label: str, codename: str) -> bool:
    if spec == "*":
        return True
    spec_app, _dot, spec_code = spec.partition(".")
    if spec_app != app_label:
        return False
    if spec_code == "*":
        return True
    if spec_code.endswith("*"):
        return codename.startswith(spec_code[:-1])
    return codename == spec_code


@transaction.atomic
def roles_sync() -> None:
    """Create the default roles and give them the default permissions they never had."""
    permissions = [
        p
        for p in Permission.objects.select_related("content_type")
        if is_grantable(p.content_type.app_label, p.content_type.model)
    ]
    seeded = set(SeededRolePermission.objects.values_list("role", "permission"))
    for role, specs in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        new = []
        for permission in permissions:
            key = f"{permission.content_type.app_label}.{permission.codename}"
            if (role, key) in seeded:
                continue
            if any(_matches(spec, permission.content_type.app_label, permission.codename) for spec in specs):
                new.append((permission, key))
        if new:
            group.permissions.add(*(permission for permission, _key in new))
            SeededRolePermission.objects.bulk_create(
                [SeededRolePermission(role=role, permission=key) for _permission, key in new], ignore_conflicts=True
            )


@transaction.atomic
def user_create(
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    roles: list[Group] | tuple[Group, ...] = (),
    organizations: list[Organization] | tuple[Organization, ...] = (),
    language: str = "en",
    time_zone: str = "UTC",
    by: User | None = None,
) -> User:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(_("A user with this e-mail address already exists."), field="email")
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        language=language,
        time_zone=time_zone,
    )
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.set(roles)
    for organization in organizations:
        assign_perm("core.access_organization", user, organization)
    events.record(
        verb="accounts.user.created",
        target=user,
        actor=by,
        data={"roles": [g.name for g in roles], "organizations": [o.code for o in organizations]},
    )
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    roles: list[Group],
    organizations: list[Organization],
    is_active: bool,
    by: User,
) -> User:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise DomainError(_("A user with this e-mail address already exists."), field="email")
    if user.pk == by.pk and not is_active:
        raise DomainError(_("You cannot deactivate your own account."), field="is_active")
    before_roles = set(user.groups.values_list("name", flat=True))
    if ADMINISTRATOR in before_roles and ADMINISTRATOR not in {g.name for g in roles}:
        if user.pk == by.pk:
            raise DomainError(_("You cannot remove the Administrator role from yourself."), field="roles")
        _keep_an_administrator(losing=user)
    if not is_active and ADMINISTRATOR in before_roles:
        _keep_an_administrator(losing=user)
    user.first_name, user.last_name, user.email, user.is_active = first_name, last_name, email, is_active
    user.save(update_fields=["first_name", "last_name", "email", "is_active"])
    user.groups.set(roles)
    organizations_set(user=user, organizations=organizations)
    events.record(
        verb="accounts.user.updated",
        target=user,
        actor=by,
        data={
            "roles_added": sorted({g.name for g in roles} - before_roles),
            "roles_removed": sorted(before_roles - {g.name for g in roles}),
            "is_active": is_active,
        },
    )
    return user


def organizations_set(*, user: User, organizations: list[Organization]) -> None:
    """Grant exactly these organizations (and through them their descendants)."""
    wanted = {o.pk for o in organizations}
    current = _granted(user)
    for pk, organization in current.items():
        if pk not in wanted:
            remove_perm("core.access_organization", user, organization)
    for organization in organizations:
        if organization.pk not in current:
            assign_perm("core.access_organization", user, organization)
    access.forget(user)


def _granted(user: User) -> dict[int, Organization]:
    from guardian.shortcuts import get_objects_for_user

    granted = get_objects_for_user(
        user,
        "core.access_organization",
        klass=Organization.all_objects.all(),
        accept_global_perms=False,
        with_superuser=False,
    )
    return {o.pk: o for o in granted}


def _keep_an_administrator(*, losing: User) -> None:
    """Refuse a change that would leave the tenant without an active administrator."""
    others = User.objects.filter(groups__name=ADMINISTRATOR, is_active=True).exclude(pk=losing.pk)
    if not others.exists():
        raise DomainError(_("The company must keep at least one active administrator."), field="roles")


@transaction.atomic
def user_set_active(*, user: User, is_active: bool, by: User) -> User:
    if user.pk == by.pk and not is_active:
        raise DomainError(_("You cannot deactivate your own account."))
    if not is_active and user.groups.filter(name=ADMINISTRATOR).exists():
        _keep_an_administrator(losing=user)
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    events.record(verb="accounts.user.activated" if is_active else "accounts.user.deactivated", target=user, actor=by)
    return user


@transaction.atomic
def role_set_permissions(*, role: Group, permissions: list[Permission], by: User) -> Group:
    """Grant the role exactly ``permissions`` among those the role screen offers.

    Permissions the screen does not show (history models, plumbing) stay as they are."""
    if role.name == ADMINISTRATOR:
        raise DomainError(_("The Administrator role always has every permission and cannot be changed."))
    grantable = {p.pk for p in grantable_permissions()}
    if any(p.pk not in grantable for p in permissions):
        raise DomainError(_("Some of these permissions cannot be given to a role."))
    current = set(role.permissions.values_list("pk", flat=True))
    before = current & grantable
    after = {p.pk for p in permissions}
    role.permissions.set((current - grantable) | after)
    events.record(
        verb="accounts.role.permissions_changed",
        target=role,
        actor=by,
        data={"added": len(after - before), "removed": len(before - after)},
    )
    return role


@transaction.atomic
def role_create(*, name: str, by: User) -> Group:
    if Group.objects.filter(name__iexact=name.strip()).exists():
        raise DomainError(_("A role with this name already exists."), field="name")
    role = Group.objects.create(name=name.strip())
    events.record(verb="accounts.role.created", target=role, actor=by)
    return role

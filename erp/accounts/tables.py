from __future__ import annotations

import django_tables2 as tables
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from erp.accounts.models import User
from erp.accounts.roles import label as role_label


class UserTable(tables.Table):
    email = tables.Column(
        verbose_name=_("E-mail"), linkify=lambda record: reverse("accounts:user-detail", args=[record.pk])
    )
    name = tables.Column(verbose_name=_("Name"), accessor="get_full_name", order_by=("last_name", "first_name"))
    roles = tables.Column(verbose_name=_("Roles"), accessor="pk", orderable=False)
    is_active = tables.BooleanColumn(verbose_name=_("Active"))
    last_login = tables.DateTimeColumn(verbose_name=_("Last sign-in"), short=True, default="—")

    class Meta:
        model = User
        fields = ("email", "name", "roles", "is_active", "last_login")
        order_by = ("email",)

    def render_roles(self, record: User) -> str:
        return ", ".join(role_label(group.name) for group in record.groups.all()) or "—"

    def value_roles(self, record: User) -> str:
        return self.render_roles(record)


class RoleTable(tables.Table):
    name = tables.Column(
        verbose_name=_("Role"), linkify=lambda record: reverse("accounts:role-detail", args=[record.pk])
    )
    user_count = tables.Column(verbose_name=_("Users"), attrs={"td": {"class": "numeric"}, "th": {"class": "numeric"}})
    permission_count = tables.Column(
        verbose_name=_("Permissions"), attrs={"td": {"class": "numeric"}, "th": {"class": "numeric"}}
    )

    class Meta:
        model = Group
        fields = ("name", "user_count", "permission_count")
        order_by = ("name",)

    def render_name(self, value: str) -> str:
        return role_label(value)

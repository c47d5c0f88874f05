from __future__ import annotations

import django_filters
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from erp.accounts.models import User
from erp.core.filters import SearchFilterSet, YesNoFilter


class UserFilter(SearchFilterSet):
    search_fields = ("email", "first_name", "last_name")
    role = django_filters.ModelChoiceFilter(
        label=_("Role"), field_name="groups", queryset=Group.objects.order_by("name")
    )
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]


class RoleFilter(SearchFilterSet):
    search_fields = ("name",)

    class Meta:
        model = Group
        fields = ["q"]

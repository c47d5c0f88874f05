from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from erp.core.filters import SearchFilterSet, YesNoFilter
from erp.finance.models import Account, AccountRole, AccountType, FiscalYear, PeriodStatus, TaxCode, TaxType


class AccountFilter(SearchFilterSet):
    search_fields = ("code", "name")
    account_type = django_filters.ChoiceFilter(label=_("Type"), choices=AccountType.choices)
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=[c for c in AccountRole.choices if c[0]], empty_label=_("Any")
    )
    is_group = YesNoFilter(label=_("Summary"))
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = Account
        fields = ["q", "account_type", "role", "is_group", "is_active"]


class FiscalYearFilter(SearchFilterSet):
    search_fields = ("name",)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PeriodStatus.choices)

    class Meta:
        model = FiscalYear
        fields = ["q", "status"]


class TaxCodeFilter(SearchFilterSet):
    search_fields = ("code", "name")
    tax_type = django_filters.ChoiceFilter(label=_("Type"), choices=TaxType.choices)
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = TaxCode
        fields = ["q", "tax_type", "is_active"]

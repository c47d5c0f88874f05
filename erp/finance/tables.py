from __future__ import annotations

import django_tables2 as tables
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from erp.finance.models import Account, FiscalYear, TaxCode

NUMERIC = {"td": {"class": "numeric"}, "th": {"class": "numeric"}}


class AccountTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"), linkify=True)
    name = tables.Column(verbose_name=_("Name"), linkify=True)
    parent = tables.Column(verbose_name=_("Parent"), accessor="parent__code", default="—")
    account_type = tables.Column(verbose_name=_("Type"))
    role = tables.Column(verbose_name=_("Role"), default="—")
    is_group = tables.BooleanColumn(verbose_name=_("Summary"))
    reconcilable = tables.BooleanColumn(verbose_name=_("Reconcilable"))
    currency = tables.Column(verbose_name=_("Currency"), accessor="currency_id", default="—")
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta:
        model = Account
        fields = ("code", "name", "parent", "account_type", "role", "is_group", "reconcilable", "currency", "is_active")
        order_by = ("code",)
        empty_text = _("No accounts match.")


class FiscalYearTable(tables.Table):
    name = tables.Column(verbose_name=_("Fiscal year"), linkify=True)
    start_date = tables.DateColumn(verbose_name=_("First day"))
    end_date = tables.DateColumn(verbose_name=_("Last day"))
    open_periods = tables.Column(verbose_name=_("Open periods"), attrs=NUMERIC)
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        model = FiscalYear
        fields = ("name", "start_date", "end_date", "open_periods", "status")
        order_by = ("-start_date",)
        empty_text = _("No fiscal years yet: create the first one.")


class TaxCodeTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"), linkify=True)
    name = tables.Column(verbose_name=_("Name"))
    tax_type = tables.Column(verbose_name=_("Type"))
    rate = tables.Column(verbose_name=_("Rate (%)"), attrs=NUMERIC)
    price_included = tables.BooleanColumn(verbose_name=_("In price"))
    account = tables.Column(verbose_name=_("Tax account"), linkify=lambda record: record.account.get_absolute_url())
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta:
        model = TaxCode
        fields = ("code", "name", "tax_type", "rate", "price_included", "account", "is_active")
        order_by = ("tax_type", "code")
        empty_text = _("No tax codes yet.")

    def render_rate(self, value) -> str:
        return number_format(value.normalize())  # 7,5 for a German reader

    def value_rate(self, value) -> str:
        return f"{value.normalize():f}"

from __future__ import annotations

import django_tables2 as tables
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from erp.partners.models import Partner, PartnerCategory, PaymentTerm

NUMERIC = {"td": {"class": "numeric"}, "th": {"class": "numeric"}}


class PartnerTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"), linkify=True)
    name = tables.Column(verbose_name=_("Name"), linkify=True)
    roles = tables.Column(verbose_name=_("Roles"), accessor="roles", orderable=False, empty_values=())
    categories = tables.Column(
        verbose_name=_("Categories"), accessor="category_names", orderable=False, empty_values=()
    )
    country = tables.Column(verbose_name=_("Country"), default="—")
    tax_id = tables.Column(verbose_name=_("Tax id"), default="—")
    email = tables.EmailColumn(verbose_name=_("E-mail"), default="—")
    phone = tables.Column(verbose_name=_("Phone"), default="—")
    credit_limit = tables.Column(verbose_name=_("Credit limit"), attrs=NUMERIC)
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta:
        model = Partner
        fields = (
            "code",
            "name",
            "roles",
            "categories",
            "country",
            "tax_id",
            "email",
            "phone",
            "credit_limit",
            "is_active",
        )
        order_by = ("name",)
        empty_text = _("No business partners match.")

    def render_roles(self, value) -> str:
        return ", ".join(value) or "—"

    def render_categories(self, value) -> str:
        return ", ".join(name for name in value or () if name) or "—"

    def value_categories(self, value) -> str:
        return ", ".join(name for name in value or () if name)

    def value_roles(self, value) -> str:
        return ", ".join(value)

    def render_credit_limit(self, value) -> str:
        return number_format(value, 2)


class PaymentTermTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"), linkify=True)
    name = tables.Column(verbose_name=_("Name"), linkify=True)
    net_days = tables.Column(verbose_name=_("Net days"), attrs=NUMERIC)
    end_of_month = tables.BooleanColumn(verbose_name=_("End of month"))
    discount_percent = tables.Column(verbose_name=pgettext_lazy("early payment", "Discount %"), attrs=NUMERIC)
    discount_days = tables.Column(verbose_name=_("Discount days"), attrs=NUMERIC)
    installment_count = tables.Column(verbose_name=_("Installments"), attrs=NUMERIC)
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta:
        model = PaymentTerm
        fields = (
            "code",
            "name",
            "net_days",
            "end_of_month",
            "discount_percent",
            "discount_days",
            "installment_count",
            "is_active",
        )
        order_by = ("net_days", "code")
        empty_text = _("No payment terms yet.")

    def render_discount_percent(self, value) -> str:
        return number_format(value.normalize())


class PartnerCategoryTable(tables.Table):
    name = tables.Column(verbose_name=_("Name"), linkify=("partners:partnercategory-update", {"pk": tables.A("pk")}))
    partner_count = tables.Column(verbose_name=_("Partners"), attrs=NUMERIC)
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta:
        model = PartnerCategory
        fields = ("name", "partner_count", "is_active")
        order_by = ("name",)
        empty_text = _("No partner categories yet.")

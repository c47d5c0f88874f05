from __future__ import annotations

import django_tables2 as tables
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from erp.core import events
from erp.core.i18n import currency_name
from erp.core.models import BusinessEvent, Currency, ExchangeRate, Organization


class OrganizationTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"), linkify=True)
    name = tables.Column(verbose_name=_("Name"), linkify=True)
    parent = tables.Column(verbose_name=_("Parent"), accessor="parent__name", default="—")
    is_active = tables.BooleanColumn(verbose_name=_("Active"))
    updated_at = tables.DateTimeColumn(verbose_name=_("Updated"), short=True)

    class Meta:
        model = Organization
        fields = ("code", "name", "parent", "is_active", "updated_at")
        order_by = ("name",)
        empty_text = _("No organizations yet.")


class CurrencyTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"))
    name = tables.Column(verbose_name=_("Name"))
    decimal_places = tables.Column(verbose_name=_("Decimal places"), attrs={"td": {"class": "numeric"}})
    is_active = tables.BooleanColumn(verbose_name=_("Active"))
    actions = tables.TemplateColumn(
        template_name="core/_currency_actions.html", verbose_name="", orderable=False, exclude_from_export=True
    )

    class Meta:
        model = Currency
        fields = ("code", "name", "decimal_places", "is_active", "actions")
        order_by = ("code",)
        empty_text = _("No currencies match.")

    def render_name(self, value: str) -> str:
        return currency_name(value)


class ExchangeRateTable(tables.Table):
    date = tables.DateColumn(verbose_name=_("Date"), linkify=("core:exchangerate-update", {"pk": tables.A("pk")}))
    from_currency = tables.Column(verbose_name=_("From"), accessor="from_currency_id")
    to_currency = tables.Column(verbose_name=_("To"), accessor="to_currency_id")
    rate = tables.Column(verbose_name=_("Rate"), attrs={"td": {"class": "numeric"}, "th": {"class": "numeric"}})
    source = tables.Column(verbose_name=_("Source"))
    updated_at = tables.DateTimeColumn(verbose_name=_("Updated"), short=True)

    class Meta:
        model = ExchangeRate
        fields = ("date", "from_currency", "to_currency", "rate", "source", "updated_at")
        order_by = ("-date", "from_currency")
        empty_text = _("No exchange rates yet.")

    def render_rate(self, value) -> str:
        return number_format(value.normalize())  # 1,0834 for a German reader

    def value_rate(self, value) -> str:
        return f"{value.normalize():f}"


class BusinessEventTable(tables.Table):
    occurred_at = tables.DateTimeColumn(verbose_name=_("When"), short=True)
    verb = tables.Column(verbose_name=_("Event"))
    aggregate_repr = tables.Column(verbose_name=_("Record"))
    organization = tables.Column(verbose_name=_("Organization"), default="—")
    actor = tables.Column(verbose_name=_("By"), default="—")

    class Meta:
        model = BusinessEvent
        fields = ("occurred_at", "verb", "aggregate_repr", "organization", "actor")
        order_by = ("-occurred_at",)

    def render_verb(self, record: BusinessEvent) -> str:
        return events.describe(record)

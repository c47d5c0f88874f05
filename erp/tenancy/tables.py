from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from erp.tenancy.models import Client


class ClientTable(tables.Table):
    name = tables.Column(
        verbose_name=_("Company"), linkify=lambda record: reverse("operator:tenant-detail", args=[record.pk])
    )
    domain = tables.Column(verbose_name=_("Address"), accessor="primary_domain", orderable=False)
    schema_name = tables.Column(verbose_name=_("Schema"))
    status = tables.Column(verbose_name=_("Status"))
    currency = tables.Column(verbose_name=_("Currency"))
    created = tables.DateTimeColumn(verbose_name=_("Created"), short=True)

    class Meta:
        model = Client
        fields = ("name", "domain", "schema_name", "status", "currency", "created")
        order_by = ("name",)
        empty_text = _("No tenants yet.")

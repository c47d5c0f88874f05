from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from erp.core.documents.filters import DocumentFilterSet
from erp.finance.journal.models import EntryKind, JournalEntry, JournalLine
from erp.finance.models import Account
from erp.partners.models import Partner


class JournalEntryFilterSet(DocumentFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=EntryKind.choices)
    # By code prefix ("6" finds every expense entry) — no select of the whole chart to render.
    account = django_filters.CharFilter(label=_("Account code"), method="filter_account")
    # A text search: a select of every partner would not scale to thousands of them.
    partner = django_filters.CharFilter(label=_("Partner"), method="filter_partner")

    search_fields = ("number", "description", "external_reference", "notes")

    class Meta:
        model = JournalEntry
        fields = ["q", "status", "kind", "date_from", "date_to", "organization", "account", "partner"]

    def filter_partner(self, queryset, name, value):
        if not value:
            return queryset
        partners = Partner.objects.filter(Q(name__icontains=value) | Q(code__iexact=value)).values("pk")
        return queryset.filter(pk__in=JournalLine.objects.filter(partner__in=partners).values("entry_id"))

    def filter_account(self, queryset, name, value):
        if not value:
            return queryset
        accounts = Account.all_objects.filter(code__startswith=value.strip()).values("pk")
        return queryset.filter(pk__in=JournalLine.objects.filter(account__in=accounts).values("entry_id"))

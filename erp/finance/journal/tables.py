from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from erp.core.documents.tables import DocumentTable, NumericColumn
from erp.finance.journal.models import JournalEntry


class JournalEntryTable(DocumentTable):
    description = tables.Column(verbose_name=_("Description"))
    kind = tables.Column(verbose_name=_("Kind"))
    total_gross_company = NumericColumn(verbose_name=_("Amount"))

    class Meta(DocumentTable.Meta):
        model = JournalEntry
        fields = ("number", "document_date", "description", "kind", "organization", "status", "total_gross_company")
        sequence = fields

"""The journal entry screens: the generic document screens configured for journal entries."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from erp.core.documents.screens import DocumentScreens
from erp.core.models import Company
from erp.finance.journal.filters import JournalEntryFilterSet
from erp.finance.journal.forms import EntryTotals, JournalEntryForm, JournalLineFormSet, preview_totals
from erp.finance.journal.models import JournalEntry, JournalLine
from erp.finance.journal.tables import JournalEntryTable

LIST_TOTALS = {_("Amount (company currency)"): Sum("total_gross_company")}


def detail_context(document: JournalEntry) -> dict:
    sums = document.lines.aggregate(debit=Sum("debit"), credit=Sum("credit"))
    context = {
        "entry_totals": EntryTotals(sums["debit"] or Decimal("0"), sums["credit"] or Decimal("0")),
        "company_currency": Company.objects.values_list("currency_id", flat=True).first(),
        "source": None,
        "source_url": "",
    }
    if document.source_type_id:
        source = document.source
        context["source"] = source or f"{document.source_type} #{document.source_id}"
        context["source_url"] = getattr(source, "get_absolute_url", lambda: "")() if source else ""
    return context


def form_context() -> dict:
    tags = (
        JournalLine.objects.exclude(analytic_tag="")
        .order_by("analytic_tag")
        .values_list("analytic_tag", flat=True)
        .distinct()[:200]
    )
    return {"analytic_tags": list(tags)}


JOURNAL_ENTRY_SCREENS = DocumentScreens(
    model=JournalEntry,
    namespace="finance",
    slug="journal-entries",
    header_form=JournalEntryForm,
    line_formset=JournalLineFormSet,
    table=JournalEntryTable,
    filterset=JournalEntryFilterSet,
    title_plural=_("Journal entries"),
    title_new=_("New journal entry"),
    list_select_related=("period", "reversal_of"),
    line_select_related=("account", "partner", "organization"),
    detail_template="finance/journal/entry_detail.html",
    pdf_template="finance/journal/pdf/entry.html",
    lines_template="finance/journal/_entry_lines.html",
    totals_template="finance/journal/_entry_totals.html",
    preview_totals=preview_totals,
    list_totals=LIST_TOTALS,
    extra_form_context=form_context,
    extra_detail_context=detail_context,
    form_extra_template="finance/journal/_entry_form_extra.html",
)

"""Journal entries in the global search (by number or description)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from erp.core.search import LIMIT, Hit, register


@register(_("Journal entries"), "finance.view_journalentry")
def journal_entries(*, user, query: str) -> list[Hit]:
    from erp.finance.journal.models import JournalEntry

    found = (
        JournalEntry.objects.for_user(user)
        .filter(Q(number__icontains=query) | Q(description__icontains=query))
        .order_by("-accounting_date", "-id")
    )
    return [
        Hit(str(entry), f"{entry.accounting_date.isoformat()} · {entry.description}", entry.get_absolute_url())
        for entry in found[:LIMIT]
    ]

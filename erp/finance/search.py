"""Accounts in the global search (by code or name)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from erp.core.search import LIMIT, Hit, register


@register(_("Accounts"), "finance.view_account")
def accounts(*, user, query: str) -> list[Hit]:
    from erp.finance.models import Account

    found = Account.objects.filter(Q(code__istartswith=query) | Q(name__icontains=query)).order_by("code")
    return [Hit(f"{a.code} {a.name}", a.get_account_type_display(), a.get_absolute_url()) for a in found[:LIMIT]]

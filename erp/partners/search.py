"""Business partners in the global search (code, name, search key, tax id, e-mail)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from erp.core.search import LIMIT, Hit, register


@register(_("Business partners"), "partners.view_partner")
def partners(*, user, query: str) -> list[Hit]:
    from erp.partners.models import Partner

    found = Partner.objects.filter(
        Q(code__istartswith=query)
        | Q(name__icontains=query)
        | Q(search_key__icontains=query)
        | Q(tax_id__iexact=query.replace(" ", ""))
        | Q(email__iexact=query)
    ).order_by("-is_active", "name")
    return [Hit(p.name, " · ".join([p.code, *p.roles]), p.get_absolute_url()) for p in found[:LIMIT]]

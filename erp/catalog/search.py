"""Products in the global search (SKU, name, barcode, a vendor's product code)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from erp.core.search import LIMIT, Hit, register


@register(_("Products"), "catalog.view_product")
def products(*, user, query: str) -> list[Hit]:
    from erp.catalog.models import Product

    code = "".join(query.split())
    found = (
        Product.objects.filter(
            Q(sku__istartswith=query)
            | Q(name__icontains=query)
            | Q(barcode=code)
            | Q(conversions__barcode=code)
            | Q(vendor_prices__vendor_product_code__iexact=query)
        )
        .select_related("category")
        .distinct()
        .order_by("-is_active", "sku")
    )
    return [
        Hit(
            f"{p.sku} {p.name}",
            " · ".join(filter(None, [p.get_product_type_display(), p.category and p.category.name])),
            p.get_absolute_url(),
        )
        for p in found[:LIMIT]
    ]

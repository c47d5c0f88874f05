"""Reads on the catalog for views, documents and postings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from erp.catalog.models import (
    AccountDefaults,
    PriceList,
    PriceListItem,
    Product,
    ProductCategory,
    ProductImage,
    UnitConversion,
    ValuationMethod,
    VendorPrice,
)
from erp.finance.models import Account, AccountRole

DEFAULT_VALUATION = ValuationMethod.FIFO
# The chart's account for a role, when neither the product nor its categories name one.
ROLE_FALLBACK = {"inventory_account": AccountRole.INVENTORY, "cogs_account": AccountRole.COST_OF_GOODS_SOLD}


@dataclass(frozen=True)
class ProductAccounts:
    income: Account | None
    expense: Account | None
    inventory: Account | None
    cogs: Account | None


def _category_rows(category_id: int | None) -> dict[int, dict]:
    """Every category's parent, accounts and valuation method, in one query (none without a category)."""
    if category_id is None:
        return {}
    fields = ["id", "parent_id", "valuation_method", *(f"{name}_id" for name in AccountDefaults.ACCOUNT_FIELDS)]
    return {row["id"]: row for row in ProductCategory.all_objects.values(*fields)}


def _chain(rows: dict[int, dict], category_id: int | None):
    seen = set()
    while category_id is not None and category_id in rows and category_id not in seen:
        seen.add(category_id)
        yield rows[category_id]
        category_id = rows[category_id]["parent_id"]


def category_account_ids(category_id: int | None, *, rows: dict[int, dict] | None = None) -> dict[str, int | None]:
    """The account ids a category passes on: its own, else its nearest ancestor's."""
    rows = rows if rows is not None else _category_rows(category_id)
    found: dict[str, int | None] = dict.fromkeys(AccountDefaults.ACCOUNT_FIELDS)
    for row in _chain(rows, category_id):
        for name in AccountDefaults.ACCOUNT_FIELDS:
            found[name] = found[name] or row[f"{name}_id"]
    return found


def _resolve_accounts(ids: dict[str, int | None], category_id: int | None) -> ProductAccounts:
    if not all(ids.values()):
        inherited = category_account_ids(category_id)
        ids = {name: ids.get(name) or inherited[name] for name in AccountDefaults.ACCOUNT_FIELDS}
    missing_roles = [role for name, role in ROLE_FALLBACK.items() if not ids[name]]
    accounts = Account.objects.filter(
        Q(pk__in=[pk for pk in ids.values() if pk]) | Q(role__in=missing_roles, is_active=True, is_group=False)
    )
    by_id = {account.pk: account for account in accounts}
    by_role = {}
    for account in sorted(by_id.values(), key=lambda a: a.code):
        by_role.setdefault(account.role, account)
    resolved = {name: by_id.get(pk) if pk else None for name, pk in ids.items()}
    for name, role in ROLE_FALLBACK.items():
        resolved[name] = resolved[name] or by_role.get(role)
    return ProductAccounts(
        income=resolved["income_account"],
        expense=resolved["expense_account"],
        inventory=resolved["inventory_account"],
        cogs=resolved["cogs_account"],
    )


def product_accounts(product: Product) -> ProductAccounts:
    """Income, expense, inventory and cost-of-goods-sold accounts of a product: its own, else its
    category's (walking up the tree), else the chart's account for the role (inventory, COGS)."""
    return _resolve_accounts(
        {name: getattr(product, f"{name}_id") for name in AccountDefaults.ACCOUNT_FIELDS}, product.category_id
    )


def category_accounts(category: ProductCategory) -> ProductAccounts:
    """The accounts a category gives its products (its own, its ancestors', the chart's)."""
    return _resolve_accounts(dict.fromkeys(AccountDefaults.ACCOUNT_FIELDS), category.pk)


def valuation_method_for(product: Product) -> str:
    """FIFO or moving average: the product's own, else its category's (up the tree), else FIFO."""
    if product.valuation_method:
        return product.valuation_method
    return category_valuation_method(product.category_id)


def category_valuation_method(category_id: int | None) -> str:
    for row in _chain(_category_rows(category_id), category_id):
        if row["valuation_method"]:
            return row["valuation_method"]
    return DEFAULT_VALUATION


def category_paths() -> dict[int, str]:
    """“Parent / Child” for every live category, in one query (lists and choices)."""
    rows = {row["id"]: row for row in ProductCategory.objects.values("id", "parent_id", "name")}

    def path(category_id: int) -> str:
        names = []
        seen = set()
        while category_id in rows and category_id not in seen:
            seen.add(category_id)
            names.append(rows[category_id]["name"])
            category_id = rows[category_id]["parent_id"]
        return " / ".join(reversed(names))

    return {category_id: path(category_id) for category_id in rows}


def category_path(category_id: int | None) -> str:
    return category_paths().get(category_id, "") if category_id else ""


def product_list() -> QuerySet[Product]:
    """Products with category and unit, and the id of the first picture (``thumbnail_id``) in the same query."""
    first_image = ProductImage.objects.filter(product=OuterRef("pk")).exclude(thumbnail="").order_by("position", "id")
    return Product.objects.select_related("category", "base_uom").annotate(
        thumbnail_id=Subquery(first_image.values("pk")[:1])
    )


def product_detail(*, pk: int) -> Product:
    return (
        Product.objects.select_related(
            "category",
            "base_uom",
            "purchase_uom",
            "sales_uom",
            "sales_tax",
            "purchase_tax",
            "income_account",
            "expense_account",
            "inventory_account",
            "cogs_account",
            "created_by",
            "updated_by",
        )
        .prefetch_related(
            Prefetch("conversions", queryset=UnitConversion.objects.select_related("uom")),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
            Prefetch(
                "vendor_prices",
                queryset=VendorPrice.objects.select_related("partner", "uom", "currency").order_by(
                    "partner__name", "min_quantity"
                ),
            ),
        )
        .get(pk=pk)
    )


def price_list_items(price_list: PriceList) -> QuerySet[PriceListItem]:
    return price_list.items.select_related("product", "product__base_uom").order_by(
        "product__sku", "min_quantity", "valid_from"
    )


def vendor_prices_for(product: Product, *, on: date, quantity: Decimal | None = None) -> list[VendorPrice]:
    """Vendor offers valid on ``on`` (reaching ``min_quantity`` when a quantity is given), the
    cheapest first, then the fastest."""
    found = VendorPrice.objects.filter(product=product, is_active=True).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    if quantity is not None:
        found = found.filter(min_quantity__lte=quantity)
    return list(found.select_related("partner", "uom", "currency").order_by("price", "lead_time_days"))

from __future__ import annotations

import django_tables2 as tables
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from erp.catalog.models import PriceList, Product, ProductCategory, UnitOfMeasure

NUMERIC = {"td": {"class": "numeric"}, "th": {"class": "numeric"}}


class ProductTable(tables.Table):
    image = tables.TemplateColumn(
        template_name="catalog/_product_thumbnail.html",
        verbose_name="",
        orderable=False,
        exclude_from_export=True,
        empty_values=(),
    )
    sku = tables.Column(verbose_name=_("SKU"), linkify=True)
    name = tables.Column(verbose_name=_("Name"), linkify=True)
    product_type = tables.Column(verbose_name=_("Type"))
    category = tables.Column(verbose_name=_("Category"), accessor="category__name", default="—")
    base_uom = tables.Column(verbose_name=_("Unit"), accessor="base_uom__code")
    sales_price = tables.Column(verbose_name=_("Sales price"), attrs=NUMERIC)
    barcode = tables.Column(verbose_name=_("Barcode"), default="—")
    tracking = tables.Column(verbose_name=_("Tracking"))
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta:
        model = Product
        fields = (
            "image",
            "sku",
            "name",
            "product_type",
            "category",
            "base_uom",
            "sales_price",
            "barcode",
            "tracking",
            "is_active",
        )
        order_by = ("sku",)
        empty_text = _("No products match.")

    def render_sales_price(self, value) -> str:
        return number_format(value, 2)

    def value_sales_price(self, value) -> str:
        return f"{value.normalize():f}"


class CategoryTable(tables.Table):
    name = tables.Column(verbose_name=_("Name"), linkify=True)
    parent = tables.Column(verbose_name=_("Parent category"), accessor="parent__name", default="—")
    valuation_method = tables.Column(verbose_name=_("Valuation method"), default="—")
    product_count = tables.Column(verbose_name=_("Products"), attrs=NUMERIC)
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta:
        model = ProductCategory
        fields = ("name", "parent", "valuation_method", "product_count", "is_active")
        order_by = ("name",)
        empty_text = _("No product categories yet.")


class UnitTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"), linkify=True)
    name = tables.Column(verbose_name=_("Name"))
    category = tables.Column(verbose_name=_("Measures"))
    ratio = tables.Column(verbose_name=_("Ratio"), attrs=NUMERIC, default="—")
    decimal_places = tables.Column(verbose_name=_("Decimal places"), attrs=NUMERIC)
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta:
        model = UnitOfMeasure
        fields = ("code", "name", "category", "ratio", "decimal_places", "is_active")
        order_by = ("category", "code")
        empty_text = _("No units match.")

    def render_ratio(self, value) -> str:
        return number_format(value.normalize())

    def value_ratio(self, value) -> str:
        return f"{value.normalize():f}"


class PriceListTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"), linkify=True)
    name = tables.Column(verbose_name=_("Name"), linkify=True)
    currency = tables.Column(verbose_name=_("Currency"), accessor="currency_id")
    prices_include_tax = tables.BooleanColumn(verbose_name=_("Incl. tax"))
    item_count = tables.Column(verbose_name=_("Prices"), attrs=NUMERIC)
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta:
        model = PriceList
        fields = ("code", "name", "currency", "prices_include_tax", "item_count", "is_active")
        order_by = ("code",)
        empty_text = _("No price lists yet.")

"""The catalog: products, their categories, units of measure and prices.

Quantities of a product are kept in its *base unit* (stock, valuation); it may be
bought and sold in other units that convert to the base unit, either by their
category (1 kg = 1000 g) or by a conversion of the product (1 box = 12 pieces).
``erp.catalog.units`` converts; ``erp.catalog.pricing`` finds prices;
``erp.catalog.selectors.product_accounts`` resolves the accounts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from erp.core.files import tenant_path
from erp.core.models import AuditedModel, Currency, LiveManager, LiveQuerySet, custom_fields_index

QUANTITY = {"max_digits": 18, "decimal_places": 6}
PRICE = {"max_digits": 18, "decimal_places": 6}
RATIO = {"max_digits": 24, "decimal_places": 12}


class UomCategory(models.TextChoices):
    """What a unit measures. Units of one category convert by their ratios; packaging
    units (box, pallet) hold a different number of pieces per product."""

    UNIT = "unit", _("Count")
    WEIGHT = "weight", _("Weight")
    LENGTH = "length", _("Length")
    AREA = "area", _("Area")
    VOLUME = "volume", _("Volume")
    TIME = "time", _("Time")
    PACKAGING = "packaging", _("Packaging (size per product)")


class UnitOfMeasure(AuditedModel):
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("measures"), max_length=20, choices=UomCategory.choices)
    ratio = models.DecimalField(
        _("ratio"),
        null=True,
        blank=True,
        help_text=_(
            "How many reference units of its category one unit is (the reference unit has 1): "
            "kg 1, g 0.001, t 1000. Empty for packaging units."
        ),
        **RATIO,
    )
    decimal_places = models.PositiveSmallIntegerField(
        _("decimal places"), default=0, help_text=_("Quantities in this unit are rounded to it: 0 for pieces.")
    )

    class Meta:
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")
        ordering = ["category", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(deleted_at__isnull=True), name="catalog_unitofmeasure_code_unique"
            ),
            models.CheckConstraint(
                condition=(Q(category="packaging") & Q(ratio__isnull=True))
                | (~Q(category="packaging") & Q(ratio__gt=0)),
                name="catalog_unitofmeasure_ratio_fits_category",
            ),
            models.CheckConstraint(condition=Q(decimal_places__lte=6), name="catalog_unitofmeasure_places_max"),
            models.CheckConstraint(
                condition=Q(category__in=UomCategory.values), name="catalog_unitofmeasure_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("catalog:unit-update", args=[self.pk])


class ValuationMethod(models.TextChoices):
    FIFO = "fifo", _("FIFO (first in, first out)")
    AVERAGE = "average", _("Moving average")


class ProductType(models.TextChoices):
    STOCKABLE = "stockable", _("Stockable")
    CONSUMABLE = "consumable", _("Consumable")
    SERVICE = "service", _("Service")


class Tracking(models.TextChoices):
    NONE = "none", _("No tracking")
    LOT = "lot", _("By lot")
    SERIAL = "serial", _("By serial number")


def _account(verbose_name, role: str):
    # A named reverse relation, so the chart sees the account as used (``Account.usage``).
    return models.ForeignKey(
        "finance.Account",
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=f"%(app_label)s_%(class)s_{role}",
    )


class AccountDefaults(models.Model):
    """The accounts of a product or category; empty means: take them from further up
    (product → category → parent categories → the chart's account for the role)."""

    income_account = _account(_("income account"), "income")
    expense_account = _account(_("expense account"), "expense")
    inventory_account = _account(_("inventory account"), "inventory")
    cogs_account = _account(_("cost of goods sold account"), "cogs")

    ACCOUNT_FIELDS = ("income_account", "expense_account", "inventory_account", "cogs_account")

    class Meta:
        abstract = True


class ProductCategory(AccountDefaults, AuditedModel):
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valuation_method = models.CharField(
        _("valuation method"),
        max_length=10,
        choices=ValuationMethod.choices,
        blank=True,
        help_text=_("Empty: as the parent category (FIFO at the top)."),
    )

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=Q(deleted_at__isnull=True),
                nulls_distinct=False,
                name="catalog_productcategory_name_unique",
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="catalog_productcategory_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:category-detail", args=[self.pk])


class ProductQuerySet(LiveQuerySet):
    def active(self) -> ProductQuerySet:
        return self.filter(is_active=True)

    def stockable(self) -> ProductQuerySet:
        return self.filter(product_type=ProductType.STOCKABLE)

    def sellable(self) -> ProductQuerySet:
        return self.filter(is_active=True, can_be_sold=True)

    def purchasable(self) -> ProductQuerySet:
        return self.filter(is_active=True, can_be_purchased=True)


class Product(AccountDefaults, AuditedModel):
    Type = ProductType

    sku = models.CharField(_("SKU"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    product_type = models.CharField(
        _("type"), max_length=12, choices=ProductType.choices, default=ProductType.STOCKABLE
    )
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    barcode = models.CharField(_("barcode"), max_length=50, blank=True)
    base_uom = models.ForeignKey(
        UnitOfMeasure,
        verbose_name=_("base unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Stock is kept in this unit."),
    )
    purchase_uom = models.ForeignKey(
        UnitOfMeasure,
        verbose_name=_("purchase unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the base unit."),
    )
    sales_uom = models.ForeignKey(
        UnitOfMeasure,
        verbose_name=_("sales unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the base unit."),
    )
    can_be_sold = models.BooleanField(_("can be sold"), default=True)
    can_be_purchased = models.BooleanField(_("can be purchased"), default=True)
    sales_price = models.DecimalField(
        _("sales price"),
        default=Decimal("0"),
        help_text=_("Per base unit, in the company currency, before tax."),
        **PRICE,
    )
    tracking = models.CharField(_("tracking"), max_length=10, choices=Tracking.choices, default=Tracking.NONE)
    valuation_method = models.CharField(
        _("valuation method"),
        max_length=10,
        choices=ValuationMethod.choices,
        blank=True,
        help_text=_("Empty: as the category."),
    )
    net_weight = models.DecimalField(_("net weight (kg)"), null=True, blank=True, **QUANTITY)
    gross_weight = models.DecimalField(_("gross weight (kg)"), null=True, blank=True, **QUANTITY)
    volume = models.DecimalField(_("volume (m³)"), null=True, blank=True, **QUANTITY)
    sales_tax = models.ForeignKey(
        "finance.TaxCode",
        verbose_name=_("sales tax"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="catalog_products_sold",
        limit_choices_to={"tax_type": "sales"},
    )
    purchase_tax = models.ForeignKey(
        "finance.TaxCode",
        verbose_name=_("purchase tax"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="catalog_products_bought",
        limit_choices_to={"tax_type": "purchase"},
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = LiveManager.from_queryset(ProductQuerySet)()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        constraints = [
            models.UniqueConstraint(
                fields=["sku"], condition=Q(deleted_at__isnull=True), name="catalog_product_sku_unique"
            ),
            models.UniqueConstraint(
                fields=["barcode"],
                condition=Q(deleted_at__isnull=True) & ~Q(barcode=""),
                name="catalog_product_barcode_unique",
            ),
            models.CheckConstraint(condition=Q(product_type__in=ProductType.values), name="catalog_product_type_valid"),
            models.CheckConstraint(condition=Q(tracking__in=Tracking.values), name="catalog_product_tracking_valid"),
            models.CheckConstraint(
                condition=Q(tracking="none") | Q(product_type="stockable"),
                name="catalog_product_tracking_stockable",
            ),
            models.CheckConstraint(condition=Q(sales_price__gte=0), name="catalog_product_price_not_negative"),
        ]
        indexes = [
            models.Index(fields=["name"], name="catalog_product_name_idx"),
            custom_fields_index("catalog_product_cf"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:product-detail", args=[self.pk])

    @property
    def is_stockable(self) -> bool:
        return self.product_type == ProductType.STOCKABLE

    @property
    def purchase_unit(self) -> UnitOfMeasure:
        return self.purchase_uom or self.base_uom

    @property
    def sales_unit(self) -> UnitOfMeasure:
        return self.sales_uom or self.base_uom


class UnitConversion(models.Model):
    """How many base units of one product a unit holds: 1 box = 12 pieces of this product."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="conversions"
    )
    uom = models.ForeignKey(UnitOfMeasure, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    factor = models.DecimalField(_("base units per unit"), **RATIO)
    barcode = models.CharField(_("barcode"), max_length=50, blank=True, help_text=_("Barcode of the package."))

    class Meta:
        verbose_name = _("unit conversion")
        verbose_name_plural = _("unit conversions")
        ordering = ["product", "uom"]
        constraints = [
            models.UniqueConstraint(fields=["product", "uom"], name="catalog_unitconversion_unique"),
            models.CheckConstraint(condition=Q(factor__gt=0), name="catalog_unitconversion_factor_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.uom_id} = {self.factor.normalize():f}"


def product_image_path(instance: ProductImage, filename: str) -> str:
    return tenant_path("catalog/products", filename)


def product_thumbnail_path(instance: ProductImage, filename: str) -> str:
    return tenant_path("catalog/thumbnails", filename)


class ProductImage(models.Model):
    """A picture of a product; the first by position is shown in lists. Served only through
    a permission-checked view (``catalog:product-image``)."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to=product_image_path, max_length=255)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=product_thumbnail_path, max_length=255, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["product", "position", "id"]

    def __str__(self) -> str:
        return self.original_name


class PriceListQuerySet(LiveQuerySet):
    def active(self) -> PriceListQuerySet:
        return self.filter(is_active=True)


class PriceList(AuditedModel):
    """Prices for a group of customers, in one currency, with quantity breaks and validity dates."""

    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    currency = models.ForeignKey(Currency, verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+")
    prices_include_tax = models.BooleanField(_("prices include tax"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    objects = LiveManager.from_queryset(PriceListQuerySet)()

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(deleted_at__isnull=True), name="catalog_pricelist_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:pricelist-detail", args=[self.pk])


class PriceListItem(models.Model):
    """The price of a product per base unit from ``min_quantity`` base units on, between
    ``valid_from`` and ``valid_to`` (both included; empty: open-ended)."""

    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="items"
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="+")
    min_quantity = models.DecimalField(_("from quantity"), default=Decimal("0"), **QUANTITY)
    price = models.DecimalField(_("price"), **PRICE)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        ordering = ["price_list", "product", "min_quantity", "valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="catalog_pricelistitem_price_not_negative"),
            models.CheckConstraint(
                condition=Q(min_quantity__gte=0), name="catalog_pricelistitem_quantity_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="catalog_pricelistitem_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["price_list", "product"], name="catalog_pricelistitem_lookup")]

    def __str__(self) -> str:
        return f"{self.product_id} ≥ {self.min_quantity.normalize():f}: {self.price.normalize():f}"


class VendorPrice(AuditedModel):
    """What a vendor charges for a product, from which quantity, and how long delivery takes."""

    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="vendor_prices"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="vendor_prices"
    )
    vendor_product_code = models.CharField(_("vendor's product code"), max_length=50, blank=True)
    vendor_product_name = models.CharField(_("vendor's product name"), max_length=200, blank=True)
    uom = models.ForeignKey(
        UnitOfMeasure,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit the price and quantity are in (usually the purchase unit)."),
    )
    min_quantity = models.DecimalField(_("from quantity"), default=Decimal("0"), **QUANTITY)
    price = models.DecimalField(_("price"), **PRICE)
    currency = models.ForeignKey(Currency, verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+")
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("vendor price")
        verbose_name_plural = _("vendor prices")
        ordering = ["product", "partner", "min_quantity"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="catalog_vendorprice_price_not_negative"),
            models.CheckConstraint(condition=Q(min_quantity__gte=0), name="catalog_vendorprice_quantity_not_negative"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="catalog_vendorprice_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["product", "partner"], name="catalog_vendorprice_lookup")]

    def __str__(self) -> str:
        return f"{self.partner} — {self.product}"

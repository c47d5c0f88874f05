"""Writes on the catalog: units, categories, products (with their units, vendor prices and
images), price lists (with their items)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from stdnum import ean
from stdnum.exceptions import ValidationError as StdnumError

from erp.catalog.models import (
    AccountDefaults,
    PriceList,
    Product,
    ProductCategory,
    ProductImage,
    ProductType,
    Tracking,
    UnitConversion,
    UnitOfMeasure,
    UomCategory,
    VendorPrice,
)
from erp.catalog.units import ratio_between
from erp.core import events
from erp.core.documents import hooks
from erp.core.exceptions import DomainError
from erp.core.formsets import ChildRow, sync_rows
from erp.core.services import versioned_update
from erp.finance.models import AccountType, TaxType

# --- units of measure -------------------------------------------------------------------------


def unit_is_used(unit: UnitOfMeasure) -> bool:
    return (
        Product.all_objects.filter(Q(base_uom=unit) | Q(purchase_uom=unit) | Q(sales_uom=unit)).exists()
        or UnitConversion.objects.filter(uom=unit).exists()
        or VendorPrice.all_objects.filter(uom=unit).exists()
    )


def _check_unit(*, code: str, name: str, category: str, ratio: Decimal | None, decimal_places: int, pk=None):
    if not code:
        raise DomainError(_("Please enter a code."), field="code")
    if not name:
        raise DomainError(_("Please enter a name."), field="name")
    if UnitOfMeasure.objects.filter(code__iexact=code).exclude(pk=pk).exists():
        raise DomainError(_("A unit with the code %(code)s already exists.") % {"code": code}, field="code")
    if category == UomCategory.PACKAGING:
        if ratio is not None:
            raise DomainError(
                _("A packaging unit has no ratio: each product says how many pieces it holds."), field="ratio"
            )
    elif ratio is None or ratio <= 0:
        raise DomainError(
            _("Enter how many reference units of its kind one unit is (greater than zero)."), field="ratio"
        )
    if not 0 <= decimal_places <= 6:
        raise DomainError(_("Between 0 and 6 decimal places."), field="decimal_places")


@transaction.atomic
def unit_create(
    *, code: str, name: str, category: str, ratio: Decimal | None = None, decimal_places: int = 0, by
) -> UnitOfMeasure:
    code, name = code.strip(), name.strip()
    _check_unit(code=code, name=name, category=category, ratio=ratio, decimal_places=decimal_places)
    unit = UnitOfMeasure(
        code=code,
        name=name,
        category=category,
        ratio=ratio,
        decimal_places=decimal_places,
        created_by=by,
        updated_by=by,
    )
    unit._history_user = by
    unit.save()
    events.record(verb="catalog.unitofmeasure.created", target=unit, actor=by)
    return unit


@transaction.atomic
def unit_update(
    *,
    unit: UnitOfMeasure,
    expected_version: int,
    code: str,
    name: str,
    category: str,
    ratio: Decimal | None,
    decimal_places: int,
    by,
) -> UnitOfMeasure:
    code, name = code.strip(), name.strip()
    _check_unit(code=code, name=name, category=category, ratio=ratio, decimal_places=decimal_places, pk=unit.pk)
    # Compared with the stored row: a model form has already copied the new values onto ``unit``.
    stored = UnitOfMeasure.all_objects.get(pk=unit.pk)
    if (category != stored.category or ratio != stored.ratio) and unit_is_used(unit):
        raise DomainError(
            _("The unit is in use: its kind and ratio stay as they are (quantities already recorded would change)."),
            field="ratio",
        )
    fields = {"code": code, "name": name, "category": category, "ratio": ratio, "decimal_places": decimal_places}
    unit = versioned_update(instance=unit, expected_version=expected_version, by=by, fields=fields)
    events.record(verb="catalog.unitofmeasure.updated", target=unit, actor=by)
    return unit


def _set_active(instance, *, is_active: bool, by, label: str):
    instance = type(instance).objects.select_for_update().get(pk=instance.pk)
    instance.is_active = is_active
    instance.updated_by = by
    instance.version += 1
    instance._history_user = by
    instance.save(update_fields=["is_active", "updated_by", "updated_at", "version"])
    events.record(verb=f"{label}.{'reactivated' if is_active else 'deactivated'}", target=instance, actor=by)
    return instance


@transaction.atomic
def unit_set_active(*, unit: UnitOfMeasure, is_active: bool, by) -> UnitOfMeasure:
    return _set_active(unit, is_active=is_active, by=by, label="catalog.unitofmeasure")


# --- accounts and taxes shared by categories and products -------------------------------------

ACCOUNT_TYPES = {
    "income_account": AccountType.INCOME,
    "expense_account": AccountType.EXPENSE,
    "inventory_account": AccountType.ASSET,
    "cogs_account": AccountType.EXPENSE,
}


def _check_accounts(fields: dict[str, Any]) -> None:
    for name in AccountDefaults.ACCOUNT_FIELDS:
        account = fields.get(name)
        if account is None:
            continue
        if not account.is_postable or account.account_type != ACCOUNT_TYPES[name]:
            raise DomainError(
                _("Choose an active, postable %(type)s account.")
                % {"type": AccountType(ACCOUNT_TYPES[name]).label.lower()},
                field=name,
            )


# --- categories -------------------------------------------------------------------------------

CATEGORY_FIELDS = ("name", "parent", "valuation_method", *AccountDefaults.ACCOUNT_FIELDS)


def _check_category(fields: dict[str, Any], *, pk=None) -> None:
    name = fields["name"]
    if not name:
        raise DomainError(_("Please enter a name."), field="name")
    parent = fields.get("parent")
    siblings = ProductCategory.objects.filter(parent=parent, name__iexact=name).exclude(pk=pk)
    if siblings.exists():
        raise DomainError(_("This level already has a category %(name)s.") % {"name": name}, field="name")
    seen = set()
    while parent is not None and parent.pk not in seen:
        if parent.pk == pk:
            raise DomainError(_("A category cannot be moved below itself or one of its children."), field="parent")
        seen.add(parent.pk)
        parent = parent.parent
    _check_accounts(fields)


@transaction.atomic
def category_create(*, by, **fields) -> ProductCategory:
    fields = {name: fields.get(name) for name in CATEGORY_FIELDS}
    fields["name"] = " ".join((fields["name"] or "").split())
    fields["valuation_method"] = fields["valuation_method"] or ""
    _check_category(fields)
    category = ProductCategory(created_by=by, updated_by=by, **fields)
    category._history_user = by
    category.save()
    events.record(verb="catalog.productcategory.created", target=category, actor=by)
    return category


@transaction.atomic
def category_update(*, category: ProductCategory, expected_version: int, by, **fields) -> ProductCategory:
    fields = {name: fields.get(name) for name in CATEGORY_FIELDS}
    fields["name"] = " ".join((fields["name"] or "").split())
    fields["valuation_method"] = fields["valuation_method"] or ""
    _check_category(fields, pk=category.pk)
    category = versioned_update(instance=category, expected_version=expected_version, by=by, fields=fields)
    events.record(verb="catalog.productcategory.updated", target=category, actor=by)
    return category


@transaction.atomic
def category_set_active(*, category: ProductCategory, is_active: bool, by) -> ProductCategory:
    if not is_active and category.children.filter(is_active=True).exists():
        raise DomainError(_("Deactivate its active sub-categories first."))
    return _set_active(category, is_active=is_active, by=by, label="catalog.productcategory")


# --- products ---------------------------------------------------------------------------------

PRODUCT_FIELDS = (
    "sku",
    "name",
    "description",
    "product_type",
    "category",
    "barcode",
    "base_uom",
    "purchase_uom",
    "sales_uom",
    "can_be_sold",
    "can_be_purchased",
    "sales_price",
    "tracking",
    "valuation_method",
    "net_weight",
    "gross_weight",
    "volume",
    "sales_tax",
    "purchase_tax",
    "notes",
    *AccountDefaults.ACCOUNT_FIELDS,
)
CONVERSION_FIELDS = ("uom", "factor", "barcode")
VENDOR_PRICE_FIELDS = (
    "partner",
    "vendor_product_code",
    "vendor_product_name",
    "uom",
    "min_quantity",
    "price",
    "currency",
    "lead_time_days",
    "valid_from",
    "valid_to",
)


def barcode_normalise(value: str, *, field: str = "barcode") -> str:
    """A barcode without spaces; one that looks like an EAN/GTIN (8, 12, 13 or 14 digits) must
    have the right check digit (``stdnum.ean``)."""
    code = "".join((value or "").split())
    if code.isdigit() and len(code) in (8, 12, 13, 14):
        try:
            return ean.validate(code)
        except StdnumError:
            raise DomainError(
                _("The check digit of the barcode %(code)s is wrong (EAN/GTIN).") % {"code": code}, field=field
            ) from None
    return code


def _check_product(fields: dict[str, Any], conversions: Sequence[ChildRow], *, pk=None) -> None:
    if not fields["sku"]:
        raise DomainError(_("Please enter a SKU."), field="sku")
    if not fields["name"]:
        raise DomainError(_("Please enter a name."), field="name")
    if Product.objects.filter(sku__iexact=fields["sku"]).exclude(pk=pk).exists():
        raise DomainError(_("A product with the SKU %(sku)s already exists.") % {"sku": fields["sku"]}, field="sku")
    if fields["barcode"] and Product.objects.filter(barcode=fields["barcode"]).exclude(pk=pk).exists():
        raise DomainError(_("Another product has the barcode %(code)s.") % {"code": fields["barcode"]}, field="barcode")
    if fields["tracking"] != Tracking.NONE and fields["product_type"] != ProductType.STOCKABLE:
        raise DomainError(_("Only stockable products are tracked by lot or serial number."), field="tracking")
    for name in ("net_weight", "gross_weight", "volume", "sales_price"):
        if fields.get(name) is not None and fields[name] < 0:
            raise DomainError(_("Cannot be negative."), field=name)
    if fields.get("net_weight") and fields.get("gross_weight") and fields["gross_weight"] < fields["net_weight"]:
        raise DomainError(_("The gross weight cannot be less than the net weight."), field="gross_weight")
    for name, tax_type in (("sales_tax", TaxType.SALES), ("purchase_tax", TaxType.PURCHASE)):
        tax = fields.get(name)
        if tax is not None and (tax.tax_type != tax_type or not tax.is_active):
            raise DomainError(
                _("Choose an active %(type)s tax code.") % {"type": tax.get_tax_type_display()}, field=name
            )
    _check_accounts(fields)
    base = fields["base_uom"]
    if base is None:
        raise DomainError(_("Choose the base unit."), field="base_uom")
    kept = [row for row in conversions if not row.delete]
    units = [row.values["uom"] for row in kept]
    if len({unit.pk for unit in units}) != len(units):
        raise DomainError(_("Each unit can be converted only once."), field="conversions")
    if any(unit.pk == base.pk for unit in units):
        raise DomainError(_("The base unit needs no conversion."), field="conversions")
    if any(row.values["factor"] is None or row.values["factor"] <= 0 for row in kept):
        raise DomainError(_("A conversion factor must be greater than zero."), field="conversions")
    own = {unit.pk for unit in units}
    for name in ("purchase_uom", "sales_uom"):
        unit = fields.get(name)
        if unit is not None and unit.pk not in own and ratio_between(unit, base) is None:
            raise DomainError(
                _("%(unit)s does not convert to the base unit %(base)s: add a conversion (e.g. 1 box = 12 pieces).")
                % {"unit": unit.code, "base": base.code},
                field=name,
            )


def _check_vendor_prices(rows: Sequence[ChildRow]) -> None:
    for row in rows:
        if row.delete:
            continue
        values = row.values
        partner = values.get("partner")
        if partner is not None and not partner.is_vendor:
            raise DomainError(_("%(partner)s is not a vendor.") % {"partner": partner}, field="vendor_prices")
        if values.get("valid_from") and values.get("valid_to") and values["valid_to"] < values["valid_from"]:
            raise DomainError(_("A price ends before it starts."), field="vendor_prices")
        if values.get("price") is not None and values["price"] < 0:
            raise DomainError(_("A price cannot be negative."), field="vendor_prices")


def _clean_product_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"unknown product fields: {sorted(unknown)}")
    cleaned = {name: fields.get(name) for name in PRODUCT_FIELDS}
    cleaned["sku"] = (cleaned["sku"] or "").strip()
    cleaned["name"] = " ".join((cleaned["name"] or "").split())
    cleaned["barcode"] = barcode_normalise(cleaned["barcode"] or "")
    cleaned["product_type"] = cleaned["product_type"] or ProductType.STOCKABLE
    cleaned["tracking"] = cleaned["tracking"] or Tracking.NONE
    cleaned["valuation_method"] = cleaned["valuation_method"] or ""
    cleaned["sales_price"] = cleaned["sales_price"] if cleaned["sales_price"] is not None else Decimal(0)
    for name in ("description", "notes"):
        cleaned[name] = cleaned[name] or ""
    for name in ("can_be_sold", "can_be_purchased"):
        cleaned[name] = True if cleaned[name] is None else cleaned[name]
    return cleaned


def _save_product_rows(product: Product, conversions, vendor_prices, by) -> None:
    if conversions is not None:
        for row in conversions:
            if not row.delete and row.values.get("barcode"):
                row.values["barcode"] = barcode_normalise(row.values["barcode"], field="conversions")
        try:
            with transaction.atomic():
                sync_rows(product.conversions, conversions, CONVERSION_FIELDS)
        except IntegrityError:
            raise DomainError(_("Each unit can be converted only once."), field="conversions") from None
    if vendor_prices is not None:
        _check_vendor_prices(vendor_prices)
        sync_rows(product.vendor_prices, vendor_prices, VENDOR_PRICE_FIELDS, updated_by=by)


@transaction.atomic
def product_create(
    *,
    by,
    conversions: Sequence[ChildRow] = (),
    vendor_prices: Sequence[ChildRow] = (),
    custom_fields: dict | None = None,
    **fields,
) -> Product:
    cleaned = _clean_product_fields(fields)
    _check_product(cleaned, conversions)
    product = Product(created_by=by, updated_by=by, custom_fields=custom_fields or {}, **cleaned)
    product._history_user = by
    product.save()
    for row in vendor_prices:
        row.values.setdefault("uom", product.purchase_unit)
    _save_product_rows(product, conversions, vendor_prices, by)
    product.rule_warnings = hooks.run_save_rules(product, by=by)
    events.record(verb="catalog.product.created", target=product, actor=by)
    return product


@transaction.atomic
def product_update(
    *,
    product: Product,
    expected_version: int,
    by,
    conversions: Sequence[ChildRow] | None = None,
    vendor_prices: Sequence[ChildRow] | None = None,
    custom_fields: dict | None = None,
    **fields,
) -> Product:
    cleaned = _clean_product_fields(fields)
    if conversions is None:
        conversions = [ChildRow(values={"uom": c.uom, "factor": c.factor}, pk=c.pk) for c in product.conversions.all()]
        given = None
    else:
        given = conversions
    _check_product(cleaned, conversions, pk=product.pk)
    if custom_fields is not None:
        cleaned["custom_fields"] = custom_fields
    stored = Product.all_objects.get(pk=product.pk)  # a model form has already changed ``product``
    before = {"sku": stored.sku, "base_uom": stored.base_uom_id, "sales_price": str(stored.sales_price)}
    product = versioned_update(instance=product, expected_version=expected_version, by=by, fields=cleaned)
    _save_product_rows(product, given, vendor_prices, by)
    product.rule_warnings = hooks.run_save_rules(product, by=by)
    after = {"sku": product.sku, "base_uom": product.base_uom_id, "sales_price": str(product.sales_price)}
    changed = {name: value for name, value in before.items() if after[name] != value}
    events.record(verb="catalog.product.updated", target=product, actor=by, data={"before": changed} if changed else {})
    return product


@transaction.atomic
def product_set_active(*, product: Product, is_active: bool, by) -> Product:
    return _set_active(product, is_active=is_active, by=by, label="catalog.product")


# --- product images ---------------------------------------------------------------------------

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
MAX_IMAGE_BYTES = 5_000_000
MAX_IMAGE_PIXELS = 40_000_000
THUMBNAIL_SIZE = (160, 160)


def _read_image(upload):
    from PIL import Image, UnidentifiedImageError

    if upload.size > MAX_IMAGE_BYTES:
        raise DomainError(
            _("The image is larger than %(size)d MB.") % {"size": MAX_IMAGE_BYTES // 1_000_000}, field="image"
        )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DomainError(_("The file is not an image (JPEG, PNG, GIF or WebP)."), field="image") from None
    if kind not in IMAGE_FORMATS:
        raise DomainError(_("The file is not an image (JPEG, PNG, GIF or WebP)."), field="image")
    if width * height > MAX_IMAGE_PIXELS:
        raise DomainError(_("The image has too many pixels."), field="image")
    return data, kind


def _thumbnail(data: bytes) -> bytes:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail(THUMBNAIL_SIZE)
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA")
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()


@transaction.atomic
def product_image_add(*, product: Product, upload, by) -> ProductImage:
    """Store an uploaded picture of ``product`` (checked to be a real image) and its thumbnail."""
    data, kind = _read_image(upload)
    name = PurePosixPath(upload.name or "image").name[:200]
    position = (product.images.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    image = ProductImage(product=product, original_name=name, position=position, created_by=by)
    image.image.save(f"image.{IMAGE_FORMATS[kind]}", ContentFile(data), save=False)
    image.thumbnail.save("thumbnail.png", ContentFile(_thumbnail(data)), save=False)
    image.save()
    events.record(verb="catalog.product.image_added", target=product, actor=by, data={"file": name})
    return image


@transaction.atomic
def product_image_remove(*, image: ProductImage, by) -> None:
    product, files = image.product, [image.image, image.thumbnail]
    image.delete()
    events.record(verb="catalog.product.image_removed", target=product, actor=by, data={"file": image.original_name})
    transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files if f])


# --- price lists ------------------------------------------------------------------------------

ITEM_FIELDS = ("product", "min_quantity", "price", "valid_from", "valid_to")


@dataclass(frozen=True)
class _Span:
    start: Any
    end: Any

    def overlaps(self, other: _Span) -> bool:
        return (self.end is None or other.start is None or other.start <= self.end) and (
            other.end is None or self.start is None or self.start <= other.end
        )


def _check_items(rows: Sequence[ChildRow]) -> None:
    seen: dict[tuple[int, Decimal], list[_Span]] = {}
    for row in rows:
        if row.delete:
            continue
        values = row.values
        if values.get("price") is None or values["price"] < 0:
            raise DomainError(_("Every price needs an amount of zero or more."), field="items")
        if (values.get("min_quantity") or 0) < 0:
            raise DomainError(_("A quantity cannot be negative."), field="items")
        start, end = values.get("valid_from"), values.get("valid_to")
        if start and end and end < start:
            raise DomainError(_("A price ends before it starts."), field="items")
        key = (values["product"].pk, (values.get("min_quantity") or Decimal(0)).normalize())
        span = _Span(start, end)
        if any(span.overlaps(other) for other in seen.get(key, [])):
            raise DomainError(
                _("%(product)s has two prices from the quantity %(quantity)s for the same days.")
                % {"product": values["product"].sku, "quantity": f"{key[1]:f}"},
                field="items",
            )
        seen.setdefault(key, []).append(span)


def _check_price_list(*, code: str, name: str, currency, pk=None) -> None:
    if not code:
        raise DomainError(_("Please enter a code."), field="code")
    if not name:
        raise DomainError(_("Please enter a name."), field="name")
    if PriceList.objects.filter(code__iexact=code).exclude(pk=pk).exists():
        raise DomainError(_("A price list with the code %(code)s already exists.") % {"code": code}, field="code")
    if currency is None or not currency.is_active:
        raise DomainError(_("Choose an active currency."), field="currency")


@transaction.atomic
def price_list_create(
    *,
    code: str,
    name: str,
    currency,
    by,
    prices_include_tax: bool = False,
    notes: str = "",
    items: Sequence[ChildRow] = (),
) -> PriceList:
    code, name = code.strip().upper(), name.strip()
    _check_price_list(code=code, name=name, currency=currency)
    _check_items(items)
    price_list = PriceList(
        code=code,
        name=name,
        currency=currency,
        prices_include_tax=prices_include_tax,
        notes=notes,
        created_by=by,
        updated_by=by,
    )
    price_list._history_user = by
    price_list.save()
    sync_rows(price_list.items, items, ITEM_FIELDS)
    events.record(verb="catalog.pricelist.created", target=price_list, actor=by)
    return price_list


@transaction.atomic
def price_list_update(
    *,
    price_list: PriceList,
    expected_version: int,
    code: str,
    name: str,
    currency,
    by,
    prices_include_tax: bool = False,
    notes: str = "",
    items: Sequence[ChildRow] | None = None,
) -> PriceList:
    code, name = code.strip().upper(), name.strip()
    _check_price_list(code=code, name=name, currency=currency, pk=price_list.pk)
    if items is not None:
        kept = {row.pk for row in items if row.pk is not None}
        untouched = [
            ChildRow(values={name: getattr(item, name) for name in ITEM_FIELDS}, pk=item.pk)
            for item in price_list.items.select_related("product")
            if item.pk not in kept
        ]
        _check_items([*items, *untouched])
    price_list = versioned_update(
        instance=price_list,
        expected_version=expected_version,
        by=by,
        fields={
            "code": code,
            "name": name,
            "currency": currency,
            "prices_include_tax": prices_include_tax,
            "notes": notes,
        },
    )
    if items is not None:
        sync_rows(price_list.items, items, ITEM_FIELDS)
    events.record(verb="catalog.pricelist.updated", target=price_list, actor=by)
    return price_list


@transaction.atomic
def price_list_set_active(*, price_list: PriceList, is_active: bool, by) -> PriceList:
    return _set_active(price_list, is_active=is_active, by=by, label="catalog.pricelist")

"""Products from a CSV or Excel file: preview with every row's errors, then all or nothing.

A row with the SKU of an existing product updates it, any other row creates one. Units and
taxes are named by their codes, the category by its name or path (``Tools / Power tools``).
A packaging unit (box, pallet) as purchase or sales unit needs its size in
``purchase_factor`` / ``sales_factor`` (base units per package)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.catalog import services
from erp.catalog.models import (
    Product,
    ProductCategory,
    ProductType,
    Tracking,
    UnitConversion,
    UnitOfMeasure,
    ValuationMethod,
)
from erp.catalog.selectors import category_paths
from erp.catalog.units import ratio_between
from erp.core.exceptions import DomainError
from erp.core.formsets import ChildRow
from erp.core.imports import CREATE, UNCHANGED, UPDATE, ImportPlan, ImportRow, parse_decimal, read_csv
from erp.finance.models import TaxCode, TaxType
from erp.partners.imports import fits_field

REQUIRED = ("sku", "name")
OPTIONAL = (
    "type",
    "category",
    "barcode",
    "base_unit",
    "purchase_unit",
    "purchase_factor",
    "sales_unit",
    "sales_factor",
    "sales_price",
    "tracking",
    "valuation",
    "net_weight",
    "gross_weight",
    "volume",
    "sales_tax",
    "purchase_tax",
    "description",
)
COLUMNS = (*REQUIRED, *OPTIONAL)
ALIASES = {"product_type": "type", "unit": "base_unit", "price": "sales_price", "ean": "barcode", "gtin": "barcode"}
COMPARED = (
    "name",
    "product_type",
    "category",
    "barcode",
    "base_uom",
    "purchase_uom",
    "sales_uom",
    "sales_price",
    "tracking",
    "valuation_method",
    "net_weight",
    "gross_weight",
    "volume",
    "sales_tax",
    "purchase_tax",
    "description",
)
COLUMNS_HELP = [
    ("sku", gettext_lazy("The product's SKU (required); an existing SKU updates that product.")),
    ("name", gettext_lazy("Name (required).")),
    ("type", gettext_lazy("stockable (default), consumable or service.")),
    ("category", gettext_lazy("Name or path (Parent / Child) of an existing category.")),
    ("barcode", gettext_lazy("EAN/GTIN or another code; an EAN's check digit is verified.")),
    ("base_unit", gettext_lazy("Unit code stock is kept in (default pc).")),
    ("purchase_unit / sales_unit", gettext_lazy("Unit codes; empty: the base unit.")),
    ("purchase_factor / sales_factor", gettext_lazy("Base units in one purchase/sales unit, for packages (box = 12).")),
    ("sales_price", gettext_lazy("Per base unit, company currency, before tax.")),
    ("tracking", gettext_lazy("none, lot or serial.")),
    ("valuation", gettext_lazy("fifo or average; empty: as the category.")),
    ("net_weight / gross_weight / volume", gettext_lazy("Kilograms and cubic metres.")),
    ("sales_tax / purchase_tax", gettext_lazy("Tax codes.")),
    ("description", gettext_lazy("Free text.")),
]
EXAMPLE = (
    "sku,name,type,category,barcode,base_unit,purchase_unit,purchase_factor,sales_price,sales_tax\n"
    "SCR-4x40,Wood screw 4x40,stockable,Hardware,4006381333931,pc,box,200,0.05,VAT19"
)
TYPE_WORDS = {value: value for value in ProductType.values} | {"": ProductType.STOCKABLE}
TRACKING_WORDS = {value: value for value in Tracking.values} | {"": Tracking.NONE}
VALUATION_WORDS = {"fifo": ValuationMethod.FIFO, "average": ValuationMethod.AVERAGE, "avg": ValuationMethod.AVERAGE}


class _Lookups:
    def __init__(self) -> None:
        self.units = {u.code.lower(): u for u in UnitOfMeasure.objects.filter(is_active=True)}
        self.taxes = {t.code.upper(): t for t in TaxCode.objects.filter(is_active=True)}
        paths = category_paths()
        self.categories: dict[str, int | None] = {}
        for pk, path in paths.items():
            self.categories[path.casefold()] = pk
            leaf = path.rsplit(" / ", 1)[-1].casefold()
            # A name shared by two categories is ambiguous: only its path finds it.
            self.categories[leaf] = None if leaf in self.categories and self.categories[leaf] != pk else pk
        self.products = {p.sku.casefold(): p for p in Product.objects.prefetch_related("conversions")}


def _choice(text: str, words: dict[str, str], row: ImportRow, message: str) -> str:
    key = text.strip().lower()
    if key in words:
        return words[key]
    row.errors.append(message % {"value": text})
    return ""


def _number(text: str, row: ImportRow) -> Decimal | None:
    if not text.strip():
        return None
    try:
        value = parse_decimal(text)
    except ValueError as error:
        row.errors.append(str(error))
        return None
    if value < 0:
        row.errors.append(_("“%(value)s” cannot be negative.") % {"value": text})
    return value


def _unit(code: str, lookups: _Lookups, row: ImportRow) -> UnitOfMeasure | None:
    if not code.strip():
        return None
    unit = lookups.units.get(code.strip().lower())
    if unit is None:
        row.errors.append(_("Unknown unit %(code)s.") % {"code": code})
    return unit


def _tax(code: str, tax_type: str, lookups: _Lookups, row: ImportRow):
    if not code.strip():
        return None
    tax = lookups.taxes.get(code.strip().upper())
    if tax is None or tax.tax_type != tax_type:
        row.errors.append(
            _("Unknown %(type)s tax code %(code)s.") % {"type": TaxType(tax_type).label.lower(), "code": code}
        )
        return None
    return tax


def _parse_row(row: ImportRow, lookups: _Lookups) -> None:
    v = row.values
    data: dict = {"sku": v["sku"].strip(), "name": " ".join(v["name"].split()), "description": v["description"]}
    if not data["sku"]:
        row.errors.append(_("The SKU is missing."))
    if not data["name"]:
        row.errors.append(_("The name is missing."))
    data["product_type"] = _choice(v["type"], TYPE_WORDS, row, _("Unknown type “%(value)s”."))
    data["tracking"] = _choice(v["tracking"], TRACKING_WORDS, row, _("Unknown tracking “%(value)s”."))
    data["valuation_method"] = (
        _choice(v["valuation"], VALUATION_WORDS, row, _("Unknown valuation “%(value)s”: use fifo or average."))
        if v["valuation"].strip()
        else ""
    )
    category = v["category"].strip()
    data["category_id"] = lookups.categories.get(category.casefold()) if category else None
    if category and data["category_id"] is None:
        row.errors.append(_("Unknown or ambiguous category “%(value)s”: give its path.") % {"value": category})
    try:
        data["barcode"] = services.barcode_normalise(v["barcode"])
    except DomainError as error:
        row.errors.append(error.message)
        data["barcode"] = ""
    data["base_uom"] = _unit(v["base_unit"] or "pc", lookups, row)
    data["purchase_uom"] = _unit(v["purchase_unit"], lookups, row)
    data["sales_uom"] = _unit(v["sales_unit"], lookups, row)
    for name in ("sales_price", "net_weight", "gross_weight", "volume", "purchase_factor", "sales_factor"):
        data[name] = _number(v[name], row)
    data["sales_price"] = data["sales_price"] or Decimal(0)
    if data["tracking"] not in ("", Tracking.NONE) and data["product_type"] not in ("", ProductType.STOCKABLE):
        row.errors.append(_("Only stockable products are tracked by lot or serial number."))
    if data["net_weight"] and data["gross_weight"] and data["gross_weight"] < data["net_weight"]:
        row.errors.append(_("The gross weight cannot be less than the net weight."))
    data["sales_tax"] = _tax(v["sales_tax"], TaxType.SALES, lookups, row)
    data["purchase_tax"] = _tax(v["purchase_tax"], TaxType.PURCHASE, lookups, row)
    data["conversions"] = {}
    base = data["base_uom"]
    for unit_name, factor_name in (("purchase_uom", "purchase_factor"), ("sales_uom", "sales_factor")):
        unit, factor = data[unit_name], data[factor_name]
        if unit is None or base is None or unit.pk == base.pk:
            continue
        if factor:
            data["conversions"][unit.pk] = (unit, factor)
        elif ratio_between(unit, base) is None:
            row.errors.append(
                _("Say how many %(base)s one %(unit)s holds (column %(column)s).")
                % {"base": base.code, "unit": unit.code, "column": factor_name}
            )
    _check_sizes(row, data)
    row.data = data


def _check_sizes(row: ImportRow, data: dict) -> None:
    """What the database would refuse (a text too long, a number too large) is a row error, not a
    failure while importing."""
    for column in ("sku", "name", "barcode"):
        limit = Product._meta.get_field(column).max_length
        if data[column] and len(data[column]) > limit:
            row.errors.append(
                _("%(column)s: at most %(limit)d characters, not %(length)d.")
                % {"column": column, "limit": limit, "length": len(data[column])}
            )
    factor_field = UnitConversion._meta.get_field("factor")
    for column in ("sales_price", "net_weight", "gross_weight", "volume", "purchase_factor", "sales_factor"):
        field = factor_field if column.endswith("_factor") else Product._meta.get_field(column)
        value = data[column]
        if value is not None and not fits_field(value, field):
            row.errors.append(
                _("%(column)s: “%(value)s” is too large or has too many decimal places.")
                % {"column": column, "value": f"{value:f}"}
            )


def _compare(row: ImportRow, product: Product) -> None:
    data = row.data
    current = {name: getattr(product, f"{name}_id" if name in _RELATED else name) for name in COMPARED}
    wanted = {name: _id(data, name) for name in COMPARED}
    known = {c.uom_id: c.factor for c in product.conversions.all()}
    same_units = all(known.get(pk) == factor for pk, (_unit_, factor) in data["conversions"].items())
    row.action = UNCHANGED if current == wanted and same_units else UPDATE
    row.data["product"] = product


_RELATED = {"category", "base_uom", "purchase_uom", "sales_uom", "sales_tax", "purchase_tax"}


def _id(data: dict, name: str):
    if name == "category":
        return data["category_id"]
    if name in _RELATED:
        return data[name].pk if data[name] is not None else None
    return data[name]


def products_plan(text: str) -> ImportPlan:
    """Read the file and check every row; nothing is written."""
    plan = read_csv(text, required=REQUIRED, optional=OPTIONAL, aliases=ALIASES)
    if plan.errors:
        return plan
    plan.columns = list(COLUMNS)
    for row in plan.rows:
        row.values = {name: row.values.get(name, "") for name in COLUMNS}
    lookups = _Lookups()
    seen: dict[str, int] = {}
    barcodes: dict[str, int] = {}
    taken = {p.barcode: p for p in lookups.products.values() if p.barcode}
    for row in plan.rows:
        _parse_row(row, lookups)
        key = row.data["sku"].casefold()
        if key in seen:
            row.errors.append(
                _("The SKU %(sku)s is also on line %(line)d.") % {"sku": row.data["sku"], "line": seen[key]}
            )
        seen.setdefault(key, row.line)
        barcode = row.data["barcode"]
        if barcode:
            if barcode in barcodes:
                row.errors.append(
                    _("The barcode %(code)s is also on line %(line)d.") % {"code": barcode, "line": barcodes[barcode]}
                )
            barcodes.setdefault(barcode, row.line)
        if row.errors:
            continue
        existing = lookups.products.get(key)
        holder = taken.get(barcode)
        if barcode and holder is not None and holder != existing:
            row.errors.append(_("%(product)s already has the barcode %(code)s.") % {"product": holder, "code": barcode})
            continue
        if existing is None:
            row.action = CREATE
        else:
            _compare(row, existing)
    return plan


def _fields(data: dict) -> dict:
    fields = {name: data[name] for name in COMPARED if name != "category"}
    fields["category"] = data["category_id"] and ProductCategory.objects.get(pk=data["category_id"])
    fields["sku"] = data["sku"]
    return fields


@transaction.atomic
def products_import(*, plan: ImportPlan, by) -> dict[str, int]:
    if not plan.is_valid:
        raise DomainError(_("The file has errors; nothing was imported."))
    counts = {CREATE: 0, UPDATE: 0}
    for row in plan.rows:
        try:
            _apply(row, by)
        except DomainError as error:
            # Checked in the plan; what the services still refuse changed meanwhile (a SKU taken).
            raise DomainError(_("Line %(line)d: %(error)s") % {"line": row.line, "error": error.message}) from error
        if row.action in counts:
            counts[row.action] += 1
    return counts


def _apply(row: ImportRow, by) -> None:
    data = row.data
    if row.action == CREATE:
        conversions = [
            ChildRow(values={"uom": unit, "factor": factor}) for unit, factor in data["conversions"].values()
        ]
        services.product_create(**_fields(data), conversions=conversions, by=by)
    elif row.action == UPDATE:
        product = data["product"]
        known = {c.uom_id: c for c in product.conversions.all()}
        conversions = [
            ChildRow(values={"uom": c.uom, "factor": c.factor}, pk=c.pk)
            for c in product.conversions.select_related("uom")
            if c.uom_id not in data["conversions"]
        ]
        conversions += [
            ChildRow(values={"uom": unit, "factor": factor}, pk=known[pk].pk if pk in known else None)
            for pk, (unit, factor) in data["conversions"].items()
        ]
        services.product_update(
            product=product, expected_version=product.version, **_fields(data), conversions=conversions, by=by
        )

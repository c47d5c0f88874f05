"""Converting quantities between units of measure.

A product's quantities live in its base unit. Another unit converts to it either
through the product's own conversion (1 box = 12 pieces of *this* product) or,
for units of the same category, through their ratios (1 kg = 1000 g). Results are
rounded to the target unit's decimal places, half-up by default; ``ROUND_UP``
answers “how many boxes do I need for 30 pieces” (3, not 2.5)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.utils.translation import gettext as _

from erp.catalog.models import QUANTITY, Product, UnitOfMeasure, UomCategory
from erp.core.exceptions import DomainError

STORED_PLACES = QUANTITY["decimal_places"]


class UnitsNotConvertible(DomainError):
    """Two units that measure different things and no conversion of the product links them."""


def _product_factor(product: Product, uom: UnitOfMeasure) -> Decimal | None:
    """Base units in one ``uom`` by the product's own conversions (prefetched ones are used)."""
    cache = getattr(product, "_prefetched_objects_cache", {})
    if "conversions" in cache:
        return next((c.factor for c in cache["conversions"] if c.uom_id == uom.pk), None)
    found = product.conversions.filter(uom=uom).values_list("factor", flat=True).first()
    return found


def ratio_between(from_uom: UnitOfMeasure, to_uom: UnitOfMeasure) -> Decimal | None:
    """How many ``to_uom`` one ``from_uom`` is, when both measure the same thing by ratio."""
    if from_uom.pk == to_uom.pk:
        return Decimal(1)
    if (
        from_uom.category != to_uom.category
        or from_uom.category == UomCategory.PACKAGING
        or not from_uom.ratio
        or not to_uom.ratio
    ):
        return None
    with localcontext() as context:
        context.prec = 34
        return from_uom.ratio / to_uom.ratio


def base_factor(product: Product, uom: UnitOfMeasure) -> Decimal:
    """How many base units of ``product`` one ``uom`` holds; ``UnitsNotConvertible`` if none."""
    base = product.base_uom
    if uom.pk == base.pk:
        return Decimal(1)
    factor = _product_factor(product, uom)
    if factor is None:
        factor = ratio_between(uom, base)
    if factor is None:
        raise UnitsNotConvertible(
            _("%(product)s has no conversion from %(unit)s to its base unit %(base)s.")
            % {"product": product.sku, "unit": uom.code, "base": base.code}
        )
    return factor


def round_quantity(quantity: Decimal, places: int, rounding: str = ROUND_HALF_UP) -> Decimal:
    places = min(places, STORED_PLACES)
    return Decimal(quantity).quantize(Decimal(1).scaleb(-places), rounding=rounding)


def convert(
    quantity: Decimal,
    *,
    from_uom: UnitOfMeasure,
    to_uom: UnitOfMeasure,
    product: Product | None = None,
    rounding: str = ROUND_HALF_UP,
    exact: bool = False,
) -> Decimal:
    """``quantity`` of ``from_uom`` expressed in ``to_uom``.

    With a ``product`` its own conversions apply (boxes, packs); without one only units of the
    same category convert. Rounded to ``to_uom.decimal_places`` with ``rounding`` (a ``decimal``
    rounding mode), or with ``exact`` only to the stored precision (6 places)."""
    quantity = Decimal(quantity)
    if from_uom.pk == to_uom.pk:
        factor = Decimal(1)
    elif product is not None:
        with localcontext() as context:
            context.prec = 34
            factor = base_factor(product, from_uom) / base_factor(product, to_uom)
    else:
        factor = ratio_between(from_uom, to_uom)
        if factor is None:
            raise UnitsNotConvertible(
                _("%(from)s cannot be converted to %(to)s.") % {"from": from_uom.code, "to": to_uom.code}
            )
    with localcontext() as context:
        context.prec = 34
        result = quantity * factor
    places = STORED_PLACES if exact else to_uom.decimal_places
    return round_quantity(result, places, rounding)


def to_base(quantity: Decimal, *, product: Product, uom: UnitOfMeasure, exact: bool = True) -> Decimal:
    """A quantity in ``uom`` as base units of ``product`` (stock, valuation): kept to the
    stored precision unless ``exact`` is False (then rounded to the base unit's places)."""
    return convert(quantity, from_uom=uom, to_uom=product.base_uom, product=product, exact=exact)


def from_base(quantity: Decimal, *, product: Product, uom: UnitOfMeasure, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Base units of ``product`` expressed in ``uom``, rounded to its places."""
    return convert(quantity, from_uom=product.base_uom, to_uom=uom, product=product, rounding=rounding)

"""Writes on inventory master data: warehouses and their locations, lots, reorder rules.

Stock itself changes only through ``erp.inventory.stock`` (called by the documents)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from erp.catalog.models import Product, Tracking
from erp.core import events
from erp.core.exceptions import DomainError
from erp.core.models import Organization
from erp.core.services import versioned_update
from erp.finance.models import Account
from erp.inventory.models import Location, LocationType, Lot, Quant, ReorderRule, Warehouse

# The locations every new warehouse starts with, below its root: (code, name, field on the warehouse).
STANDARD_LOCATIONS = (
    ("RECEIVING", "Receiving", "receiving_location"),
    ("STOCK", "Stock", "stock_location"),
    ("OUTPUT", "Output", "output_location"),
)


def _full_name(parent: Location | None, name: str) -> str:
    return f"{parent.full_name}/{name}" if parent is not None else name


@transaction.atomic
def warehouse_create(
    *,
    organization: Organization,
    code: str,
    name: str,
    by,
    allow_negative_stock: bool = False,
    address: str = "",
) -> Warehouse:
    """A warehouse with its location tree: the root, receiving, stock and output."""
    code = code.strip().upper()
    if Warehouse.objects.filter(code__iexact=code).exists():
        raise DomainError(_("A warehouse with the code %(code)s already exists.") % {"code": code}, field="code")
    warehouse = Warehouse.objects.create(
        organization=organization,
        code=code,
        name=name.strip(),
        allow_negative_stock=allow_negative_stock,
        address=address.strip(),
        created_by=by,
        updated_by=by,
    )
    root = Location.objects.create(
        warehouse=warehouse,
        code=code,
        name=code,
        full_name=code,
        location_type=LocationType.VIEW,
        created_by=by,
        updated_by=by,
    )
    warehouse.view_location = root
    for location_code, location_name, attribute in STANDARD_LOCATIONS:
        location = Location.objects.create(
            warehouse=warehouse,
            parent=root,
            code=location_code,
            name=location_name,
            full_name=_full_name(root, location_name),
            location_type=LocationType.INTERNAL,
            created_by=by,
            updated_by=by,
        )
        setattr(warehouse, attribute, location)
    warehouse.save(update_fields=["view_location", "receiving_location", "stock_location", "output_location"])
    events.record(
        verb="inventory.warehouse.created", target=warehouse, actor=by, data={"code": code}, organization=organization
    )
    return warehouse


@transaction.atomic
def warehouse_update(
    *,
    warehouse: Warehouse,
    expected_version: int,
    name: str,
    allow_negative_stock: bool,
    address: str,
    by,
) -> Warehouse:
    """Rename a warehouse or change whether it allows negative stock. Negative stock can only
    be switched off while nothing in the warehouse is below zero (the database checks it)."""
    updated = versioned_update(
        instance=warehouse,
        expected_version=expected_version,
        by=by,
        fields={"name": name.strip(), "allow_negative_stock": allow_negative_stock, "address": address.strip()},
    )
    try:
        with transaction.atomic():
            Quant.objects.filter(location__warehouse=updated, location__location_type=LocationType.INTERNAL).exclude(
                negative_allowed=allow_negative_stock
            ).update(negative_allowed=allow_negative_stock)
    except IntegrityError:
        below = Quant.objects.filter(location__warehouse=updated, quantity__lt=0).count()
        raise DomainError(
            _(
                "%(count)d stock positions of this warehouse are below zero: "
                "correct them before negative stock is switched off."
            )
            % {"count": below},
            field="allow_negative_stock",
        ) from None
    events.record(
        verb="inventory.warehouse.updated",
        target=updated,
        actor=by,
        data={"allow_negative_stock": allow_negative_stock},
        organization=updated.organization,
    )
    return updated


def _check_parent(*, warehouse: Warehouse | None, parent: Location | None, location: Location | None) -> None:
    if warehouse is None:
        if parent is not None:
            raise DomainError(_("Virtual locations have no parent."), field="parent")
        return
    if parent is None or parent.warehouse_id != warehouse.pk:
        raise DomainError(_("Choose a parent location in the same warehouse."), field="parent")
    seen = set()
    node = parent
    while node is not None and node.pk not in seen:
        if location is not None and node.pk == location.pk:
            raise DomainError(_("A location cannot be placed below itself."), field="parent")
        seen.add(node.pk)
        node = node.parent


def _check_account(account: Account | None, location_type: str) -> None:
    if account is None:
        return
    if location_type in (LocationType.INTERNAL, LocationType.VIEW):
        raise DomainError(_("Only virtual and transit locations have an account."), field="account")
    if not account.is_postable:
        raise DomainError(_("Choose an active account that is not a summary account."), field="account")


@transaction.atomic
def location_create(
    *,
    code: str,
    name: str,
    location_type: str,
    by,
    warehouse: Warehouse | None = None,
    parent: Location | None = None,
    account: Account | None = None,
) -> Location:
    code = code.strip().upper()
    if warehouse is not None and location_type not in (LocationType.INTERNAL, LocationType.VIEW):
        raise DomainError(_("A warehouse holds internal and view locations only."), field="location_type")
    if warehouse is None and location_type in (LocationType.INTERNAL, LocationType.VIEW):
        raise DomainError(_("Internal and view locations belong to a warehouse."), field="warehouse")
    if location_type == LocationType.TRANSIT and Location.objects.filter(location_type=LocationType.TRANSIT).exists():
        raise DomainError(_("There is one transit location; it already exists."), field="location_type")
    _check_parent(warehouse=warehouse, parent=parent, location=None)
    _check_account(account, location_type)
    if Location.objects.filter(warehouse=warehouse, code__iexact=code).exists():
        raise DomainError(_("A location with the code %(code)s already exists here.") % {"code": code}, field="code")
    location = Location.objects.create(
        warehouse=warehouse,
        parent=parent,
        code=code,
        name=name.strip(),
        full_name=_full_name(parent, name.strip()),
        location_type=location_type,
        account=account,
        created_by=by,
        updated_by=by,
    )
    events.record(
        verb="inventory.location.created",
        target=location,
        actor=by,
        data={"code": code},
        organization=warehouse.organization if warehouse else None,
    )
    return location


def _rename_subtree(location: Location) -> None:
    for child in Location.objects.filter(parent=location):
        child.full_name = _full_name(location, child.name)
        child.save(update_fields=["full_name", "updated_at"])
        _rename_subtree(child)


@transaction.atomic
def location_update(
    *,
    location: Location,
    expected_version: int,
    code: str,
    name: str,
    by,
    parent: Location | None = None,
    account: Account | None = None,
) -> Location:
    """Rename or move a location (within its warehouse), or change its account."""
    code = code.strip().upper()
    is_root = location.warehouse_id is not None and location.parent_id is None
    if not is_root:
        _check_parent(warehouse=location.warehouse, parent=parent, location=location)
    else:
        parent = None
    _check_account(account, location.location_type)
    if Location.objects.filter(warehouse=location.warehouse_id, code__iexact=code).exclude(pk=location.pk).exists():
        raise DomainError(_("A location with the code %(code)s already exists here.") % {"code": code}, field="code")
    updated = versioned_update(
        instance=location,
        expected_version=expected_version,
        by=by,
        fields={
            "code": code,
            "name": name.strip(),
            "parent": parent,
            "account": account,
            "full_name": _full_name(parent, name.strip()),
        },
    )
    _rename_subtree(updated)
    events.record(
        verb="inventory.location.updated",
        target=updated,
        actor=by,
        data={"code": code},
        organization=updated.warehouse.organization if updated.warehouse_id else None,
    )
    return updated


@transaction.atomic
def location_set_active(*, location: Location, is_active: bool, by) -> Location:
    """Deactivate a location that holds nothing (it stays in the history), or reactivate it."""
    if not is_active:
        if Quant.objects.filter(location=location).exclude(quantity=0).exists():
            raise DomainError(_("The location still holds stock: move it elsewhere first."))
        warehouse = location.warehouse
        if warehouse is not None and location.pk in (
            warehouse.view_location_id,
            warehouse.receiving_location_id,
            warehouse.stock_location_id,
            warehouse.output_location_id,
        ):
            raise DomainError(_("The warehouse's standard locations cannot be deactivated."))
        if location.is_virtual and location.parent_id is None and location.warehouse_id is None:
            same_type = Location.objects.filter(location_type=location.location_type, is_active=True)
            if same_type.exclude(pk=location.pk).count() == 0:
                raise DomainError(_("The last location of its type cannot be deactivated."))
    location.is_active = is_active
    location.updated_by = by
    location.version += 1
    location._history_user = by
    location.save(update_fields=["is_active", "updated_by", "version", "updated_at"])
    events.record(
        verb="inventory.location.activated" if is_active else "inventory.location.deactivated",
        target=location,
        actor=by,
    )
    return location


# --- lots -------------------------------------------------------------------------------------------


def lot_names(text: str) -> list[str]:
    """Lot or serial numbers typed in one field: separated by commas, semicolons, spaces or lines."""
    for separator in (";", "\n", "\r", "\t", " "):
        text = text.replace(separator, ",")
    return [name.strip() for name in text.split(",") if name.strip()]


def lots_for(
    *, product: Product, text: str, quantity: Decimal, create: bool, by=None, expiry_date: date | None = None
) -> list[tuple[Lot | None, Decimal]]:
    """Split ``quantity`` (base unit) over the lots named in ``text``: one lot for the whole
    quantity, or one serial number per unit. ``create``: new numbers become lots (receipts);
    otherwise they must exist. ``DomainError`` (field ``lot_number``) explains what is wrong."""
    names = lot_names(text)
    if product.tracking == Tracking.NONE:
        if names:
            raise DomainError(
                _("%(product)s is not tracked by lot or serial number: leave the field empty.")
                % {"product": product.sku},
                field="lot_number",
            )
        return [(None, quantity)]
    if product.tracking == Tracking.LOT:
        if len(names) != 1:
            raise DomainError(
                _("%(product)s is tracked by lot: enter one lot number.") % {"product": product.sku},
                field="lot_number",
            )
        return [(lot_get(product=product, name=names[0], create=create, by=by, expiry_date=expiry_date), quantity)]
    if quantity != quantity.to_integral_value() or len(names) != quantity:
        raise DomainError(
            _("%(product)s is tracked by serial number: enter %(count)s serial numbers, one per unit.")
            % {"product": product.sku, "count": quantity.normalize()},
            field="lot_number",
        )
    if len(set(names)) != len(names):
        raise DomainError(_("A serial number is entered twice."), field="lot_number")
    return [
        (lot_get(product=product, name=name, create=create, by=by, expiry_date=expiry_date), Decimal("1"))
        for name in names
    ]


def lot_get(*, product: Product, name: str, create: bool, by=None, expiry_date: date | None = None) -> Lot:
    """The lot ``name`` of ``product``; created when ``create`` (receipts, counts), else it must exist."""
    name = name[:100]
    if create:
        lot, created = Lot.objects.get_or_create(
            product=product, name=name, defaults={"created_by": by, "expiry_date": expiry_date}
        )
        if not created and expiry_date and lot.expiry_date != expiry_date:
            lot.expiry_date = expiry_date
            lot.save(update_fields=["expiry_date"])
        return lot
    lot = Lot.objects.filter(product=product, name=name).first()
    if lot is None:
        raise DomainError(
            _("%(product)s has no lot or serial number %(name)s.") % {"product": product.sku, "name": name},
            field="lot_number",
        )
    return lot


# --- reorder rules --------------------------------------------------------------------------------


def _check_rule(*, product: Product, min_quantity: Decimal, max_quantity: Decimal, multiple: Decimal) -> None:
    if not product.is_stockable:
        raise DomainError(_("Reorder rules are for stockable products."), field="product")
    if min_quantity < 0:
        raise DomainError(_("The minimum cannot be negative."), field="min_quantity")
    if max_quantity < min_quantity:
        raise DomainError(_("The maximum must be at least the minimum."), field="max_quantity")
    if multiple <= 0:
        raise DomainError(_("Order in multiples of a positive quantity."), field="multiple")


@transaction.atomic
def reorder_rule_create(
    *,
    product: Product,
    warehouse: Warehouse,
    min_quantity: Decimal,
    max_quantity: Decimal,
    by,
    multiple: Decimal = Decimal("1"),
) -> ReorderRule:
    _check_rule(product=product, min_quantity=min_quantity, max_quantity=max_quantity, multiple=multiple)
    if ReorderRule.objects.filter(product=product, warehouse=warehouse).exists():
        raise DomainError(
            _("%(product)s has a reorder rule for this warehouse already.") % {"product": product.sku},
            field="product",
        )
    rule = ReorderRule.objects.create(
        product=product,
        warehouse=warehouse,
        min_quantity=min_quantity,
        max_quantity=max_quantity,
        multiple=multiple,
        created_by=by,
        updated_by=by,
    )
    events.record(verb="inventory.reorderrule.created", target=rule, actor=by, organization=warehouse.organization)
    return rule


@transaction.atomic
def reorder_rule_update(
    *,
    rule: ReorderRule,
    expected_version: int,
    min_quantity: Decimal,
    max_quantity: Decimal,
    multiple: Decimal,
    by,
) -> ReorderRule:
    _check_rule(product=rule.product, min_quantity=min_quantity, max_quantity=max_quantity, multiple=multiple)
    updated = versioned_update(
        instance=rule,
        expected_version=expected_version,
        by=by,
        fields={"min_quantity": min_quantity, "max_quantity": max_quantity, "multiple": multiple},
    )
    events.record(verb="inventory.reorderrule.updated", target=updated, actor=by)
    return updated

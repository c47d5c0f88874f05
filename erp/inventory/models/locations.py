"""Warehouses and their location trees, and the virtual locations stock comes from and goes to.

A warehouse owns a tree of locations: a *view* location at the root (it groups, holds no
stock) with receiving, stock (with shelves below it) and output locations. Stock is kept
(quants) and valued only in *internal* locations and in the one *transit* location that
goods cross between two warehouses. Vendors, customers, inventory loss (adjustments),
production and scrap are *virtual*: moves come from or go to them, nothing is kept there,
and their ``account`` is the counterpart of the inventory account when stock enters or
leaves the books through them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from erp.core.models import AuditedModel, LiveManager, LiveQuerySet, Organization


class LocationType(models.TextChoices):
    VIEW = "view", _("View (groups locations)")
    INTERNAL = "internal", _("Internal (holds stock)")
    VENDOR = "vendor", _("Vendors")
    CUSTOMER = "customer", _("Customers")
    INVENTORY_LOSS = "inventory_loss", _("Inventory loss (adjustments)")
    PRODUCTION = "production", _("Production")
    TRANSIT = "transit", _("Transit between warehouses")
    SCRAP = "scrap", _("Scrap")


WAREHOUSE_TYPES = frozenset({LocationType.VIEW, LocationType.INTERNAL})
VIRTUAL_TYPES = frozenset(
    {
        LocationType.VENDOR,
        LocationType.CUSTOMER,
        LocationType.INVENTORY_LOSS,
        LocationType.PRODUCTION,
        LocationType.TRANSIT,
        LocationType.SCRAP,
    }
)
# Locations that hold stock: quants are kept and the stock is valued.
STOCK_TYPES = frozenset({LocationType.INTERNAL, LocationType.TRANSIT})


class WarehouseQuerySet(LiveQuerySet):
    def for_user(self, user) -> WarehouseQuerySet:
        from erp.core.access import organization_ids_for

        return self.filter(organization_id__in=organization_ids_for(user))

    def active(self) -> WarehouseQuerySet:
        return self.filter(is_active=True)


class Warehouse(AuditedModel):
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=100)
    allow_negative_stock = models.BooleanField(
        _("allow negative stock"),
        default=False,
        help_text=_("Issues may take more than is on hand; the shortfall is costed when goods arrive."),
    )
    address = models.TextField(_("address"), blank=True)
    view_location = models.ForeignKey(
        "Location", verbose_name=_("root location"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receiving_location = models.ForeignKey(
        "Location",
        verbose_name=_("receiving location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stock_location = models.ForeignKey(
        "Location", verbose_name=_("stock location"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    output_location = models.ForeignKey(
        "Location", verbose_name=_("output location"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = LiveManager.from_queryset(WarehouseQuerySet)()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(deleted_at__isnull=True), name="inventory_warehouse_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("inventory:warehouse-detail", args=[self.pk])


class LocationQuerySet(LiveQuerySet):
    def for_user(self, user) -> LocationQuerySet:
        """Locations of the user's warehouses and the shared virtual locations."""
        from erp.core.access import organization_ids_for

        return self.filter(Q(warehouse__isnull=True) | Q(warehouse__organization_id__in=organization_ids_for(user)))

    def stock(self) -> LocationQuerySet:
        return self.filter(location_type__in=STOCK_TYPES)

    def internal(self) -> LocationQuerySet:
        return self.filter(location_type=LocationType.INTERNAL)

    def virtual(self) -> LocationQuerySet:
        return self.filter(location_type__in=VIRTUAL_TYPES)


class Location(AuditedModel):
    Type = LocationType

    warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("warehouse"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="locations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    full_name = models.CharField(_("full name"), max_length=255, editable=False)
    location_type = models.CharField(_("type"), max_length=20, choices=LocationType.choices)
    account = models.ForeignKey(
        "finance.Account",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inventory_locations",
        help_text=_(
            "Virtual locations: the counterpart of the inventory account (e.g. inventory adjustments for "
            "inventory loss); transit: the account of goods in transit. Empty: the usual account."
        ),
    )

    objects = LiveManager.from_queryset(LocationQuerySet)()

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "code"],
                condition=Q(deleted_at__isnull=True),
                nulls_distinct=False,
                name="inventory_location_code_unique",
            ),
            models.CheckConstraint(
                condition=Q(location_type__in=LocationType.values), name="inventory_location_type_valid"
            ),
            models.CheckConstraint(
                condition=(Q(warehouse__isnull=True) & Q(location_type__in=sorted(VIRTUAL_TYPES)))
                | (Q(warehouse__isnull=False) & Q(location_type__in=sorted(WAREHOUSE_TYPES))),
                name="inventory_location_virtual_without_warehouse",
            ),
            # Goods between warehouses pass one transit location (one valuation of stock in transit).
            models.UniqueConstraint(
                fields=["location_type"],
                condition=Q(location_type=LocationType.TRANSIT, deleted_at__isnull=True),
                name="inventory_location_one_transit",
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="inventory_location_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("inventory:location-detail", args=[self.pk])

    @property
    def holds_stock(self) -> bool:
        return self.location_type in STOCK_TYPES

    @property
    def is_virtual(self) -> bool:
        return self.location_type in VIRTUAL_TYPES

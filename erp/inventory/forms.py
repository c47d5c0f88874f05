"""Forms of the inventory master data (warehouses, locations, reorder rules)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from erp.core.models import Organization
from erp.finance.models import Account
from erp.inventory.documents.forms import AccountChoiceField, LocationChoiceField, ProductField
from erp.inventory.models import Location, LocationType, ReorderRule, Warehouse

QUANTITY_INPUT = forms.NumberInput(attrs={"step": "any", "class": "numeric"})


class WarehouseForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=10, help_text=_("Short unique code, e.g. MAIN or WH-NORTH."))
    name = forms.CharField(label=_("Name"), max_length=100)
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    allow_negative_stock = forms.BooleanField(
        label=_("Allow negative stock"),
        required=False,
        help_text=_("Issues may take more than is on hand; the shortfall is costed when goods arrive."),
    )
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, instance: Warehouse | None = None, **kwargs) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": instance.code,
                "name": instance.name,
                "organization": instance.organization_id,
                "allow_negative_stock": instance.allow_negative_stock,
                "address": instance.address,
                "version": instance.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.for_user(user).active().order_by("name")
        if instance is not None:
            for name in ("code", "organization"):
                self.fields[name].disabled = True
                self.fields[name].help_text = ""


class LocationForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=100)
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.none(),
        required=False,
        help_text=_("Empty for a virtual location (vendors, customers, scrap …)."),
    )
    parent = LocationChoiceField(
        label=_("Parent location"),
        queryset=Location.objects.none(),
        required=False,
        help_text=_("Where the location is in its warehouse, e.g. a shelf below Stock."),
    )
    location_type = forms.ChoiceField(label=_("Type"), choices=LocationType.choices, initial=LocationType.INTERNAL)
    account = AccountChoiceField(
        label=_("Account"),
        queryset=Account.objects.none(),
        required=False,
        help_text=_(
            "Virtual locations: the counterpart of the inventory account (e.g. inventory adjustments for "
            "inventory loss); transit: the account of goods in transit. Empty: the usual account."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, instance: Location | None = None, **kwargs) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": instance.code,
                "name": instance.name,
                "warehouse": instance.warehouse_id,
                "parent": instance.parent_id,
                "location_type": instance.location_type,
                "account": instance.account_id,
                "version": instance.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.for_user(user).active().order_by("code")
        parents = Location.objects.filter(
            warehouse__in=self.fields["warehouse"].queryset,
            location_type__in=(LocationType.VIEW, LocationType.INTERNAL),
            is_active=True,
        ).order_by("full_name")
        if instance is not None:
            parents = parents.exclude(pk=instance.pk)
            if instance.warehouse_id:
                parents = parents.filter(warehouse_id=instance.warehouse_id)
        self.fields["parent"].queryset = parents
        self.fields["account"].queryset = Account.objects.postable().order_by("code")
        if instance is not None:
            for name in ("warehouse", "location_type"):
                self.fields[name].disabled = True
                self.fields[name].help_text = ""

    def clean(self) -> dict:
        data = super().clean()
        warehouse, parent = data.get("warehouse"), data.get("parent")
        if warehouse is not None and parent is not None and parent.warehouse_id != warehouse.pk:
            self.add_error("parent", _("Choose a parent location in the same warehouse."))
        return data


class ReorderRuleForm(forms.Form):
    product = ProductField(label=_("Product"))
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())
    min_quantity = forms.DecimalField(
        label=_("Minimum"), max_digits=18, decimal_places=6, min_value=Decimal("0"), widget=QUANTITY_INPUT
    )
    max_quantity = forms.DecimalField(
        label=_("Maximum"), max_digits=18, decimal_places=6, min_value=Decimal("0"), widget=QUANTITY_INPUT
    )
    multiple = forms.DecimalField(
        label=_("Order in multiples of"),
        max_digits=18,
        decimal_places=6,
        min_value=Decimal("0.000001"),
        initial=Decimal("1"),
        widget=QUANTITY_INPUT,
        help_text=_("E.g. 12 to order whole boxes."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, instance: ReorderRule | None = None, **kwargs) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "product": instance.product.sku,
                "warehouse": instance.warehouse_id,
                "min_quantity": instance.min_quantity.normalize(),
                "max_quantity": instance.max_quantity.normalize(),
                "multiple": instance.multiple.normalize(),
                "version": instance.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.for_user(user).active().order_by("code")
        if instance is not None:
            for name in ("product", "warehouse"):
                self.fields[name].disabled = True

    def clean(self) -> dict:
        data = super().clean()
        low, high = data.get("min_quantity"), data.get("max_quantity")
        if low is not None and high is not None and high < low:
            self.add_error("max_quantity", _("The maximum must be at least the minimum."))
        return data

"""Forms of the inventory documents: a header and an inline formset of lines.

Products are entered by SKU (a text input with a list of suggestions), so a line editor stays
light with a catalog of any size; units and locations are selects rendered from one query."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.catalog.models import Product, UnitOfMeasure
from erp.core.customfields.forms import CustomFieldsFormMixin
from erp.core.documents.forms import DocumentLineFormSet
from erp.core.models import Company, Organization
from erp.finance.models import Account
from erp.inventory.models import (
    GoodsIssue,
    GoodsIssueLine,
    GoodsReceipt,
    GoodsReceiptLine,
    InternalTransfer,
    InternalTransferLine,
    Location,
    LocationType,
    PhysicalCount,
    PhysicalCountLine,
    Scrap,
    ScrapLine,
    StockAdjustment,
    StockAdjustmentLine,
    Warehouse,
)
from erp.partners.models import Partner

ZERO = Decimal("0")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PRODUCT_LIST = "inventory-products"
SUGGESTED_PRODUCTS = 500


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Account) -> str:
        return f"{obj.code} — {obj.name}"


class ProductField(forms.CharField):
    """A stockable product entered by its SKU."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 50)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"list": PRODUCT_LIST, "placeholder": gettext_lazy("SKU"), "size": 12})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Product):
            return value.sku
        if isinstance(value, int):
            return Product.all_objects.filter(pk=value).values_list("sku", flat=True).first() or ""
        return value

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        product = Product.objects.filter(sku__iexact=text.strip()).select_related("base_uom").first()
        if product is None:
            raise forms.ValidationError(_("No product has the SKU %(sku)s.") % {"sku": text.strip()})
        if not product.is_stockable:
            raise forms.ValidationError(_("%(sku)s is not a stockable product.") % {"sku": product.sku})
        if not product.is_active:
            raise forms.ValidationError(_("%(sku)s is deactivated.") % {"sku": product.sku})
        return product


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Location) -> str:
        return obj.full_name


def internal_locations():
    return Location.objects.internal().filter(is_active=True).order_by("full_name")


# --- headers ---------------------------------------------------------------------------------------


class StockDocumentForm(CustomFieldsFormMixin, forms.ModelForm):
    """Organization, warehouse, date (one date: the accounting date), reference, notes."""

    class Meta:
        fields = ["organization", "warehouse", "accounting_date", "description", "external_reference", "notes"]
        labels = {"accounting_date": gettext_lazy("Date")}
        widgets = {"accounting_date": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.active().order_by("name")
        self.fields["warehouse"].queryset = Warehouse.objects.active().order_by("code")
        if "partner" in self.fields:
            self.fields["partner"].queryset = Partner.objects.filter(is_active=True).order_by("name")
        if "counterpart_account" in self.fields:
            self.fields["counterpart_account"] = AccountChoiceField(
                label=self.fields["counterpart_account"].label,
                help_text=self.fields["counterpart_account"].help_text,
                queryset=Account.objects.postable().order_by("code"),
                required=False,
            )

    def clean(self) -> dict:
        data = super().clean()
        day, warehouse, organization = data.get("accounting_date"), data.get("warehouse"), data.get("organization")
        if day:
            self.instance.document_date = day
        if warehouse and organization and warehouse.organization_id != organization.pk:
            self.add_error(
                "warehouse",
                _("%(warehouse)s belongs to %(organization)s.")
                % {"warehouse": warehouse, "organization": warehouse.organization},
            )
        currency = Company.objects.values_list("currency_id", flat=True).first()
        self.instance.currency_id = currency
        self.instance.exchange_rate = Decimal("1")
        return data


class PartnerDocumentForm(StockDocumentForm):
    """A receipt or an issue: with the vendor or customer and the counterpart account."""

    class Meta(StockDocumentForm.Meta):
        fields = [
            *StockDocumentForm.Meta.fields[:3],
            "partner",
            "counterpart_account",
            *StockDocumentForm.Meta.fields[3:],
        ]


class GoodsReceiptForm(PartnerDocumentForm):
    class Meta(PartnerDocumentForm.Meta):
        model = GoodsReceipt
        labels = {**StockDocumentForm.Meta.labels, "partner": gettext_lazy("Vendor")}


class GoodsIssueForm(PartnerDocumentForm):
    class Meta(PartnerDocumentForm.Meta):
        model = GoodsIssue
        labels = {**StockDocumentForm.Meta.labels, "partner": gettext_lazy("Customer")}


class InternalTransferForm(StockDocumentForm):
    class Meta(StockDocumentForm.Meta):
        model = InternalTransfer
        fields = [*StockDocumentForm.Meta.fields[:2], "destination_warehouse", *StockDocumentForm.Meta.fields[2:]]
        labels = {**StockDocumentForm.Meta.labels, "warehouse": gettext_lazy("From warehouse")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["destination_warehouse"].queryset = Warehouse.objects.active().order_by("code")


class StockAdjustmentForm(StockDocumentForm):
    class Meta(StockDocumentForm.Meta):
        model = StockAdjustment


class PhysicalCountForm(StockDocumentForm):
    class Meta(StockDocumentForm.Meta):
        model = PhysicalCount
        fields = [*StockDocumentForm.Meta.fields[:2], "location", *StockDocumentForm.Meta.fields[2:]]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"] = LocationChoiceField(
            label=self.fields["location"].label,
            help_text=self.fields["location"].help_text,
            queryset=Location.objects.filter(
                location_type__in=(LocationType.INTERNAL, LocationType.VIEW), warehouse__isnull=False, is_active=True
            ).order_by("full_name"),
            required=False,
        )

    def clean(self) -> dict:
        data = super().clean()
        location, warehouse = data.get("location"), data.get("warehouse")
        if location and warehouse and location.warehouse_id != warehouse.pk:
            self.add_error(
                "location", _("Choose a location of the warehouse %(warehouse)s.") % {"warehouse": warehouse}
            )
        return data


class ScrapForm(StockDocumentForm):
    class Meta(StockDocumentForm.Meta):
        model = Scrap


# --- lines -------------------------------------------------------------------------------------------


class StockLineForm(forms.ModelForm):
    product = ProductField(label=gettext_lazy("Product"))
    location_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.product_id and "product" not in self.initial:
            self.initial["product"] = self.instance.product.sku
        if "uom" in self.fields:
            self.fields["uom"].queryset = UnitOfMeasure.objects.filter(is_active=True).order_by("code")
            self.fields["uom"].empty_label = _("Base unit")
            self.fields["uom"].help_text = ""
        for name in self.location_fields:
            field = self.fields[name]
            self.fields[name] = LocationChoiceField(
                label=field.label, queryset=internal_locations(), required=False, empty_label=_("Default")
            )
        for name in ("quantity", "unit_cost", "counted_quantity"):
            if name in self.fields:
                self.fields[name].widget.attrs.update({"class": "numeric", "step": "any"})
        if "lot_number" in self.fields:
            self.fields["lot_number"].widget = forms.TextInput(attrs={"placeholder": _("Lot / serials")})
            self.fields["lot_number"].help_text = ""

    def clean_quantity(self):
        quantity = self.cleaned_data.get("quantity")
        if quantity is not None and quantity <= 0:
            raise forms.ValidationError(_("Enter a quantity greater than zero."))
        return quantity


class GoodsReceiptLineForm(StockLineForm):
    location_fields = ("location",)

    class Meta:
        model = GoodsReceiptLine
        fields = ["product", "quantity", "uom", "unit_cost", "lot_number", "expiry_date", "location"]
        widgets = {"expiry_date": DATE_INPUT}

    def clean_unit_cost(self):
        cost = self.cleaned_data.get("unit_cost")
        if cost is not None and cost < 0:
            raise forms.ValidationError(_("The unit cost cannot be negative."))
        return cost if cost is not None else ZERO


class GoodsIssueLineForm(StockLineForm):
    location_fields = ("location",)

    class Meta:
        model = GoodsIssueLine
        fields = ["product", "quantity", "uom", "lot_number", "location"]


class InternalTransferLineForm(StockLineForm):
    location_fields = ("from_location", "to_location")

    class Meta:
        model = InternalTransferLine
        fields = ["product", "quantity", "uom", "lot_number", "from_location", "to_location"]


class StockAdjustmentLineForm(StockLineForm):
    location_fields = ("location",)

    class Meta:
        model = StockAdjustmentLine
        fields = ["product", "quantity", "uom", "unit_cost", "lot_number", "location"]
        labels = {"quantity": gettext_lazy("Change (+/−)")}

    def clean_quantity(self):
        quantity = self.cleaned_data.get("quantity")
        if quantity is not None and quantity == 0:
            raise forms.ValidationError(_("Enter the change: positive for stock found, negative for stock lost."))
        return quantity


class ScrapLineForm(StockLineForm):
    location_fields = ("location",)

    class Meta:
        model = ScrapLine
        fields = ["product", "quantity", "uom", "lot_number", "location"]


class PhysicalCountLineForm(StockLineForm):
    class Meta:
        model = PhysicalCountLine
        fields = ["product", "location", "lot_number", "expected_quantity", "counted_quantity"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"] = LocationChoiceField(
            label=self.fields["location"].label, queryset=internal_locations()
        )
        self.fields["expected_quantity"].disabled = True
        self.fields["expected_quantity"].required = False
        self.fields["expected_quantity"].widget.attrs.update({"class": "numeric", "readonly": True})

    def clean_counted_quantity(self):
        counted = self.cleaned_data.get("counted_quantity")
        if counted is not None and counted < 0:
            raise forms.ValidationError(_("A counted quantity cannot be negative."))
        return counted


class StockLineFormSet(DocumentLineFormSet):
    shared_choice_fields = ("uom", "location", "from_location", "to_location")

    def get_queryset(self):
        return super().get_queryset().select_related("product")

    def _prepare(self, form: forms.BaseForm) -> None:
        names = [name for name in self.shared_choice_fields if name in form.fields]
        self.shared_choice_fields = tuple(names)
        super()._prepare(form)

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if not kept:
            raise forms.ValidationError(_("Add at least one line."))


def _formset(model, line_model, form, *, extra: int = 1):
    return forms.inlineformset_factory(
        model, line_model, form=form, formset=StockLineFormSet, extra=extra, can_delete=True, fk_name="document"
    )


GoodsReceiptLineFormSet = _formset(GoodsReceipt, GoodsReceiptLine, GoodsReceiptLineForm)
GoodsIssueLineFormSet = _formset(GoodsIssue, GoodsIssueLine, GoodsIssueLineForm)
InternalTransferLineFormSet = _formset(InternalTransfer, InternalTransferLine, InternalTransferLineForm)
StockAdjustmentLineFormSet = _formset(StockAdjustment, StockAdjustmentLine, StockAdjustmentLineForm)
ScrapLineFormSet = _formset(Scrap, ScrapLine, ScrapLineForm)
PhysicalCountLineFormSet = _formset(PhysicalCount, PhysicalCountLine, PhysicalCountLineForm, extra=0)


class CountLineFormSet(PhysicalCountLineFormSet):
    def clean(self) -> None:
        forms.BaseInlineFormSet.clean(self)


def _decimal(value) -> Decimal:
    try:
        amount = Decimal(str(value or "0").strip() or "0")
    except InvalidOperation:
        return ZERO
    return amount if amount.is_finite() else ZERO


def receipt_preview(form: forms.ModelForm, formset: forms.BaseInlineFormSet) -> dict:
    """The value of a receipt's lines as typed (unsaved, possibly invalid)."""
    if not formset.is_bound:
        lines = formset.queryset if formset.instance.pk else []
        return {"stock_value": sum((line.quantity * line.unit_cost for line in lines), ZERO).quantize(Decimal("0.01"))}
    data, prefix = formset.data, formset.prefix
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0) or 0), 1000)
    except (TypeError, ValueError):
        total = 0
    value = ZERO
    for index in range(total):
        if data.get(f"{prefix}-{index}-DELETE"):
            continue
        value += _decimal(data.get(f"{prefix}-{index}-quantity")) * _decimal(data.get(f"{prefix}-{index}-unit_cost"))
    return {"stock_value": value.quantize(Decimal("0.01"), ROUND_HALF_UP)}


def products_suggested() -> list[tuple[str, str]]:
    """(SKU, name) of the first stockable products, for the SKU inputs' suggestion list."""
    return list(Product.objects.stockable().active().order_by("sku").values_list("sku", "name")[:SUGGESTED_PRODUCTS])

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from erp.catalog.models import (
    PriceList,
    PriceListItem,
    Product,
    ProductCategory,
    UnitConversion,
    UnitOfMeasure,
    VendorPrice,
)
from erp.catalog.selectors import category_paths
from erp.core.customfields.forms import CustomFieldsFormMixin
from erp.core.documents.forms import DocumentLineFormSet
from erp.core.forms import CurrencyChoiceField, InputModelForm, active_currencies
from erp.finance.forms import AccountChoiceField
from erp.finance.models import Account, AccountType, TaxCode, TaxType
from erp.partners.models import Partner

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACCOUNT_TYPES = {
    "income_account": AccountType.INCOME,
    "expense_account": AccountType.EXPENSE,
    "inventory_account": AccountType.ASSET,
    "cogs_account": AccountType.EXPENSE,
}


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: UnitOfMeasure) -> str:
        return f"{obj.code} — {obj.name}"


class CategoryChoiceField(forms.ModelChoiceField):
    """Categories shown with their path (“Tools / Power tools”), read in one query."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._paths: dict[int, str] | None = None

    def label_from_instance(self, obj: ProductCategory) -> str:
        if self._paths is None:
            self._paths = category_paths()
        return self._paths.get(obj.pk, obj.name)


def _units():
    return UnitOfMeasure.objects.filter(is_active=True).order_by("category", "code")


def _limit_accounts(form: forms.Form) -> None:
    postable = Account.objects.postable().order_by("code")
    for name, account_type in ACCOUNT_TYPES.items():
        form.fields[name] = AccountChoiceField(
            label=form.fields[name].label,
            queryset=postable.filter(account_type=account_type),
            required=False,
            help_text=form.fields[name].help_text,
        )


class UnitForm(InputModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = UnitOfMeasure
        fields = ["code", "name", "category", "ratio", "decimal_places"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
            if self.instance.ratio is not None:
                self.initial["ratio"] = self.instance.ratio.normalize()


class CategoryForm(InputModelForm):
    parent = CategoryChoiceField(label=_("Parent category"), queryset=ProductCategory.objects.none(), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ProductCategory
        fields = [
            "name",
            "parent",
            "valuation_method",
            "income_account",
            "expense_account",
            "inventory_account",
            "cogs_account",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        parents = ProductCategory.objects.filter(is_active=True).order_by("name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
            self.initial.setdefault("version", self.instance.version)
        self.fields["parent"].queryset = parents
        _limit_accounts(self)
        for name in ACCOUNT_TYPES:
            self.fields[name].help_text = _("Empty: as the parent category, then the chart's account for the role.")


class ProductForm(CustomFieldsFormMixin, InputModelForm):
    category = CategoryChoiceField(label=_("Category"), queryset=ProductCategory.objects.none(), required=False)
    base_uom = UnitChoiceField(label=_("Base unit"), queryset=UnitOfMeasure.objects.none())
    purchase_uom = UnitChoiceField(label=_("Purchase unit"), queryset=UnitOfMeasure.objects.none(), required=False)
    sales_uom = UnitChoiceField(label=_("Sales unit"), queryset=UnitOfMeasure.objects.none(), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Product
        fields = [
            "sku",
            "name",
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
            "income_account",
            "expense_account",
            "inventory_account",
            "cogs_account",
            "description",
            "notes",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
        units = _units()
        for name in ("base_uom", "purchase_uom", "sales_uom"):
            self.fields[name].queryset = units
        self.fields["category"].queryset = ProductCategory.objects.filter(is_active=True).order_by("name")
        taxes = TaxCode.objects.filter(is_active=True).order_by("code")
        self.fields["sales_tax"].queryset = taxes.filter(tax_type=TaxType.SALES)
        self.fields["purchase_tax"].queryset = taxes.filter(tax_type=TaxType.PURCHASE)
        _limit_accounts(self)
        for name in ACCOUNT_TYPES:
            self.fields[name].help_text = _("Empty: from the category.")

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class ConversionForm(InputModelForm):
    uom = UnitChoiceField(label=_("Unit"), queryset=UnitOfMeasure.objects.none())

    class Meta:
        model = UnitConversion
        fields = ["uom", "factor", "barcode"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["uom"].queryset = _units()
        if self.instance.pk:
            self.initial["factor"] = self.instance.factor.normalize()


class VendorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Partner) -> str:
        return f"{obj.code} — {obj.name}"


class VendorPriceForm(InputModelForm):
    partner = VendorChoiceField(label=_("Vendor"), queryset=Partner.objects.none())
    uom = UnitChoiceField(label=_("Unit"), queryset=UnitOfMeasure.objects.none(), required=False)
    currency = CurrencyChoiceField(label=_("Currency"), queryset=active_currencies())

    class Meta:
        model = VendorPrice
        fields = [
            "partner",
            "vendor_product_code",
            "uom",
            "min_quantity",
            "price",
            "currency",
            "lead_time_days",
            "valid_from",
            "valid_to",
        ]
        widgets = {"valid_from": DATE, "valid_to": DATE}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.vendors().filter(is_active=True).order_by("name")
        self.fields["uom"].queryset = _units()
        self.fields["currency"].queryset = active_currencies()


class ConversionRows(DocumentLineFormSet):
    shared_choice_fields = ("uom",)


class VendorPriceRows(DocumentLineFormSet):
    shared_choice_fields = ("partner", "uom", "currency")


ConversionFormSet = inlineformset_factory(
    Product, UnitConversion, form=ConversionForm, formset=ConversionRows, extra=0, can_delete=True
)
VendorPriceFormSet = inlineformset_factory(
    Product, VendorPrice, form=VendorPriceForm, formset=VendorPriceRows, extra=0, can_delete=True
)


class ProductImageForm(forms.Form):
    image = forms.ImageField(label=_("Image"))


class PriceListForm(InputModelForm):
    currency = CurrencyChoiceField(label=_("Currency"), queryset=active_currencies())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PriceList
        fields = ["code", "name", "currency", "prices_include_tax", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].queryset = active_currencies()
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Product) -> str:
        return f"{obj.sku} — {obj.name}"


class PriceListItemForm(InputModelForm):
    product = ProductChoiceField(label=_("Product"), queryset=Product.objects.none())

    class Meta:
        model = PriceListItem
        fields = ["product", "min_quantity", "price", "valid_from", "valid_to"]
        widgets = {"valid_from": DATE, "valid_to": DATE}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.sellable().order_by("sku")


class PriceListItemRows(DocumentLineFormSet):
    shared_choice_fields = ("product",)


PriceListItemFormSet = inlineformset_factory(
    PriceList, PriceListItem, form=PriceListItemForm, formset=PriceListItemRows, extra=0, can_delete=True
)


class PriceCheckForm(forms.Form):
    """What would a customer pay: the price list's answer for a product, quantity and day."""

    product = ProductChoiceField(label=_("Product"), queryset=Product.objects.none())
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, max_digits=18, decimal_places=6, initial=1)
    on = forms.DateField(label=_("On"), widget=DATE)

    def __init__(self, *args, products=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products if products is not None else Product.objects.sellable()

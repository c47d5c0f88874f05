"""Purchasing forms: the headers and line formsets of requisitions, requests for quotation and
purchase orders (generic document screens), and the small forms of the detail pages' actions."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.catalog.models import Product, UnitOfMeasure
from erp.core.currency import RateNotFound, quote
from erp.core.customfields.forms import CustomFieldsFormMixin
from erp.core.documents.forms import DocumentLineFormSet
from erp.core.models import Currency, Organization
from erp.finance import posting
from erp.finance.models import TaxCode, TaxType
from erp.partners.models import Partner, PaymentTerm
from erp.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequisition,
    PurchaseRequisitionLine,
    RequestForQuotation,
    RequestForQuotationLine,
)

ZERO = Decimal("0")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMERIC = {"step": "any", "class": "numeric"}


def vendors():
    return Partner.objects.filter(is_active=True, is_vendor=True).order_by("name")


class _HeaderForm(CustomFieldsFormMixin, forms.ModelForm):
    """Organization and dates of a purchasing document; the accounting date is the document date."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.active().order_by("name")
        if "currency" in self.fields:
            self.fields["currency"].queryset = Currency.objects.filter(is_active=True)

    def not_before(self, data: dict, field: str, message: str) -> None:
        day, later = data.get("document_date"), data.get(field)
        if day and later and later < day:
            self.add_error(field, message)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("document_date"):
            self.instance.accounting_date = data["document_date"]
        return data


class RequisitionForm(_HeaderForm):
    class Meta:
        model = PurchaseRequisition
        fields = ["organization", "document_date", "description", "needed_by", "requested_by", "notes"]
        labels = {"document_date": gettext_lazy("Requisition date")}
        widgets = {"document_date": DATE_INPUT, "needed_by": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requested_by"].queryset = get_user_model().objects.filter(is_active=True).order_by("email")

    def clean(self) -> dict:
        data = super().clean()
        self.not_before(data, "needed_by", _("The goods cannot be needed before the requisition date."))
        if not self.instance.currency_id:  # estimates are in the company currency
            self.instance.currency = posting.company_currency()
        return data


class RequestForQuotationForm(_HeaderForm):
    class Meta:
        model = RequestForQuotation
        fields = ["organization", "document_date", "description", "reply_by", "needed_by", "currency", "notes"]
        labels = {"document_date": gettext_lazy("Request date")}
        widgets = {
            "document_date": DATE_INPUT,
            "reply_by": DATE_INPUT,
            "needed_by": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self) -> dict:
        data = super().clean()
        self.not_before(data, "reply_by", _("Replies cannot be due before the request date."))
        self.not_before(data, "needed_by", _("The goods cannot be needed before the request date."))
        return data


class PurchaseOrderForm(_HeaderForm):
    class Meta:
        model = PurchaseOrder
        fields = [
            "organization",
            "partner",
            "document_date",
            "expected_date",
            "currency",
            "payment_term",
            "vendor_reference",
            "external_reference",
            "notes",
        ]
        labels = {"partner": gettext_lazy("Vendor"), "document_date": gettext_lazy("Order date")}
        widgets = {"document_date": DATE_INPUT, "expected_date": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = vendors()
        self.fields["partner"].required = True
        self.fields["payment_term"].queryset = PaymentTerm.objects.filter(is_active=True).order_by("net_days", "code")

    def clean(self) -> dict:
        data = super().clean()
        self.not_before(data, "expected_date", _("The delivery cannot be expected before the order date."))
        day, currency = data.get("document_date"), data.get("currency")
        if day and currency:
            company = posting.company_currency()
            if currency.pk == company.code:
                self.instance.exchange_rate = Decimal("1")
            else:
                try:
                    self.instance.exchange_rate = quote(from_currency=currency, to_currency=company, on_date=day).rate
                except RateNotFound as error:
                    self.add_error("currency", error.message)
        partner = data.get("partner")
        if partner and not data.get("payment_term"):
            data["payment_term"] = partner.payment_term
        return data


# --- lines ---------------------------------------------------------------------------------------------


class _LineForm(forms.ModelForm):
    """A product or a free-text line, its quantity positive."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.purchasable().order_by("sku")
        self.fields["unit"].queryset = UnitOfMeasure.objects.filter(is_active=True).order_by("code")

    def clean(self) -> dict:
        data = super().clean()
        product = data.get("product")
        if not product and not (data.get("description") or "").strip() and not self.errors:
            self.add_error("description", _("Enter a description or choose a product."))
        quantity = data.get("quantity")
        if quantity is not None and quantity <= 0:
            self.add_error("quantity", _("The quantity must be greater than zero."))
        price = data.get("unit_price")
        if price is not None and price < 0:
            self.add_error("unit_price", _("The price cannot be negative."))
        if product is not None and not data.get("unit"):
            data["unit"] = product.purchase_unit
        return data


LINE_WIDGETS = {
    "description": forms.TextInput(attrs={"placeholder": gettext_lazy("Text")}),
    "quantity": forms.NumberInput(attrs={**NUMERIC, "min": "0"}),
    "needed_by": DATE_INPUT,
    "expected_date": DATE_INPUT,
}


class RequisitionLineForm(_LineForm):
    class Meta:
        model = PurchaseRequisitionLine
        fields = ["product", "description", "quantity", "unit", "unit_price", "needed_by", "vendor"]
        labels = {"unit_price": gettext_lazy("Estimated price")}
        widgets = {**LINE_WIDGETS, "unit_price": forms.NumberInput(attrs={**NUMERIC, "min": "0"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = vendors()
        self.fields["unit_price"].required = False

    def clean(self) -> dict:
        data = super().clean()
        if data.get("unit_price") is None:
            data["unit_price"] = ZERO
        return data


class RFQLineForm(_LineForm):
    class Meta:
        model = RequestForQuotationLine
        fields = ["product", "description", "quantity", "unit", "needed_by"]
        widgets = LINE_WIDGETS

    def clean(self) -> dict:
        data = super().clean()
        product = data.get("product")
        if product is not None and not (data.get("description") or "").strip():
            data["description"] = product.name[:255]
        return data


class PurchaseOrderLineForm(_LineForm):
    """An empty unit price takes the vendor's price from the catalog; a product just chosen
    brings its purchase tax unless a tax was chosen as well."""

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "product",
            "description",
            "quantity",
            "unit",
            "unit_price",
            "discount_percent",
            "tax_code",
            "expected_date",
        ]
        widgets = {
            **LINE_WIDGETS,
            "unit_price": forms.NumberInput(attrs={**NUMERIC, "placeholder": gettext_lazy("vendor's price")}),
            "discount_percent": forms.NumberInput(attrs={**NUMERIC, "min": "0", "max": "100"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tax_code"].queryset = TaxCode.objects.filter(is_active=True, tax_type=TaxType.PURCHASE)
        self.fields["unit_price"].required = False
        self.fields["discount_percent"].required = False

    def clean(self) -> dict:
        data = super().clean()
        if data.get("unit_price") is None:
            data["unit_price"] = ZERO  # the vendor's price when saved
        discount = data.get("discount_percent")
        if discount is None:
            data["discount_percent"] = ZERO
        elif not ZERO <= discount <= 100:
            self.add_error("discount_percent", _("Enter a discount between 0 and 100 %."))
        product = data.get("product")
        if product is not None and "product" in self.changed_data and "tax_code" not in self.changed_data:
            data["tax_code"] = data.get("tax_code") or product.purchase_tax
        return data


class PurchasingLineFormSet(DocumentLineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        for position, form in enumerate(kept, start=1):
            form.instance.position = position
        if not kept:
            raise forms.ValidationError(_("Add at least one line."))


class RequisitionLineFormSet(PurchasingLineFormSet):
    shared_choice_fields = ("product", "unit", "vendor")


class RFQLineFormSet(PurchasingLineFormSet):
    shared_choice_fields = ("product", "unit")


class PurchaseOrderLineFormSet(PurchasingLineFormSet):
    shared_choice_fields = ("product", "unit", "tax_code")


RequisitionLines = forms.inlineformset_factory(
    PurchaseRequisition,
    PurchaseRequisitionLine,
    form=RequisitionLineForm,
    formset=RequisitionLineFormSet,
    extra=1,
    can_delete=True,
)
RFQLines = forms.inlineformset_factory(
    RequestForQuotation,
    RequestForQuotationLine,
    fk_name="rfq",
    form=RFQLineForm,
    formset=RFQLineFormSet,
    extra=1,
    can_delete=True,
)
PurchaseOrderLines = forms.inlineformset_factory(
    PurchaseOrder,
    PurchaseOrderLine,
    form=PurchaseOrderLineForm,
    formset=PurchaseOrderLineFormSet,
    extra=1,
    can_delete=True,
)


# --- actions of the detail pages -------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=255)


class ReceiveForm(forms.Form):
    """The warehouse and, per open stocked order line, the quantity arriving now (all that is
    open by default); ``rows``: dicts of key (order line id), label, open and unit."""

    warehouse = forms.ModelChoiceField(label=gettext_lazy("Warehouse"), queryset=None)

    def __init__(self, *args, rows: list[dict], warehouses, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.fields["warehouse"].queryset = warehouses
        if warehouses.count() == 1:
            self.fields["warehouse"].initial = warehouses.first().pk
        for row in rows:
            self.fields[f"line-{row['key']}"] = forms.DecimalField(
                label=row["label"],
                required=False,
                min_value=ZERO,
                max_value=row["open"],
                max_digits=18,
                decimal_places=6,
                initial=row["open"],
                widget=forms.NumberInput(attrs={**NUMERIC, "min": "0"}),
            )

    def lines(self) -> list[dict]:
        return [{**row, "field": self[f"line-{row['key']}"]} for row in self.rows]

    def quantities(self) -> dict[int, Decimal]:
        return {row["key"]: self.cleaned_data.get(f"line-{row['key']}") or ZERO for row in self.rows}

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and not any(data.get(f"line-{row['key']}") for row in self.rows):
            raise forms.ValidationError(_("Enter at least one quantity."))
        return data


class BillForm(forms.Form):
    """The vendor's invoice number and date and, per received order line not billed yet, the
    vendor's unit price (the order's by default); ``rows``: dicts of key (order line id), label,
    quantity, unit and price."""

    vendor_invoice_number = forms.CharField(label=gettext_lazy("Vendor's invoice number"), max_length=100)
    document_date = forms.DateField(label=gettext_lazy("Invoice date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, rows: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"price-{row['key']}"] = forms.DecimalField(
                label=row["label"],
                min_value=ZERO,
                max_digits=18,
                decimal_places=6,
                initial=row["price"],
                widget=forms.NumberInput(attrs={**NUMERIC, "min": "0"}),
            )

    def lines(self) -> list[dict]:
        return [{**row, "field": self[f"price-{row['key']}"]} for row in self.rows]

    def prices(self) -> dict[int, Decimal]:
        return {row["key"]: self.cleaned_data[f"price-{row['key']}"] for row in self.rows}


class SendForm(forms.Form):
    to = forms.EmailField(label=gettext_lazy("Send the PDF by e-mail to"), required=False)


class VendorForm(forms.Form):
    partner = forms.ModelChoiceField(label=gettext_lazy("Vendor"), queryset=Partner.objects.none())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = vendors()


class ReplyForm(forms.Form):
    """An invited vendor's reply: per request line its price (empty: not quoted), the quantity
    it offers when that differs, its lead time; and the offer's number and validity."""

    reference = forms.CharField(label=gettext_lazy("Vendor's offer number"), max_length=100, required=False)
    replied_on = forms.DateField(label=gettext_lazy("Replied on"), widget=DATE_INPUT)
    valid_until = forms.DateField(label=gettext_lazy("Offer valid until"), required=False, widget=DATE_INPUT)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, lines: list[RequestForQuotationLine], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"price-{line.pk}"] = forms.DecimalField(
                label=_("Unit price"),
                required=False,
                min_value=ZERO,
                max_digits=18,
                decimal_places=6,
                widget=forms.NumberInput(attrs={**NUMERIC, "min": "0"}),
            )
            self.fields[f"quantity-{line.pk}"] = forms.DecimalField(
                label=_("Quantity offered"),
                required=False,
                min_value=Decimal("0.000001"),
                max_digits=18,
                decimal_places=6,
                widget=forms.NumberInput(attrs={**NUMERIC, "min": "0"}),
            )
            self.fields[f"lead-{line.pk}"] = forms.IntegerField(
                label=_("Lead time (days)"), required=False, min_value=0, max_value=3650
            )

    def rows(self) -> list[dict]:
        return [
            {
                "line": line,
                "price": self[f"price-{line.pk}"],
                "quantity": self[f"quantity-{line.pk}"],
                "lead": self[f"lead-{line.pk}"],
            }
            for line in self.lines
        ]

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and all(data.get(f"price-{line.pk}") is None for line in self.lines):
            raise forms.ValidationError(_("Enter a price for at least one line."))
        return data

"""Invoice forms: the header and the line formset of the generic document screens."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.catalog.models import Product, UnitOfMeasure
from erp.core.currency import RateNotFound, quote
from erp.core.customfields.forms import CustomFieldsFormMixin
from erp.core.documents import totals as document_totals
from erp.core.documents.forms import DocumentLineFormSet
from erp.core.models import Company, Currency, Organization
from erp.finance.invoicing import lines as invoice_lines
from erp.finance.invoicing.models import (
    CustomerInvoice,
    CustomerInvoiceLine,
    InvoiceBase,
    InvoiceKind,
    VendorBill,
    VendorBillLine,
)
from erp.finance.invoicing.services import DuplicateVendorInvoice, vendor_invoice_number_check
from erp.finance.models import Account, TaxCode, TaxType
from erp.partners.models import Partner, PaymentTerm

ZERO = Decimal("0")
# What the amount columns hold (18 digits, 4 of them decimal places), with room for the tax
# and the exchange rate.
MAX_AMOUNT = Decimal(10) ** 12
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HEADER_FIELDS = [
    "organization",
    "partner",
    "kind",
    "document_date",
    "accounting_date",
    "currency",
    "exchange_rate",
    "payment_term",
    "external_reference",
    "notes",
]


class InvoiceForm(CustomFieldsFormMixin, forms.ModelForm):
    exchange_rate = forms.DecimalField(
        label=gettext_lazy("Exchange rate"),
        required=False,
        max_digits=18,
        decimal_places=8,
        min_value=Decimal("0.00000001"),
        help_text=gettext_lazy("Company currency per unit; empty: the rate of the invoice date."),
    )
    accounting_date = forms.DateField(
        label=gettext_lazy("Accounting date"),
        required=False,
        widget=DATE_INPUT,
        help_text=gettext_lazy("Empty: the invoice date."),
    )

    class Meta:
        fields = HEADER_FIELDS
        labels = {"document_date": gettext_lazy("Invoice date")}
        widgets = {"document_date": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].queryset = Currency.objects.filter(is_active=True)
        self.fields["organization"].queryset = Organization.objects.active().order_by("name")
        self.fields["payment_term"].queryset = PaymentTerm.objects.order_by("net_days", "code")
        self.fields["partner"].required = True
        self.fields["partner"].queryset = self.partners()
        if self.instance.pk and self.instance.original_id:
            self.fields["kind"].disabled = True

    def partners(self):
        return Partner.objects.filter(is_active=True).order_by("name")

    def clean(self) -> dict:
        data = super().clean()
        day, currency = data.get("document_date"), data.get("currency")
        if day and not data.get("accounting_date"):
            data["accounting_date"] = day
            self.instance.accounting_date = day
        if day and currency:
            company_code = Company.objects.values_list("currency_id", flat=True).first()
            if currency.pk == company_code:
                data["exchange_rate"] = Decimal("1")
            elif data.get("exchange_rate") is None:
                try:
                    data["exchange_rate"] = quote(from_currency=currency, to_currency=company_code, on_date=day).rate
                except RateNotFound as error:
                    self.add_error("exchange_rate", error.message)
        return data


class CustomerInvoiceForm(InvoiceForm):
    class Meta(InvoiceForm.Meta):
        model = CustomerInvoice
        fields = [*HEADER_FIELDS[:8], "language", *HEADER_FIELDS[8:]]

    def partners(self):
        return super().partners().filter(is_customer=True)


class VendorBillForm(InvoiceForm):
    class Meta(InvoiceForm.Meta):
        model = VendorBill
        fields = [*HEADER_FIELDS[:2], "vendor_invoice_number", *HEADER_FIELDS[2:]]
        labels = {**InvoiceForm.Meta.labels, "document_date": gettext_lazy("Bill date")}

    def partners(self):
        return super().partners().filter(is_vendor=True)

    def clean(self) -> dict:
        data = super().clean()
        partner, number = data.get("partner"), (data.get("vendor_invoice_number") or "").strip()
        if partner and number:
            data["vendor_invoice_number"] = number
            try:
                vendor_invoice_number_check(
                    partner=partner,
                    kind=data.get("kind") or InvoiceKind.INVOICE,
                    number=number,
                    exclude_pk=self.instance.pk,
                )
            except DuplicateVendorInvoice as error:
                self.add_error("vendor_invoice_number", error.message)
        return data


class InvoiceLineForm(forms.ModelForm):
    sales = True

    class Meta:
        fields = ["product", "description", "quantity", "unit", "unit_price", "discount_percent", "tax_code", "account"]
        widgets = {
            "description": forms.TextInput(attrs={"placeholder": gettext_lazy("Text")}),
            "quantity": forms.NumberInput(attrs={"step": "any", "class": "numeric"}),
            "unit_price": forms.NumberInput(attrs={"step": "any", "class": "numeric"}),
            "discount_percent": forms.NumberInput(attrs={"step": "any", "min": "0", "max": "100", "class": "numeric"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        products = Product.objects.filter(is_active=True)
        products = products.filter(can_be_sold=True) if self.sales else products.filter(can_be_purchased=True)
        self.fields["product"].queryset = products.order_by("sku")
        self.fields["unit"].queryset = UnitOfMeasure.objects.filter(is_active=True).order_by("code")
        tax_type = TaxType.SALES if self.sales else TaxType.PURCHASE
        self.fields["tax_code"].queryset = TaxCode.objects.filter(is_active=True, tax_type=tax_type)
        self.fields["account"].queryset = Account.objects.postable().order_by("code")
        self.fields["unit_price"].required = False
        self.fields["discount_percent"].required = False
        self.fields["account"].help_text = ""

    def clean(self) -> dict:
        data = super().clean()
        product = data.get("product")
        if not product and not (data.get("description") or "").strip() and not self.errors:
            self.add_error("description", _("Enter a description or choose a product."))
        quantity = data.get("quantity")
        if quantity is not None and quantity == 0:
            self.add_error("quantity", _("The quantity must not be zero."))
        if data.get("discount_percent") is None:
            data["discount_percent"] = ZERO
        elif not ZERO <= data["discount_percent"] <= 100:
            self.add_error("discount_percent", _("Enter a discount between 0 and 100 %."))
        if product is not None and "product" in self.changed_data:
            # A product just chosen brings its tax code and (for sales) its price, unless typed as well.
            if data.get("tax_code") is None and "tax_code" not in self.changed_data:
                data["tax_code"] = product.sales_tax if self.sales else product.purchase_tax
            if data.get("unit_price") is None and self.sales:
                data["unit_price"] = product.sales_price
        if data.get("unit_price") is None:
            data["unit_price"] = ZERO
        if quantity and abs(quantity * data["unit_price"]) >= MAX_AMOUNT:
            self.add_error("quantity", _("The line's amount is too large."))
        return data


class CustomerInvoiceLineForm(InvoiceLineForm):
    class Meta(InvoiceLineForm.Meta):
        model = CustomerInvoiceLine


class VendorBillLineForm(InvoiceLineForm):
    sales = False

    class Meta(InvoiceLineForm.Meta):
        model = VendorBillLine


class BaseInvoiceLineFormSet(DocumentLineFormSet):
    shared_choice_fields = ("product", "unit", "tax_code", "account")

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        for position, form in enumerate(kept, start=1):
            form.instance.position = position
        if not kept:
            raise forms.ValidationError(_("An invoice needs at least one line."))
        total = sum((form.cleaned_data["quantity"] * form.cleaned_data["unit_price"] for form in kept), ZERO)
        rate = self.instance.exchange_rate or Decimal("1")
        if abs(total) >= MAX_AMOUNT or abs(total * rate) >= MAX_AMOUNT * 10:
            raise forms.ValidationError(_("The document's total is too large."))


CustomerInvoiceLineFormSet = forms.inlineformset_factory(
    CustomerInvoice,
    CustomerInvoiceLine,
    form=CustomerInvoiceLineForm,
    formset=BaseInvoiceLineFormSet,
    extra=1,
    can_delete=True,
)
VendorBillLineFormSet = forms.inlineformset_factory(
    VendorBill,
    VendorBillLine,
    form=VendorBillLineForm,
    formset=BaseInvoiceLineFormSet,
    extra=1,
    can_delete=True,
)


def _decimal(value, default=ZERO) -> Decimal:
    try:
        number = Decimal(str(value or "").strip() or default)
    except InvalidOperation:
        return default
    return number if number.is_finite() and abs(number) < MAX_AMOUNT else default


def preview_totals(form: forms.ModelForm, formset: forms.BaseInlineFormSet) -> dict:
    """Totals and tax per rate of the lines as typed (unsaved, possibly invalid)."""
    invoice: InvoiceBase = formset.instance
    places = 2
    currency_code = form.data.get("currency") if form.is_bound else invoice.currency_id
    if currency_code:
        places = Currency.objects.filter(pk=currency_code).values_list("decimal_places", flat=True).first() or 2
    if not formset.is_bound:
        lines = list(invoice.lines.select_related("tax_code")) if invoice.pk else []
        totals = document_totals.document_totals(invoice_lines.line_inputs(lines), places=places)
        return totals_context(totals, lines=lines)
    data, prefix = formset.data, formset.prefix
    try:
        count = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0) or 0), 1000)
    except (TypeError, ValueError):
        count = 0
    rows = []
    for index in range(count):
        if data.get(f"{prefix}-{index}-DELETE"):
            continue
        rows.append(
            (
                _decimal(data.get(f"{prefix}-{index}-quantity")),
                _decimal(data.get(f"{prefix}-{index}-unit_price")),
                _decimal(data.get(f"{prefix}-{index}-discount_percent")),
                data.get(f"{prefix}-{index}-tax_code") or "",
            )
        )
    codes = {code.pk: code for code in TaxCode.objects.filter(pk__in=[r[3] for r in rows if str(r[3]).isdigit()])}
    inputs = []
    for quantity, price, discount, tax in rows:
        code = codes.get(int(tax)) if str(tax).isdigit() else None
        inputs.append(
            document_totals.LineInput(
                quantity=quantity,
                unit_price=price,
                discount_percent=min(max(discount, ZERO), Decimal(100)),
                tax_rate=code.rate if code else ZERO,
                tax_key=str(code.pk) if code else "",
                price_includes_tax=bool(code and code.price_included),
            )
        )
    return totals_context(document_totals.document_totals(inputs, places=places), codes=codes)


def totals_context(totals: document_totals.Totals, *, lines=None, codes=None) -> dict:
    """Net, tax and gross with the tax per rate for the totals partial (form and detail page)."""
    names = dict(codes or {})
    for line in lines or []:
        if line.tax_code_id:
            names[line.tax_code_id] = line.tax_code
    breakdown = []
    for key, group in totals.tax_breakdown.items():
        code = names.get(int(key)) if key.isdigit() else None
        if code is None and not group["tax"]:
            continue
        breakdown.append({"label": str(code) if code else key, "net": group["net"], "tax": group["tax"]})
    return {
        "totals_net": totals.net,
        "totals_tax": totals.tax,
        "totals_gross": totals.gross,
        "tax_breakdown": breakdown,
    }

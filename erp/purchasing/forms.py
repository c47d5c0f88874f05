"""Purchasing forms: the headers and line formsets of requisitions, requests for quotation and
purchase orders (generic document screens), and the small forms of the detail pages' actions."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.accounts.roles import label
from erp.catalog.models import Product, UnitOfMeasure
from erp.core.currency import RateNotFound, quote
from erp.core.customfields.forms import CustomFieldsFormMixin
from erp.core.documents.forms import DocumentLineFormSet
from erp.core.models import Currency, Organization
from erp.finance import posting
from erp.finance.models import TaxCode, TaxType
from erp.partners.models import Partner, PaymentTerm
from erp.purchasing.models import (
    LandedCost,
    LandedCostLine,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequisition,
    PurchaseRequisitionLine,
    RequestForQuotation,
    RequestForQuotationLine,
)
from erp.purchasing.models.settings import MismatchAction

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
            data["payment_term"] = partner.vendor_payment_term
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


class ReturnForm(forms.Form):
    """A return to vendor: the date and, per received line of the order's receipts that may still
    go back, the quantity returned now (empty: none) and, for tracked products, which lots or
    serial numbers; ``rows``: dicts of key (goods receipt line id), label, received, returned,
    left, unit and tracked."""

    on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, rows: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"line-{row['key']}"] = forms.DecimalField(
                label=row["label"],
                required=False,
                min_value=ZERO,
                max_digits=18,
                decimal_places=6,
                widget=forms.NumberInput(attrs={**NUMERIC, "min": "0"}),
            )
            if row["tracked"]:
                self.fields[f"lots-{row['key']}"] = forms.CharField(
                    label=gettext_lazy("Lots / serial numbers"),
                    required=False,
                    max_length=1000,
                    help_text=gettext_lazy("Empty: in the order they were received."),
                )

    def lines(self) -> list[dict]:
        return [
            {
                **row,
                "field": self[f"line-{row['key']}"],
                "lots": self[f"lots-{row['key']}"] if row["tracked"] else None,
            }
            for row in self.rows
        ]

    def quantities(self) -> dict[int, Decimal]:
        return {row["key"]: self.cleaned_data.get(f"line-{row['key']}") or ZERO for row in self.rows}

    def lots(self) -> dict[int, str]:
        return {row["key"]: self.cleaned_data.get(f"lots-{row['key']}") or "" for row in self.rows if row["tracked"]}

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and not any(data.get(f"line-{row['key']}") for row in self.rows):
            raise forms.ValidationError(_("Enter the quantity of at least one line to return."))
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


class ReturnCreditForm(forms.Form):
    """The vendor's credit note for goods returned after billing: its number and date."""

    vendor_invoice_number = forms.CharField(label=gettext_lazy("Vendor's credit note number"), max_length=100)
    on = forms.DateField(label=gettext_lazy("Credit note date"), widget=DATE_INPUT)


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


# --- landed costs ----------------------------------------------------------------------------------


class ReceiptChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        partner = f" · {obj.partner.name}" if obj.partner_id else ""
        return f"{obj.number} · {obj.document_date:%Y-%m-%d}{partner}"


class LandedCostForm(_HeaderForm):
    """The header of a landed cost: the completed receipts it goes onto and how it is allocated;
    always in the company currency."""

    receipts = ReceiptChoiceField(
        label=gettext_lazy("Goods receipts"),
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=gettext_lazy("Completed receipts whose goods carry the costs (several with Ctrl or ⌘)."),
    )

    class Meta:
        model = LandedCost
        fields = ["organization", "partner", "document_date", "allocation_method", "description", "notes"]
        labels = {"partner": gettext_lazy("Carrier or agent"), "document_date": gettext_lazy("Date")}
        widgets = {"document_date": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        from erp.inventory.models import GoodsReceipt
        from erp.purchasing.landed_costs import RECEIVED

        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = vendors()
        chosen = list(self.instance.receipts.values_list("pk", flat=True)) if self.instance.pk else []
        self.fields["receipts"].queryset = (
            GoodsReceipt.objects.filter(Q(status__in=RECEIVED, reversal_of__isnull=True) | Q(pk__in=chosen))
            .select_related("partner")
            .order_by("-document_date", "-id")
        )
        if self.instance.pk:
            self.fields["receipts"].initial = chosen
        self._chosen = chosen

    def restrict_to_organizations(self, organizations) -> None:
        """Only receipts of the user's organizations are offered (and those already chosen)."""
        field = self.fields["receipts"]
        field.queryset = field.queryset.filter(Q(organization__in=organizations) | Q(pk__in=self._chosen))

    def clean(self) -> dict:
        data = super().clean()
        organization = data.get("organization")
        for receipt in data.get("receipts") or []:
            if organization is not None and receipt.organization_id != organization.pk:
                self.add_error("receipts", _("%(receipt)s belongs to another organization.") % {"receipt": receipt})
        self.instance.currency = posting.company_currency()
        self.instance.exchange_rate = Decimal("1")
        if "receipts" in data:
            self.instance.chosen_receipts = list(data["receipts"])
        return data


class BillLineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        bill = obj.invoice
        text = obj.description or obj.account
        return f"{bill.number} · {bill.partner.name} · {text} · {obj.line_net} {bill.currency_id}"


class LandedCostLineForm(forms.ModelForm):
    """A cost: its amount and account, or a posted vendor bill line that brings both."""

    class Meta:
        model = LandedCostLine
        fields = ["description", "bill_line", "account", "amount"]
        field_classes = {"bill_line": BillLineChoiceField}
        widgets = {
            "description": forms.TextInput(attrs={"placeholder": gettext_lazy("Freight, duty …")}),
            "amount": forms.NumberInput(attrs={**NUMERIC, "min": "0"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        from erp.finance.models import Account
        from erp.purchasing.landed_costs import billable_lines

        super().__init__(*args, **kwargs)
        self.fields["bill_line"].queryset = billable_lines()
        self.fields["account"].queryset = Account.objects.postable().order_by("code")
        self.fields["account"].label_from_instance = lambda obj: f"{obj.code} — {obj.name}"

    def clean(self) -> dict:
        from erp.inventory.stock import currency_places
        from erp.purchasing.landed_costs import line_defaults

        data = super().clean()
        if self.errors:
            return data
        line = self.instance
        line.bill_line, line.account = data.get("bill_line"), data.get("account")
        line.amount, line.description = data.get("amount"), data.get("description") or ""
        line_defaults(line)
        data["account"], data["amount"], data["description"] = line.account, line.amount, line.description
        if line.amount is None:
            self.add_error("amount", _("Enter the amount, or choose the vendor bill line that charged it."))
        elif line.amount <= 0:
            self.add_error("amount", _("The amount must be greater than zero."))
        elif line.amount != line.amount.quantize(Decimal(1).scaleb(-currency_places())):
            self.add_error(
                "amount", _("Enter the amount with at most %(places)d decimals.") % {"places": currency_places()}
            )
        if line.account is None:
            self.add_error("account", _("Choose the account the cost is taken from."))
        return data


class LandedCostLineFormSet(PurchasingLineFormSet):
    shared_choice_fields = ("bill_line", "account")


LandedCostLines = forms.inlineformset_factory(
    LandedCost,
    LandedCostLine,
    form=LandedCostLineForm,
    formset=LandedCostLineFormSet,
    extra=1,
    can_delete=True,
)


class PurchasingSettingsForm(forms.Form):
    """The three-way match: tolerances, what a bill outside them does, who approves it."""

    price_tolerance_percent = forms.DecimalField(
        label=gettext_lazy("Price tolerance (%)"),
        min_value=ZERO,
        max_value=Decimal(100),
        max_digits=7,
        decimal_places=4,
        help_text=gettext_lazy(
            "How far a billed unit price may differ from the order's before it counts as a mismatch."
        ),
        widget=forms.NumberInput(attrs={**NUMERIC, "min": "0", "max": "100"}),
    )
    quantity_tolerance_percent = forms.DecimalField(
        label=gettext_lazy("Quantity tolerance (%)"),
        min_value=ZERO,
        max_value=Decimal(100),
        max_digits=7,
        decimal_places=4,
        help_text=gettext_lazy("How much more than was received may be billed."),
        widget=forms.NumberInput(attrs={**NUMERIC, "min": "0", "max": "100"}),
    )
    mismatch_action = forms.ChoiceField(label=gettext_lazy("A bill outside the tolerances"))
    mismatch_role = forms.ModelChoiceField(
        label=gettext_lazy("Approved by"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Manager (default)"),
        help_text=gettext_lazy(
            "Its members who may approve vendor bills decide, never the person who posted the bill."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mismatch_action"].choices = MismatchAction.choices
        self.fields["mismatch_role"].queryset = Group.objects.order_by("name")
        self.fields["mismatch_role"].label_from_instance = lambda group: label(group.name)

"""Sales forms: the headers and line formsets of quotations, orders and deliveries (generic
document screens), and the small forms of the detail pages' actions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.catalog.models import PriceList, Product, ProductType, UnitOfMeasure
from erp.core.customfields.forms import CustomFieldsFormMixin
from erp.core.documents import totals as document_totals
from erp.core.documents.forms import DocumentLineFormSet
from erp.core.exceptions import DomainError
from erp.core.models import Currency, Organization
from erp.finance.invoicing.forms import totals_context
from erp.finance.invoicing.lines import line_inputs
from erp.finance.models import TaxCode, TaxType
from erp.inventory.models import Location, LocationType, Warehouse
from erp.partners.models import Address, AddressType, Contact, Partner, PaymentTerm
from erp.sales import lines as sales_lines
from erp.sales.models import (
    Delivery,
    DeliveryLine,
    Quotation,
    QuotationLine,
    SalesDocument,
    SalesOrder,
    SalesOrderLine,
)
from erp.sales.services import DEFAULT_VALIDITY_DAYS

ZERO = Decimal("0")
# What the amount columns hold (18 digits, 4 of them decimal places), with room for the tax.
MAX_AMOUNT = Decimal(10) ** 12
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMERIC = {"step": "any", "class": "numeric"}


def customers():
    return Partner.objects.filter(is_active=True, is_customer=True).order_by("name")


class SalesDocumentForm(CustomFieldsFormMixin, forms.ModelForm):
    """The header of a quotation or an order. Choosing the customer reloads its contacts (and an
    order's shipping addresses) by htmx (``sales:partner-choices``)."""

    class Meta:
        fields = [
            "organization",
            "partner",
            "contact",
            "document_date",
            "currency",
            "price_list",
            "payment_term",
            "salesperson",
            "language",
            "external_reference",
            "terms",
            "notes",
        ]
        labels = {"partner": gettext_lazy("Customer"), "external_reference": gettext_lazy("Customer reference")}
        widgets = {
            "document_date": DATE_INPUT,
            "terms": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.active().order_by("name")
        self.fields["partner"].queryset = customers()
        self.fields["partner"].required = True
        self.fields["currency"].queryset = Currency.objects.filter(is_active=True)
        self.fields["price_list"].queryset = PriceList.objects.active().order_by("code")
        self.fields["payment_term"].queryset = PaymentTerm.objects.filter(is_active=True).order_by("net_days", "code")
        self.fields["salesperson"].queryset = get_user_model().objects.filter(is_active=True).order_by("email")
        partner_id = self.partner_id()
        self.fields["contact"].queryset = Contact.objects.filter(partner_id=partner_id).order_by("name")
        self.fields["partner"].widget.attrs.update(
            {
                "hx-get": reverse("sales:partner-choices"),
                "hx-trigger": "change",
                "hx-target": "#id_contact",
                "hx-swap": "innerHTML",
                "hx-include": "this",
            }
        )

    def partner_id(self) -> int | None:
        value = self.data.get(self.add_prefix("partner")) if self.is_bound else self.instance.partner_id
        return int(value) if str(value or "").isdigit() else None

    def clean(self) -> dict:
        data = super().clean()
        partner, contact = data.get("partner"), data.get("contact")
        if partner and contact and contact.partner_id != partner.pk:
            self.add_error("contact", _("Choose a contact of %(partner)s.") % {"partner": partner.name})
        day = data.get("document_date")
        if day:
            self.instance.accounting_date = day
        return data


class QuotationForm(SalesDocumentForm):
    class Meta(SalesDocumentForm.Meta):
        model = Quotation
        fields = [*SalesDocumentForm.Meta.fields[:4], "valid_until", *SalesDocumentForm.Meta.fields[4:]]
        widgets = {**SalesDocumentForm.Meta.widgets, "valid_until": DATE_INPUT}
        labels = {**SalesDocumentForm.Meta.labels, "document_date": gettext_lazy("Quotation date")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The instance's empty date is in the initial data already: replace it, not only set a default.
        if not self.is_bound and self.instance.pk is None and not self.initial.get("valid_until"):
            self.initial["valid_until"] = timezone.localdate() + timedelta(days=DEFAULT_VALIDITY_DAYS)

    def clean(self) -> dict:
        data = super().clean()
        day, valid_until = data.get("document_date"), data.get("valid_until")
        if day and valid_until and valid_until < day:
            self.add_error("valid_until", _("The quotation cannot expire before its date."))
        return data


class SalesOrderForm(SalesDocumentForm):
    class Meta(SalesDocumentForm.Meta):
        model = SalesOrder
        fields = [
            *SalesDocumentForm.Meta.fields[:4],
            "requested_date",
            "warehouse",
            "shipping_address",
            *SalesDocumentForm.Meta.fields[4:],
        ]
        widgets = {**SalesDocumentForm.Meta.widgets, "requested_date": DATE_INPUT}
        labels = {**SalesDocumentForm.Meta.labels, "document_date": gettext_lazy("Order date")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.active().order_by("code")
        self.fields["shipping_address"].queryset = Address.objects.filter(
            partner_id=self.partner_id(), address_type=AddressType.SHIPPING
        )
        self.fields["partner"].widget.attrs["hx-vals"] = '{"addresses": "1"}'

    def clean(self) -> dict:
        data = super().clean()
        partner, address = data.get("partner"), data.get("shipping_address")
        if partner and address and address.partner_id != partner.pk:
            self.add_error("shipping_address", _("Choose an address of %(partner)s.") % {"partner": partner.name})
        warehouse, organization = data.get("warehouse"), data.get("organization")
        if warehouse and organization and warehouse.organization_id != organization.pk:
            self.add_error(
                "warehouse",
                _("%(warehouse)s belongs to another organization.") % {"warehouse": warehouse},
            )
        day, requested = data.get("document_date"), data.get("requested_date")
        if day and requested and requested < day:
            self.add_error("requested_date", _("The delivery cannot be requested before the order date."))
        return data


class SalesLineForm(forms.ModelForm):
    """A product or free-text line. An empty unit price takes the price list's (per quantity
    break); a typed one is kept (``price_manual``)."""

    class Meta:
        fields = ["product", "description", "quantity", "unit", "unit_price", "discount_percent", "tax_code"]
        widgets = {
            "description": forms.TextInput(attrs={"placeholder": gettext_lazy("Text")}),
            "quantity": forms.NumberInput(attrs={**NUMERIC, "min": "0"}),
            "unit_price": forms.NumberInput(attrs={**NUMERIC, "placeholder": gettext_lazy("from the price list")}),
            "discount_percent": forms.NumberInput(attrs={**NUMERIC, "min": "0", "max": "100"}),
        }

    document: SalesDocument | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.sellable().order_by("sku")
        self.fields["unit"].queryset = UnitOfMeasure.objects.filter(is_active=True).order_by("code")
        self.fields["tax_code"].queryset = TaxCode.objects.filter(is_active=True, tax_type=TaxType.SALES)
        self.fields["unit_price"].required = False
        self.fields["discount_percent"].required = False
        # Empty unless typed: a new line would otherwise show the model's 0, which saves as a
        # price of 0 entered by hand instead of the price list's.
        if not self.instance.price_manual:
            self.initial["unit_price"] = None

    def clean(self) -> dict:
        data = super().clean()
        product = data.get("product")
        if not product and not (data.get("description") or "").strip() and not self.errors:
            self.add_error("description", _("Enter a description or choose a product."))
        quantity = data.get("quantity")
        if quantity is not None and quantity <= 0:
            self.add_error("quantity", _("The quantity must be greater than zero."))
        if data.get("discount_percent") is None:
            data["discount_percent"] = ZERO
        elif not ZERO <= data["discount_percent"] <= 100:
            self.add_error("discount_percent", _("Enter a discount between 0 and 100 %."))
        price = data.get("unit_price")
        if price is not None and price < 0:
            self.add_error("unit_price", _("The price cannot be negative."))
        estimate = price if price is not None else getattr(product, "sales_price", None)
        if quantity and estimate and abs(quantity * estimate) >= MAX_AMOUNT:
            self.add_error("quantity", _("The line's amount is too large."))
        self.instance.price_manual = price is not None
        if price is None:
            data["unit_price"] = ZERO  # priced from the list when saved
        elif not product:
            self.instance.price_manual = True
        # A product just chosen brings its sales tax unless a tax was chosen as well (none for a
        # tax-exempt customer, as for lines made by the services).
        if product is not None and "product" in self.changed_data and "tax_code" not in self.changed_data:
            data["tax_code"] = data.get("tax_code") or sales_lines.default_tax(self.document, product)
        return data


class QuotationLineForm(SalesLineForm):
    class Meta(SalesLineForm.Meta):
        model = QuotationLine


class SalesOrderLineForm(SalesLineForm):
    class Meta(SalesLineForm.Meta):
        model = SalesOrderLine


class SalesLineFormSet(DocumentLineFormSet):
    shared_choice_fields = ("product", "unit", "tax_code")

    def _prepare(self, form: forms.BaseForm) -> None:
        super()._prepare(form)
        form.document = self.instance  # the header, whose customer decides the default tax

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        for position, form in enumerate(kept, start=1):
            form.instance.position = position
        if not kept:
            raise forms.ValidationError(_("Add at least one line."))
        total = sum(
            (form.cleaned_data["quantity"] * (form.cleaned_data.get("unit_price") or ZERO) for form in kept), ZERO
        )
        if abs(total) >= MAX_AMOUNT:
            raise forms.ValidationError(_("The document's total is too large."))


QuotationLineFormSet = forms.inlineformset_factory(
    Quotation, QuotationLine, form=QuotationLineForm, formset=SalesLineFormSet, extra=1, can_delete=True
)
SalesOrderLineFormSet = forms.inlineformset_factory(
    SalesOrder, SalesOrderLine, form=SalesOrderLineForm, formset=SalesLineFormSet, extra=1, can_delete=True
)


# --- live totals -------------------------------------------------------------------------------------


def _decimal(value, default=ZERO) -> Decimal:
    """A typed number, ``default`` for anything else (or beyond what the form would accept)."""
    try:
        number = Decimal(str(value or "").strip() or default)
    except InvalidOperation:
        return default
    return number if number.is_finite() and abs(number) < MAX_AMOUNT else default


def _typed_lines(form: forms.ModelForm, formset: forms.BaseInlineFormSet) -> list[SalesOrderLine]:
    """The lines as typed, unsaved, with the list price where none was typed."""
    data, prefix = formset.data, formset.prefix
    count = min(int(_decimal(data.get(f"{prefix}-TOTAL_FORMS"))), 500)
    rows = [index for index in range(count) if not data.get(f"{prefix}-{index}-DELETE")]
    ids = {
        name: {data.get(f"{prefix}-{index}-{name}") for index in rows} - {None, ""}
        for name in ("product", "unit", "tax_code")
    }
    products = Product.objects.select_related("base_uom", "sales_uom", "sales_tax").in_bulk(
        [int(pk) for pk in ids["product"] if str(pk).isdigit()]
    )
    units = UnitOfMeasure.objects.in_bulk([int(pk) for pk in ids["unit"] if str(pk).isdigit()])
    taxes = TaxCode.objects.in_bulk([int(pk) for pk in ids["tax_code"] if str(pk).isdigit()])
    document: SalesDocument = form.instance
    header_ok = form.is_valid()
    lines = []
    for index in rows:

        def value(name: str, index: int = index) -> str:
            return data.get(f"{prefix}-{index}-{name}") or ""

        product = products.get(int(value("product"))) if value("product").isdigit() else None
        tax = taxes.get(int(value("tax_code"))) if value("tax_code").isdigit() else None
        if tax is None and product is not None and not value("tax_code") and not value("id"):
            tax = sales_lines.default_tax(document, product)  # what saving the new line gives it
        line = SalesOrderLine(
            product=product,
            unit=units.get(int(value("unit"))) if value("unit").isdigit() else None,
            tax_code=tax,
            quantity=_decimal(value("quantity")),
            discount_percent=min(max(_decimal(value("discount_percent")), ZERO), Decimal(100)),
            unit_price=_decimal(value("unit_price")),
        )
        if product is not None and not value("unit_price").strip() and header_ok and line.quantity > 0:
            try:
                line.unit_price = sales_lines.unit_price(
                    product=product, quantity=line.quantity, unit=line.unit, document=document, tax_code=line.tax_code
                )
            except DomainError:
                line.unit_price = ZERO
        lines.append(line)
    return lines


def preview_totals(form: forms.ModelForm, formset: forms.BaseInlineFormSet) -> dict:
    """Totals and tax per rate of the lines as typed (for the form's live totals)."""
    document: SalesDocument = formset.instance
    places = document.currency.decimal_places if document.currency_id else 2
    if not formset.is_bound:
        lines = list(document.lines.select_related("tax_code")) if document.pk else []
    else:
        lines = _typed_lines(form, formset)
        code = form.data.get("currency")
        places = Currency.objects.filter(pk=code).values_list("decimal_places", flat=True).first() or places
    try:
        totals = document_totals.document_totals(line_inputs(lines), places=places)
    except InvalidOperation:  # amounts beyond any column (saving refuses them next to the field)
        totals = document_totals.document_totals([], places=places)
        lines = []
    return totals_context(totals, lines=lines)


# --- deliveries ----------------------------------------------------------------------------------------


class DeliveryForm(CustomFieldsFormMixin, forms.ModelForm):
    class Meta:
        model = Delivery
        fields = ["document_date", "carrier_reference", "shipping_address", "notes"]
        labels = {"document_date": gettext_lazy("Delivery date")}
        widgets = {
            "document_date": DATE_INPUT,
            "shipping_address": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self) -> dict:
        data = super().clean()
        if data.get("document_date"):
            self.instance.accounting_date = data["document_date"]
        return data


class DeliveryLineForm(forms.ModelForm):
    class Meta:
        model = DeliveryLine
        fields = ["order_line", "location", "lot_number", "quantity"]
        widgets = {"quantity": forms.NumberInput(attrs={**NUMERIC, "min": "0"})}
        labels = {"quantity": gettext_lazy("Quantity (base unit)")}

    def clean_quantity(self) -> Decimal:
        quantity = self.cleaned_data["quantity"]
        if quantity is not None and quantity <= 0:
            raise forms.ValidationError(_("The quantity must be greater than zero."))
        return quantity


class BaseDeliveryLineFormSet(DocumentLineFormSet):
    """The picks of a draft delivery: its order's stockable lines, the warehouse's stock locations."""

    def _prepare(self, form: forms.BaseForm) -> None:
        super()._prepare(form)
        if not hasattr(self, "_pick_choices"):
            delivery: Delivery = self.instance
            order_lines = (
                SalesOrderLine.objects.filter(order_id=delivery.order_id, product__product_type=ProductType.STOCKABLE)
                .select_related("product")
                .order_by("position", "id")
            )
            locations = Location.objects.filter(
                warehouse_id=delivery.warehouse_id, location_type=LocationType.INTERNAL, is_active=True
            ).order_by("full_name")
            self._pick_choices = {
                "order_line": (
                    order_lines,
                    [("", "---------")]
                    + [(line.pk, f"{line.position}. {line.product.sku} {line.description}") for line in order_lines],
                ),
                "location": (locations, [("", "---------")] + [(x.pk, x.full_name) for x in locations]),
            }
        for name, (queryset, choices) in self._pick_choices.items():
            form.fields[name].queryset = queryset
            form.fields[name].widget.choices = choices

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        for position, form in enumerate(kept, start=1):
            form.instance.position = position
        if not kept:
            raise forms.ValidationError(_("Add at least one line."))


DeliveryLineFormSet = forms.inlineformset_factory(
    Delivery, DeliveryLine, form=DeliveryLineForm, formset=BaseDeliveryLineFormSet, extra=0, can_delete=True
)


# --- actions of the detail pages ---------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=255)


class SendForm(forms.Form):
    to = forms.EmailField(label=gettext_lazy("Send the PDF by e-mail to"), required=False)


class QuantitiesForm(forms.Form):
    """One quantity per row (an order line to deliver, a delivery line to return), each between
    0 and what is open; ``rows``: dicts of key, label, open (quantity), unit and optionally
    extra (shown beside it, e.g. the stock)."""

    def __init__(self, *args, rows: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
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
        if not self.errors and not any(value for value in data.values()):
            raise forms.ValidationError(_("Enter at least one quantity."))
        return data

"""Payment forms: the header (partner, bank account, amount) and the lines naming the invoices
it pays by their number."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.core.currency import RateNotFound, quote
from erp.core.customfields.forms import CustomFieldsFormMixin
from erp.core.documents.forms import DocumentLineFormSet
from erp.core.models import Company, Currency, Organization
from erp.finance.amounts import money_text
from erp.finance.invoicing.models import CustomerInvoice, VendorBill
from erp.finance.openitems.models import Side
from erp.finance.payments import services
from erp.finance.payments.models import KIND_SIDE, SETTLING, Payment, PaymentKind, PaymentLine
from erp.partners.models import Partner

ZERO = Decimal("0")
# What the amount columns hold (18 digits, 4 of them decimal places), with room for the rate.
MAX_AMOUNT = Decimal(10) ** 12 - Decimal("0.01")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PaymentForm(CustomFieldsFormMixin, forms.ModelForm):
    side = Side.RECEIVABLE

    amount = forms.DecimalField(
        label=gettext_lazy("Amount"),
        required=False,
        max_digits=18,
        decimal_places=4,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        help_text=gettext_lazy("Empty: what the lines pay."),
    )
    exchange_rate = forms.DecimalField(
        label=gettext_lazy("Exchange rate"),
        required=False,
        max_digits=18,
        decimal_places=8,
        min_value=Decimal("0.00000001"),
        help_text=gettext_lazy("Company currency per unit; empty: the rate of the payment date."),
    )

    class Meta:
        model = Payment
        fields = [
            "organization",
            "kind",
            "partner",
            "document_date",
            "bank_account",
            "currency",
            "exchange_rate",
            "amount",
            "external_reference",
            "notes",
        ]
        labels = {"document_date": gettext_lazy("Payment date"), "external_reference": gettext_lazy("Bank reference")}
        widgets = {"document_date": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        kinds = [(kind.value, kind.label) for kind in PaymentKind if KIND_SIDE[kind] == self.side]
        self.fields["kind"].choices = kinds
        self.fields["kind"].initial = kinds[0][0]
        self.fields["currency"].queryset = Currency.objects.filter(is_active=True)
        self.fields["organization"].queryset = Organization.objects.active().order_by("name")
        self.fields["bank_account"].queryset = services.bank_accounts()
        partners = Partner.objects.filter(is_active=True).order_by("name")
        self.fields["partner"].queryset = (
            partners.filter(is_customer=True) if self.side == Side.RECEIVABLE else partners.filter(is_vendor=True)
        )
        self.fields["partner"].required = True
        # No amount means “what the lines pay”: show it empty, not as the model's 0 (which the
        # field's minimum would refuse).
        if not self.instance.amount:
            self.initial["amount"] = None

    def clean(self) -> dict:
        data = super().clean()
        day, currency = data.get("document_date"), data.get("currency")
        if day:
            self.instance.accounting_date = day
        if data.get("amount") is None:
            data["amount"] = ZERO
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


class VendorPaymentForm(PaymentForm):
    side = Side.PAYABLE


class PaymentLineForm(forms.ModelForm):
    document = forms.CharField(
        label=gettext_lazy("Document"), max_length=40, help_text=gettext_lazy("Invoice number (or payment to refund).")
    )
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"),
        required=False,
        max_digits=18,
        decimal_places=4,
        min_value=ZERO,
        max_value=MAX_AMOUNT,
    )
    discount = forms.DecimalField(
        label=gettext_lazy("Discount"),
        required=False,
        max_digits=18,
        decimal_places=4,
        min_value=ZERO,
        max_value=MAX_AMOUNT,
    )

    class Meta:
        model = PaymentLine
        fields = ["document", "amount", "discount"]
        widgets = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        target = self.instance.target if self.instance.pk else None
        if target is not None:
            self.initial["document"] = target.number
        self.fields["document"].widget.attrs.update({"list": "payment-documents", "autocomplete": "off"})
        for name in ("amount", "discount"):
            self.fields[name].widget.attrs.update({"step": "0.01", "min": "0", "class": "numeric"})


def _number(value) -> Decimal | None:
    """A typed amount; None for anything else (or beyond what the form would accept)."""
    try:
        number = None if value in (None, "") else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number is not None and number.is_finite() and abs(number) <= MAX_AMOUNT else None


class BasePaymentLineFormSet(DocumentLineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        payment: Payment = self.instance
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if not payment.partner_id or not payment.kind or not payment.currency_id:
            return
        # What each document still has open, less what the lines above already take of it.
        left: dict[tuple[type, int], Decimal] = {}
        for position, form in enumerate(kept, start=1):
            document = self._document(payment, form.cleaned_data["document"].strip())
            if document is None:
                form.add_error(
                    "document",
                    _("No posted document with this number for %(partner)s.") % {"partner": payment.partner.name},
                )
                continue
            data = services.AllocationData(
                document=document, amount=form.cleaned_data.get("amount"), discount=form.cleaned_data.get("discount")
            )
            amount, discount = services.line_amounts(payment, data)
            if amount < 0 or discount < 0 or (amount == 0 and discount == 0):
                form.add_error("amount", _("Nothing is open on %(document)s.") % {"document": document})
                continue
            key = (type(document), document.pk)
            if key not in left:
                left[key] = services.open_amount(document, charges=payment.settles)
            if amount + discount > left[key]:
                form.add_error(
                    "amount",
                    _("%(document)s has only %(open)s open.")
                    % {"document": document, "open": money_text(left[key], document.currency_id)},
                )
                continue
            left[key] -= amount + discount
            line = form.instance
            line.position = position
            line.customer_invoice = line.vendor_bill = line.refunded_payment = None
            setattr(line, services._target_field(document), document)
            line.amount, line.discount = amount, discount
        # No amount entered (the header form leaves 0): the payment is what its lines pay, as
        # the field's help text says and as ``services.payment_create`` does.
        if any(form.errors for form in kept):
            return
        allocated = sum((form.instance.amount for form in kept), ZERO)
        if not payment.amount:
            payment.amount = allocated
        elif allocated > payment.amount:
            raise forms.ValidationError(
                _("The lines allocate %(allocated)s, more than the payment's %(amount)s.")
                % {
                    "allocated": money_text(allocated, payment.currency_id),
                    "amount": money_text(payment.amount, payment.currency_id),
                }
            )

    @staticmethod
    def _document(payment: Payment, number: str):
        if not number:
            return None
        posted = Q(number__iexact=number, partner=payment.partner, posted=True)
        if payment.kind in SETTLING:
            model = CustomerInvoice if payment.side == Side.RECEIVABLE else VendorBill
            return model.objects.filter(posted).first()
        model = CustomerInvoice if payment.side == Side.RECEIVABLE else VendorBill
        return model.objects.filter(posted, kind="credit_note").first() or Payment.objects.filter(posted).first()


PaymentLineFormSet = forms.inlineformset_factory(
    Payment,
    PaymentLine,
    form=PaymentLineForm,
    formset=BasePaymentLineFormSet,
    fk_name="payment",
    extra=1,
    can_delete=True,
)


def preview_totals(form: forms.ModelForm, formset: forms.BaseInlineFormSet) -> dict:
    """The amount typed and what the lines allocate (unsaved)."""
    allocated = ZERO
    if formset.is_bound:
        prefix = formset.prefix
        try:
            count = min(int(formset.data.get(f"{prefix}-TOTAL_FORMS", 0) or 0), 1000)
        except (TypeError, ValueError):
            count = 0
        for index in range(count):
            if not formset.data.get(f"{prefix}-{index}-DELETE"):
                allocated += _number(formset.data.get(f"{prefix}-{index}-amount")) or ZERO
        amount = _number(form.data.get("amount")) or allocated
    else:
        payment = formset.instance
        allocated = sum((line.amount for line in payment.lines.all()), ZERO) if payment.pk else ZERO
        amount = payment.amount or ZERO
    return {"payment_amount": amount, "payment_allocated": allocated, "payment_unallocated": amount - allocated}

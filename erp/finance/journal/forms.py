"""The manual journal entry form: a header and an inline formset of lines."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.core.currency import RateNotFound, quote
from erp.core.customfields.forms import CustomFieldsFormMixin
from erp.core.documents.forms import DocumentLineFormSet
from erp.core.models import Company, Currency, Organization
from erp.finance.journal.models import JournalEntry, JournalLine
from erp.finance.models import Account
from erp.partners.models import Partner

ZERO = Decimal("0")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class JournalEntryForm(CustomFieldsFormMixin, forms.ModelForm):
    exchange_rate = forms.DecimalField(
        label=gettext_lazy("Exchange rate"),
        required=False,
        max_digits=18,
        decimal_places=8,
        min_value=Decimal("0.00000001"),
        help_text=gettext_lazy("Company currency per unit; empty: the day's rate."),
    )

    class Meta:
        model = JournalEntry
        fields = [
            "organization",
            "accounting_date",
            "description",
            "currency",
            "exchange_rate",
            "external_reference",
            "notes",
        ]
        labels = {"accounting_date": gettext_lazy("Date")}
        widgets = {"accounting_date": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].queryset = Currency.objects.filter(is_active=True)
        self.fields["organization"].queryset = Organization.objects.active().order_by("name")

    def clean(self) -> dict:
        data = super().clean()
        day, currency = data.get("accounting_date"), data.get("currency")
        if day:
            # A journal entry has one date: the document date follows the accounting date.
            self.instance.document_date = day
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


class JournalLineForm(forms.ModelForm):
    class Meta:
        model = JournalLine
        fields = ["account", "description", "partner", "organization", "analytic_tag", "debit", "credit"]
        widgets = {
            "description": forms.TextInput(attrs={"placeholder": gettext_lazy("Text")}),
            "analytic_tag": forms.TextInput(attrs={"placeholder": gettext_lazy("Tag"), "list": "analytic-tags"}),
            "debit": forms.NumberInput(attrs={"step": "0.01", "min": "0", "class": "numeric"}),
            "credit": forms.NumberInput(attrs={"step": "0.01", "min": "0", "class": "numeric"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = Account.objects.postable().order_by("code")
        self.fields["partner"].queryset = Partner.objects.filter(is_active=True).order_by("name")
        self.fields["organization"].queryset = Organization.objects.active().order_by("name")
        self.fields["organization"].required = False
        self.fields["organization"].help_text = ""
        self.fields["organization"].empty_label = _("As the entry")
        for name in ("debit", "credit"):
            self.fields[name].required = False

    def clean(self) -> dict:
        data = super().clean()
        debit, credit = data.get("debit") or ZERO, data.get("credit") or ZERO
        data["debit"], data["credit"] = debit, credit
        if debit < 0 or credit < 0:
            raise forms.ValidationError(_("Amounts cannot be negative."))
        if debit and credit:
            raise forms.ValidationError(_("Enter either a debit or a credit, not both."))
        if not debit and not credit and data.get("account"):
            self.add_error("debit", _("Enter an amount."))
        return data


class BaseJournalLineFormSet(DocumentLineFormSet):
    shared_choice_fields = ("account", "partner", "organization")

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        for form in kept:
            if not form.instance.organization_id:
                form.instance.organization_id = self.instance.organization_id
        if len(kept) < 2:
            raise forms.ValidationError(_("A journal entry needs at least two lines."))


JournalLineFormSet = forms.inlineformset_factory(
    JournalEntry,
    JournalLine,
    form=JournalLineForm,
    formset=BaseJournalLineFormSet,
    extra=2,
    can_delete=True,
)


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value or "0").strip() or "0")
    except InvalidOperation:
        return ZERO
    return amount if amount.is_finite() and amount >= 0 else ZERO


@dataclass(frozen=True)
class EntryTotals:
    debit: Decimal
    credit: Decimal

    @property
    def difference(self) -> Decimal:
        return self.debit - self.credit


def preview_totals(form: forms.ModelForm, formset: forms.BaseInlineFormSet) -> dict:
    """Debit and credit totals of the lines as typed (unsaved, possibly invalid)."""
    debit = credit = ZERO
    data = formset.data
    prefix = formset.prefix
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0) or 0), 1000)
    except (TypeError, ValueError):
        total = 0
    if not formset.is_bound:
        for line in formset.queryset if formset.instance.pk else []:
            debit, credit = debit + line.debit, credit + line.credit
        return {"entry_totals": EntryTotals(debit, credit)}
    for index in range(total):
        if data.get(f"{prefix}-{index}-DELETE"):
            continue
        debit += _amount(data.get(f"{prefix}-{index}-debit"))
        credit += _amount(data.get(f"{prefix}-{index}-credit"))
    return {"entry_totals": EntryTotals(debit, credit)}

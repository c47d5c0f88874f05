from __future__ import annotations

from datetime import date

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from erp.core.forms import CurrencyChoiceField, active_currencies
from erp.finance.models import Account, AccountRole, AccountType, TaxCode, TaxType

MONTHS = [
    (1, _("January")),
    (2, _("February")),
    (3, _("March")),
    (4, _("April")),
    (5, _("May")),
    (6, _("June")),
    (7, _("July")),
    (8, _("August")),
    (9, _("September")),
    (10, _("October")),
    (11, _("November")),
    (12, _("December")),
]


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Account) -> str:
        return f"{obj.code} — {obj.name}"


class AccountForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = AccountChoiceField(
        label=_("Parent account"),
        queryset=Account.objects.none(),
        required=False,
        help_text=_("The summary account it belongs to; empty at the top of the chart."),
    )
    account_type = forms.ChoiceField(label=_("Type"), choices=AccountType.choices)
    is_group = forms.BooleanField(
        label=_("Summary account"), required=False, help_text=_("Totals its sub-accounts; cannot be posted to.")
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=AccountRole.choices,
        required=False,
        help_text=_("What postings use it for: receivables, bank, input tax, retained earnings …"),
    )
    reconcilable = forms.BooleanField(
        label=_("Reconcilable"), required=False, help_text=_("Open items are matched (receivables, payables, bank).")
    )
    currency = CurrencyChoiceField(
        label=_("Currency"),
        queryset=active_currencies(),
        required=False,
        help_text=_("Only for an account kept in a foreign currency, e.g. a USD bank account."),
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, instance: Account | None = None, **kwargs) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": instance.code,
                "name": instance.name,
                "parent": instance.parent_id,
                "account_type": instance.account_type,
                "is_group": instance.is_group,
                "role": instance.role,
                "reconcilable": instance.reconcilable,
                "currency": instance.currency_id,
                "description": instance.description,
                "version": instance.version,
            }
        super().__init__(*args, **kwargs)
        parents = Account.objects.groups().active().order_by("code")
        if instance is not None:
            parents = parents.exclude(pk=instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["currency"].queryset = active_currencies()


class FiscalYearForm(forms.Form):
    first_year = forms.IntegerField(
        label=_("Year it starts in"), min_value=1900, max_value=2999, help_text=_("e.g. 2025")
    )
    start_month = forms.TypedChoiceField(
        label=_("First month"),
        choices=MONTHS,
        coerce=int,
        help_text=_("January for a calendar year; April for April – March, …"),
    )

    def __init__(self, *args, next_start: date | None = None, **kwargs) -> None:
        if next_start is not None:
            kwargs.setdefault("initial", {"first_year": next_start.year, "start_month": next_start.month})
        super().__init__(*args, **kwargs)
        if next_start is not None:
            self.fields["first_year"].help_text = _("The next fiscal year starts on %(date)s.") % {
                "date": date_format(next_start, "SHORT_DATE_FORMAT")
            }


class TaxCodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("Short code, e.g. VAT19 or USt19."))
    name = forms.CharField(label=_("Name"), max_length=100)
    tax_type = forms.ChoiceField(label=_("Type"), choices=TaxType.choices)
    rate = forms.DecimalField(label=_("Rate (%)"), min_value=0, max_value=100, max_digits=7, decimal_places=4)
    price_included = forms.BooleanField(
        label=_("Included in price"), required=False, help_text=_("Prices with this tax are gross prices.")
    )
    account = AccountChoiceField(label=_("Tax account"), queryset=Account.objects.none())
    description = forms.CharField(label=_("Text on documents"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, instance: TaxCode | None = None, **kwargs) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": instance.code,
                "name": instance.name,
                "tax_type": instance.tax_type,
                "rate": instance.rate.normalize(),
                "price_included": instance.price_included,
                "account": instance.account_id,
                "description": instance.description,
                "version": instance.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = Account.objects.postable().order_by("code")


class DeleteForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class ChartLoadForm(forms.Form):
    chart = forms.ChoiceField(label=_("Template"))

    def __init__(self, *args, **kwargs) -> None:
        from erp.finance.charts import template_choices

        super().__init__(*args, **kwargs)
        self.fields["chart"].choices = template_choices()

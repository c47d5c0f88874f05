from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import InlineForeignKeyField, construct_instance
from django.utils.translation import gettext_lazy as _

from erp.core.i18n import currency_name
from erp.core.models import Currency, Organization


class OrganizationForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("Short unique code, e.g. HQ or SALES-NORTH."))
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ModelChoiceField(
        label=_("Parent organization"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Leave empty for a top-level organization."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, instance: Organization | None = None, **kwargs) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": instance.code,
                "name": instance.name,
                "parent": instance.parent_id,
                "version": instance.version,
            }
        super().__init__(*args, **kwargs)
        choices = Organization.objects.for_user(user).active().order_by("name")
        if instance is not None:
            choices = choices.exclude(pk=instance.pk)
        self.fields["parent"].queryset = choices


class OrganizationDeactivateForm(forms.Form):
    is_active = forms.BooleanField(required=False)


class CurrencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} — {currency_name(obj.name)}"


def active_currencies():
    return Currency.objects.filter(is_active=True).order_by("code")


class ExchangeRateForm(forms.Form):
    from_currency = CurrencyChoiceField(label=_("From currency"), queryset=Currency.objects.none())
    to_currency = CurrencyChoiceField(label=_("To currency"), queryset=Currency.objects.none())
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    rate = forms.DecimalField(
        label=_("Rate"),
        min_value=Decimal("0.000000000001"),
        max_digits=24,
        decimal_places=12,
        help_text=_("Units of the target currency for one unit of the source currency, e.g. 1.0834 for EUR → USD."),
    )

    def __init__(self, *args, instance=None, **kwargs) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "from_currency": instance.from_currency_id,
                    "to_currency": instance.to_currency_id,
                    "date": instance.date,
                    "rate": instance.rate.normalize(),
                },
            )
        super().__init__(*args, **kwargs)
        for name in ("from_currency", "to_currency"):
            self.fields[name].queryset = active_currencies()
        if instance is not None:
            for name in ("from_currency", "to_currency", "date"):
                self.fields[name].disabled = True


class InputModelForm(forms.ModelForm):
    """A ModelForm that only reads input: each field and its validators are checked, while
    uniqueness and the database constraints are left to the service, which words its refusal
    for the field it concerns (``erp.core.web.form_error``). It is never saved itself."""

    def _post_clean(self) -> None:
        exclude = self._get_validation_exclusions()
        # The parent of an inline row is set when it is saved, as in ModelForm._post_clean.
        exclude.update(name for name, field in self.fields.items() if isinstance(field, InlineForeignKeyField))
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        except ValidationError as error:
            self._update_errors(error)
        try:
            self.instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            self._update_errors(error)

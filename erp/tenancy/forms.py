from __future__ import annotations

import unicodedata

import pycountry
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from erp.core.i18n import currency_name, iso_gettext
from erp.tenancy import services


def _sort_key(item: tuple[str, str]) -> str:
    return unicodedata.normalize("NFKD", item[1]).encode("ascii", "ignore").decode().casefold()


def country_choices() -> list[tuple[str, str]]:
    name = iso_gettext("iso3166-1")
    return sorted(((c.alpha_2, name(c.name)) for c in pycountry.countries), key=_sort_key)


def currency_choices() -> list[tuple[str, str]]:
    return sorted((c.alpha_3, f"{c.alpha_3} — {currency_name(c.name)}") for c in pycountry.currencies)


def chart_choices() -> list[tuple[str, str]]:
    from erp.finance.charts import template_choices

    return template_choices()


class TenantCreateForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200)
    subdomain = forms.CharField(
        label=_("Sub-domain"),
        max_length=40,
        help_text=_("Lower-case letters, digits and hyphens; the company's address becomes <sub-domain>.%(base)s."),
    )
    currency = forms.ChoiceField(label=_("Company currency"), choices=currency_choices, initial="EUR")
    country = forms.ChoiceField(label=_("Country"), choices=country_choices, initial="DE")
    chart = forms.ChoiceField(
        label=_("Chart of accounts"),
        choices=chart_choices,
        initial="ifrs",
        required=False,
        help_text=_("The template the company's chart of accounts starts from (default: IFRS-style)."),
    )
    admin_first_name = forms.CharField(label=_("Administrator's first name"), max_length=150)
    admin_last_name = forms.CharField(label=_("Administrator's last name"), max_length=150, required=False)
    admin_email = forms.EmailField(label=_("Administrator's e-mail"))
    admin_language = forms.ChoiceField(
        label=_("Administrator's language"),
        choices=settings.LANGUAGES,
        initial="en",
        required=False,
        help_text=_("The language of the welcome e-mail and of the administrator's screens."),
    )
    admin_password = forms.CharField(
        label=_("Administrator's password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from django.conf import settings

        self.fields["subdomain"].help_text = self.fields["subdomain"].help_text % {"base": settings.ERP_BASE_DOMAIN}

    def clean_subdomain(self) -> str:
        try:
            return services.subdomain_validate(self.cleaned_data["subdomain"])
        except services.TenantError as error:
            raise ValidationError(error.message) from error

    def clean_admin_password(self) -> str:
        password = self.cleaned_data["admin_password"]
        password_validation.validate_password(password)
        return password

    def to_new_tenant(self) -> services.NewTenant:
        data = self.cleaned_data
        return services.NewTenant(
            name=data["name"],
            subdomain=data["subdomain"],
            currency=data["currency"],
            country=data["country"],
            admin_email=data["admin_email"],
            admin_password=data["admin_password"],
            admin_first_name=data["admin_first_name"],
            admin_last_name=data["admin_last_name"],
            chart=data["chart"] or "ifrs",
            admin_language=data.get("admin_language") or "",
        )

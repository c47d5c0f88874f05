from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from erp.catalog.models import PriceList
from erp.core.customfields.forms import CustomFieldsFormMixin
from erp.core.forms import CurrencyChoiceField, InputModelForm, active_currencies
from erp.finance.forms import AccountChoiceField
from erp.finance.models import Account, AccountType
from erp.partners.models import Address, Contact, Partner, PartnerCategory, PaymentTerm, PaymentTermLine
from erp.tenancy.forms import country_choices


def _countries() -> list[tuple[str, str]]:
    return [("", "—"), *country_choices()]


class PartnerForm(CustomFieldsFormMixin, InputModelForm):
    """The partner's own fields; the service writes them (this form only checks input)."""

    code = forms.CharField(
        label=_("Code"), max_length=30, required=False, help_text=_("Empty: the next number is given.")
    )
    country = forms.ChoiceField(label=_("Country"), choices=_countries, required=False)
    currency = CurrencyChoiceField(
        label=_("Currency"), queryset=active_currencies(), required=False, help_text=_("Empty: the company currency.")
    )
    receivable_account = AccountChoiceField(
        label=_("Receivable account"), queryset=Account.objects.none(), required=False
    )
    payable_account = AccountChoiceField(label=_("Payable account"), queryset=Account.objects.none(), required=False)
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=PartnerCategory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    confirm_duplicate = forms.BooleanField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Partner
        fields = [
            "name",
            "search_key",
            "is_customer",
            "is_vendor",
            "is_employee",
            "is_prospect",
            "is_competitor",
            "country",
            "tax_id",
            "tax_exempt",
            "email",
            "phone",
            "credit_limit",
            "currency",
            "payment_term",
            "vendor_payment_term",
            "price_list",
            "receivable_account",
            "payable_account",
            "categories",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = ""
            self.initial.setdefault("code", instance.code)
            self.initial.setdefault("version", instance.version)
        self.fields["currency"].queryset = active_currencies()
        terms = PaymentTerm.objects.filter(is_active=True).order_by("net_days", "code")
        self.fields["payment_term"].queryset = terms
        self.fields["vendor_payment_term"].queryset = terms
        self.fields["price_list"].queryset = PriceList.objects.active().order_by("code")
        postable = Account.objects.postable().order_by("code")
        self.fields["receivable_account"].queryset = postable.filter(account_type=AccountType.ASSET)
        self.fields["payable_account"].queryset = postable.filter(account_type=AccountType.LIABILITY)
        self.fields["receivable_account"].help_text = _("Empty: the chart's receivable account.")
        self.fields["payable_account"].help_text = _("Empty: the chart's payable account.")
        self.fields["categories"].queryset = PartnerCategory.objects.filter(is_active=True).order_by("name")

    def clean(self) -> dict:
        data = super().clean()
        roles = ("is_customer", "is_vendor", "is_employee", "is_prospect", "is_competitor")
        if not any(data.get(role) for role in roles):
            self.add_error("is_customer", _("Choose at least one role."))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in self.Meta.fields if name != "categories"}


class AddressForm(InputModelForm):
    country = forms.ChoiceField(label=_("Country"), choices=_countries)

    class Meta:
        model = Address
        fields = ["address_type", "is_default", "name", "street", "street2", "postal_code", "city", "region", "country"]


class ContactForm(InputModelForm):
    class Meta:
        model = Contact
        fields = ["name", "role", "email", "phone", "is_primary"]


AddressFormSet = inlineformset_factory(Partner, Address, form=AddressForm, extra=0, can_delete=True)
ContactFormSet = inlineformset_factory(Partner, Contact, form=ContactForm, extra=0, can_delete=True)


class PartnerCategoryForm(InputModelForm):
    class Meta:
        model = PartnerCategory
        fields = ["name", "is_active"]


class PaymentTermForm(InputModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PaymentTerm
        fields = ["code", "name", "net_days", "end_of_month", "discount_percent", "discount_days", "description"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
        self.fields["net_days"].help_text = _("Without installments: days after the invoice date.")


class InstallmentForm(InputModelForm):
    class Meta:
        model = PaymentTermLine
        fields = ["percent", "days", "end_of_month"]


InstallmentFormSet = inlineformset_factory(PaymentTerm, PaymentTermLine, form=InstallmentForm, extra=0, can_delete=True)

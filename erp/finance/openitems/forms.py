"""Forms of the receivables and payables screens: report filters, partner lookup, matching."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.core.models import Organization
from erp.finance.openitems.models import Side
from erp.partners.models import Partner

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PartnerField(forms.CharField):
    """A partner by code, id or (a unique part of its) name; the matches are listed when several fit."""

    def __init__(self, *, side: str, **kwargs) -> None:
        kwargs.setdefault("label", gettext_lazy("Partner"))
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.side = side
        self.candidates: list[Partner] = []

    def partners(self):
        partners = Partner.objects.filter(is_active=True)
        return partners.filter(is_customer=True) if self.side == Side.RECEIVABLE else partners.filter(is_vendor=True)

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        partners = self.partners()
        if text.isdigit():
            found = partners.filter(Q(pk=int(text)) | Q(code__iexact=text)).first()
            if found:
                return found
        exact = partners.filter(Q(code__iexact=text) | Q(name__iexact=text)).first()
        if exact:
            return exact
        matches = list(partners.filter(Q(name__icontains=text) | Q(code__icontains=text)).order_by("name")[:11])
        if len(matches) == 1:
            return matches[0]
        self.candidates = matches[:10]
        if not matches:
            raise forms.ValidationError(_("No partner matches “%(text)s”.") % {"text": text})
        raise forms.ValidationError(_("Several partners match “%(text)s”: choose one below.") % {"text": text})


class ReportForm(forms.Form):
    """Date and organization of a receivables or payables report."""

    on = forms.DateField(label=gettext_lazy("As of"), required=False, widget=DATE_INPUT)
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Organization"), required=False, queryset=Organization.objects.none()
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.for_user(user).order_by("name")

    def clean(self) -> dict:
        data = super().clean()
        data["on"] = data.get("on") or timezone.localdate()
        return data


class LedgerForm(ReportForm):
    partner = forms.CharField(label=gettext_lazy("Partner"), required=False)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE_INPUT)

    field_order = ["partner", "date_from", "on", "organization"]

    def __init__(self, *args, side: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"] = PartnerField(side=side, required=False)
        self.fields["on"].label = gettext_lazy("Until")
        self.order_fields(self.field_order)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") is None:
            data["date_from"] = data["on"].replace(month=1, day=1)
        if data["date_from"] > data["on"]:
            self.add_error("date_from", _("The start must not be after the end."))
        return data


class DunningForm(ReportForm):
    min_days = forms.IntegerField(
        label=gettext_lazy("Overdue for at least (days)"), min_value=1, max_value=3650, initial=1, required=False
    )

    def clean(self) -> dict:
        data = super().clean()
        data["min_days"] = data.get("min_days") or 1
        return data


class MatchForm(forms.Form):
    charge = forms.IntegerField(widget=forms.HiddenInput)
    credit = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"),
        required=False,
        max_digits=18,
        decimal_places=4,
        min_value=Decimal("0"),
        help_text=gettext_lazy("Empty: as much as both allow."),
    )
    discount = forms.DecimalField(
        label=gettext_lazy("Early-payment discount"),
        required=False,
        max_digits=18,
        decimal_places=4,
        min_value=Decimal("0"),
        help_text=gettext_lazy("Empty: the discount the terms give when it settles the invoice in time."),
    )
    date = forms.DateField(label=gettext_lazy("Date"), required=False, widget=DATE_INPUT)

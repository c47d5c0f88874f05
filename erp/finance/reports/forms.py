"""The report filters: dates (a range, or one day for the balance sheet), organization (those
the user may access, with their sub-organizations) and a comparison period."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.core.access import organization_ids_for
from erp.core.models import Organization
from erp.finance.forms import AccountChoiceField
from erp.finance.models import Account, FiscalYear

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PREVIOUS_PERIOD = "previous_period"
PREVIOUS_YEAR = "previous_year"


# --- dates ------------------------------------------------------------------------------------


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _is_month_end(day: date) -> bool:
    return day == _month_end(day.year, day.month)


def shift_months(day: date, months: int) -> date:
    """``day`` moved by ``months``; a month's last day stays the last day (31 Mar − 1 → 28 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    end = _month_end(year, month + 1)
    return end if _is_month_end(day) else end.replace(day=min(day.day, end.day))


def _whole_months(date_from: date, date_to: date) -> int | None:
    """How many calendar months ``date_from``–``date_to`` spans when it is whole months, else None."""
    if date_from.day != 1 or not _is_month_end(date_to):
        return None
    return (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1


def previous_range(date_from: date, date_to: date, how: str) -> tuple[date, date]:
    """The range to compare with: the same dates a year earlier, or the period of the same
    length just before (whole months stay whole months: Q2 → Q1, March → February)."""
    if how == PREVIOUS_YEAR:
        return shift_months(date_from, -12), shift_months(date_to, -12)
    months = _whole_months(date_from, date_to)
    if months is not None:
        return shift_months(date_from, -months), date_from - timedelta(days=1)
    length = date_to - date_from
    return date_from - length - timedelta(days=1), date_from - timedelta(days=1)


def previous_day(on: date, how: str) -> date:
    """The day to compare a balance sheet with: a year earlier, or a month earlier."""
    return shift_months(on, -12 if how == PREVIOUS_YEAR else -1)


def default_range(today: date | None = None) -> tuple[date, date]:
    """The fiscal year containing today (the latest one before it otherwise; else the calendar year)."""
    today = today or timezone.localdate()
    year = (
        FiscalYear.objects.filter(start_date__lte=today).order_by("-start_date").only("start_date", "end_date").first()
    )
    if year is None:
        return date(today.year, 1, 1), date(today.year, 12, 31)
    return year.start_date, year.end_date


def range_label(date_from: date, date_to: date) -> str:
    return f"{date_format(date_from, 'SHORT_DATE_FORMAT')} – {date_format(date_to, 'SHORT_DATE_FORMAT')}"


def day_label(on: date) -> str:
    return date_format(on, "SHORT_DATE_FORMAT")


# --- the scope of a report ------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a report covers, read from valid filters."""

    date_from: date | None  # None for the balance sheet
    date_to: date  # the balance sheet's day
    organization_ids: frozenset[int] | None  # None: every organization (the user may see all)
    organization: Organization | None
    compare_from: date | None = None
    compare_to: date | None = None

    @property
    def has_comparison(self) -> bool:
        return self.compare_to is not None

    @property
    def label(self) -> str:
        if self.date_from is None:
            return _("As of %(day)s") % {"day": day_label(self.date_to)}
        return range_label(self.date_from, self.date_to)

    @property
    def comparison_label(self) -> str:
        if not self.has_comparison:
            return ""
        if self.compare_from is None:
            return day_label(self.compare_to)
        return range_label(self.compare_from, self.compare_to)

    @property
    def organization_label(self) -> str:
        if self.organization is None:
            return _("All organizations") if self.organization_ids is None else _("All your organizations")
        return _("%(organization)s and its sub-organizations") % {"organization": self.organization.name}

    def query(self) -> dict[str, str]:
        """The filters as query parameters (for drill-down links and exports)."""
        params = {"organization": str(self.organization.pk)} if self.organization else {}
        if self.date_from is not None:
            params.update(date_from=self.date_from.isoformat(), date_to=self.date_to.isoformat())
        else:
            params["on"] = self.date_to.isoformat()
        return params


def organization_ids(user, organization: Organization | None) -> frozenset[int] | None:
    """Ids the report may read: the chosen organization and its descendants, within what
    ``user`` may access; None when that is every organization (no filter needed)."""
    allowed = organization_ids_for(user)
    sees_all = user.has_perm("core.access_all_organizations")
    if organization is None:
        return None if sees_all else allowed
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Organization.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = set(), [organization.pk]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, ()))
    return frozenset(found & allowed)


# --- the forms ----------------------------------------------------------------------------------


class _ReportForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Organization"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=gettext_lazy("All organizations"),
        help_text=gettext_lazy("Includes its sub-organizations."),
    )

    def __init__(self, data=None, *, user, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["organization"].queryset = Organization.objects.for_user(user).order_by("name")

    def scope(self) -> Scope:
        """The report's scope; call after ``is_valid()``."""
        data = self.cleaned_data
        organization = data.get("organization")
        compare = data.get("compare") or ""
        date_from, date_to = data.get("date_from"), data.get("date_to") or data.get("on")
        compare_from = compare_to = None
        if compare and date_from is not None:
            compare_from, compare_to = previous_range(date_from, date_to, compare)
        elif compare:
            compare_to = previous_day(date_to, compare)
        return Scope(
            date_from=date_from,
            date_to=date_to,
            organization_ids=organization_ids(self.user, organization),
            organization=organization,
            compare_from=compare_from,
            compare_to=compare_to,
        )


class RangeForm(_ReportForm):
    """A range of dates (the trial balance, the journal, the general ledger, profit and loss)."""

    date_from = forms.DateField(label=gettext_lazy("From"), widget=DATE_INPUT)
    date_to = forms.DateField(label=gettext_lazy("Until"), widget=DATE_INPUT)
    field_order = ["date_from", "date_to", "organization"]

    def __init__(self, data=None, **kwargs) -> None:
        data = _with_defaults(data, ("date_from", "date_to"), default_range)
        super().__init__(data, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return data


def _with_defaults(data, names: tuple[str, ...], defaults):
    """The submitted filters, or the defaults when the page is opened without any."""
    if data is None or any(name in data for name in names):
        return data
    values = defaults()
    query = data.copy()
    for name, value in zip(names, values if isinstance(values, tuple) else (values,), strict=True):
        query[name] = value.isoformat()
    return query


COMPARE_RANGE = [
    ("", gettext_lazy("No comparison")),
    (PREVIOUS_PERIOD, gettext_lazy("Previous period")),
    (PREVIOUS_YEAR, gettext_lazy("Same period last year")),
]


class ComparedRangeForm(RangeForm):
    """A range and, optionally, the range to compare it with (trial balance, profit and loss)."""

    compare = forms.ChoiceField(label=gettext_lazy("Compare with"), choices=COMPARE_RANGE, required=False)


class BalanceSheetForm(_ReportForm):
    on = forms.DateField(label=gettext_lazy("As of"), widget=DATE_INPUT)
    compare = forms.ChoiceField(
        label=gettext_lazy("Compare with"),
        choices=[
            ("", gettext_lazy("No comparison")),
            (PREVIOUS_PERIOD, gettext_lazy("A month earlier")),
            (PREVIOUS_YEAR, gettext_lazy("A year earlier")),
        ],
        required=False,
    )
    field_order = ["on", "organization", "compare"]

    def __init__(self, data=None, **kwargs) -> None:
        data = _with_defaults(data, ("on",), timezone.localdate)
        super().__init__(data, **kwargs)


class LedgerForm(RangeForm):
    """The general ledger: one account between two dates."""

    account = AccountChoiceField(
        label=gettext_lazy("Account"),
        queryset=Account.objects.none(),
        to_field_name="code",
        empty_label=gettext_lazy("Choose an account"),
    )
    exclude_closing = forms.BooleanField(
        label=gettext_lazy("Without year-end closing entries"),
        required=False,
        help_text=gettext_lazy("As profit and loss counts income and expense."),
    )
    field_order = ["account", "date_from", "date_to", "organization", "exclude_closing"]

    def __init__(self, data=None, **kwargs) -> None:
        super().__init__(data, **kwargs)
        # Every account that can carry lines, deactivated ones included: their history stays readable.
        self.fields["account"].queryset = Account.objects.filter(is_group=False).order_by("code")

"""Writes on finance master data: accounts, fiscal years and periods, tax codes.

Each function is one transaction, checks the business rules (raising ``DomainError``
with the field concerned), records history and a business event."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from erp.core import events
from erp.core.exceptions import DomainError
from erp.core.models import Currency
from erp.core.services import soft_delete, versioned_update
from erp.finance import rules
from erp.finance.models import SINGLE_ROLES, Account, FiscalYear, Period, PeriodStatus, TaxCode, Usage


def _created(instance, *, by, verb: str):
    """Save a new audited record: who created it, its first history row, its event."""
    instance.created_by = instance.updated_by = by
    instance._history_user = by
    instance.save()
    events.record(verb=verb, target=instance, actor=by)
    return instance


def _activation_saved(instance, *, is_active: bool, by, verb_prefix: str):
    """Save a (locked) audited record's new ``is_active`` with version, history and event."""
    instance.is_active = is_active
    instance.updated_by = by
    instance.version += 1
    instance._history_user = by
    instance.save(update_fields=["is_active", "updated_by", "updated_at", "version"])
    events.record(verb=f"{verb_prefix}.{'reactivated' if is_active else 'deactivated'}", target=instance, actor=by)
    return instance


# --- Accounts ------------------------------------------------------------------------------


def _ancestors(account: Account | None):
    seen = set()
    while account is not None and account.pk not in seen:
        seen.add(account.pk)
        yield account
        account = account.parent


def _account_check(
    *,
    account: Account | None,
    code: str,
    parent: Account | None,
    account_type: str,
    role: str,
    is_group: bool,
    currency: Currency | None,
) -> None:
    """Every rule of a single account; ``account`` is None when it is being created."""
    error = rules.code_error(code)
    if error:
        raise DomainError(error, field="code")
    same_code = Account.objects.filter(code__iexact=code)
    if account is not None:
        same_code = same_code.exclude(pk=account.pk)
    if same_code.exists():
        raise DomainError(_("An account with the code %(code)s already exists.") % {"code": code}, field="code")
    if parent is not None:
        if not parent.is_group:
            raise DomainError(_("The parent must be a summary account."), field="parent")
        if not parent.is_active:
            raise DomainError(_("The parent account is deactivated."), field="parent")
        if account is not None and any(a.pk == account.pk for a in _ancestors(parent)):
            raise DomainError(_("An account cannot be moved below itself or one of its sub-accounts."), field="parent")
    error = rules.role_error(role=role, account_type=account_type, is_group=is_group)
    if error:
        raise DomainError(error, field="role")
    error = rules.currency_error(currency_code=currency.code if currency else None, is_group=is_group)
    if error:
        raise DomainError(error, field="currency")
    if currency is not None and not currency.is_active and (account is None or account.currency_id != currency.pk):
        raise DomainError(_("The currency %(code)s is deactivated.") % {"code": currency.code}, field="currency")
    if role in SINGLE_ROLES and (account is None or account.is_active):
        holders = Account.objects.filter(role=role, is_active=True)
        if account is not None:
            holders = holders.exclude(pk=account.pk)
        if holders.exists():
            raise DomainError(rules.single_role_error(role), field="role")
    if account is None:
        return
    if account.is_group and not is_group and account.children.exists():
        raise DomainError(_("This account has sub-accounts, so it stays a summary account."), field="is_group")
    changes_kind = is_group != account.is_group or account_type != account.account_type
    if changes_kind and account.is_used():
        raise DomainError(
            _("This account is already in use: its type and summary flag can no longer change."),
            field="is_group" if is_group != account.is_group else "account_type",
        )


@transaction.atomic
def account_create(
    *,
    code: str,
    name: str,
    account_type: str,
    parent: Account | None = None,
    role: str = "",
    is_group: bool = False,
    reconcilable: bool = False,
    currency: Currency | None = None,
    description: str = "",
    by=None,
) -> Account:
    code = code.strip()
    _account_check(
        account=None,
        code=code,
        parent=parent,
        account_type=account_type,
        role=role,
        is_group=is_group,
        currency=currency,
    )
    account = Account(
        code=code,
        name=name.strip(),
        parent=parent,
        account_type=account_type,
        role=role,
        is_group=is_group,
        reconcilable=reconcilable and not is_group,
        currency=currency,
        description=description.strip(),
    )
    return _created(account, by=by, verb="finance.account.created")


@transaction.atomic
def account_update(
    *,
    account: Account,
    expected_version: int,
    code: str,
    name: str,
    account_type: str,
    parent: Account | None = None,
    role: str = "",
    is_group: bool = False,
    reconcilable: bool = False,
    currency: Currency | None = None,
    description: str = "",
    by=None,
) -> Account:
    code = code.strip()
    account = Account.objects.select_for_update().get(pk=account.pk)
    _account_check(
        account=account,
        code=code,
        parent=parent,
        account_type=account_type,
        role=role,
        is_group=is_group,
        currency=currency,
    )
    before = {"code": account.code, "name": account.name, "parent": account.parent_id, "role": account.role}
    account = versioned_update(
        instance=account,
        expected_version=expected_version,
        by=by,
        fields={
            "code": code,
            "name": name.strip(),
            "parent": parent,
            "account_type": account_type,
            "role": role,
            "is_group": is_group,
            "reconcilable": reconcilable and not is_group,
            "currency": currency,
            "description": description.strip(),
        },
    )
    events.record(verb="finance.account.updated", target=account, actor=by, data={"before": before})
    return account


@transaction.atomic
def account_set_active(*, account: Account, is_active: bool, by) -> Account:
    """Deactivate (no new postings; history and balances stay) or reactivate an account."""
    account = Account.objects.select_for_update(of=("self",)).select_related("parent").get(pk=account.pk)
    if account.is_active == is_active:
        return account
    if not is_active and account.children.filter(is_active=True).exists():
        raise DomainError(_("Deactivate its active sub-accounts first."))
    if is_active:
        if account.parent is not None and not account.parent.is_active:
            raise DomainError(_("Reactivate the parent account first."))
        if account.role in SINGLE_ROLES and Account.objects.filter(role=account.role, is_active=True).exists():
            raise DomainError(rules.single_role_error(account.role))
    return _activation_saved(account, is_active=is_active, by=by, verb_prefix="finance.account")


def account_deletion_refusal(
    account: Account, *, has_children: bool | None = None, usage: list[Usage] | None = None
) -> str | None:
    """Why the account cannot be deleted, or None when it can (pass what the caller already knows)."""
    if has_children if has_children is not None else account.children.exists():
        return _("The account has sub-accounts: delete or move them first.")
    usage = account.usage() if usage is None else usage
    if usage:
        return _("The account is in use (%(usage)s): deactivate it instead.") % {
            "usage": ", ".join(str(item) for item in usage)
        }
    return None


@transaction.atomic
def account_delete(*, account: Account, by, reason: str) -> None:
    """Only an account nothing refers to can go; it is soft-deleted (history stays, the code is free again)."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    refusal = account_deletion_refusal(account)
    if refusal:
        raise DomainError(refusal)
    soft_delete(instance=account, by=by, reason=reason)


# --- Fiscal years and periods ---------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def fiscal_year_name(start: date) -> str:
    """“2025” for a calendar year, “2025/26” for April 2025 – March 2026."""
    return str(start.year) if start.month == 1 else f"{start.year}/{(start.year + 1) % 100:02d}"


def next_fiscal_year_start() -> date | None:
    """The day after the latest fiscal year ends (None when there is no fiscal year yet)."""
    latest = FiscalYear.objects.order_by("-end_date").values_list("end_date", flat=True).first()
    return latest + timedelta(days=1) if latest else None


@transaction.atomic
def fiscal_year_create(*, first_year: int, start_month: int, by) -> FiscalYear:
    """A fiscal year of twelve monthly periods starting on the 1st of ``start_month`` of ``first_year``.

    Fiscal years follow each other without gaps: a new one starts the day after the latest
    ends, or ends the day before the earliest begins."""
    if not 1 <= start_month <= 12:
        raise DomainError(_("Choose a month between 1 and 12."), field="start_month")
    if not 1900 <= first_year <= 2999:
        raise DomainError(_("Enter a year between 1900 and 2999."), field="first_year")
    start = date(first_year, start_month, 1)
    end = _add_months(start, 12) - timedelta(days=1)
    years = list(FiscalYear.objects.select_for_update().order_by("start_date"))
    if years and start != years[-1].end_date + timedelta(days=1) and end != years[0].start_date - timedelta(days=1):
        raise DomainError(
            _(
                "Fiscal years follow each other without gaps or overlaps: the next one starts on %(next)s, "
                "the one before %(first)s ends on %(previous)s."
            )
            % {
                "next": date_format(years[-1].end_date + timedelta(days=1), "SHORT_DATE_FORMAT"),
                "first": years[0].name,
                "previous": date_format(years[0].start_date - timedelta(days=1), "SHORT_DATE_FORMAT"),
            },
            field="first_year",
        )
    name = fiscal_year_name(start)
    if any(year.name == name for year in years):
        raise DomainError(_("A fiscal year named %(name)s already exists.") % {"name": name}, field="first_year")
    fiscal_year = FiscalYear(name=name, start_date=start, end_date=end, created_by=by)
    fiscal_year._history_user = by
    fiscal_year.save()
    periods = []
    for number in range(1, 13):
        period_start = _add_months(start, number - 1)
        periods.append(
            Period(
                fiscal_year=fiscal_year,
                number=number,
                name=f"{period_start:%Y-%m}",
                start_date=period_start,
                end_date=_add_months(start, number) - timedelta(days=1),
            )
        )
    bulk_create_with_history(periods, Period, default_user=by)
    events.record(
        verb="finance.fiscalyear.created",
        target=fiscal_year,
        actor=by,
        data={"start": start.isoformat(), "end": end.isoformat()},
    )
    return fiscal_year


def _require_close_permission(by) -> None:
    if by is None or not by.has_perm("finance.close_period"):
        raise DomainError(_("You may not close or reopen periods."))


@transaction.atomic
def period_close(*, period: Period, by) -> Period:
    """Close a period: from now on nothing can be posted into it.

    The row lock waits for postings that checked the period (``periods.assert_open(lock=True)``
    holds a share lock on it) to commit, so no posting slips in after the close."""
    _require_close_permission(by)
    period = Period.objects.select_for_update(of=("self",)).select_related("fiscal_year").get(pk=period.pk)
    if not period.is_open:
        raise DomainError(_("%(period)s is already closed.") % {"period": period.label})
    period.status = PeriodStatus.CLOSED
    period.closed_at = timezone.now()
    period.closed_by = by
    period._history_user = by
    period.save(update_fields=["status", "closed_at", "closed_by"])
    events.record(verb="finance.period.closed", target=period, actor=by, data={"period": period.name})
    return period


@transaction.atomic
def period_reopen(*, period: Period, by) -> Period:
    _require_close_permission(by)
    period = Period.objects.select_for_update(of=("self",)).select_related("fiscal_year").get(pk=period.pk)
    if period.is_open:
        raise DomainError(_("%(period)s is open already.") % {"period": period.label})
    if period.fiscal_year.is_closed:
        raise DomainError(
            _("The fiscal year %(year)s is closed: its periods cannot be reopened.") % {"year": period.fiscal_year.name}
        )
    period.status = PeriodStatus.OPEN
    period.closed_at = None
    period.closed_by = None
    period._history_user = by
    period.save(update_fields=["status", "closed_at", "closed_by"])
    events.record(verb="finance.period.reopened", target=period, actor=by, data={"period": period.name})
    return period


# --- Tax codes --------------------------------------------------------------------------------


def _tax_code_check(*, tax_code: TaxCode | None, code: str, rate: Decimal, account: Account) -> None:
    error = rules.code_error(code)
    if error:
        raise DomainError(error, field="code")
    same = TaxCode.objects.filter(code__iexact=code)
    if tax_code is not None:
        same = same.exclude(pk=tax_code.pk)
    if same.exists():
        raise DomainError(_("A tax code %(code)s already exists.") % {"code": code}, field="code")
    if rate is None or not Decimal(0) <= rate <= Decimal(100):
        raise DomainError(_("The rate is a percentage between 0 and 100."), field="rate")
    if not Account.objects.postable().filter(pk=account.pk).exists():
        raise DomainError(_("Choose an active account that can be posted to."), field="account")


@transaction.atomic
def tax_code_create(
    *,
    code: str,
    name: str,
    rate: Decimal,
    tax_type: str,
    account: Account,
    price_included: bool = False,
    description: str = "",
    by=None,
) -> TaxCode:
    code = code.strip()
    _tax_code_check(tax_code=None, code=code, rate=rate, account=account)
    tax_code = TaxCode(
        code=code,
        name=name.strip(),
        rate=rate,
        tax_type=tax_type,
        account=account,
        price_included=price_included,
        description=description.strip(),
    )
    return _created(tax_code, by=by, verb="finance.taxcode.created")


@transaction.atomic
def tax_code_update(
    *,
    tax_code: TaxCode,
    expected_version: int,
    code: str,
    name: str,
    rate: Decimal,
    tax_type: str,
    account: Account,
    price_included: bool = False,
    description: str = "",
    by=None,
) -> TaxCode:
    code = code.strip()
    _tax_code_check(tax_code=tax_code, code=code, rate=rate, account=account)
    tax_code = versioned_update(
        instance=tax_code,
        expected_version=expected_version,
        by=by,
        fields={
            "code": code,
            "name": name.strip(),
            "rate": rate,
            "tax_type": tax_type,
            "account": account,
            "price_included": price_included,
            "description": description.strip(),
        },
    )
    events.record(verb="finance.taxcode.updated", target=tax_code, actor=by)
    return tax_code


@transaction.atomic
def tax_code_set_active(*, tax_code: TaxCode, is_active: bool, by) -> TaxCode:
    tax_code = TaxCode.objects.select_for_update(of=("self",)).select_related("account").get(pk=tax_code.pk)
    if is_active and not tax_code.account.is_postable:
        raise DomainError(_("Its tax account %(account)s is deactivated.") % {"account": tax_code.account})
    return _activation_saved(tax_code, is_active=is_active, by=by, verb_prefix="finance.taxcode")

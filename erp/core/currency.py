"""Money in several currencies: rounding, daily exchange rates, conversion.

A rate row says: one unit of ``from_currency`` is worth ``rate`` units of
``to_currency`` on ``date``. The rate that applies on a day is the latest one
on or before that day; when only the opposite pair was entered, its inverse
serves. Amounts are rounded half-up to the target currency's own decimal places
(0 for JPY, 3 for KWD)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from erp.core import events
from erp.core.exceptions import DomainError
from erp.core.models import Company, Currency, ExchangeRate

CurrencyLike = Currency | str


class RateNotFound(DomainError):
    """No rate for the pair (in either direction) on or before the day."""


def quantize(amount: Decimal, places: int) -> Decimal:
    """``amount`` rounded half-up (away from zero on a tie) to ``places`` decimal places."""
    return Decimal(amount).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _currency(value: CurrencyLike) -> Currency:
    if isinstance(value, Currency):
        return value
    code = (value or "").strip().upper()
    try:
        return Currency.objects.get(code=code)
    except Currency.DoesNotExist:
        raise DomainError(_("Unknown currency %(code)s.") % {"code": code}) from None


def _code(value: CurrencyLike) -> str:
    return value.code if isinstance(value, Currency) else (value or "").strip().upper()


def round_money(amount: Decimal, currency: CurrencyLike) -> Decimal:
    """``amount`` rounded half-up to the currency's own decimal places."""
    return quantize(amount, _currency(currency).decimal_places)


@dataclass(frozen=True)
class Quote:
    """The rate that applies: the stored row it comes from and whether it was read backwards."""

    from_code: str
    to_code: str
    on_date: date
    rate_date: date
    stored_rate: Decimal
    inverse: bool

    @property
    def rate(self) -> Decimal:
        """Units of the target currency per unit of the source currency."""
        return Decimal(1) / self.stored_rate if self.inverse else self.stored_rate

    def apply(self, amount: Decimal) -> Decimal:
        """``amount`` in the target currency, unrounded (dividing by an inverse rate loses nothing)."""
        return Decimal(amount) / self.stored_rate if self.inverse else Decimal(amount) * self.stored_rate


def quote(*, from_currency: CurrencyLike, to_currency: CurrencyLike, on_date: date) -> Quote:
    """The rate for converting on ``on_date``: the latest entered on or before that day.

    Both directions are considered in one query; the more recent row wins and, on the same
    day, the pair as asked beats its inverse. Raises ``RateNotFound`` when there is none."""
    source, target = _code(from_currency), _code(to_currency)
    if source == target:
        return Quote(source, target, on_date, on_date, Decimal(1), inverse=False)
    row = (
        ExchangeRate.objects.filter(
            Q(from_currency_id=source, to_currency_id=target) | Q(from_currency_id=target, to_currency_id=source),
            date__lte=on_date,
        )
        .annotate(
            inverse=Case(When(from_currency_id=source, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("-date", "inverse")
        .values("date", "rate", "inverse")
        .first()
    )
    if row is None:
        raise RateNotFound(
            _("There is no exchange rate from %(source)s to %(target)s on or before %(date)s.")
            % {"source": source, "target": target, "date": date_format(on_date, "SHORT_DATE_FORMAT")}
        )
    return Quote(source, target, on_date, row["date"], row["rate"], inverse=bool(row["inverse"]))


def rate(*, from_currency: CurrencyLike, to_currency: CurrencyLike, on_date: date) -> Decimal:
    """Units of ``to_currency`` per unit of ``from_currency`` on ``on_date``."""
    return quote(from_currency=from_currency, to_currency=to_currency, on_date=on_date).rate


def convert(amount: Decimal, from_currency: CurrencyLike, to_currency: CurrencyLike, on_date: date) -> Decimal:
    """``amount`` of ``from_currency`` expressed in ``to_currency`` on ``on_date``, rounded half-up
    to the target currency's decimal places."""
    target = _currency(to_currency)
    found = quote(from_currency=from_currency, to_currency=target, on_date=on_date)
    return quantize(found.apply(amount), target.decimal_places)


def company_currency() -> Currency:
    return Company.objects.select_related("currency").get().currency


# --- Writes -----------------------------------------------------------------------------------


def rate_validate(*, from_currency: Currency, to_currency: Currency, value: Decimal) -> Decimal:
    if from_currency.pk == to_currency.pk:
        raise DomainError(_("Choose two different currencies."), field="to_currency")
    for field, currency in (("from_currency", from_currency), ("to_currency", to_currency)):
        if not currency.is_active:
            raise DomainError(
                _("The currency %(code)s is deactivated. Activate it first.") % {"code": currency.code}, field=field
            )
    if value is None or value <= 0:
        raise DomainError(_("The rate must be greater than zero."), field="rate")
    rounded = quantize(value, ExchangeRate.RATE_PLACES)
    if rounded <= 0:
        raise DomainError(
            _("The rate is too small: use at most %(places)d decimal places or enter the inverse pair.")
            % {"places": ExchangeRate.RATE_PLACES},
            field="rate",
        )
    if rounded.adjusted() >= ExchangeRate.RATE_DIGITS - ExchangeRate.RATE_PLACES:
        raise DomainError(_("The rate is too large: enter the inverse pair instead."), field="rate")
    return rounded


@transaction.atomic
def exchange_rate_create(
    *, from_currency: Currency, to_currency: Currency, on_date: date, value: Decimal, by
) -> ExchangeRate:
    value = rate_validate(from_currency=from_currency, to_currency=to_currency, value=value)
    if ExchangeRate.objects.filter(from_currency=from_currency, to_currency=to_currency, date=on_date).exists():
        raise DomainError(
            _("A rate from %(source)s to %(target)s on %(date)s already exists: edit it instead.")
            % {
                "source": from_currency.code,
                "target": to_currency.code,
                "date": date_format(on_date, "SHORT_DATE_FORMAT"),
            },
            field="date",
        )
    exchange_rate = ExchangeRate(
        from_currency=from_currency, to_currency=to_currency, date=on_date, rate=value, created_by=by
    )
    exchange_rate._history_user = by
    exchange_rate.save()
    events.record(verb="core.exchangerate.created", target=exchange_rate, actor=by, data={"rate": str(value)})
    return exchange_rate


@transaction.atomic
def exchange_rate_update(*, exchange_rate: ExchangeRate, value: Decimal, by) -> ExchangeRate:
    locked = ExchangeRate.objects.select_for_update(of=("self",)).select_related("from_currency", "to_currency")
    exchange_rate = locked.get(pk=exchange_rate.pk)
    value = rate_validate(from_currency=exchange_rate.from_currency, to_currency=exchange_rate.to_currency, value=value)
    before = exchange_rate.rate
    exchange_rate.rate = value
    exchange_rate.source = ExchangeRate.Source.MANUAL
    exchange_rate._history_user = by
    exchange_rate.save(update_fields=["rate", "source", "updated_at"])
    events.record(
        verb="core.exchangerate.updated",
        target=exchange_rate,
        actor=by,
        data={"before": str(before), "rate": str(value)},
    )
    return exchange_rate


@transaction.atomic
def exchange_rate_delete(*, exchange_rate: ExchangeRate, by) -> None:
    """Documents keep the rate they were booked with, so a wrong rate row can simply go."""
    events.record(
        verb="core.exchangerate.deleted", target=exchange_rate, actor=by, data={"rate": str(exchange_rate.rate)}
    )
    exchange_rate._history_user = by
    exchange_rate.delete()


@transaction.atomic
def currency_set_active(*, currency: Currency, is_active: bool, by) -> Currency:
    currency = Currency.objects.select_for_update().get(pk=currency.pk)
    if not is_active and Company.objects.filter(currency=currency).exists():
        raise DomainError(_("%(code)s is the company currency and stays active.") % {"code": currency.code})
    currency.is_active = is_active
    currency.save(update_fields=["is_active"])
    events.record(
        verb="core.currency.activated" if is_active else "core.currency.deactivated", target=currency, actor=by
    )
    return currency

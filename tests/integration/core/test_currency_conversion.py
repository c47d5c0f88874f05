"""Exchange rate lookup and conversion: latest rate on or before the day, inverse pairs, rounding."""

from datetime import date
from decimal import Decimal

import pytest

from erp.core import currency
from erp.core.currency import RateNotFound
from erp.core.models import Currency, ExchangeRate


def rate(source: str, target: str, day: date, value: str) -> ExchangeRate:
    return ExchangeRate.objects.create(from_currency_id=source, to_currency_id=target, date=day, rate=Decimal(value))


pytestmark = pytest.mark.django_db


class TestQuote:
    def test_takes_the_latest_rate_on_or_before_the_day(self):
        rate("EUR", "USD", date(2025, 1, 2), "1.03")
        rate("EUR", "USD", date(2025, 1, 6), "1.04")
        rate("EUR", "USD", date(2025, 1, 9), "1.05")

        found = currency.quote(from_currency="EUR", to_currency="USD", on_date=date(2025, 1, 8))

        assert (found.rate, found.rate_date, found.inverse) == (Decimal("1.04"), date(2025, 1, 6), False)

    def test_uses_the_inverse_pair_when_only_that_exists(self):
        rate("USD", "EUR", date(2025, 1, 2), "0.8")

        assert currency.rate(from_currency="EUR", to_currency="USD", on_date=date(2025, 1, 3)) == Decimal("1.25")

    def test_prefers_the_more_recent_of_the_two_directions(self):
        rate("EUR", "USD", date(2025, 1, 2), "1.10")
        rate("USD", "EUR", date(2025, 1, 5), "0.8")

        found = currency.quote(from_currency="EUR", to_currency="USD", on_date=date(2025, 1, 6))

        assert found.inverse
        assert found.rate == Decimal("1.25")

    def test_prefers_the_pair_as_asked_on_the_same_day(self):
        rate("EUR", "USD", date(2025, 1, 2), "1.10")
        rate("USD", "EUR", date(2025, 1, 2), "0.8")

        assert currency.rate(from_currency="EUR", to_currency="USD", on_date=date(2025, 1, 2)) == Decimal("1.10")

    def test_a_currency_converts_to_itself_at_one(self):
        assert currency.rate(from_currency="EUR", to_currency="EUR", on_date=date(2025, 1, 1)) == 1

    def test_names_the_pair_and_day_when_there_is_no_rate(self):
        rate("EUR", "USD", date(2025, 1, 10), "1.03")

        with pytest.raises(RateNotFound) as refused:
            currency.quote(from_currency="EUR", to_currency="USD", on_date=date(2025, 1, 9))

        assert str(refused.value) == "There is no exchange rate from EUR to USD on or before 01/09/2025."

    def test_ignores_rates_of_other_pairs(self):
        rate("EUR", "GBP", date(2025, 1, 1), "0.85")

        with pytest.raises(RateNotFound):
            currency.rate(from_currency="EUR", to_currency="USD", on_date=date(2025, 1, 2))


class TestConvert:
    def test_rounds_half_up_to_the_target_currencys_places(self):
        rate("EUR", "JPY", date(2025, 1, 2), "161.25")

        assert currency.convert(Decimal("10.10"), "EUR", "JPY", date(2025, 1, 2)) == Decimal("1629")
        assert currency.convert(Decimal("0.02"), "EUR", "JPY", date(2025, 1, 2)) == Decimal("3")

    def test_divides_by_an_inverse_rate_without_losing_precision(self):
        rate("USD", "EUR", date(2025, 1, 2), "0.9")

        converted = currency.convert(Decimal("1000000000.00"), "EUR", "USD", date(2025, 1, 2))

        assert converted == Decimal("1111111111.11")

    def test_accepts_currency_rows_as_well_as_codes(self):
        rate("EUR", "KWD", date(2025, 1, 2), "0.3215")
        eur, kwd = Currency.objects.get(code="EUR"), Currency.objects.get(code="KWD")

        assert currency.convert(Decimal("100"), eur, kwd, date(2025, 1, 2)) == Decimal("32.150")

    def test_refuses_an_unknown_currency(self):
        with pytest.raises(currency.DomainError, match="XXY"):
            currency.convert(Decimal("1"), "EUR", "XXY", date(2025, 1, 2))


class TestRoundMoneyByCode:
    def test_looks_up_the_places_of_a_currency_code(self):
        assert currency.round_money(Decimal("12.5"), "JPY") == Decimal("13")
        assert currency.round_money(Decimal("12.3456"), "eur") == Decimal("12.35")

    def test_company_currency_is_the_tenants(self):
        assert currency.company_currency().code == "EUR"

"""Rounding money to a currency's own decimal places, half-up."""

from decimal import Decimal

import pytest

from erp.core.currency import quantize, round_money
from erp.core.models import Currency

EUR = Currency(code="EUR", name="Euro", decimal_places=2)
JPY = Currency(code="JPY", name="Yen", decimal_places=0)
KWD = Currency(code="KWD", name="Kuwaiti Dinar", decimal_places=3)


class TestRoundMoney:
    @pytest.mark.parametrize(
        ("amount", "currency", "expected"),
        [
            ("2.345", EUR, "2.35"),
            ("2.344", EUR, "2.34"),
            ("-2.345", EUR, "-2.35"),
            ("0.005", EUR, "0.01"),
            ("1234.5", JPY, "1235"),
            ("1234.4999", JPY, "1234"),
            ("1.0005", KWD, "1.001"),
            ("7", EUR, "7.00"),
        ],
    )
    def test_rounds_half_up_to_the_currencys_places(self, amount, currency, expected):
        result = round_money(Decimal(amount), currency)

        assert result == Decimal(expected)
        assert str(result) == expected

    def test_rounds_a_tie_away_from_zero_in_both_directions(self):
        assert quantize(Decimal("0.125"), 2) == Decimal("0.13")
        assert quantize(Decimal("-0.125"), 2) == Decimal("-0.13")

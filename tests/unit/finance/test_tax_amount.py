"""Splitting amounts into net, tax and gross for tax-exclusive and tax-inclusive prices."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erp.finance.tax import tax_amount


@dataclass
class Rate:
    rate: Decimal
    price_included: bool = False


VAT19 = Rate(Decimal("19"))
VAT19_INCLUDED = Rate(Decimal("19"), price_included=True)
VAT7_INCLUDED = Rate(Decimal("7"), price_included=True)


def d(value: str) -> Decimal:
    return Decimal(value)


class TestExclusive:
    def test_adds_the_tax_to_the_net_amount(self):
        assert tax_amount(d("100.00"), VAT19) == (d("100.00"), d("19.00"), d("119.00"))

    def test_rounds_the_tax_half_up(self):
        # 0.05 × 19 % = 0.0095 → 0.01; 10.25 × 19 % = 1.9475 → 1.95
        assert tax_amount(d("0.05"), VAT19) == (d("0.05"), d("0.01"), d("0.06"))
        assert tax_amount(d("10.25"), VAT19) == (d("10.25"), d("1.95"), d("12.20"))

    def test_rounds_a_net_amount_with_more_places_first(self):
        assert tax_amount(d("10.005"), VAT19) == (d("10.01"), d("1.90"), d("11.91"))

    def test_a_zero_rate_gives_no_tax(self):
        assert tax_amount(d("80.00"), Rate(Decimal("0"))) == (d("80.00"), d("0.00"), d("80.00"))

    def test_uses_the_currencys_places(self):
        assert tax_amount(d("1000"), VAT19, places=0) == (d("1000"), d("190"), d("1190"))
        assert tax_amount(d("1.005"), Rate(Decimal("5")), places=3) == (d("1.005"), d("0.050"), d("1.055"))


class TestInclusive:
    def test_takes_the_tax_out_of_the_gross_amount(self):
        assert tax_amount(d("119.00"), VAT19_INCLUDED) == (d("100.00"), d("19.00"), d("119.00"))

    def test_rounds_the_tax_and_derives_the_net(self):
        # 10.00 × 19 / 119 = 1.5966… → 1.60, net 8.40
        assert tax_amount(d("10.00"), VAT19_INCLUDED) == (d("8.40"), d("1.60"), d("10.00"))
        # 9.99 × 7 / 107 = 0.6535… → 0.65, net 9.34
        assert tax_amount(d("9.99"), VAT7_INCLUDED) == (d("9.34"), d("0.65"), d("9.99"))

    def test_a_credit_note_is_the_exact_negative(self):
        assert tax_amount(d("-10.00"), VAT19_INCLUDED) == (d("-8.40"), d("-1.60"), d("-10.00"))


AMOUNTS = st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=2)
RATES = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=4)


class TestProperties:
    @given(amount=AMOUNTS, rate=RATES, included=st.booleans())
    def test_net_plus_tax_is_gross_to_the_cent(self, amount, rate, included):
        net, tax, gross = tax_amount(amount, Rate(rate, included))

        assert net + tax == gross
        assert tax.as_tuple().exponent == -2

    @given(amount=AMOUNTS, rate=RATES, included=st.booleans())
    def test_negative_amounts_mirror_positive_ones(self, amount, rate, included):
        positive = tax_amount(abs(amount), Rate(rate, included))
        negative = tax_amount(-abs(amount), Rate(rate, included))

        assert negative == tuple(-value for value in positive)

    @given(net=AMOUNTS, rate=RATES)
    def test_the_gross_of_a_net_price_splits_back_into_the_same_net_and_tax(self, net, rate):
        exclusive = tax_amount(net, Rate(rate))

        inclusive = tax_amount(exclusive.gross, Rate(rate, price_included=True))

        assert inclusive == exclusive


@pytest.mark.parametrize("amount", ["19.99", "0.01", "123456.78"])
def test_the_result_names_its_parts(amount):
    split = tax_amount(d(amount), VAT19)

    assert (split.net, split.tax, split.gross) == tuple(split)

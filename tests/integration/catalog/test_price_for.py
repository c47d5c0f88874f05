"""price_for: quantity breaks, validity dates, the product's own price as fallback, units and currencies."""

from datetime import date
from decimal import Decimal

import pytest

from erp.catalog.pricing import Source, best_item, price_for
from erp.core.currency import RateNotFound, exchange_rate_create
from erp.core.models import Currency
from tests.factories.catalog import price_item, price_list, product, unit

pytestmark = pytest.mark.django_db

D = Decimal
JUNE = date(2025, 6, 15)


@pytest.fixture
def screws():
    return product(sku="SCR", sales_price=D("0.10"), conversions={"box": "100"})


@pytest.fixture
def wholesale(screws):
    prices = price_list(code="WHOLESALE", currency="EUR")
    price_item(prices, screws, "0.09")
    price_item(prices, screws, "0.08", min_quantity=D("500"))
    price_item(prices, screws, "0.07", min_quantity=D("1000"))
    return prices


class TestQuantityBreaks:
    def test_below_the_first_break_the_base_price_applies(self, screws, wholesale):
        found = price_for(screws, D("10"), JUNE, wholesale, "EUR", uom=unit("pc"))

        assert (found.amount, found.source, found.item.min_quantity) == (D("0.090000"), Source.PRICE_LIST, D("0"))

    def test_exactly_at_a_break_its_price_applies(self, screws, wholesale):
        assert price_for(screws, D("500"), JUNE, wholesale, "EUR", uom=unit("pc")).amount == D("0.08")

    def test_above_the_highest_break_the_lowest_price_applies(self, screws, wholesale):
        assert price_for(screws, D("5000"), JUNE, wholesale, "EUR", uom=unit("pc")).amount == D("0.07")

    def test_breaks_count_in_base_units_when_selling_in_boxes(self, screws, wholesale):
        found = price_for(screws, D("6"), JUNE, wholesale, "EUR", uom=unit("box"))  # 600 pieces

        assert found.amount == D("8.00")  # 0.08 per piece × 100 pieces per box
        assert found.uom.code == "box"


class TestValidity:
    def test_a_dated_promotion_beats_the_open_ended_price_while_it_runs(self, screws, wholesale):
        price_item(wholesale, screws, "0.05", valid_from=date(2025, 6, 1), valid_to=date(2025, 6, 30))

        assert price_for(screws, D("1"), JUNE, wholesale, "EUR", uom=unit("pc")).amount == D("0.05")
        assert price_for(screws, D("1"), date(2025, 7, 1), wholesale, "EUR", uom=unit("pc")).amount == D("0.09")

    def test_the_last_day_of_validity_is_included(self, screws, wholesale):
        price_item(wholesale, screws, "0.05", valid_from=date(2025, 6, 1), valid_to=date(2025, 6, 30))

        assert price_for(screws, D("1"), date(2025, 6, 30), wholesale, "EUR", uom=unit("pc")).amount == D("0.05")

    def test_a_price_not_yet_valid_is_ignored(self, screws, wholesale):
        price_item(wholesale, screws, "0.01", valid_from=date(2026, 1, 1))

        assert price_for(screws, D("1"), JUNE, wholesale, "EUR", uom=unit("pc")).amount == D("0.09")

    def test_the_later_start_wins_between_two_dated_prices(self, screws):
        prices = price_list(currency="EUR")
        price_item(prices, screws, "0.20", valid_from=date(2025, 1, 1))
        price_item(prices, screws, "0.30", valid_from=date(2025, 6, 1))

        assert price_for(screws, D("1"), JUNE, prices, "EUR", uom=unit("pc")).amount == D("0.30")


class TestFallbackAndCurrency:
    def test_without_a_price_list_the_products_sales_price_applies(self, screws):
        found = price_for(screws, D("3"), JUNE, None, "EUR", uom=unit("pc"))

        assert (found.amount, found.source, found.item) == (D("0.10"), Source.PRODUCT, None)

    def test_a_product_missing_from_the_list_falls_back_to_its_own_price(self, wholesale):
        other = product(sales_price=D("2.50"))

        assert price_for(other, D("1"), JUNE, wholesale, "EUR").source == Source.PRODUCT

    def test_converts_to_the_requested_currency_at_the_days_rate(self, screws, wholesale):
        Currency.objects.filter(code="USD").update(is_active=True)
        exchange_rate_create(
            from_currency=Currency.objects.get(code="EUR"),
            to_currency=Currency.objects.get(code="USD"),
            on_date=date(2025, 6, 1),
            value=D("1.10"),
            by=None,
        )

        found = price_for(screws, D("1000"), JUNE, wholesale, "USD", uom=unit("pc"))

        assert (found.amount, found.currency_code) == (D("0.077000"), "USD")

    def test_a_missing_rate_is_a_clear_refusal(self, screws, wholesale):
        with pytest.raises(RateNotFound):
            price_for(screws, D("1"), JUNE, wholesale, "JPY", uom=unit("pc"))

    def test_defaults_to_the_products_sales_unit(self, wholesale):
        boxed = product(sales_uom=unit("box"), conversions={"box": "10"}, sales_price=D("1"))

        found = price_for(boxed, D("1"), JUNE, None, "EUR")

        assert (found.uom.code, found.amount) == ("box", D("10"))


class TestBestItemIsPure:
    def test_needs_no_database(self, screws, wholesale, django_assert_num_queries):
        items = list(wholesale.items.all())

        with django_assert_num_queries(0):
            chosen = best_item(items, base_quantity=D("750"), on=JUNE)

        assert chosen.price == D("0.08")

    def test_nothing_matches_below_every_minimum(self, screws):
        prices = price_list()
        price_item(prices, screws, "1", min_quantity=D("10"))

        assert best_item(list(prices.items.all()), base_quantity=D("5"), on=JUNE) is None

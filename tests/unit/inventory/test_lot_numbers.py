"""Lot and serial numbers typed into one field."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from erp.inventory.selectors import suggested_quantity
from erp.inventory.services import lot_names


class TestLotNames:
    def test_commas_spaces_semicolons_and_lines_separate_numbers(self):
        assert lot_names("SN-1, SN-2;SN-3\nSN-4  SN-5") == ["SN-1", "SN-2", "SN-3", "SN-4", "SN-5"]

    def test_an_empty_field_names_nothing(self):
        assert lot_names(" , ") == []


def _rule(forecast: str, low: str, high: str, multiple: str = "1"):
    return SimpleNamespace(
        forecast=Decimal(forecast), min_quantity=Decimal(low), max_quantity=Decimal(high), multiple=Decimal(multiple)
    )


class TestSuggestedQuantity:
    def test_orders_up_to_the_maximum_when_the_forecast_is_below_the_minimum(self):
        assert suggested_quantity(_rule("3", "5", "20")) == Decimal("17")

    def test_rounds_up_to_the_multiple(self):
        assert suggested_quantity(_rule("3", "5", "20", multiple="12")) == Decimal("24")

    def test_orders_nothing_at_or_above_the_minimum(self):
        assert suggested_quantity(_rule("5", "5", "20")) == 0

"""Converting quantities between units: by category ratio, by a product's own conversion, rounding."""

from decimal import ROUND_UP, Decimal

import pytest

from erp.catalog import units
from tests.factories.catalog import product, unit

pytestmark = pytest.mark.django_db


class TestConvertWithinACategory:
    def test_converts_kilograms_to_grams(self):
        assert units.convert(Decimal("1.25"), from_uom=unit("kg"), to_uom=unit("g")) == Decimal("1250.0")

    def test_rounds_half_up_to_the_target_units_places(self):
        # 1 g = 0.001 kg; 1.2345 kg would need 4 places, kg keeps 3: 0.0015 → 0.002
        assert units.convert(Decimal("1.5"), from_uom=unit("g"), to_uom=unit("kg")) == Decimal("0.002")

    def test_keeps_the_stored_precision_when_asked_for_the_exact_value(self):
        assert units.convert(Decimal("1.5"), from_uom=unit("g"), to_uom=unit("kg"), exact=True) == Decimal("0.001500")

    def test_converts_pounds_with_their_irrational_looking_ratio(self):
        assert units.convert(Decimal("10"), from_uom=unit("lb"), to_uom=unit("kg")) == Decimal("4.536")

    def test_hours_to_minutes(self):
        assert units.convert(Decimal("1.5"), from_uom=unit("h"), to_uom=unit("min")) == Decimal("90")

    def test_refuses_units_of_different_categories(self):
        with pytest.raises(units.UnitsNotConvertible):
            units.convert(Decimal("1"), from_uom=unit("kg"), to_uom=unit("m"))

    def test_refuses_a_packaging_unit_without_a_product(self):
        with pytest.raises(units.UnitsNotConvertible):
            units.convert(Decimal("1"), from_uom=unit("box"), to_uom=unit("pc"))


class TestConvertForAProduct:
    def test_buys_in_boxes_and_counts_pieces(self):
        screws = product(conversions={"box": "12"}, purchase_uom=unit("box"))

        assert units.to_base(Decimal("3"), product=screws, uom=unit("box")) == Decimal("36")

    def test_pieces_to_boxes_round_half_up_by_default(self):
        screws = product(conversions={"box": "12"})

        assert units.from_base(Decimal("30"), product=screws, uom=unit("box")) == Decimal("3")  # 2.5 → 3
        assert units.from_base(Decimal("29"), product=screws, uom=unit("box")) == Decimal("2")  # 2.42 → 2

    def test_rounds_up_when_asked_how_many_boxes_are_needed(self):
        screws = product(conversions={"box": "12"})

        assert units.from_base(Decimal("25"), product=screws, uom=unit("box"), rounding=ROUND_UP) == Decimal("3")

    def test_converts_between_two_units_of_the_product(self):
        screws = product(conversions={"box": "12", "pallet": "480"})

        assert units.convert(Decimal("2"), from_uom=unit("pallet"), to_uom=unit("box"), product=screws) == 80

    def test_a_product_counted_in_kilograms_converts_grams_by_ratio(self):
        flour = product(base_uom=unit("kg"))

        assert units.to_base(Decimal("250"), product=flour, uom=unit("g")) == Decimal("0.25")

    def test_a_third_of_a_box_stays_exact_to_six_places_in_base_units(self):
        syringes = product(base_uom=unit("kg"), conversions={"box": "0.333333"})

        assert units.to_base(Decimal("3"), product=syringes, uom=unit("box")) == Decimal("0.999999")

    def test_refuses_a_unit_the_product_does_not_know(self):
        screws = product(conversions={"box": "12"})

        with pytest.raises(units.UnitsNotConvertible, match="pallet"):
            units.to_base(Decimal("1"), product=screws, uom=unit("pallet"))

    def test_uses_prefetched_conversions_without_a_query(self, django_assert_num_queries):
        screws = product(conversions={"box": "12"})
        from erp.catalog.models import Product

        loaded = Product.objects.select_related("base_uom").prefetch_related("conversions").get(pk=screws.pk)
        box = unit("box")

        with django_assert_num_queries(0):
            assert units.to_base(Decimal("2"), product=loaded, uom=box) == Decimal("24")

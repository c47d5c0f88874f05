"""Costing ranges of incoming units: cumulative rounding makes a range's cost independent of how
it is split, which is what lets a back-dated movement re-value only what follows it."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from erp.inventory.valuation import IncomingUnits

CENT = Decimal("0.01")


def _units(*layers: tuple[str, str]) -> IncomingUnits:
    units = IncomingUnits(CENT)
    start = Decimal("0")
    for quantity, value in layers:
        units.add(start, Decimal(quantity), Decimal(value))
        start += Decimal(quantity)
    return units


class TestIncomingUnits:
    def test_the_textbook_fifo_issue_of_25_costs_295(self):
        units = _units(("10", "100.00"), ("10", "120.00"), ("10", "150.00"))

        assert units.cost(Decimal(0), Decimal(25)) == Decimal("295.00")
        assert units.cost(Decimal(25), Decimal(30)) == Decimal("75.00")

    def test_a_third_of_a_layer_is_rounded_so_the_thirds_add_up_to_the_layer(self):
        units = _units(("3", "10.00"))

        parts = [units.cost(Decimal(n), Decimal(n + 1)) for n in range(3)]

        assert parts == [Decimal("3.33"), Decimal("3.34"), Decimal("3.33")]
        assert sum(parts) == Decimal("10.00")

    def test_units_beyond_the_layers_cost_nothing_here(self):
        units = _units(("2", "5.00"))

        assert units.cost(Decimal(1), Decimal(10)) == Decimal("2.50")

    @given(
        layers=st.lists(
            st.tuples(st.integers(min_value=1, max_value=50), st.integers(min_value=0, max_value=100_000)),
            min_size=1,
            max_size=6,
        ),
        cuts=st.lists(st.integers(min_value=0, max_value=300), max_size=6),
    )
    def test_any_split_of_a_range_costs_what_the_whole_range_costs(self, layers, cuts):
        units = _units(*[(str(quantity), str(Decimal(cents) * CENT)) for quantity, cents in layers])
        total = sum(quantity for quantity, _cents in layers)
        points = sorted({min(cut, total) for cut in cuts} | {0, total})

        pieces = sum(units.cost(Decimal(a), Decimal(b)) for a, b in itertools.pairwise(points))

        assert pieces == units.cost(Decimal(0), Decimal(total)) == sum(Decimal(cents) * CENT for _q, cents in layers)

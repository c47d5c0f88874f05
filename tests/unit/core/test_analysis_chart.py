"""The analyses' bar chart: bars scaled to the largest value, no bar for nothing or less."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from erp.core.analysis import bar_chart


@dataclass
class Figure:
    label: str
    billed: Decimal


def test_bars_are_scaled_to_the_largest_value_of_the_chosen_figure():
    rows = [Figure("A", Decimal("200")), Figure("B", Decimal("50")), Figure("C", Decimal("-20"))]

    chart = bar_chart(rows, value=lambda row: row.billed, width=316, height=134)

    assert chart["top"] == Decimal("200") and chart["baseline"] == 100
    assert [(bar.label, bar.value, bar.height, bar.y) for bar in chart["bars"]] == [
        ("A", Decimal("200"), 84.0, 16.0),
        ("B", Decimal("50"), 21.0, 79.0),
        ("C", Decimal("-20"), 0.0, 100.0),
    ]
    assert [bar.x for bar in chart["bars"]] == [23.0, 123.0, 223.0]


def test_only_the_first_rows_are_drawn_and_nothing_draws_no_bar():
    rows = [Figure(str(number), Decimal(number)) for number in range(20)]

    assert len(bar_chart(rows, value=lambda row: row.billed, limit=5)["bars"]) == 5
    assert bar_chart([], value=lambda row: row.billed)["bars"] == []
    assert [bar.height for bar in bar_chart([Figure("Z", Decimal(0))], value=lambda row: row.billed)["bars"]] == [0.0]

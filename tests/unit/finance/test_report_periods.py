"""The report filters' date arithmetic: comparison periods and month shifts."""

from __future__ import annotations

from datetime import date

import pytest

from erp.finance.reports.forms import PREVIOUS_PERIOD, PREVIOUS_YEAR, previous_day, previous_range, shift_months


class TestShiftMonths:
    @pytest.mark.parametrize(
        "day,months,expected",
        [
            (date(2025, 3, 15), -1, date(2025, 2, 15)),
            (date(2025, 3, 31), -1, date(2025, 2, 28)),  # a month's last day stays the last day
            (date(2025, 2, 28), 1, date(2025, 3, 31)),
            (date(2025, 1, 30), 1, date(2025, 2, 28)),  # no 30 February: the month's end
            (date(2024, 2, 29), -12, date(2023, 2, 28)),
            (date(2025, 1, 1), -1, date(2024, 12, 1)),
            (date(2025, 12, 31), 13, date(2027, 1, 31)),
        ],
    )
    def test_moves_by_calendar_months(self, day, months, expected):
        assert shift_months(day, months) == expected


class TestPreviousRange:
    @pytest.mark.parametrize(
        "date_from,date_to,expected",
        [
            (date(2025, 3, 1), date(2025, 3, 31), (date(2025, 2, 1), date(2025, 2, 28))),  # a month
            (date(2025, 4, 1), date(2025, 6, 30), (date(2025, 1, 1), date(2025, 3, 31))),  # a quarter
            (date(2025, 1, 1), date(2025, 12, 31), (date(2024, 1, 1), date(2024, 12, 31))),  # a year
            (date(2025, 3, 11), date(2025, 3, 20), (date(2025, 3, 1), date(2025, 3, 10))),  # ten days
            (date(2025, 3, 5), date(2025, 3, 5), (date(2025, 3, 4), date(2025, 3, 4))),  # one day
        ],
    )
    def test_the_previous_period_has_the_same_length_just_before(self, date_from, date_to, expected):
        assert previous_range(date_from, date_to, PREVIOUS_PERIOD) == expected

    def test_the_same_period_last_year_keeps_month_ends(self):
        assert previous_range(date(2024, 2, 1), date(2024, 2, 29), PREVIOUS_YEAR) == (
            date(2023, 2, 1),
            date(2023, 2, 28),
        )


class TestPreviousDay:
    def test_a_balance_sheet_compares_with_a_month_or_a_year_earlier(self):
        assert previous_day(date(2025, 3, 31), PREVIOUS_PERIOD) == date(2025, 2, 28)
        assert previous_day(date(2025, 3, 31), PREVIOUS_YEAR) == date(2024, 3, 31)

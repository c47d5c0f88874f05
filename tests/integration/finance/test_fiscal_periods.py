"""Fiscal years of twelve monthly periods; closing and reopening periods; which period a day is in."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from erp.core.exceptions import DomainError
from erp.core.models import BusinessEvent
from erp.finance import periods, services
from erp.finance.models import FiscalYear, Period, PeriodStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def accountant(user_with_role):
    return user_with_role("Accountant")


@pytest.fixture
def year_2025(admin_user):
    return services.fiscal_year_create(first_year=2025, start_month=1, by=admin_user)


class TestFiscalYearCreate:
    def test_a_calendar_year_has_twelve_months(self, admin_user):
        year = services.fiscal_year_create(first_year=2024, start_month=1, by=admin_user)

        months = list(year.periods.order_by("number").values_list("name", "start_date", "end_date"))
        assert (year.name, year.start_date, year.end_date) == ("2024", date(2024, 1, 1), date(2024, 12, 31))
        assert len(months) == 12
        assert months[1] == ("2024-02", date(2024, 2, 1), date(2024, 2, 29))
        assert months[11] == ("2024-12", date(2024, 12, 1), date(2024, 12, 31))
        assert all(status == PeriodStatus.OPEN for status in year.periods.values_list("status", flat=True))
        assert BusinessEvent.objects.filter(verb="finance.fiscalyear.created").exists()

    def test_an_april_year_runs_to_march(self, admin_user):
        year = services.fiscal_year_create(first_year=2025, start_month=4, by=admin_user)

        assert (year.name, year.start_date, year.end_date) == ("2025/26", date(2025, 4, 1), date(2026, 3, 31))
        assert year.periods.get(number=12).name == "2026-03"

    def test_years_follow_each_other_in_both_directions(self, year_2025):
        services.fiscal_year_create(first_year=2026, start_month=1, by=None)
        services.fiscal_year_create(first_year=2024, start_month=1, by=None)

        assert list(FiscalYear.objects.order_by("start_date").values_list("name", flat=True)) == [
            "2024",
            "2025",
            "2026",
        ]
        assert services.next_fiscal_year_start() == date(2027, 1, 1)

    @pytest.mark.parametrize(("first_year", "month"), [(2027, 1), (2025, 7), (2025, 1)])
    def test_refuses_gaps_and_overlaps(self, year_2025, first_year, month):
        with pytest.raises(DomainError) as refused:
            services.fiscal_year_create(first_year=first_year, start_month=month, by=None)

        assert "01/01/2026" in refused.value.message
        assert FiscalYear.objects.count() == 1

    def test_refuses_a_month_out_of_range(self):
        with pytest.raises(DomainError):
            services.fiscal_year_create(first_year=2025, start_month=13, by=None)

    def test_the_database_refuses_overlapping_periods(self, year_2025):
        with pytest.raises(IntegrityError), transaction.atomic():
            Period.objects.create(
                fiscal_year=year_2025,
                number=13,
                name="extra",
                start_date=date(2025, 12, 31),
                end_date=date(2025, 12, 31),
            )


class TestPeriodFor:
    def test_finds_the_month_of_a_day(self, year_2025):
        assert periods.period_for(date(2025, 3, 31)).name == "2025-03"
        assert periods.assert_open(date(2025, 3, 1)).name == "2025-03"

    def test_says_when_no_fiscal_year_covers_the_day(self, year_2025):
        with pytest.raises(periods.NoPeriod, match="create the fiscal year"):
            periods.period_for(date(2026, 1, 1))

    def test_names_the_closed_period(self, year_2025, accountant):
        services.period_close(period=year_2025.periods.get(number=3), by=accountant)

        with pytest.raises(periods.PeriodClosed) as refused:
            periods.assert_open(date(2025, 3, 15), field="accounting_date")

        assert "The period March 2025" in refused.value.message
        assert (refused.value.field, refused.value.period.name) == ("accounting_date", "2025-03")

    def test_a_locking_check_must_run_inside_a_transaction(self, year_2025):
        from unittest import mock

        with mock.patch.object(transaction, "get_connection") as get_connection:
            get_connection.return_value.in_atomic_block = False
            with pytest.raises(RuntimeError):
                periods.assert_open(date(2025, 3, 15), lock=True)

    def test_a_locking_check_reads_the_current_status(self, year_2025, accountant):
        period = services.period_close(period=year_2025.periods.get(number=4), by=accountant)
        services.period_reopen(period=period, by=accountant)

        assert periods.assert_open(date(2025, 4, 2), lock=True).is_open


class TestPeriodCloseAndReopen:
    def test_closes_a_period_and_records_who(self, year_2025, accountant):
        period = services.period_close(period=year_2025.periods.get(number=1), by=accountant)

        assert (period.status, period.closed_by) == (PeriodStatus.CLOSED, accountant)
        assert period.history.first().history_user == accountant
        assert BusinessEvent.objects.filter(verb="finance.period.closed", aggregate_id=str(period.pk)).exists()

    def test_reopens_it(self, year_2025, accountant):
        period = services.period_close(period=year_2025.periods.get(number=1), by=accountant)

        period = services.period_reopen(period=period, by=accountant)

        assert (period.status, period.closed_at, period.closed_by) == (PeriodStatus.OPEN, None, None)

    def test_refuses_closing_twice(self, year_2025, accountant):
        period = services.period_close(period=year_2025.periods.get(number=1), by=accountant)

        with pytest.raises(DomainError, match="already closed"):
            services.period_close(period=period, by=accountant)

    def test_needs_the_close_period_permission(self, year_2025, user_with_role):
        with pytest.raises(DomainError, match="may not"):
            services.period_close(period=year_2025.periods.get(number=1), by=user_with_role("Manager"))

    def test_does_not_reopen_a_period_of_a_closed_year(self, year_2025, accountant):
        period = services.period_close(period=year_2025.periods.get(number=1), by=accountant)
        FiscalYear.objects.filter(pk=year_2025.pk).update(status=PeriodStatus.CLOSED)

        with pytest.raises(DomainError, match="2025 is closed"):
            services.period_reopen(period=period, by=accountant)

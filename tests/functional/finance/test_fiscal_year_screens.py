"""Fiscal year screens: list, create, detail with its periods, close and reopen a period."""

from datetime import date

import pytest
from django.urls import reverse

from erp.finance import services
from erp.finance.models import FiscalYear, Period, PeriodStatus
from tests.factories.isolation import record_of_other_tenant

LIST_BUDGET, DETAIL_BUDGET = 15, 25


@pytest.fixture
def accountant(user_with_role):
    return user_with_role("Accountant")


@pytest.fixture
def accountant_client(client_for, accountant):
    return client_for(accountant)


@pytest.fixture
def manager_client(client_for, user_with_role):
    return client_for(user_with_role("Manager"))


@pytest.fixture
def year(admin_user):
    return services.fiscal_year_create(first_year=2025, start_month=1, by=admin_user)


class TestFiscalYearList:
    def test_lists_years_with_their_open_periods(self, accountant_client, year, django_assert_max_num_queries):
        services.fiscal_year_create(first_year=2026, start_month=1, by=None)

        with django_assert_max_num_queries(LIST_BUDGET):
            response = accountant_client.get(reverse("finance:fiscalyear-list"))

        content = response.content.decode()
        assert response.status_code == 200
        assert "2025" in content and "2026" in content
        assert response.context["table"].rows[0].get_cell("open_periods") == 12

    def test_is_refused_without_finance_rights(self, client_for, user_with_role):
        assert client_for(user_with_role("Sales")).get(reverse("finance:fiscalyear-list")).status_code == 403


class TestFiscalYearCreate:
    def test_proposes_the_year_after_the_last_one(self, accountant_client, year):
        response = accountant_client.get(reverse("finance:fiscalyear-create"))

        assert response.context["form"].initial == {"first_year": 2026, "start_month": 1}

    def test_creates_an_april_to_march_year(self, accountant_client):
        response = accountant_client.post(reverse("finance:fiscalyear-create"), {"first_year": 2025, "start_month": 4})

        created = FiscalYear.objects.get()
        assert response["Location"] == created.get_absolute_url()
        assert (created.name, created.end_date) == ("2025/26", date(2026, 3, 31))

    def test_shows_a_gap_next_to_the_year(self, accountant_client, year):
        response = accountant_client.post(reverse("finance:fiscalyear-create"), {"first_year": 2028, "start_month": 1})

        assert response.status_code == 200
        assert "01/01/2026" in str(response.context["form"].errors["first_year"])

    def test_a_manager_may_not_create_one(self, manager_client):
        assert manager_client.get(reverse("finance:fiscalyear-create")).status_code == 403


class TestFiscalYearDetail:
    def test_shows_the_twelve_periods_and_the_close_buttons(
        self, accountant, accountant_client, year, django_assert_max_num_queries
    ):
        services.period_close(period=year.periods.get(number=1), by=accountant)

        with django_assert_max_num_queries(DETAIL_BUDGET):
            response = accountant_client.get(year.get_absolute_url())

        content = response.content.decode()
        assert response.status_code == 200
        assert content.count('<tr id="period-') == 12
        assert "January 2025" in content and "December 2025" in content
        assert reverse("finance:period-reopen", args=[year.periods.get(number=1).pk]) in content
        assert reverse("finance:period-close", args=[year.periods.get(number=2).pk]) in content

    def test_a_manager_sees_the_periods_without_buttons(self, manager_client, year):
        response = manager_client.get(year.get_absolute_url())

        assert response.status_code == 200
        assert "/close/" not in response.content.decode()

    def test_does_not_show_another_tenants_year(self, accountant_client, other_tenant):
        foreign = record_of_other_tenant(
            other_tenant, lambda: services.fiscal_year_create(first_year=2031, start_month=1, by=None)
        )

        assert accountant_client.get(reverse("finance:fiscalyear-detail", args=[foreign.pk])).status_code == 404


class TestPeriodCloseAndReopen:
    def test_closes_and_reopens_a_period(self, accountant_client, year):
        period = year.periods.get(number=5)

        response = accountant_client.post(reverse("finance:period-close", args=[period.pk]), follow=True)
        assert "May 2025 is closed." in response.content.decode()
        assert Period.objects.get(pk=period.pk).status == PeriodStatus.CLOSED
        accountant_client.post(reverse("finance:period-reopen", args=[period.pk]))

        assert Period.objects.get(pk=period.pk).status == PeriodStatus.OPEN

    def test_explains_a_refusal(self, accountant_client, year):
        period = year.periods.get(number=5)

        response = accountant_client.post(reverse("finance:period-reopen", args=[period.pk]), follow=True)

        assert "May 2025 is open already." in response.content.decode()

    def test_needs_the_close_period_permission(self, manager_client, year):
        period = year.periods.get(number=5)

        assert manager_client.post(reverse("finance:period-close", args=[period.pk])).status_code == 403
        assert Period.objects.get(pk=period.pk).status == PeriodStatus.OPEN

    def test_only_posts_close(self, accountant_client, year):
        assert accountant_client.get(reverse("finance:period-close", args=[year.periods.first().pk])).status_code == 405

    def test_cannot_close_another_tenants_period(self, accountant_client, other_tenant):
        def make():
            return services.fiscal_year_create(first_year=2031, start_month=1, by=None).periods.get(number=1)

        foreign = record_of_other_tenant(other_tenant, make)

        assert accountant_client.post(reverse("finance:period-close", args=[foreign.pk])).status_code == 404

"""The sales analysis page and the dashboard's sales chart: net sales of confirmed orders by
customer, product, month or salesperson, with what was invoiced; bad input is a form error."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from erp.sales import services
from tests.factories import partners
from tests.factories import sales as make

pytestmark = pytest.mark.django_db

money = make.money


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def shop(root_organization, admin_user):
    return make.shop(organization=root_organization, by=admin_user)


@pytest.fixture
def client(client_for, user_with_role):
    return client_for(user_with_role("Sales"))


@pytest.fixture
def sales(shop, admin_user):
    """Kunde GmbH: 600.00 in March (2 orders, the service one invoiced), 100.00 in February;
    Zweiter Kunde: 250.00 in March; a draft and a cancelled order do not count."""
    make.order(shop, [make.line(shop.product, 10)], on=date(2026, 3, 2))
    service = make.order(shop, [make.line(description="Beratung", price="100.00")], on=date(2026, 3, 4))
    services.sales_order_invoice(order=service, by=admin_user, on=date(2026, 3, 5), post=True)
    make.order(shop, [make.line(shop.product, 2)], on=date(2026, 2, 20))
    second = partners.partner(name="Zweiter Kunde")
    services.sales_order_create(
        organization=shop.organization,
        partner=second,
        lines=[make.line(shop.product, 5)],
        by=admin_user,
        document_date=date(2026, 3, 6),
        warehouse=shop.warehouse,
    )
    from erp.core.documents import services as documents

    confirmed = services.sales_order_create(
        organization=shop.organization,
        partner=second,
        lines=[make.line(shop.product, 5)],
        by=admin_user,
        document_date=date(2026, 3, 6),
        warehouse=shop.warehouse,
    )
    documents.document_submit(document=confirmed, by=admin_user)
    cancelled = make.order(shop, [make.line(shop.product, 7)], on=date(2026, 3, 6))
    documents.document_cancel(document=cancelled, by=admin_user, reason="Duplicate")


def table(response) -> list[tuple]:
    return [(row.label, row.net, row.invoiced, row.orders) for row in response.context["rows"]]


class TestSalesAnalysis:
    def test_by_customer_largest_first_with_the_total_and_a_chart(self, client, sales):
        response = client.get(reverse("sales:analysis"))

        assert response.status_code == 200
        assert table(response) == [
            ("Kunde GmbH", money("700.00"), money("100.00"), 3),
            ("Zweiter Kunde", money("250.00"), money("0.00"), 1),
        ]
        assert response.context["total"].net == money("950.00")
        content = response.content.decode()
        assert 'id="analysis-chart"' in content and content.count('class="erp-chart-bar"') == 2
        assert "950.00" in content

    def test_by_month_in_date_order(self, client, sales):
        response = client.get(reverse("sales:analysis"), {"by": "month"})

        assert [(row.net, row.orders) for row in response.context["rows"]] == [
            (money("100.00"), 1),
            (money("850.00"), 3),
        ]

    def test_by_product_and_a_period(self, client, sales):
        response = client.get(reverse("sales:analysis"), {"by": "product", "date_from": "2026-03-01"})

        assert table(response) == [
            ("CHAIR Chair", money("750.00"), money("0.00"), 2),
            ("Other lines", money("100.00"), money("100.00"), 1),
        ]

    def test_an_end_before_the_start_is_a_form_error(self, client, sales):
        response = client.get(reverse("sales:analysis"), {"date_from": "2026-03-01", "date_to": "2026-02-01"})

        assert response.status_code == 200
        assert response.context["form"].errors["date_to"] == ["The end lies before the start."]
        assert response.context["rows"] == []

    def test_nonsense_parameters_are_form_errors_not_500(self, client, sales):
        response = client.get(reverse("sales:analysis"), {"by": "colour", "date_from": "yesterday"})

        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"by", "date_from"}

    def test_a_user_without_the_permission_gets_403(self, client_for, user_with_role):
        assert client_for(user_with_role("Warehouse")).get(reverse("sales:analysis")).status_code == 403

    def test_another_tenant_does_not_see_these_sales(self, other_admin_client, sales):
        response = other_admin_client.get(reverse("sales:analysis"))

        assert response.status_code == 200 and response.context["rows"] == []


class TestDashboardChart:
    def test_the_dashboard_shows_the_sales_of_the_last_twelve_months(self, client, sales):
        response = client.get(reverse("core:dashboard"))

        assert response.status_code == 200
        content = response.content.decode()
        assert 'id="dashboard-sales-chart"' in content and content.count('class="erp-chart-bar"') == 2

    def test_users_without_sales_access_get_no_sales_chart(self, client_for, user_with_role, sales):
        response = client_for(user_with_role("Warehouse")).get(reverse("core:dashboard"))

        assert response.status_code == 200
        assert 'id="dashboard-sales-chart"' not in response.content.decode()

"""From a sales order to the customer's account: the order's links lead to the customer ledger and
the statement; the ledger, the aged receivables, the statement PDF and the dunning list show the
order's invoices and what was paid of them."""

from __future__ import annotations

import datetime as dt
import io
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from erp.sales import services
from tests.factories import invoicing as finance
from tests.factories import sales as make

pytestmark = pytest.mark.django_db

money = make.money


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def account(root_organization, admin_user):
    """Two invoices of one order (297.50 on 3 March, 416.50 on 5 March, 30 days net); 100.00 paid
    of the first: 197.50 and 416.50 overdue on 15 May."""
    shop = make.shop(organization=root_organization, by=admin_user)
    order = make.order(shop, [make.line(shop.product, 12)])
    make.deliver(order, by=admin_user, quantities={order.lines.get().pk: money(5)}, on=date(2026, 3, 3))
    first = services.sales_order_invoice(order=order, by=admin_user, on=date(2026, 3, 3), post=True)
    make.deliver(order, by=admin_user, on=date(2026, 3, 5))
    second = services.sales_order_invoice(order=order, by=admin_user, on=date(2026, 3, 5), post=True)
    finance.payment(
        organization=root_organization,
        partner=shop.customer,
        bank=shop.books.bank,
        by=admin_user,
        on=date(2026, 4, 20),
        pays=[(first, "100.00", "0")],
    )
    return shop, order, first, second


@pytest.fixture
def client(client_for, user_with_role):
    return client_for(user_with_role("Sales"))


class TestCustomerAccount:
    def test_the_order_links_to_the_customer_ledger_and_statement_that_open(self, client, account):
        shop, order, _first, _second = account

        page = client.get(reverse("sales:salesorder-detail", args=[order.pk])).content.decode()

        ledger_url = f"{reverse('finance:receivable-ledger')}?partner={shop.customer.pk}"
        statement_url = f"{reverse('finance:receivable-statement')}?partner={shop.customer.pk}"
        assert f'href="{ledger_url}"' in page and f'href="{statement_url}"' in page
        assert client.get(ledger_url).status_code == 200
        assert client.get(statement_url)["Content-Type"] == "application/pdf"

    def test_the_ledger_lists_the_invoices_and_the_payment_with_the_balance(self, client, account):
        shop, _order, first, second = account

        response = client.get(reverse("finance:receivable-ledger"), {"partner": shop.customer.pk})

        content = response.content.decode()
        assert first.number in content and second.number in content
        assert "297.50" in content and "416.50" in content and "100.00" in content
        assert "614.00" in content  # 714.00 less 100.00

    def test_aged_receivables_put_what_is_open_into_its_overdue_bucket(self, client, account):
        response = client.get(reverse("finance:receivable-aged"))

        assert response.status_code == 200
        content = response.content.decode()
        assert "Kunde GmbH" in content and "614.00" in content

    def test_the_statement_pdf_lists_the_open_invoices_in_the_customers_language(self, client, account):
        shop, _order, first, second = account

        response = client.get(reverse("finance:receivable-statement"), {"partner": shop.customer.pk})

        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        assert "Kunde GmbH" in text and first.number in text and second.number in text
        assert "614,00" in text

    def test_the_dunning_list_names_the_customer_and_its_overdue_invoices(self, client, account):
        _shop, _order, first, second = account

        response = client.get(reverse("finance:receivable-dunning"))

        assert response.status_code == 200
        content = response.content.decode()
        assert "Kunde GmbH" in content and first.number in content and second.number in content
        assert response.context["total"] == money("614.00")

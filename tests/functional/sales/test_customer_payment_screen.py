"""The customer's payment of a sales order's two invoices, entered on the payment screen: the
amount left empty is what the lines pay (less the early-payment discount), and completing it
settles both invoices."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from erp.core.documents.models import Status
from erp.finance.openitems.models import OpenItem, Side
from erp.finance.payments.models import Payment
from erp.sales import services
from tests.factories import invoicing as finance
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
def invoices(shop, admin_user):
    """297.50 for 5 chairs and 416.50 for the other 7 of one order, on 2 % within 10 days."""
    order = make.order(shop, [make.line(shop.product, 12)])
    make.deliver(order, by=admin_user, quantities={order.lines.get().pk: money(5)}, on=date(2026, 3, 3))
    first = services.sales_order_invoice(order=order, by=admin_user, on=date(2026, 3, 3), post=True)
    make.deliver(order, by=admin_user, on=date(2026, 3, 5))
    second = services.sales_order_invoice(order=order, by=admin_user, on=date(2026, 3, 5), post=True)
    return first, second


@pytest.fixture
def client(client_for, user_with_role):
    return client_for(user_with_role("Accountant"))


def form_data(shop, numbers, **header) -> dict:
    data = {
        "organization": shop.organization.pk,
        "kind": "customer_receipt",
        "partner": shop.customer.pk,
        "document_date": "2026-03-10",
        "bank_account": shop.books.bank.pk,
        "currency": "EUR",
        "exchange_rate": "",
        "amount": "",
        "external_reference": "",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(numbers)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        **header,
    }
    for index, number in enumerate(numbers):
        data.update({f"lines-{index}-document": number, f"lines-{index}-amount": "", f"lines-{index}-discount": ""})
    return data


class TestCustomerPaymentScreen:
    def test_the_new_form_leaves_the_amount_empty(self, client):
        response = client.get(reverse("finance:customerpayment-create"))

        assert response.status_code == 200
        assert response.context["form"]["amount"].value() is None

    def test_an_empty_amount_is_what_the_lines_pay_and_completing_settles_both_invoices(self, client, shop, invoices):
        first, second = invoices

        response = client.post(
            reverse("finance:customerpayment-create"), form_data(shop, [first.number, second.number])
        )

        payment = Payment.objects.get()
        assert response.status_code == 302
        assert sorted((line.amount, line.discount) for line in payment.lines.all()) == [
            (money("291.55"), money("5.95")),
            (money("408.17"), money("8.33")),
        ]
        assert payment.amount == money("699.72")

        client.post(reverse("finance:customerpayment-action", args=[payment.pk, "complete"]))

        payment.refresh_from_db()
        assert payment.status == Status.COMPLETED
        assert finance.balance(shop.books.receivable) == 0
        assert finance.balance(shop.books.bank) == money("699.72")
        assert not OpenItem.objects.filter(side=Side.RECEIVABLE).open().exists()

    def test_an_amount_typed_is_kept_and_the_rest_stays_as_credit(self, client, shop, invoices):
        first, _second = invoices

        client.post(reverse("finance:customerpayment-create"), form_data(shop, [first.number], amount="300.00"))

        payment = Payment.objects.get()
        assert payment.amount == money("300.00")
        assert payment.lines.get().amount == money("291.55")

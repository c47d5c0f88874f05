"""The return-to-vendor screen of a purchase order: the received lines with what may still go back,
the return completed at once, refusals next to the line, and the order page showing it."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from erp.core.documents import services as documents
from erp.inventory.models import GoodsReceipt
from erp.purchasing import services
from erp.purchasing.models import PurchaseReturnLine
from tests.factories import inventory
from tests.factories import purchasing as make

pytestmark = pytest.mark.django_db

money = make.money
ON = date(2026, 3, 6)


@pytest.fixture
def buyer(root_organization, admin_user):
    return make.buyer(organization=root_organization, by=admin_user)


@pytest.fixture
def order(buyer):
    return make.order(buyer, buyer.office, [make.order_line(buyer.paper, 150)])


@pytest.fixture
def received(buyer, order):
    warehouse = inventory.warehouse(organization=buyer.organization, by=buyer.by)
    line = order.lines.get()
    receipt = services.purchase_order_receive(
        order=order, warehouse=warehouse, by=buyer.by, quantities={line.pk: money(100)}, on=ON
    )
    return documents.document_complete(document=receipt, by=buyer.by)


@pytest.fixture
def returner(client_for, user_with_role):
    return client_for(user_with_role("Purchasing", "Warehouse"))


def _url(order) -> str:
    return reverse("purchasing:purchaseorder-return", args=[order.pk])


class TestReturnToVendor:
    def test_the_form_offers_the_received_lines_with_what_may_go_back(self, returner, order, received):
        response = returner.get(_url(order))

        assert response.status_code == 200
        assert received.number in response.text
        assert "PAPER-A4" in response.text
        line = received.lines.get()
        assert f'name="line-{line.pk}"' in response.text

    def test_the_order_page_offers_the_return(self, returner, order, received):
        response = returner.get(order.get_absolute_url())

        assert response.status_code == 200
        assert _url(order) in response.text

    def test_returns_part_of_a_line_and_the_order_page_shows_it(self, returner, order, received):
        line = received.lines.get()

        response = returner.post(_url(order), {"on": "2026-03-10", f"line-{line.pk}": "30"})

        assert response.status_code == 302 and response.url == order.get_absolute_url()
        link = PurchaseReturnLine.objects.get()
        assert (link.returned_line, link.return_line.quantity) == (line, money(30))
        assert order.lines.get().quantity_received == money(70)
        page = returner.get(order.get_absolute_url()).text
        assert "30 returned" in page
        assert link.return_line.document.number in page

    def test_more_than_returnable_is_refused_next_to_the_line(self, returner, order, received):
        line = received.lines.get()

        response = returner.post(_url(order), {"on": "2026-03-10", f"line-{line.pk}": "101"})

        assert response.status_code == 200
        assert "only 100 can still go back" in response.text
        assert "invalid-feedback" in response.text
        assert not PurchaseReturnLine.objects.exists()
        assert GoodsReceipt.objects.count() == 1

    def test_nothing_chosen_or_bad_input_is_refused(self, returner, order, received):
        line = received.lines.get()

        empty = returner.post(_url(order), {"on": "2026-03-10", f"line-{line.pk}": ""})
        assert empty.status_code == 200
        assert "Enter the quantity of at least one line to return." in empty.text
        bad = returner.post(_url(order), {"on": "not a date", f"line-{line.pk}": "-3"})
        assert bad.status_code == 200
        assert "Enter a valid date." in bad.text
        assert "greater than or equal to 0" in bad.text
        assert not PurchaseReturnLine.objects.exists()

    def test_purchasing_alone_may_not_return(self, client_for, user_with_role, order, received):
        assert client_for(user_with_role("Purchasing")).get(_url(order)).status_code == 403

    def test_another_tenant_gets_404(self, other_admin_client, order, received):
        assert other_admin_client.get(_url(order)).status_code == 404

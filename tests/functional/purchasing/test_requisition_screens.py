"""Requisition screens: list, create (valid and invalid input), detail, submit, order the open
lines, ask for quotations, from the reorder rules; refused without the permission, in the wrong
state and to another tenant."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from erp.core.documents.models import Status
from erp.purchasing.models import LineState, PurchaseOrder, PurchaseRequisition, RequestForQuotation
from tests.factories import purchasing as make

pytestmark = pytest.mark.django_db

money = make.money


@pytest.fixture
def buyer(root_organization, admin_user):
    return make.buyer(organization=root_organization, by=admin_user)


@pytest.fixture
def clerk(user_with_role):
    return user_with_role("Purchasing")


@pytest.fixture
def client(client_for, clerk):
    return client_for(clerk)


@pytest.fixture
def requisition(buyer, clerk):
    return make.requisition(
        buyer,
        [make.req_line(buyer.paper, 10, vendor=buyer.office), make.req_line(quantity=1, price="150.00")],
        by=clerk,
        description="Office move",
    )


def _url(view: str, *args) -> str:
    return reverse(f"purchasing:purchaserequisition-{view}", args=args)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def form_data(buyer, **lines) -> dict:
    data = {
        "organization": buyer.organization.pk,
        "document_date": make.DAY.isoformat(),
        "description": "Paper for the print room",
        "needed_by": "",
        "requested_by": "",
        "notes": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": buyer.paper.pk,
        "lines-0-description": "",
        "lines-0-quantity": "20",
        "lines-0-unit": "",
        "lines-0-unit_price": "4.10",
        "lines-0-needed_by": "",
        "lines-0-vendor": buyer.office.pk,
    }
    data.update({f"lines-0-{name}": value for name, value in lines.items()})
    return data


class TestList:
    def test_lists_the_requisitions_and_filters_by_status(
        self, client, requisition, buyer, clerk, django_assert_max_num_queries
    ):
        draft = make.requisition(buyer, [make.req_line(buyer.toner, 1)], submit=False, by=clerk)

        with django_assert_max_num_queries(20):
            response = client.get(_url("list"))
        approved = client.get(_url("list"), {"status": "approved"})

        assert response.status_code == 200
        assert requisition.number in response.text and "Office move" in response.text
        assert requisition.number in approved.text
        assert f"#{draft.pk})" not in approved.text

    def test_a_user_without_purchasing_rights_is_refused(self, client_for, user_with_role):
        response = client_for(user_with_role("Sales")).get(_url("list"))

        assert response.status_code == 403

    def test_the_sidebar_links_the_purchasing_screens(self, client):
        response = client.get(reverse("core:dashboard"))

        assert _url("list") in response.text
        assert reverse("purchasing:purchaseorder-list") in response.text


class TestCreate:
    def test_saves_a_draft_with_the_estimate_in_the_company_currency(self, client, buyer, clerk):
        response = client.post(_url("create"), form_data(buyer))

        requisition = PurchaseRequisition.objects.get()
        assert response.status_code == 302 and response.url == _url("detail", requisition.pk)
        assert (requisition.status, requisition.currency_id, requisition.created_by) == (Status.DRAFT, "EUR", clerk)
        (line,) = requisition.lines.all()
        assert (line.description, line.vendor, line.unit_id) == ("Paper A4", buyer.office, buyer.paper.base_uom_id)
        assert requisition.total_gross == money("82.00")

    def test_a_line_without_product_or_text_shows_the_error_and_saves_nothing(self, client, buyer):
        response = client.post(_url("create"), form_data(buyer, product="", description=""))

        assert response.status_code == 200
        assert "Enter a description or choose a product." in response.text
        assert not PurchaseRequisition.objects.exists()

    def test_a_negative_estimate_is_refused_next_to_the_field(self, client, buyer):
        response = client.post(_url("create"), form_data(buyer, unit_price="-1"))

        assert "The price cannot be negative." in response.text
        assert not PurchaseRequisition.objects.exists()

    def test_needed_before_the_requisition_date_is_refused(self, client, buyer):
        data = {**form_data(buyer), "needed_by": "2026-03-01"}

        response = client.post(_url("create"), data)

        assert "cannot be needed before" in response.text
        assert not PurchaseRequisition.objects.exists()


class TestDetailAndActions:
    def test_shows_the_lines_and_the_order_form_once_approved(self, client, requisition):
        response = client.get(_url("detail", requisition.pk))

        assert response.status_code == 200
        assert "Paper A4" in response.text and "Office chair" in response.text
        assert 'id="order-button"' in response.text and 'id="quote-button"' in response.text

    def test_a_draft_offers_submit_but_no_ordering(self, client, buyer, clerk):
        draft = make.requisition(buyer, [make.req_line(buyer.paper, 1)], submit=False, by=clerk)

        response = client.get(_url("detail", draft.pk))
        submitted = client.post(_url("action", draft.pk, "submit"))

        assert 'id="order-button"' not in response.text
        assert 'id="action-button-submit"' in response.text
        assert submitted.status_code == 302
        draft.refresh_from_db()
        assert draft.status == Status.APPROVED

    def test_ordering_the_ticked_line_creates_its_order_and_opens_it(self, client, requisition):
        paper = requisition.lines.get(position=1)

        response = client.post(_url("order", requisition.pk), {"lines": [paper.pk]})

        order = PurchaseOrder.objects.get()
        assert response.status_code == 302 and response.url == order.get_absolute_url()
        assert order.partner.name == "Office Supplies GmbH"
        paper.refresh_from_db()
        assert paper.state == LineState.ORDERED
        requisition.refresh_from_db()
        assert requisition.status == Status.IN_PROGRESS

    def test_a_line_without_vendor_is_refused_with_a_message(self, client, requisition):
        response = client.post(_url("order", requisition.pk))

        assert response.status_code == 302
        assert any("has no vendor" in message for message in _messages(response))
        assert not PurchaseOrder.objects.exists()

    def test_a_draft_cannot_be_ordered(self, client, buyer, clerk):
        draft = make.requisition(buyer, [make.req_line(buyer.paper, 1, vendor=buyer.office)], submit=False, by=clerk)

        response = client.post(_url("order", draft.pk))

        assert any("Draft" in message for message in _messages(response))
        assert not PurchaseOrder.objects.exists()

    def test_asking_for_quotations_creates_a_request_to_the_chosen_vendors(self, client, requisition, buyer):
        response = client.post(_url("quote", requisition.pk), {"vendors": [buyer.mill.pk, buyer.office.pk]})

        rfq = RequestForQuotation.objects.get()
        assert response.status_code == 302 and response.url == rfq.get_absolute_url()
        assert rfq.lines.count() == 2
        assert set(rfq.vendors.values_list("partner__name", flat=True)) == {"Paper Mill AG", "Office Supplies GmbH"}

    def test_the_warehouse_may_not_order(self, client_for, user_with_role, requisition):
        response = client_for(user_with_role("Warehouse")).post(_url("order", requisition.pk))

        assert response.status_code == 403
        assert not PurchaseOrder.objects.exists()

    def test_orders_need_a_post(self, client, requisition):
        assert client.get(_url("order", requisition.pk)).status_code == 405

    def test_another_tenant_gets_404(self, other_admin_client, requisition):
        assert other_admin_client.get(_url("detail", requisition.pk)).status_code == 404


class TestFromReorderRules:
    def test_without_anything_to_reorder_it_says_so(self, client_for, user_with_role):
        manager = client_for(user_with_role("Purchasing"))

        response = manager.post(_url("replenish"))

        assert response.status_code == 302
        assert any("Nothing needs to be reordered" in message for message in _messages(response))

    def test_creates_the_requisition_from_a_rule_below_its_minimum(self, client_for, user_with_role, buyer):
        from erp.inventory import services as inventory_services
        from tests.factories import inventory

        warehouse = inventory.warehouse(organization=buyer.organization, by=buyer.by)
        inventory_services.reorder_rule_create(
            product=buyer.toner, warehouse=warehouse, min_quantity=money(2), max_quantity=money(6), by=buyer.by
        )

        client = client_for(user_with_role("Purchasing"))
        shown = client.get(_url("replenish"))

        response = client.post(_url("replenish"))

        assert shown.status_code == 200 and "TONER" in shown.text
        requisition = PurchaseRequisition.objects.get()
        assert response.url == requisition.get_absolute_url()
        assert [(line.product, line.quantity, line.vendor) for line in requisition.lines.all()] == [
            (buyer.toner, money(6), buyer.office)
        ]

    def test_sales_may_not_see_the_suggestions(self, client_for, user_with_role):
        assert client_for(user_with_role("Sales")).get(_url("replenish")).status_code == 403

"""Purchase order screens: list, create (vendor prices, bad input), detail with totals, PDF,
submit, edit only as a draft, cancel the remainder; refused without the permission, in the wrong
state and to another tenant."""

from __future__ import annotations

import io

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from erp.core.documents.models import Status
from erp.inventory.models import GoodsReceipt
from erp.purchasing.models import PurchaseOrder, SendStatus
from tests.factories import invoicing as finance
from tests.factories import partners
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
def order(buyer, clerk):
    return make.order(buyer, buyer.office, [make.order_line(buyer.paper, 150)], by=clerk)


def _url(view: str, *args) -> str:
    return reverse(f"purchasing:purchaseorder-{view}", args=args)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def form_data(buyer, partner=None, **lines) -> dict:
    data = {
        "organization": buyer.organization.pk,
        "partner": (partner or buyer.office).pk,
        "document_date": make.DAY.isoformat(),
        "expected_date": "",
        "currency": "EUR",
        "payment_term": "",
        "vendor_reference": "",
        "external_reference": "",
        "notes": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": buyer.paper.pk,
        "lines-0-description": "",
        "lines-0-quantity": "150",
        "lines-0-unit": "",
        "lines-0-unit_price": "",
        "lines-0-discount_percent": "",
        "lines-0-tax_code": "",
        "lines-0-expected_date": "",
    }
    data.update({f"lines-0-{name}": value for name, value in lines.items()})
    return data


class TestList:
    def test_lists_the_orders_and_filters_by_vendor(self, client, order, buyer, django_assert_max_num_queries):
        other = make.order(buyer, buyer.mill, [make.order_line(buyer.paper, 10)])

        with django_assert_max_num_queries(20):
            response = client.get(_url("list"))
        filtered = client.get(_url("list"), {"partner": "Paper Mill"})

        assert response.status_code == 200
        assert order.number in response.text and "Office Supplies GmbH" in response.text
        assert other.number in filtered.text and order.number not in filtered.text

    def test_sales_is_refused(self, client_for, user_with_role):
        assert client_for(user_with_role("Sales")).get(_url("list")).status_code == 403


class TestCreate:
    def test_an_empty_price_takes_the_vendors_price_and_the_product_brings_its_tax(self, client, buyer):
        response = client.post(_url("create"), form_data(buyer))

        order = PurchaseOrder.objects.get()
        assert response.url == _url("detail", order.pk)
        (line,) = order.lines.all()
        assert (line.unit_price, line.tax_code) == (money("3.50"), buyer.books.input_tax)
        assert (order.total_net, order.total_gross) == (money("525.00"), money("624.75"))

    def test_without_a_payment_term_the_vendors_term_as_vendor_is_taken(self, client, buyer):
        as_vendor, as_customer = finance.term(net_days=45), finance.term(net_days=10)
        buyer.office.vendor_payment_term, buyer.office.payment_term = as_vendor, as_customer
        buyer.office.save()

        client.post(_url("create"), form_data(buyer))

        assert PurchaseOrder.objects.get().payment_term == as_vendor

    def test_a_customer_cannot_be_chosen_as_vendor(self, client, buyer):
        response = client.post(_url("create"), form_data(buyer, partner=partners.partner()))

        assert response.status_code == 200
        assert "Select a valid choice" in response.text
        assert not PurchaseOrder.objects.exists()

    def test_a_discount_above_100_is_refused_next_to_the_field(self, client, buyer):
        response = client.post(_url("create"), form_data(buyer, discount_percent="120"))

        assert "Enter a discount between 0 and 100 %." in response.text
        assert not PurchaseOrder.objects.exists()

    def test_an_expected_delivery_before_the_order_date_is_refused(self, client, buyer):
        response = client.post(_url("create"), {**form_data(buyer), "expected_date": "2026-03-01"})

        assert "cannot be expected before the order date" in response.text
        assert not PurchaseOrder.objects.exists()

    def test_a_foreign_currency_without_a_rate_is_refused(self, client, buyer):
        response = client.post(_url("create"), {**form_data(buyer), "currency": "USD"})

        assert response.status_code == 200
        assert not PurchaseOrder.objects.exists()
        assert response.context["form"].errors["currency"]

    def test_under_htmx_an_invalid_form_comes_back_as_the_form_alone(self, client, buyer):
        response = client.post(_url("create"), form_data(buyer, quantity="0"), HTTP_HX_REQUEST="true")

        assert response.status_code == 200
        assert "<html" not in response.text and 'id="erp-form"' in response.text
        assert "The quantity must be greater than zero." in response.text

    def test_adding_a_line_rerenders_the_form_unsaved(self, client, buyer):
        response = client.post(_url("create"), {**form_data(buyer), "_op": "add"})

        assert response.status_code == 200
        assert 'name="lines-1-product"' in response.text
        assert not PurchaseOrder.objects.exists()


class TestDetailAndActions:
    def test_shows_the_lines_totals_and_the_vendors_code(self, client, order, django_assert_max_num_queries):
        with django_assert_max_num_queries(40):
            response = client.get(_url("detail", order.pk))

        assert response.status_code == 200
        assert "OS-P4" in response.text
        assert "624.75" in response.text

    def test_the_pdf_names_the_vendor_its_codes_and_the_total(self, client, order):
        response = client.get(_url("pdf", order.pk))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        assert "Office Supplies GmbH" in text and order.number in text
        assert "OS-P4" in text and "624.75" in text

    def test_a_draft_is_submitted_and_then_no_longer_edited(self, client, buyer, clerk):
        draft = make.order(buyer, buyer.office, [make.order_line(buyer.toner, 1)], submit=False, by=clerk)

        client.post(_url("action", draft.pk, "submit"))
        edit = client.get(_url("update", draft.pk))

        draft.refresh_from_db()
        assert draft.status == Status.APPROVED
        assert edit.status_code == 302 and edit.url == _url("detail", draft.pk)

    def test_under_htmx_an_action_answers_with_a_client_redirect(self, client, buyer, clerk):
        draft = make.order(buyer, buyer.office, [make.order_line(buyer.toner, 1)], submit=False, by=clerk)

        response = client.post(_url("action", draft.pk, "submit"), HTTP_HX_REQUEST="true")

        assert response.status_code == 200
        assert response["HX-Redirect"] == _url("detail", draft.pk)

    def test_complete_by_hand_is_refused(self, client, order):
        response = client.post(_url("action", order.pk, "complete"))

        assert any("Unknown action" in message for message in _messages(response))
        order.refresh_from_db()
        assert order.status == Status.APPROVED

    def test_cancels_the_remainder_once_something_arrived(self, client, order):
        line = order.lines.get()
        line.quantity_received = money(100)
        line.save()

        detail = client.get(_url("detail", order.pk))
        client.post(_url("cancel-remainder", order.pk), {"reason": "Vendor out of stock"})

        assert 'id="cancel-remainder-button"' in detail.text
        line.refresh_from_db()
        assert line.quantity_cancelled == money(50)

    def test_the_remainder_needs_a_reason(self, client, order):
        response = client.post(_url("cancel-remainder", order.pk), {"reason": ""})

        assert any("Please give a reason." in message for message in _messages(response))

    def test_the_warehouse_cannot_cancel_the_remainder(self, client_for, user_with_role, order):
        response = client_for(user_with_role("Warehouse")).post(_url("cancel-remainder", order.pk), {"reason": "Nope"})

        assert response.status_code == 403

    def test_another_tenant_gets_404(self, other_admin_client, order):
        assert other_admin_client.get(_url("detail", order.pk)).status_code == 404


class TestSend:
    def test_e_mails_the_pdf_to_the_vendor_and_records_it(self, client, order, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_url("send", order.pk), {"to": ""})

        assert response.status_code == 302
        (message,) = mail.outbox
        assert message.to == ["orders@office.example.com"]
        assert order.number in message.subject
        assert message.attachments[0][0] == f"{order.number}.pdf"
        order.refresh_from_db()
        assert (order.send_status, order.sent_to) == (SendStatus.SENT, "orders@office.example.com")

    def test_a_draft_is_not_sent(self, client, buyer, clerk, django_capture_on_commit_callbacks):
        draft = make.order(buyer, buyer.office, [make.order_line(buyer.toner, 1)], submit=False, by=clerk)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_url("send", draft.pk), {"to": ""})

        assert any("only approved orders are sent" in message for message in _messages(response))
        assert not mail.outbox

    def test_an_invalid_address_is_refused(self, client, order):
        response = client.post(_url("send", order.pk), {"to": "not-an-address"})

        assert any("Enter a valid e-mail address." in message for message in _messages(response))
        order.refresh_from_db()
        assert order.send_status == SendStatus.NOT_SENT


class TestReceive:
    @pytest.fixture
    def receiver(self, client_for, user_with_role):
        return client_for(user_with_role("Purchasing", "Warehouse"))

    @pytest.fixture
    def warehouse(self, buyer):
        from tests.factories import inventory

        return inventory.warehouse(organization=buyer.organization, by=buyer.by)

    def test_the_form_offers_the_open_stocked_lines(self, receiver, order, warehouse):
        response = receiver.get(_url("receive", order.pk))

        assert response.status_code == 200
        assert "PAPER-A4" in response.text
        assert f'value="{warehouse.pk}"' in response.text

    def test_prepares_the_receipt_of_what_arrived(self, receiver, order, warehouse):
        line = order.lines.get()

        response = receiver.post(_url("receive", order.pk), {"warehouse": warehouse.pk, f"line-{line.pk}": "60"})

        receipt = GoodsReceipt.objects.get()
        assert response.status_code == 302 and response.url == receipt.get_absolute_url()
        assert [(row.quantity, row.unit_cost) for row in receipt.lines.all()] == [(money(60), money("3.50"))]
        assert receipt.status == Status.DRAFT

    def test_more_than_is_open_is_refused_next_to_the_line(self, receiver, order, warehouse):
        line = order.lines.get()

        response = receiver.post(_url("receive", order.pk), {"warehouse": warehouse.pk, f"line-{line.pk}": "151"})

        assert response.status_code == 200
        assert "less than or equal to 150" in response.text
        assert not GoodsReceipt.objects.exists()

    def test_the_warehouse_alone_opens_the_order_and_receives_it(self, client_for, user_with_role, order, warehouse):
        storekeeper = client_for(user_with_role("Warehouse"))
        line = order.lines.get()

        assert storekeeper.get(order.get_absolute_url()).status_code == 200
        response = storekeeper.post(_url("receive", order.pk), {"warehouse": warehouse.pk, f"line-{line.pk}": "10"})

        assert response.status_code == 302
        assert GoodsReceipt.objects.get().lines.get().quantity == money(10)

    def test_purchasing_alone_may_not_receive(self, client, order):
        assert client.get(_url("receive", order.pk)).status_code == 403

"""Sales order screens through HTTP: list and filters, create and edit with lines, detail with the
stock per line and the credit figures, submit (credit check), deliver, invoice, cancel the
remainder, cancel, PDF; refusals give a 403/404, a form error or a message, never a 500."""

from __future__ import annotations

import datetime as dt
import io
from datetime import date

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from pypdf import PdfReader

from erp.core.documents.models import Status
from erp.core.models import Organization
from erp.finance.invoicing.models import CustomerInvoice
from erp.inventory.models import Quant
from erp.partners.models import Address, AddressType
from erp.sales.models import Delivery, Progress, SalesOrder
from tests.factories import inventory, partners
from tests.factories import sales as make

pytestmark = pytest.mark.django_db

money = make.money
DAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def shop(root_organization, admin_user):
    return make.shop(organization=root_organization, by=admin_user)


@pytest.fixture
def seller(user_with_role):
    return user_with_role("Sales")


@pytest.fixture
def client(client_for, seller):
    return client_for(seller)


@pytest.fixture
def order(shop):
    """A confirmed order of 12 chairs and an installation (the chairs reserved)."""
    return make.order(shop, [make.line(shop.product, 12), make.line(description="Installation", price="100.00")])


def url(name: str, *args) -> str:
    return reverse(f"sales:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def user_with_permissions(user_with_role, *codenames: str):
    user = user_with_role()
    for name in codenames:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


def chairs_of(order):
    return order.lines.get(product__sku="CHAIR")


def form_data(shop, lines, **header) -> dict:
    data = {
        "organization": shop.organization.pk,
        "partner": shop.customer.pk,
        "contact": "",
        "document_date": DAY.isoformat(),
        "requested_date": "",
        "warehouse": shop.warehouse.pk,
        "shipping_address": "",
        "currency": "EUR",
        "price_list": "",
        "payment_term": "",
        "salesperson": "",
        "language": "",
        "external_reference": "PO-4711",
        "terms": "",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        **header,
    }
    for index, (product, description, quantity, price) in enumerate(lines):
        data.update(
            {
                f"lines-{index}-product": product.pk if product else "",
                f"lines-{index}-description": description,
                f"lines-{index}-quantity": quantity,
                f"lines-{index}-unit": "",
                f"lines-{index}-unit_price": price,
                f"lines-{index}-discount_percent": "",
                f"lines-{index}-tax_code": "",
            }
        )
    return data


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


class TestList:
    def test_lists_orders_with_their_progress_within_the_query_budget(
        self, client, shop, order, django_assert_max_num_queries
    ):
        for _number in range(3):
            make.order(shop, [make.line(shop.product, 1)])

        with django_assert_max_num_queries(20):
            response = client.get(url("salesorder-list"))

        assert response.status_code == 200
        assert len(response.context["table"].rows) == 4
        content = response.content.decode()
        assert order.number in content and "Kunde GmbH" in content and "814.00" in content

    def test_filters_by_delivery_and_invoice_progress(self, client, shop, order, admin_user):
        make.deliver(order, by=admin_user, quantities={chairs_of(order).pk: money(5)}, on=date(2026, 3, 3))
        untouched = make.order(shop, [make.line(shop.product, 1)])

        def pks(**params) -> set:
            return {row.record.pk for row in client.get(url("salesorder-list"), params).context["table"].rows}

        assert pks(delivery_status="partial") == {order.pk}
        assert pks(delivery_status="nothing") == {untouched.pk}
        assert pks(invoice_status="nothing") == {order.pk, untouched.pk}
        assert pks(status="in_progress") == {order.pk}

    def test_the_export_lists_the_progress_as_text(self, client, order):
        response = client.get(url("salesorder-list"), {"_export": "csv"})

        assert response.status_code == 200
        assert order.number in response.content.decode()

    def test_a_user_without_the_permission_gets_403(self, client_for, user_with_role):
        assert client_for(user_with_role("Warehouse")).get(url("salesorder-list")).status_code == 403


class TestCreate:
    def test_saves_a_draft_with_its_lines(self, client, shop):
        response = client.post(url("salesorder-create"), form_data(shop, [(shop.product, "", "3", "")]))

        order = SalesOrder.objects.get()
        assert response.status_code == 302 and response["Location"] == url("salesorder-detail", order.pk)
        assert (order.status, order.warehouse, order.external_reference) == (Status.DRAFT, shop.warehouse, "PO-4711")
        assert order.total_gross == money("178.50")

    def test_bad_header_input_is_refused_next_to_the_fields(self, client, shop):
        other_customer = partners.partner(name="Andere GmbH")
        foreign = Address.objects.create(
            partner=other_customer, address_type=AddressType.SHIPPING, street="Weg 1", city="Ulm", country="DE"
        )
        data = form_data(shop, [(shop.product, "", "1", "")], requested_date="2026-03-01", shipping_address=foreign.pk)

        response = client.post(url("salesorder-create"), data)

        assert response.status_code == 200
        errors = response.context["form"].errors
        assert errors["requested_date"] == ["The delivery cannot be requested before the order date."]
        assert "shipping_address" in errors
        assert not SalesOrder.objects.exists()

    def test_a_warehouse_of_another_organization_is_refused(self, client, shop, admin_user):
        branch = Organization.objects.create(code="BR", name="Branch", parent=shop.organization)
        elsewhere = inventory.warehouse(organization=branch, by=admin_user)

        response = client.post(
            url("salesorder-create"), form_data(shop, [(shop.product, "", "1", "")], warehouse=elsewhere.pk)
        )

        assert response.status_code == 200
        assert response.context["form"].errors["warehouse"]
        assert not SalesOrder.objects.exists()

    def test_an_order_without_lines_is_refused(self, client, shop):
        response = client.post(url("salesorder-create"), form_data(shop, []))

        assert response.status_code == 200
        assert "Add at least one line." in response.context["formset"].non_form_errors()
        assert not SalesOrder.objects.exists()

    def test_adding_a_row_re_renders_the_form_unsaved(self, client, shop):
        data = form_data(shop, [(shop.product, "", "1", "")], _op="add")

        response = client.post(url("salesorder-create"), data)

        assert response.status_code == 200
        assert response.context["formset"].total_form_count() == 2
        assert not SalesOrder.objects.exists()


class TestEdit:
    def test_a_draft_gets_another_quantity_and_its_totals_again(self, client, shop):
        draft = make.order(shop, [make.line(shop.product, 1)], submit=False)
        line = draft.lines.get()
        data = form_data(shop, [(shop.product, "", "4", "")])
        data.update(
            {
                "lines-INITIAL_FORMS": "1",
                "lines-0-id": line.pk,
                "lines-0-order": draft.pk,
                "lines-0-tax_code": line.tax_code_id,
            }
        )

        response = client.post(url("salesorder-update", draft.pk), data)

        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.total_gross == money("238.00") and draft.external_reference == "PO-4711"

    def test_a_confirmed_order_is_no_longer_edited(self, client, order, shop):
        line = order.lines.order_by("position").first()
        data = form_data(shop, [(shop.product, "", "1", "")])
        data.update({"lines-INITIAL_FORMS": "1", "lines-0-id": line.pk, "lines-0-order": order.pk})

        response = client.post(url("salesorder-update", order.pk), data)

        assert response.status_code == 302 and response["Location"] == url("salesorder-detail", order.pk)
        assert any("cannot be edited" in text for text in messages_of(response))
        assert chairs_of(order).quantity == money(12)


class TestDetail:
    def test_shows_lines_with_their_stock_and_the_actions_within_the_query_budget(
        self, client, order, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(45):
            response = client.get(url("salesorder-detail", order.pk))

        assert response.status_code == 200
        content = response.content.decode()
        assert order.number in content and "Installation" in content
        assert "8 available" in content and "20 pc on hand, 12 reserved here" in content
        for element in ("deliver-button", "invoice-button", "cancel-remainder-form"):
            assert f'id="{element}"' in content

    def test_a_draft_shows_the_customers_credit_figures(self, client, shop):
        shop.customer.credit_limit = money("5000.00")
        shop.customer.save()
        draft = make.order(shop, [make.line(shop.product, 2)], submit=False)

        response = client.get(url("salesorder-detail", draft.pk))

        content = response.content.decode()
        assert 'id="credit-exposure"' in content and "119.00" in content and "5,000.00" in content
        assert 'id="order-actions"' not in content

    def test_a_line_short_of_stock_says_how_much_is_missing(self, client, shop):
        big = make.order(shop, [make.line(shop.product, 25)])

        content = client.get(url("salesorder-detail", big.pk)).content.decode()

        assert "5 pc short" in content

    def test_another_tenant_gets_404(self, other_admin_client, order):
        assert other_admin_client.get(url("salesorder-detail", order.pk)).status_code == 404
        assert other_admin_client.get(url("salesorder-deliver", order.pk)).status_code == 404
        assert other_admin_client.post(url("salesorder-invoice", order.pk)).status_code == 404


class TestSubmit:
    def test_submitting_confirms_the_order_and_reserves_the_stock(self, client, shop):
        draft = make.order(shop, [make.line(shop.product, 4)], submit=False)

        response = client.post(url("salesorder-action", draft.pk, "submit"))

        draft.refresh_from_db()
        assert response.status_code == 302
        assert draft.status == Status.APPROVED and draft.number.startswith("SO-")
        quant = Quant.objects.get(product=shop.product, location=shop.warehouse.stock_location)
        assert quant.reserved == money(4)

    def test_above_the_credit_limit_the_order_is_blocked_naming_limit_and_exposure(self, client, shop):
        shop.customer.credit_limit = money("500.00")
        shop.customer.save()
        draft = make.order(shop, [make.line(shop.product, 12)], submit=False)  # 600.00 + 19 % = 714.00

        response = client.post(url("salesorder-action", draft.pk, "submit"))

        assert response.status_code == 302
        [message] = messages_of(response)
        assert "714.00" in message and "500.00" in message and "Kunde GmbH" in message
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT and not draft.number
        assert Quant.objects.get(product=shop.product, location=shop.warehouse.stock_location).reserved == 0


class TestDeliver:
    def test_the_form_offers_every_open_stock_line_with_its_stock(self, client, order):
        response = client.get(url("salesorder-deliver", order.pk))

        assert response.status_code == 200
        content = response.content.decode()
        assert "CHAIR" in content and "Installation" not in content  # services are not delivered
        assert "12 reserved for this order" in content
        assert response.context["form"].fields[f"line-{chairs_of(order).pk}"].initial == money(12)

    def test_a_partial_quantity_prepares_a_draft_delivery(self, client, order):
        chairs = chairs_of(order)

        response = client.post(url("salesorder-deliver", order.pk), {f"line-{chairs.pk}": "5"})

        delivery = Delivery.objects.get()
        assert response.status_code == 302 and response["Location"] == url("delivery-detail", delivery.pk)
        assert delivery.status == Status.DRAFT and delivery.order == order
        [line] = delivery.lines.all()
        assert (line.order_line, line.quantity) == (chairs, money(5))

    @pytest.mark.parametrize(
        ("value", "error"),
        [
            ("13", "Ensure this value is less than or equal to 12"),
            ("-1", "Ensure this value is greater than or equal to 0"),
            ("abc", "Enter a number."),
        ],
    )
    def test_a_bad_quantity_is_refused_next_to_its_line(self, client, order, value, error):
        field = f"line-{chairs_of(order).pk}"

        response = client.post(url("salesorder-deliver", order.pk), {field: value})

        assert response.status_code == 200
        assert any(text.startswith(error) for text in response.context["form"].errors[field])
        assert not Delivery.objects.exists()

    def test_nothing_to_deliver_is_refused(self, client, order):
        response = client.post(url("salesorder-deliver", order.pk), {f"line-{chairs_of(order).pk}": "0"})

        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == ["Enter at least one quantity."]

    def test_an_htmx_post_with_an_error_gets_the_form_back(self, client, order):
        response = client.post(
            url("salesorder-deliver", order.pk), {f"line-{chairs_of(order).pk}": "99"}, HTTP_HX_REQUEST="true"
        )

        assert response.status_code == 200
        content = response.content.decode()
        assert 'id="erp-form"' in content and "<html" not in content

    def test_a_draft_order_is_not_delivered(self, client, shop):
        draft = make.order(shop, [make.line(shop.product, 2)], submit=False)

        response = client.post(url("salesorder-deliver", draft.pk), {f"line-{chairs_of(draft).pk}": "2"})

        assert response.status_code == 200
        assert "only confirmed orders are delivered" in " ".join(response.context["form"].non_field_errors())
        assert not Delivery.objects.exists()

    def test_a_user_who_may_not_create_deliveries_gets_403(self, client_for, user_with_role, order):
        viewer = client_for(user_with_permissions(user_with_role, "sales.view_salesorder"))

        assert viewer.get(url("salesorder-deliver", order.pk)).status_code == 403


class TestInvoice:
    def test_invoices_what_was_delivered_and_the_service(self, client, order, admin_user):
        make.deliver(order, by=admin_user, quantities={chairs_of(order).pk: money(5)}, on=date(2026, 3, 3))

        response = client.post(url("salesorder-invoice", order.pk))

        invoice = CustomerInvoice.objects.get()
        assert response.status_code == 302 and response["Location"] == invoice.get_absolute_url()
        assert invoice.status == Status.DRAFT and invoice.partner == order.partner
        assert sorted((line.description, line.quantity) for line in invoice.lines.all()) == [
            ("Chair", money(5)),
            ("Installation", money(1)),
        ]
        assert invoice.total_net == money("350.00")  # 5 × 50.00 + 100.00
        page = client.get(url("salesorder-detail", order.pk)).content.decode()
        assert 'id="order-documents"' in page

    def test_an_invoice_draft_is_not_invoiced_twice(self, client, order, admin_user):
        make.deliver(order, by=admin_user, quantities={chairs_of(order).pk: money(5)}, on=date(2026, 3, 3))
        client.post(url("salesorder-invoice", order.pk))

        response = client.post(url("salesorder-invoice", order.pk))

        assert response["Location"] == url("salesorder-detail", order.pk)
        assert any("Nothing of" in text for text in messages_of(response))
        assert CustomerInvoice.objects.count() == 1

    def test_a_draft_order_is_not_invoiced(self, client, shop):
        draft = make.order(shop, [make.line(description="Beratung", price="10")], submit=False)

        response = client.post(url("salesorder-invoice", draft.pk))

        assert any("only confirmed orders are invoiced" in text for text in messages_of(response))
        assert not CustomerInvoice.objects.exists()

    def test_without_access_to_invoices_the_user_returns_to_the_order(self, client_for, user_with_role, order):
        clerk = client_for(user_with_permissions(user_with_role, "sales.view_salesorder", "sales.invoice_salesorder"))

        response = clerk.post(url("salesorder-invoice", order.pk))

        assert response["Location"] == url("salesorder-detail", order.pk)
        assert CustomerInvoice.objects.count() == 1

    def test_a_user_who_may_not_invoice_gets_403(self, client_for, user_with_role, order):
        viewer = client_for(user_with_permissions(user_with_role, "sales.view_salesorder"))

        assert viewer.post(url("salesorder-invoice", order.pk)).status_code == 403
        assert not CustomerInvoice.objects.exists()


class TestCancel:
    def test_cancelling_the_remainder_after_a_partial_delivery_releases_the_stock(
        self, client, order, admin_user, shop
    ):
        chairs = chairs_of(order)
        make.deliver(order, by=admin_user, quantities={chairs.pk: money(5)}, on=date(2026, 3, 3))

        response = client.post(url("salesorder-cancel-remainder", order.pk), {"reason": "Customer needs no more"})

        assert response.status_code == 302
        chairs.refresh_from_db()
        assert (chairs.quantity_delivered, chairs.quantity_cancelled) == (money(5), money(7))
        order.refresh_from_db()
        assert order.delivery_status == Progress.DONE and order.status_reason == "Customer needs no more"
        assert Quant.objects.get(product=shop.product, location=shop.warehouse.stock_location).reserved == 0

    def test_a_reason_is_required(self, client, order):
        response = client.post(url("salesorder-cancel-remainder", order.pk), {"reason": ""})

        assert "Please give a reason." in messages_of(response)
        assert chairs_of(order).quantity_cancelled == 0

    def test_a_draft_has_no_remainder(self, client, shop):
        draft = make.order(shop, [make.line(shop.product, 2)], submit=False)

        response = client.post(url("salesorder-cancel-remainder", draft.pk), {"reason": "x"})

        assert any("there is no remainder to cancel" in text for text in messages_of(response))

    def test_an_order_with_nothing_delivered_is_cancelled_whole(self, client, order, shop):
        response = client.post(url("salesorder-action", order.pk, "cancel"), {"reason": "Duplicate order"})

        assert response.status_code == 302
        order.refresh_from_db()
        assert order.status == Status.CANCELLED
        assert Quant.objects.get(product=shop.product, location=shop.warehouse.stock_location).reserved == 0

    def test_an_order_with_a_delivery_is_not_cancelled_whole(self, client, order, admin_user):
        make.deliver(order, by=admin_user, quantities={chairs_of(order).pk: money(1)}, on=date(2026, 3, 3))

        response = client.post(url("salesorder-action", order.pk, "cancel"), {"reason": "Too late"})

        assert response.status_code == 302 and messages_of(response)
        order.refresh_from_db()
        assert order.status == Status.IN_PROGRESS

    @pytest.mark.parametrize("action", ["complete", "void", "reverse_correct", "explode"])
    def test_actions_an_order_does_not_offer_are_refused_with_a_message(self, client, order, action):
        response = client.post(url("salesorder-action", order.pk, action), {"reason": "x"})

        assert response.status_code == 302 and "Unknown action." in messages_of(response)
        order.refresh_from_db()
        assert order.status == Status.APPROVED

    def test_a_user_who_may_not_cancel_gets_403(self, client_for, user_with_role, order):
        viewer = client_for(user_with_permissions(user_with_role, "sales.view_salesorder"))

        assert viewer.post(url("salesorder-cancel-remainder", order.pk), {"reason": "x"}).status_code == 403


class TestPdf:
    def test_the_confirmation_is_in_the_customers_language_with_its_lines(self, client, order):
        response = client.get(url("salesorder-pdf", order.pk))

        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        assert f"Auftragsbestätigung {order.number}" in text
        assert "Kunde GmbH" in text and "Chair" in text and "Installation" in text
        assert "814,00" in text  # 600 × 1.19 + 100 untaxed

"""Delivery and customer return screens through HTTP: list and filters, detail, editing the picks
of a draft, completing (stock out, cost of goods sold), recording a return at the original cost,
the delivery note PDF; refusals give a 403/404, a form error or a message, never a 500."""

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
from erp.finance.models import AccountRole
from erp.inventory.models import Quant
from erp.sales.models import Delivery, DeliveryKind
from tests.factories import inventory
from tests.factories import invoicing as finance
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
    return make.order(shop, [make.line(shop.product, 12)])


@pytest.fixture
def draft(client, order):
    """A draft delivery of 5 of the 12 chairs, prepared on the order's screen."""
    chairs = order.lines.get()
    client.post(reverse("sales:salesorder-deliver", args=[order.pk]), {f"line-{chairs.pk}": "5"})
    return Delivery.objects.get()


def url(name: str, *args) -> str:
    return reverse(f"sales:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def stock(shop, location=None) -> Quant:
    return Quant.objects.get(product=shop.product, location=location or shop.warehouse.stock_location)


def cogs():
    return finance.balance(inventory.account(AccountRole.COST_OF_GOODS_SOLD))


def pick_data(delivery, *, location=None, quantity="5", lot="", **header) -> dict:
    [line] = delivery.lines.all()
    return {
        "document_date": "2026-03-10",
        "carrier_reference": "DHL 0042",
        "shipping_address": "",
        "notes": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-id": line.pk,
        "lines-0-delivery": delivery.pk,
        "lines-0-order_line": line.order_line_id,
        "lines-0-location": (location or line.location).pk,
        "lines-0-lot_number": lot,
        "lines-0-quantity": quantity,
        **header,
    }


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


class TestList:
    def test_lists_deliveries_and_returns_filtered_by_kind_and_customer(
        self, client, shop, order, admin_user, django_assert_max_num_queries
    ):
        delivered = make.deliver(order, by=admin_user, quantities={order.lines.get().pk: money(5)}, on=DAY)
        from erp.sales import deliveries

        returned = deliveries.delivery_return_create(delivery=delivered, by=admin_user)

        with django_assert_max_num_queries(20):
            response = client.get(url("delivery-list"))

        assert response.status_code == 200
        assert {row.record.pk for row in response.context["table"].rows} == {delivered.pk, returned.pk}
        assert order.number in response.content.decode()

        def pks(**params) -> set:
            return {row.record.pk for row in client.get(url("delivery-list"), params).context["table"].rows}

        assert pks(kind=DeliveryKind.RETURN) == {returned.pk}
        assert pks(q=order.number) == {delivered.pk, returned.pk}
        assert pks(partner="nobody") == set()

    def test_new_deliveries_start_from_their_order(self, client):
        response = client.get(url("delivery-create"))

        assert response.status_code == 302 and response["Location"] == url("salesorder-list")
        assert any("created from their sales order" in text for text in messages_of(response))

    def test_a_user_without_the_permission_gets_403(self, client_for, user_with_role):
        assert client_for(user_with_role("Accountant")).get(url("delivery-list")).status_code == 403


class TestDetail:
    def test_shows_the_picks_and_the_actions_of_a_draft(self, client, draft, order, django_assert_max_num_queries):
        with django_assert_max_num_queries(35):
            response = client.get(url("delivery-detail", draft.pk))

        assert response.status_code == 200
        content = response.content.decode()
        assert order.number in content and "CHAIR" in content and "Stock" in content
        assert 'id="action-button-complete"' in content and 'id="return-button"' not in content

    def test_another_tenant_gets_404(self, other_admin_client, draft):
        assert other_admin_client.get(url("delivery-detail", draft.pk)).status_code == 404
        assert other_admin_client.get(url("delivery-return", draft.pk)).status_code == 404


class TestEditAndComplete:
    def test_completing_moves_the_stock_and_posts_the_cost_of_goods_sold(self, client, draft, shop, order):
        response = client.post(url("delivery-action", draft.pk, "complete"))

        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == Status.COMPLETED and draft.number.startswith("DN-")
        assert (stock(shop).quantity, stock(shop).reserved) == (money(15), money(7))
        assert cogs() == money("50.00")  # 5 @ 10.00, first in first out
        chairs = order.lines.get()
        assert chairs.quantity_delivered == money(5)
        page = client.get(url("delivery-detail", draft.pk)).content.decode()
        assert 'id="return-button"' in page

    def test_the_picks_can_be_changed_on_the_draft(self, client, draft, shop, admin_user):
        shelf = inventory.shelf(shop.warehouse, by=admin_user)
        inventory.move(
            shop.product, 5, source=shop.warehouse.stock_location, target=shelf, on=date(2026, 3, 1), by=admin_user
        )

        response = client.post(url("delivery-update", draft.pk), pick_data(draft, location=shelf, quantity="4"))

        assert response.status_code == 302
        [line] = draft.lines.all()
        assert (line.location, line.quantity) == (shelf, money(4))
        draft.refresh_from_db()
        assert draft.carrier_reference == "DHL 0042"
        client.post(url("delivery-action", draft.pk, "complete"))
        assert stock(shop, shelf).quantity == money(1)

    def test_a_bad_pick_is_refused_next_to_its_field(self, client, draft):
        response = client.post(url("delivery-update", draft.pk), pick_data(draft, quantity="0"))

        assert response.status_code == 200
        assert response.context["formset"].forms[0].errors["quantity"] == ["The quantity must be greater than zero."]
        assert draft.lines.get().quantity == money(5)

    def test_more_than_is_open_is_refused_when_completing(self, client, draft):
        client.post(url("delivery-update", draft.pk), pick_data(draft, quantity="13"))

        response = client.post(url("delivery-action", draft.pk, "complete"))

        assert response.status_code == 302
        assert any("only 12 are still to be delivered" in text for text in messages_of(response))
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT

    def test_a_location_without_the_stock_is_refused_when_completing(self, client, draft, shop, admin_user):
        empty = inventory.shelf(shop.warehouse, by=admin_user)
        client.post(url("delivery-update", draft.pk), pick_data(draft, location=empty))

        response = client.post(url("delivery-action", draft.pk, "complete"))

        assert response.status_code == 302 and messages_of(response)
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT
        assert stock(shop).quantity == money(20)

    def test_a_warehouse_clerk_may_not_complete_sales_deliveries(self, client_for, user_with_role, draft):
        response = client_for(user_with_role("Warehouse")).post(url("delivery-action", draft.pk, "complete"))

        assert response.status_code == 403
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT

    def test_a_completed_delivery_is_no_longer_edited(self, client, draft):
        client.post(url("delivery-action", draft.pk, "complete"))

        response = client.get(url("delivery-update", draft.pk))

        assert response.status_code == 302 and response["Location"] == url("delivery-detail", draft.pk)


class TestOtherUnits:
    def test_an_order_in_boxes_is_delivered_in_pieces_and_counted_in_boxes(self, client, shop, admin_user):
        from tests.factories import catalog

        cups = inventory.product(
            sku="CUP", name="Cup", sales_price=money("2.00"), sales_tax=shop.books.output_tax, conversions={"box": "12"}
        )
        inventory.receive(cups, shop.warehouse, 30, "0.50", on=date(2026, 3, 1), by=admin_user)
        order = make.order(shop, [make.line(cups, 2, unit=catalog.unit("box"))])
        line = order.lines.get()

        form = client.get(reverse("sales:salesorder-deliver", args=[order.pk]))
        client.post(reverse("sales:salesorder-deliver", args=[order.pk]), {f"line-{line.pk}": "1"})
        delivery = Delivery.objects.get()
        client.post(url("delivery-action", delivery.pk, "complete"))

        assert "2 box" in form.content.decode()  # open, in the line's unit
        assert "6 available, 24 reserved for this order" in form.content.decode()  # stock, in pieces
        assert line.unit_price == money("24.00")  # 12 × 2.00
        assert delivery.lines.get().quantity == money(12)  # pieces
        line.refresh_from_db()
        assert line.quantity_delivered == money(1)  # boxes
        cups_stock = Quant.objects.get(product=cups, location=shop.warehouse.stock_location)
        assert (cups_stock.quantity, cups_stock.reserved) == (money(18), money(12))


class TestLots:
    @pytest.fixture
    def oil(self, shop, admin_user):
        from erp.catalog.models import Tracking

        oil = inventory.product(sku="OIL", name="Olive oil", sales_price=money("9.00"), tracking=Tracking.LOT)
        for name, expiry in (("L-LATE", date(2026, 12, 31)), ("L-SOON", date(2026, 6, 30))):
            lot = inventory.lot(oil, name)
            lot.expiry_date = expiry
            lot.save()
            inventory.receive(oil, shop.warehouse, 5, "4.00", on=date(2026, 3, 1), lot=lot, by=admin_user)
        return oil

    def test_the_picks_take_the_lot_expiring_first_and_the_note_names_the_lots(self, client, shop, oil):
        order = make.order(shop, [make.line(oil, 7)])

        client.post(reverse("sales:salesorder-deliver", args=[order.pk]), {f"line-{order.lines.get().pk}": "7"})
        delivery = Delivery.objects.get()
        client.post(url("delivery-action", delivery.pk, "complete"))

        assert [(line.lot_number, line.quantity) for line in delivery.lines.order_by("position")] == [
            ("L-SOON", money(5)),
            ("L-LATE", money(2)),
        ]
        delivery.refresh_from_db()
        assert delivery.status == Status.COMPLETED
        text = pdf_text(client.get(url("delivery-pdf", delivery.pk)).content)
        assert "L-SOON" in text and "L-LATE" in text

    def test_an_unknown_lot_is_refused_when_completing(self, client, shop, oil):
        order = make.order(shop, [make.line(oil, 2)])
        client.post(reverse("sales:salesorder-deliver", args=[order.pk]), {f"line-{order.lines.get().pk}": "2"})
        delivery = Delivery.objects.get()
        client.post(url("delivery-update", delivery.pk), pick_data(delivery, quantity="2", lot="L-NOPE"))

        response = client.post(url("delivery-action", delivery.pk, "complete"))

        assert response.status_code == 302 and any("L-NOPE" in text for text in messages_of(response))
        delivery.refresh_from_db()
        assert delivery.status == Status.DRAFT


class TestReturn:
    @pytest.fixture
    def delivered(self, client, draft):
        client.post(url("delivery-action", draft.pk, "complete"))
        draft.refresh_from_db()
        return draft

    def test_the_form_offers_what_was_delivered(self, client, delivered):
        response = client.get(url("delivery-return", delivered.pk))

        assert response.status_code == 200
        [line] = delivered.lines.all()
        assert response.context["form"].fields[f"line-{line.pk}"].initial == money(5)

    def test_a_return_brings_the_goods_back_at_their_original_cost(self, client, delivered, shop, order):
        [line] = delivered.lines.all()

        response = client.post(url("delivery-return", delivered.pk), {f"line-{line.pk}": "2"})

        returned = Delivery.objects.get(kind=DeliveryKind.RETURN)
        assert response.status_code == 302 and response["Location"] == url("delivery-detail", returned.pk)
        assert returned.return_of == delivered and returned.status == Status.DRAFT
        client.post(url("delivery-action", returned.pk, "complete"))
        returned.refresh_from_db()
        assert returned.status == Status.COMPLETED and returned.number.startswith("RET-")
        assert stock(shop).quantity == money(17)
        assert cogs() == money("30.00")  # 50.00 out, 2 @ 10.00 back
        assert order.lines.get().quantity_delivered == money(3)

    def test_more_than_was_delivered_is_refused_next_to_the_line(self, client, delivered):
        [line] = delivered.lines.all()

        response = client.post(url("delivery-return", delivered.pk), {f"line-{line.pk}": "6"})

        assert response.status_code == 200
        assert response.context["form"].errors[f"line-{line.pk}"]
        assert not Delivery.objects.filter(kind=DeliveryKind.RETURN).exists()

    def test_a_draft_delivery_is_not_returned(self, client, draft):
        response = client.get(url("delivery-return", draft.pk))

        assert response.status_code == 200
        assert response.context["form"].rows == []
        [line] = draft.lines.all()
        post = client.post(url("delivery-return", draft.pk), {f"line-{line.pk}": "1"})
        assert post.status_code == 200 and post.context["form"].errors
        assert not Delivery.objects.filter(kind=DeliveryKind.RETURN).exists()

    def test_a_user_who_may_not_create_deliveries_gets_403(self, client_for, user_with_role, delivered):
        viewer = user_with_role()
        viewer.user_permissions.add(Permission.objects.get(codename="view_delivery"))

        assert client_for(viewer).get(url("delivery-return", delivered.pk)).status_code == 403


class TestPdf:
    def test_the_delivery_note_lists_the_picks_in_the_customers_language(self, client, draft, order):
        client.post(url("delivery-action", draft.pk, "complete"))
        draft.refresh_from_db()

        response = client.get(url("delivery-pdf", draft.pk))

        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        assert "Lieferschein" in text and draft.number in text and order.number in text
        assert "Kunde GmbH" in text and "CHAIR" in text

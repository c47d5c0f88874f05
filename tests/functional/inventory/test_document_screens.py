"""The six inventory document types through HTTP: list, create (valid and invalid input), detail,
complete, PDF; a user without the permission gets 403, another tenant's user 404; the list and
detail pages stay within their query budgets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from erp.catalog.models import Tracking
from erp.core.documents.models import Status
from erp.inventory.models import (
    GoodsIssue,
    GoodsReceipt,
    InternalTransfer,
    PhysicalCount,
    Quant,
    Scrap,
    StockAdjustment,
)
from tests.factories import inventory as factory
from tests.factories.inventory import money

pytestmark = pytest.mark.django_db

DAY = date(2025, 6, 2)


@dataclass(frozen=True)
class Kind:
    model: type
    prefix: str
    header: dict  # extra header fields: name → "warehouse" | "other" | value
    line: dict  # line fields besides product and quantity


KINDS = {
    "receipt": Kind(
        GoodsReceipt,
        "goodsreceipt",
        {"partner": "", "counterpart_account": ""},
        {"unit_cost": "2.50", "uom": "", "lot_number": "", "expiry_date": "", "location": ""},
    ),
    "issue": Kind(
        GoodsIssue,
        "goodsissue",
        {"partner": "", "counterpart_account": ""},
        {"uom": "", "lot_number": "", "location": ""},
    ),
    "transfer": Kind(
        InternalTransfer,
        "internaltransfer",
        {"destination_warehouse": "warehouse"},
        {"uom": "", "lot_number": "", "from_location": "", "to_location": "shelf"},
    ),
    "adjustment": Kind(
        StockAdjustment, "stockadjustment", {}, {"uom": "", "unit_cost": "", "lot_number": "", "location": ""}
    ),
    "count": Kind(
        PhysicalCount,
        "physicalcount",
        {"location": ""},
        {"location": "stock", "lot_number": "", "counted_quantity": "4"},
    ),
    "scrap": Kind(Scrap, "scrap", {}, {"uom": "", "lot_number": "", "location": ""}),
}


@pytest.fixture
def place(admin_user):
    factory.books(by=admin_user)
    warehouse = factory.warehouse(by=admin_user)
    shelf = factory.shelf(warehouse)
    product = factory.product()
    factory.receive(product, warehouse, 10, "2.00", on=date(2025, 6, 1))
    return warehouse, shelf, product


@pytest.fixture
def clerk(user_with_role):
    return user_with_role("Warehouse")


@pytest.fixture
def client(client_for, clerk):
    return client_for(clerk)


def url(kind: str, view: str, *args) -> str:
    return reverse(f"inventory:{KINDS[kind].prefix}-{view}", args=args)


def form_data(kind: str, place, *, sku: str | None = None, quantity: str = "3") -> dict:
    warehouse, shelf, product = place
    spec = KINDS[kind]
    data = {
        "organization": warehouse.organization_id,
        "warehouse": warehouse.pk,
        "accounting_date": DAY.isoformat(),
        "description": f"{kind} from the screen",
        "external_reference": "",
        "notes": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": sku if sku is not None else product.sku,
    }
    for name, value in spec.header.items():
        data[name] = warehouse.pk if value == "warehouse" else value
    if kind != "count":
        data["lines-0-quantity"] = quantity
    for name, value in spec.line.items():
        data[f"lines-0-{name}"] = {"shelf": shelf.pk, "stock": warehouse.stock_location_id}.get(value, value)
    return data


def draft(kind: str, place, by):
    warehouse, shelf, product = place
    line = {"product": product, "quantity": money(3)}
    if kind == "receipt":
        return factory.receipt_draft(warehouse, [{**line, "unit_cost": money(2)}], on=DAY, by=by)
    if kind == "issue":
        return factory.issue_draft(warehouse, [line], on=DAY, by=by)
    if kind == "transfer":
        return factory.transfer_draft(warehouse, warehouse, [{**line, "to_location": shelf}], on=DAY, by=by)
    if kind == "adjustment":
        return factory.adjustment_draft(warehouse, [line], on=DAY, by=by)
    if kind == "count":
        lines = [{"product": product, "location": warehouse.stock_location, "counted_quantity": money(4)}]
        return factory.count_draft(warehouse, on=DAY, by=by, lines=lines)
    return factory.scrap_draft(warehouse, [line], on=DAY, by=by)


ALL = pytest.mark.parametrize("kind", list(KINDS))


class TestList:
    @ALL
    def test_lists_the_documents_within_the_query_budget(
        self, kind, client, place, clerk, django_assert_max_num_queries
    ):
        document = draft(kind, place, clerk)

        with django_assert_max_num_queries(15):
            response = client.get(url(kind, "list"))

        assert response.status_code == 200
        assert [row.record.pk for row in response.context["table"].rows] == [document.pk]
        assert "Value" in response.content.decode()

    @ALL
    def test_exports_the_filtered_list_as_csv(self, kind, client, place, clerk):
        draft(kind, place, clerk)

        response = client.get(url(kind, "list"), {"_export": "csv", "status": "draft"})

        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        assert place[0].code in response.content.decode()


class TestCreate:
    @ALL
    def test_saves_a_draft_with_its_line(self, kind, client, place):
        response = client.get(url(kind, "create"))
        assert response.status_code == 200 and "inventory-products" in response.content.decode()

        response = client.post(url(kind, "create"), form_data(kind, place))

        document = KINDS[kind].model.objects.get(description=f"{kind} from the screen")
        assert response.status_code == 302 and response["Location"] == url(kind, "detail", document.pk)
        assert document.status == Status.DRAFT and document.lines.count() == 1

    @ALL
    def test_an_unknown_sku_is_shown_next_to_the_line_and_nothing_is_saved(self, kind, client, place):
        response = client.post(url(kind, "create"), form_data(kind, place, sku="NO-SUCH-SKU"), HTTP_HX_REQUEST="true")

        assert response.status_code == 200
        assert "No product has the SKU NO-SUCH-SKU" in response.content.decode()
        assert not KINDS[kind].model.objects.filter(description=f"{kind} from the screen").exists()

    def test_a_warehouse_of_another_organization_is_refused_on_its_field(self, client, place, root_organization):
        from tests.factories.core import OrganizationFactory

        branch = OrganizationFactory(parent=root_organization)
        data = form_data("receipt", place)
        data["organization"] = branch.pk

        response = client.post(url("receipt", "create"), data)

        assert response.status_code == 200
        assert response.context["form"].errors["warehouse"]


class TestDetailAndActions:
    @ALL
    def test_shows_the_document_within_the_query_budget(
        self, kind, client, place, clerk, django_assert_max_num_queries
    ):
        document = draft(kind, place, clerk)

        with django_assert_max_num_queries(25):
            response = client.get(url(kind, "detail", document.pk))

        assert response.status_code == 200
        content = response.content.decode()
        assert place[2].sku in content and 'id="stock-lines"' in content
        assert 'id="action-button-complete"' in content

    @ALL
    def test_completing_moves_the_stock_and_lists_the_moves(self, kind, client, place, clerk):
        document = draft(kind, place, clerk)

        response = client.post(url(kind, "action", document.pk, "complete"))

        document.refresh_from_db()
        assert response.status_code == 302 and document.status == Status.COMPLETED, document.status
        page = client.get(url(kind, "detail", document.pk)).content.decode()
        assert 'id="stock-moves"' in page and document.number in page

    @ALL
    def test_the_pdf_is_a_pdf(self, kind, client, place, clerk):
        document = draft(kind, place, clerk)

        response = client.get(url(kind, "pdf", document.pk))

        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")

    def test_a_refused_completion_explains_why(self, client, place, clerk):
        warehouse, _shelf, product = place
        too_much = factory.issue_draft(warehouse, [{"product": product, "quantity": money(50)}], on=DAY, by=clerk)

        response = client.post(url("issue", "action", too_much.pk, "complete"), follow=True)

        assert "Not enough stock" in response.content.decode()
        too_much.refresh_from_db()
        assert too_much.status == Status.DRAFT

    def test_voiding_a_consumed_receipt_is_refused_with_a_clear_message(self, client, place, admin_user):
        from erp.core.documents.services import document_complete

        warehouse, _shelf, product = place
        receipt = document_complete(document=draft("receipt", place, admin_user), by=admin_user)
        receipt_location = warehouse.receiving_location
        document_complete(
            document=factory.issue_draft(
                warehouse, [{"product": product, "quantity": money(3), "location": receipt_location}], on=DAY
            ),
            by=admin_user,
        )

        page = client.get(url("receipt", "detail", receipt.pk)).content.decode()
        response = client.post(url("receipt", "action", receipt.pk, "void"), {"reason": "oops"}, follow=True)

        assert 'id="action-button-void"' not in page
        assert "cannot be undone: its goods are no longer where it put them" in response.content.decode()


class TestSpecialActions:
    def test_fill_a_count_sheet_from_stock_on_hand(self, client, place, clerk):
        warehouse, _shelf, product = place
        count = factory.count_draft(warehouse, on=DAY, by=clerk)

        response = client.post(reverse("inventory:physicalcount-fill", args=[count.pk]))

        assert response.status_code == 302
        assert [(line.product_id, line.expected_quantity) for line in count.lines.all()] == [(product.pk, 10)]

    def test_receive_a_transfer_between_warehouses(self, client, place, clerk, admin_user):
        from erp.core.documents.services import document_complete

        warehouse, _shelf, product = place
        other = factory.warehouse(by=admin_user)
        transfer = document_complete(
            document=factory.transfer_draft(warehouse, other, [{"product": product, "quantity": money(2)}], on=DAY),
            by=admin_user,
        )
        page = client.get(url("transfer", "detail", transfer.pk)).content.decode()
        assert 'id="receive-transfer"' in page

        response = client.post(
            reverse("inventory:internaltransfer-receive", args=[transfer.pk]), {"on_date": "2025-06-05"}
        )

        transfer.refresh_from_db()
        assert response.status_code == 302 and transfer.received_on == date(2025, 6, 5)
        assert Quant.objects.get(product=product, location=other.stock_location).quantity == 2

    def test_receiving_with_a_bad_date_says_so(self, client, place, admin_user):
        from erp.core.documents.services import document_complete

        warehouse, _shelf, product = place
        other = factory.warehouse(by=admin_user)
        transfer = document_complete(
            document=factory.transfer_draft(warehouse, other, [{"product": product, "quantity": money(1)}], on=DAY),
            by=admin_user,
        )

        response = client.post(
            reverse("inventory:internaltransfer-receive", args=[transfer.pk]), {"on_date": "2025-05-01"}, follow=True
        )

        assert "cannot arrive before they left" in response.content.decode()

    def test_a_serial_receipt_shows_each_serial_number_on_the_detail_page(self, client, place, admin_user):
        from erp.core.documents.services import document_complete

        warehouse, _shelf, _product = place
        product = factory.product(tracking=Tracking.SERIAL)
        receipt = document_complete(
            document=factory.receipt_draft(
                warehouse,
                [{"product": product, "quantity": money(2), "unit_cost": money(5), "lot_number": "A-1, A-2"}],
                on=DAY,
            ),
            by=admin_user,
        )

        content = client.get(url("receipt", "detail", receipt.pk)).content.decode()

        assert "A-1" in content and "A-2" in content


class TestAccess:
    @ALL
    def test_a_user_without_inventory_rights_is_refused(self, kind, client_for, user_with_role, place, clerk):
        document = draft(kind, place, clerk)
        outsider = client_for(user_with_role("HR"))

        assert outsider.get(url(kind, "list")).status_code == 403
        assert outsider.get(url(kind, "detail", document.pk)).status_code == 403
        assert outsider.get(url(kind, "create")).status_code == 403
        assert outsider.post(url(kind, "action", document.pk, "complete")).status_code == 403

    @ALL
    def test_another_tenant_cannot_see_the_document(self, kind, other_admin_client, place, clerk):
        document = draft(kind, place, clerk)

        assert other_admin_client.get(url(kind, "detail", document.pk)).status_code == 404
        assert other_admin_client.get(url(kind, "pdf", document.pk)).status_code == 404

    def test_sales_may_look_but_not_create(self, client_for, user_with_role, place, clerk):
        document = draft("issue", place, clerk)
        sales = client_for(user_with_role("Sales"))

        assert sales.get(url("issue", "detail", document.pk)).status_code == 200
        assert sales.get(url("issue", "create")).status_code == 403


def test_decimal_quantities_come_back_in_the_form(client, place):
    data = form_data("receipt", place, quantity="2.5")

    client.post(url("receipt", "create"), data)

    line = GoodsReceipt.objects.get(description="receipt from the screen").lines.get()
    assert line.quantity == Decimal("2.5")

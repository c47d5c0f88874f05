"""Landed cost screens: list, create with receipts and cost lines (bad input next to the field),
detail with the allocation preview, edit only as a draft, complete and void, PDF; refused without
the permission and to another tenant."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from erp.core.documents import services as documents
from erp.core.documents.models import Status
from erp.inventory.models import ProductValuation
from erp.purchasing import landed_costs, services
from erp.purchasing.landed_costs import CostLineData
from erp.purchasing.models import LandedCost
from tests.factories import inventory
from tests.factories import invoicing as finance
from tests.factories import purchasing as make

pytestmark = pytest.mark.django_db

money = make.money
ON = date(2026, 3, 6)


@pytest.fixture
def buyer(root_organization, admin_user):
    return make.buyer(organization=root_organization, by=admin_user)


@pytest.fixture
def warehouse(buyer):
    return inventory.warehouse(organization=buyer.organization, by=buyer.by)


@pytest.fixture
def clerk(user_with_role):
    return user_with_role("Purchasing")


@pytest.fixture
def client(client_for, clerk):
    return client_for(clerk)


def _receipt(buyer, warehouse, *, complete=True):
    """100 paper at 3.00 and 10 toner at 60.00."""
    order = make.order(
        buyer,
        buyer.office,
        [make.order_line(buyer.paper, 100, price="3.00"), make.order_line(buyer.toner, 10, price="60.00")],
    )
    receipt = services.purchase_order_receive(order=order, warehouse=warehouse, by=buyer.by, on=ON)
    return documents.document_complete(document=receipt, by=buyer.by) if complete else receipt


@pytest.fixture
def receipt(buyer, warehouse):
    return _receipt(buyer, warehouse)


@pytest.fixture
def landed_cost(buyer, receipt, clerk):
    return landed_costs.landed_cost_create(
        organization=buyer.organization,
        receipts=[receipt],
        lines=[CostLineData(amount=money("90.00"), account=buyer.books.expense, description="Freight")],
        by=clerk,
        document_date=ON,
        description="Sea freight March",
    )


def _url(view: str, *args) -> str:
    return reverse(f"purchasing:landedcost-{view}", args=args)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def form_data(buyer, receipts, **line) -> dict:
    data = {
        "organization": buyer.organization.pk,
        "partner": "",
        "document_date": ON.isoformat(),
        "allocation_method": "value",
        "receipts": [receipt.pk for receipt in receipts],
        "description": "Freight",
        "notes": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-description": "Freight",
        "lines-0-bill_line": "",
        "lines-0-account": buyer.books.expense.pk,
        "lines-0-amount": "90.00",
    }
    data.update({f"lines-0-{name}": value for name, value in line.items()})
    return data


class TestList:
    def test_lists_the_landed_costs_and_finds_them_by_receipt(self, client, landed_cost, receipt, buyer):
        other = landed_costs.landed_cost_create(
            organization=buyer.organization,
            receipts=[],
            lines=[CostLineData(amount=money("5.00"), account=buyer.books.expense)],
            by=buyer.by,
            description="Duty",
        )

        response = client.get(_url("list"))
        found = client.get(_url("list"), {"q": receipt.number})

        assert response.status_code == 200
        assert "Sea freight March" in response.text and "Duty" in response.text
        assert "Sea freight March" in found.text and "Duty" not in found.text
        assert other.pk

    def test_the_navigation_offers_it_to_purchasing(self, client):
        response = client.get(_url("list"))

        assert _url("list") in response.text

    def test_sales_is_refused(self, client_for, user_with_role):
        assert client_for(user_with_role("Sales")).get(_url("list")).status_code == 403


class TestCreate:
    def test_the_form_offers_completed_receipts(self, client, buyer, receipt, warehouse):
        draft = _receipt(buyer, warehouse, complete=False)

        response = client.get(_url("create"))

        assert response.status_code == 200
        assert receipt.number in response.text
        assert f'value="{draft.pk}"' not in response.text.split('name="receipts"')[1].split("</select>")[0]

    def test_receipts_of_organizations_the_user_cannot_see_are_not_offered(
        self, client_for, user_with_role, buyer, receipt
    ):
        from erp.core.models import Organization

        branch = Organization.objects.create(code="BR", name="Branch", parent=buyer.organization)
        branch_clerk = user_with_role("Purchasing", organizations=[branch])

        response = client_for(branch_clerk).get(_url("create"))

        assert response.status_code == 200
        assert receipt.number not in response.text

    def test_creates_a_draft_with_its_receipts_and_costs(self, client, buyer, receipt):
        response = client.post(_url("create"), form_data(buyer, [receipt]))

        landed_cost = LandedCost.objects.get()
        assert response.url == _url("detail", landed_cost.pk)
        assert list(landed_cost.receipts.all()) == [receipt]
        (line,) = landed_cost.lines.all()
        assert (line.amount, line.account, line.position) == (money("90.00"), buyer.books.expense, 1)
        assert (landed_cost.status, landed_cost.total_gross, landed_cost.currency_id) == (
            Status.DRAFT,
            money("90.00"),
            "EUR",
        )

    def test_a_posted_bill_line_brings_its_amount_and_account(self, client, buyer, receipt):
        carrier = finance.vendor_bill(
            organization=buyer.organization,
            partner=buyer.mill,
            lines=[finance.line("1", "45.00", description="Freight by sea")],
            by=buyer.by,
            on=ON,
            number="FR-9",
        )
        bill_line = carrier.lines.get()

        client.post(
            _url("create"), form_data(buyer, [receipt], bill_line=bill_line.pk, account="", amount="", description="")
        )

        (line,) = LandedCost.objects.get().lines.all()
        assert (line.amount, line.account, line.description, line.bill_line) == (
            money("45.00"),
            bill_line.account,
            "Freight by sea",
            bill_line,
        )

    @pytest.mark.parametrize(
        ("amount", "message"),
        [
            ("0", "The amount must be greater than zero."),
            ("-10", "The amount must be greater than zero."),
            ("", "Enter the amount, or choose the vendor bill line that charged it."),
            ("abc", "Enter a number."),
            ("10.005", "Enter the amount with at most 2 decimals."),
        ],
    )
    def test_bad_amounts_are_refused_next_to_the_field(self, client, buyer, receipt, amount, message):
        response = client.post(_url("create"), form_data(buyer, [receipt], amount=amount))

        assert response.status_code == 200
        assert message in response.text
        assert not LandedCost.objects.exists()

    def test_a_receipt_is_required_and_drafts_are_not_offered(self, client, buyer, warehouse):
        draft = _receipt(buyer, warehouse, complete=False)

        response = client.post(_url("create"), form_data(buyer, [draft]))
        empty = client.post(_url("create"), form_data(buyer, []))

        assert "Select a valid choice" in response.text
        assert "This field is required." in empty.text
        assert not LandedCost.objects.exists()

    def test_the_warehouse_may_not_enter_landed_costs(self, client_for, user_with_role):
        assert client_for(user_with_role("Warehouse")).get(_url("create")).status_code == 403


class TestDetail:
    def test_shows_the_costs_and_the_allocation_preview(self, client, landed_cost, receipt):
        response = client.get(_url("detail", landed_cost.pk))

        assert response.status_code == 200
        text = response.text
        assert "Allocation preview" in text and receipt.number in text
        assert "30.00" in text and "60.00" in text and "90.00" in text  # paper, toner, total
        assert "3.3" in text and "66" in text  # the new unit costs
        assert 'id="action-button-complete"' in text

    def test_a_draft_receipt_explains_why_there_is_no_preview(self, client, landed_cost, buyer, warehouse):
        landed_cost.receipts.add(_receipt(buyer, warehouse, complete=False))

        response = client.get(_url("detail", landed_cost.pk))

        assert 'id="allocation-problem"' in response.text
        assert "landed costs go onto completed goods receipts only" in response.text

    def test_the_pdf(self, client, landed_cost):
        response = client.get(_url("pdf", landed_cost.pk))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"

    def test_another_tenant_gets_404(self, other_admin_client, landed_cost):
        assert other_admin_client.get(_url("detail", landed_cost.pk)).status_code == 404
        assert other_admin_client.post(_url("action", landed_cost.pk, "complete")).status_code == 404


class TestActions:
    def test_complete_raises_the_unit_costs_and_void_takes_them_back(self, client, landed_cost, buyer, warehouse):
        response = client.post(_url("action", landed_cost.pk, "complete"))

        landed_cost.refresh_from_db()
        assert response.url == _url("detail", landed_cost.pk)
        assert landed_cost.status == Status.COMPLETED
        paper = ProductValuation.objects.get(product=buyer.paper, warehouse=warehouse)
        assert paper.value == money("330.00")
        detail = client.get(_url("detail", landed_cost.pk))
        assert "Allocated onto the goods received" in detail.text and "30.00" in detail.text
        assert 'href="' + _url("update", landed_cost.pk) not in detail.text

        client.post(_url("action", landed_cost.pk, "void"), {"reason": "Wrong carrier"})

        landed_cost.refresh_from_db()
        paper.refresh_from_db()
        assert (landed_cost.status, paper.value) == (Status.VOIDED, money("300.00"))
        voided = client.get(_url("detail", landed_cost.pk)).text
        assert "(taken back)" in voided
        assert '<td class="numeric">300.00</td>' in voided  # the paper's value before (and again)

    def test_a_refusal_is_shown_and_nothing_is_posted(self, client, landed_cost, buyer, warehouse):
        landed_cost.receipts.add(_receipt(buyer, warehouse, complete=False))

        response = client.post(_url("action", landed_cost.pk, "complete"))

        landed_cost.refresh_from_db()
        assert landed_cost.status == Status.DRAFT
        assert any("landed costs go onto completed goods receipts only" in text for text in _messages(response))
        assert ProductValuation.objects.get(product=buyer.paper, warehouse=warehouse).value == money("300.00")

    def test_only_drafts_are_edited(self, client, landed_cost, buyer, receipt):
        (line,) = landed_cost.lines.all()
        data = form_data(buyer, [receipt], amount="120.00", id=line.pk)
        data.update({"lines-INITIAL_FORMS": "1", "version": landed_cost.version})
        edited = client.post(_url("update", landed_cost.pk), data)
        landed_cost.refresh_from_db()
        assert edited.status_code == 302 and landed_cost.total_gross == money("120.00")

        documents.document_complete(document=landed_cost, by=buyer.by)
        response = client.get(_url("update", landed_cost.pk))

        assert response.status_code == 302
        assert any("is no longer a draft" in text for text in _messages(response))

    def test_sales_cannot_complete(self, client_for, user_with_role, landed_cost):
        assert client_for(user_with_role("Sales")).post(_url("action", landed_cost.pk, "complete")).status_code == 403


def test_the_global_search_finds_landed_costs(client, landed_cost, client_for, user_with_role):
    found = client.get(reverse("core:search"), {"q": "Sea freight"})
    hidden = client_for(user_with_role("Sales")).get(reverse("core:search"), {"q": "Sea freight"})

    assert _url("detail", landed_cost.pk) in found.text
    assert _url("detail", landed_cost.pk) not in hidden.text

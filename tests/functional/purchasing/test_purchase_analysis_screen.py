"""The purchase analysis page: posted vendor bills (credit notes less, foreign currency at the
bill's rate) with what confirmed orders ordered and received, by vendor, product or month;
filters, the documents behind a row, refusals; and the purchasing sidebar's payables links."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from erp.core.documents import services as documents
from erp.core.models import Organization
from erp.finance.invoicing import services as invoicing
from erp.purchasing import billing, services
from tests.factories import catalog, inventory
from tests.factories import invoicing as finance
from tests.factories import purchasing as make

pytestmark = pytest.mark.django_db

money = make.money
PAGE_BUDGET = 17  # session, user, permissions, organizations, currency, 2 sums, the selects, the bell


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def buyer(root_organization, admin_user):
    return make.buyer(organization=root_organization, by=admin_user)


@pytest.fixture
def client(client_for, user_with_role):
    return client_for(user_with_role("Purchasing"))


@pytest.fixture
def categories(buyer):
    """Office supplies ⊃ Paper; paper in Paper, toner in Office supplies."""
    office = catalog.category(name="Office supplies")
    paper = catalog.category(name="Paper", parent=office)
    buyer.paper.category = paper
    buyer.paper.save()
    buyer.toner.category = office
    buyer.toner.save()
    return {"office": office, "paper": paper}


def _receive(buyer, warehouse, order, quantities, on):
    lines = {line.product_id: line.pk for line in order.lines.all()}
    receipt = services.purchase_order_receive(
        order=order,
        warehouse=warehouse,
        by=buyer.by,
        quantities={lines[product.pk]: money(quantity) for product, quantity in quantities},
        on=on,
    )
    documents.document_complete(document=receipt, by=buyer.by)


@pytest.fixture
def purchases(buyer, categories):
    """Office Supplies: order of 10.02. (100 paper at 3.50, 2 toner at 60.00: 470.00), received
    in full, billed 15.02. with the paper at 3.55 (475.00), 1 toner credited 06.03. (−60.00).
    Paper Mill: order of 03.03. (50 paper at 3.80: 190.00), 20 received (76.00), not billed;
    freight billed 05.03. (40.00) and a USD bill of 123.45 at 0.92 (113.57) on 07.03.
    Not counted: a draft bill, a cancelled order, a bill of 2025 (before the default period)."""
    warehouse = inventory.warehouse(organization=buyer.organization, by=buyer.by)
    office_order = make.order(
        buyer,
        buyer.office,
        [make.order_line(buyer.paper, 100, "3.50"), make.order_line(buyer.toner, 2, "60.00")],
        on=date(2026, 2, 10),
    )
    _receive(buyer, warehouse, office_order, [(buyer.paper, 100), (buyer.toner, 2)], date(2026, 2, 12))
    paper_line = office_order.lines.get(product=buyer.paper)
    office_bill = invoicing.invoice_post(
        invoice=billing.purchase_order_bill(
            order=office_order,
            vendor_invoice_number="OS-1001",
            by=buyer.by,
            on=date(2026, 2, 15),
            prices={paper_line.pk: money("3.55")},
        ),
        by=buyer.by,
    )
    credit = invoicing.credit_note_create(
        invoice=office_bill,
        by=buyer.by,
        lines=[finance.line("1", "60.00", product=buyer.toner, description="Toner returned")],
        document_date=date(2026, 3, 6),
        vendor_invoice_number="OS-CN-7",
    )
    credit = invoicing.invoice_post(invoice=credit, by=buyer.by)
    mill_order = make.order(buyer, buyer.mill, [make.order_line(buyer.paper, 50, "3.80")], on=date(2026, 3, 3))
    _receive(buyer, warehouse, mill_order, [(buyer.paper, 20)], date(2026, 3, 4))
    for number, day, lines, options in (
        ("PM-88", date(2026, 3, 5), [finance.line("1", "40.00", description="Freight")], {}),
        (
            "PM-89",
            date(2026, 3, 7),
            [finance.line("1", "123.45", description="Pallets")],
            {"currency": "USD", "exchange_rate": money("0.92")},
        ),
        ("PM-OLD", date(2025, 12, 20), [finance.line("1", "999.00")], {}),
    ):
        finance.vendor_bill(
            organization=buyer.organization,
            partner=buyer.mill,
            lines=lines,
            by=buyer.by,
            on=day,
            number=number,
            **options,
        )
    finance.vendor_bill(
        organization=buyer.organization,
        partner=buyer.mill,
        lines=[finance.line("1", "500.00")],
        by=buyer.by,
        on=date(2026, 3, 8),
        number="PM-DRAFT",
        post=False,
    )
    cancelled = make.order(buyer, buyer.mill, [make.order_line(buyer.toner, 7, "60.00")], on=date(2026, 3, 3))
    documents.document_cancel(document=cancelled, by=buyer.by, reason="Duplicate")
    return {"office_order": office_order, "office_bill": office_bill, "credit": credit, "mill_order": mill_order}


def table(response) -> list[tuple]:
    return [
        (row.label, row.bills, row.billed, row.orders, row.ordered, row.received) for row in response.context["rows"]
    ]


class TestPurchaseAnalysis:
    def test_by_vendor_largest_billed_first_with_the_totals_and_a_chart(self, client, purchases):
        response = client.get(reverse("purchasing:analysis"))

        assert response.status_code == 200
        assert table(response) == [
            ("Office Supplies GmbH", 2, money("415.00"), 1, money("470.00"), money("470.00")),
            ("Paper Mill AG", 2, money("153.57"), 1, money("190.00"), money("76.00")),
        ]
        total = response.context["total"]
        assert (total.billed, total.bills, total.ordered, total.received, total.orders) == (
            money("568.57"),
            4,
            money("660.00"),
            money("546.00"),
            2,
        )
        content = response.content.decode()
        assert 'id="analysis-chart"' in content and content.count('class="erp-chart-bar"') == 2
        assert 'id="analysis-total">568.57<' in content
        for figure in ("415.00", "153.57", "470.00", "190.00", "76.00", "660.00", "546.00"):
            assert f">{figure}<" in content

    def test_by_product_the_free_text_lines_apart(self, client, purchases):
        response = client.get(reverse("purchasing:analysis"), {"by": "product"})

        assert table(response) == [
            ("PAPER-A4 Paper A4", 1, money("355.00"), 2, money("540.00"), money("426.00")),
            ("Other lines", 2, money("153.57"), 0, money("0.00"), money("0.00")),
            ("TONER Toner", 2, money("60.00"), 1, money("120.00"), money("120.00")),
        ]

    def test_by_month_in_date_order(self, client, purchases):
        response = client.get(reverse("purchasing:analysis"), {"by": "month"})

        assert [(row.key, row.billed, row.bills, row.ordered, row.received) for row in response.context["rows"]] == [
            ("2026-02", money("475.00"), 1, money("470.00"), money("470.00")),
            ("2026-03", money("93.57"), 3, money("190.00"), money("76.00")),
        ]

    def test_a_period_takes_in_the_older_bill(self, client, purchases):
        response = client.get(
            reverse("purchasing:analysis"), {"by": "month", "date_from": "2025-12-01", "date_to": "2026-02-28"}
        )

        assert [(row.key, row.billed, row.ordered) for row in response.context["rows"]] == [
            ("2025-12", money("999.00"), money("0.00")),
            ("2026-02", money("475.00"), money("470.00")),
        ]

    def test_a_vendor_filter_by_name_or_code(self, client, buyer, purchases):
        by_name = client.get(reverse("purchasing:analysis"), {"vendor": "  mill "})
        by_code = client.get(reverse("purchasing:analysis"), {"vendor": buyer.office.code})

        assert [row.label for row in by_name.context["rows"]] == ["Paper Mill AG"]
        assert [row.label for row in by_code.context["rows"]] == ["Office Supplies GmbH"]

    def test_a_category_takes_its_sub_categories(self, client, categories, purchases):
        paper = client.get(reverse("purchasing:analysis"), {"by": "product", "category": categories["paper"].pk})
        office = client.get(reverse("purchasing:analysis"), {"by": "product", "category": categories["office"].pk})

        assert table(paper) == [("PAPER-A4 Paper A4", 1, money("355.00"), 2, money("540.00"), money("426.00"))]
        assert [row.label for row in office.context["rows"]] == ["PAPER-A4 Paper A4", "TONER Toner"]

    def test_another_organization_has_none_of_it(self, client, root_organization, purchases):
        branch = Organization.objects.create(code="BR", name="Branch", parent=root_organization)

        response = client.get(reverse("purchasing:analysis"), {"organization": branch.pk})

        assert response.status_code == 200 and response.context["rows"] == []
        assert "No purchases in this period." in response.content.decode()

    def test_a_user_of_another_organization_does_not_see_these_purchases(
        self, client_for, user_with_role, root_organization, purchases
    ):
        branch = Organization.objects.create(code="BR", name="Branch", parent=root_organization)
        outsider = client_for(user_with_role("Purchasing", organizations=[branch]))

        response = outsider.get(reverse("purchasing:analysis"))

        assert response.status_code == 200 and response.context["rows"] == []

    def test_a_row_opens_the_documents_behind_it(self, client, buyer, purchases):
        response = client.get(reverse("purchasing:analysis"), {"by": "vendor", "show": buyer.office.pk})

        assert response.status_code == 200
        assert response.context["shown"].label == "Office Supplies GmbH"
        bill, credit, order = purchases["office_bill"], purchases["credit"], purchases["office_order"]
        assert [(row.number, row.kind, row.amount) for row in response.context["bills"]] == [
            (bill.number, "Invoice", money("475.00")),
            (credit.number, "Credit note", money("-60.00")),
        ]
        assert [(row.number, row.amount, row.received) for row in response.context["orders"]] == [
            (order.number, money("470.00"), money("470.00"))
        ]
        content = response.content.decode()
        assert f'href="{bill.get_absolute_url()}"' in content
        assert f'href="{credit.get_absolute_url()}"' in content
        assert f'href="{order.get_absolute_url()}"' in content
        # every row opens its own documents, with the filters kept
        assert f'href="?by=vendor&amp;show={buyer.mill.pk}#analysis-documents"' in content

    def test_a_month_row_and_the_free_text_lines_open_their_documents(self, client, buyer, purchases):
        march = client.get(reverse("purchasing:analysis"), {"by": "month", "show": "2026-03"})
        other = client.get(reverse("purchasing:analysis"), {"by": "product", "show": "none"})

        assert [row.amount for row in march.context["bills"]] == [money("40.00"), money("-60.00"), money("113.57")]
        assert [row.number for row in march.context["orders"]] == [purchases["mill_order"].number]
        assert [row.amount for row in other.context["bills"]] == [money("40.00"), money("113.57")]
        assert other.context["orders"] == []

    def test_nonsense_parameters_are_form_errors_not_500(self, client, purchases):
        response = client.get(
            reverse("purchasing:analysis"),
            {"by": "colour", "date_from": "yesterday", "category": "999999", "organization": "x"},
        )

        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"by", "date_from", "category", "organization"}
        assert response.context["rows"] == []

    def test_an_end_before_the_start_is_a_form_error(self, client, purchases):
        response = client.get(reverse("purchasing:analysis"), {"date_from": "2026-03-01", "date_to": "2026-02-01"})

        assert response.context["form"].errors["date_to"] == ["The end lies before the start."]
        assert response.context["rows"] == []

    @pytest.mark.parametrize(
        ("by", "show"),
        [("vendor", "abc"), ("vendor", "9" * 20), ("month", "2026-13"), ("month", "0000-01"), ("product", "-1")],
    )
    def test_a_row_that_cannot_be_is_a_message(self, client, purchases, by, show):
        response = client.get(reverse("purchasing:analysis"), {"by": by, "show": show})

        assert response.status_code == 200
        assert response.context["form"].errors["show"] == ["There is no such row to show."]
        assert "There is no such row to show." in response.content.decode()

    def test_a_row_that_does_not_exist_shows_no_documents(self, client, purchases):
        response = client.get(reverse("purchasing:analysis"), {"by": "vendor", "show": "999999999"})

        assert response.status_code == 200
        assert (response.context["shown"], response.context["bills"], response.context["orders"]) == (None, [], [])
        assert "No posted bills." in response.content.decode()

    def test_a_december_row_ends_with_the_year(self, client, buyer, purchases):
        response = client.get(
            reverse("purchasing:analysis"), {"by": "month", "date_from": "2025-01-01", "show": "2025-12"}
        )

        assert [row.amount for row in response.context["bills"]] == [money("999.00")]

    def test_a_user_without_the_permissions_gets_403(self, client_for, user_with_role):
        assert client_for(user_with_role("Warehouse")).get(reverse("purchasing:analysis")).status_code == 403
        assert client_for(user_with_role("Sales")).get(reverse("purchasing:analysis")).status_code == 403

    def test_an_accountant_may_open_it(self, client_for, user_with_role):
        assert client_for(user_with_role("Accountant")).get(reverse("purchasing:analysis")).status_code == 200

    def test_another_tenant_does_not_see_these_purchases(self, other_admin_client, purchases):
        response = other_admin_client.get(reverse("purchasing:analysis"), {"by": "month", "date_from": "2025-01-01"})

        assert response.status_code == 200 and response.context["rows"] == []

    def test_the_page_and_a_drill_down_stay_within_a_query_budget(
        self, client, buyer, categories, purchases, django_assert_max_num_queries
    ):
        client.get(reverse("purchasing:analysis"))  # the session and the caches
        office = categories["office"].pk

        with django_assert_max_num_queries(PAGE_BUDGET):
            response = client.get(reverse("purchasing:analysis"), {"by": "product", "category": office})
        assert len(response.context["rows"]) == 2
        with django_assert_max_num_queries(PAGE_BUDGET + 2):
            response = client.get(reverse("purchasing:analysis"), {"by": "vendor", "show": buyer.office.pk})
        assert len(response.context["bills"]) == 2


class TestPurchasingSidebar:
    def test_a_purchaser_finds_the_analysis_and_the_payables_screens(self, client):
        content = client.get(reverse("core:dashboard")).content.decode()

        for name in ("purchasing:analysis", "finance:payable-ledger", "finance:payable-aged"):
            assert content.count(f'href="{reverse(name)}"') >= 1, name

    def test_payment_runs_are_under_purchasing_for_purchasers_who_may_see_them(self, client_for, user_with_role):
        path = f'href="{reverse("finance:paymentrun-list")}"'
        both = client_for(user_with_role("Purchasing", "Accountant")).get(reverse("core:dashboard"))
        accountant = client_for(user_with_role("Accountant")).get(reverse("core:dashboard"))

        assert both.content.decode().count(path) == 2  # under Purchasing and under Payables
        assert accountant.content.decode().count(path) == 1  # under Payables only

    def test_without_the_bills_permission_the_analysis_is_not_offered(self, client_for, user_with_role):
        content = client_for(user_with_role("Warehouse")).get(reverse("core:dashboard")).content.decode()

        assert reverse("purchasing:analysis") not in content

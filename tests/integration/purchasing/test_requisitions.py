"""Purchase requisitions: created with product and free-text lines, approved through the workflow,
turned into purchase orders grouped by vendor, made from the replenishment suggestions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from erp.core.documents import services as documents
from erp.core.documents.models import ApprovalStatus, Status
from erp.core.exceptions import DomainError
from erp.inventory import selectors as stock_selectors
from erp.inventory import services as inventory_services
from erp.purchasing import services
from erp.purchasing.models import LineState, PurchaseOrder, PurchaseRequisition
from tests.factories import inventory
from tests.factories import purchasing as make

pytestmark = pytest.mark.django_db

money = make.money


@pytest.fixture
def buyer(root_organization, admin_user):
    return make.buyer(organization=root_organization, by=admin_user)


class TestRequisitionCreate:
    def test_estimates_the_total_and_takes_the_products_name_and_purchase_unit(self, buyer):
        requisition = make.requisition(
            buyer,
            [make.req_line(buyer.paper, 10, price="4.00"), make.req_line(quantity=2, price="150.00")],
            submit=False,
        )

        paper, chair = requisition.lines.order_by("position")
        assert (paper.description, paper.unit_id) == ("Paper A4", buyer.paper.base_uom_id)
        assert (chair.description, chair.line_net) == ("Office chair", money("300.00"))
        assert requisition.total_gross == money("340.00")
        assert requisition.status == Status.DRAFT
        assert requisition.requested_by == buyer.by

    def test_a_line_without_product_or_description_is_refused(self, buyer):
        with pytest.raises(DomainError, match="Line 2"):
            make.requisition(buyer, [make.req_line(buyer.paper), make.req_line(description=" ")], submit=False)

        assert not PurchaseRequisition.objects.exists()

    def test_a_customer_cannot_be_the_suggested_vendor(self, buyer):
        from tests.factories import partners

        with pytest.raises(DomainError, match="is not a vendor"):
            make.requisition(buyer, [make.req_line(buyer.paper, vendor=partners.partner())], submit=False)


class TestRequisitionApproval:
    def test_without_a_workflow_submitting_approves_and_numbers_it(self, buyer):
        requisition = make.requisition(buyer, [make.req_line(buyer.paper, 5)])

        assert requisition.status == Status.APPROVED
        assert requisition.number.startswith("PR-")

    def test_above_the_workflows_amount_it_waits_for_the_manager(self, buyer, user_with_role, admin_user):
        make.approval_above("1000", subject="purchasing.purchaserequisition", by=admin_user)
        clerk, manager = user_with_role("Purchasing"), user_with_role("Manager")

        small = make.requisition(buyer, [make.req_line(buyer.paper, 10, price="4.00")], by=clerk)
        large = make.requisition(buyer, [make.req_line(quantity=10, price="150.00")], by=clerk)

        assert small.status == Status.APPROVED
        assert (large.status, large.approval_status) == (Status.IN_REVIEW, ApprovalStatus.PENDING)
        assert documents.available_actions(large, clerk) == ["cancel"]
        documents.perform(document=large, action="approve", by=manager)
        large.refresh_from_db()
        assert (large.status, large.approval_status) == (Status.APPROVED, ApprovalStatus.APPROVED)

    def test_a_rejected_requisition_goes_back_to_draft_with_the_reason(self, buyer, user_with_role, admin_user):
        make.approval_above("0", subject="purchasing.purchaserequisition", by=admin_user)
        clerk, manager = user_with_role("Purchasing"), user_with_role("Manager")
        requisition = make.requisition(buyer, [make.req_line(buyer.paper, 10, price="4.00")], by=clerk)

        documents.perform(document=requisition, action="reject", by=manager, reason="Use the stock in Munich")

        requisition.refresh_from_db()
        assert (requisition.status, requisition.status_reason) == (Status.DRAFT, "Use the stock in Munich")

    def test_an_empty_requisition_cannot_be_submitted(self, buyer):
        requisition = make.requisition(buyer, [], submit=False)

        with pytest.raises(DomainError, match="at least one line"):
            documents.document_submit(document=requisition, by=buyer.by)


class TestRequisitionOrder:
    def test_makes_one_draft_order_per_vendor_with_the_vendors_prices(self, buyer):
        requisition = make.requisition(
            buyer,
            [
                make.req_line(buyer.paper, 10, vendor=buyer.office, price="3.00"),
                make.req_line(buyer.toner, 2),  # cheapest (only) vendor: Office Supplies
                make.req_line(buyer.paper, 20, vendor=buyer.mill),
                make.req_line(quantity=1, vendor=buyer.mill, price="120.00", description="Delivery pallet"),
            ],
        )

        orders = services.requisition_order(requisition=requisition, by=buyer.by, on=make.DAY)

        assert [order.partner for order in orders] == [buyer.office, buyer.mill]
        office, mill = orders
        assert office.status == Status.DRAFT
        paper, toner = office.lines.order_by("position")
        assert (paper.unit_price, paper.vendor_product_code) == (money("4.00"), "OS-P4")
        assert paper.expected_date == make.DAY + timedelta(days=5)
        assert paper.tax_code == buyer.books.input_tax
        assert toner.unit_price == money("60.00")
        assert office.total_net == money("160.00")
        assert office.total_gross == money("190.40")
        assert office.external_reference == requisition.number
        assert [(line.description, line.unit_price) for line in mill.lines.order_by("position")] == [
            ("Paper A4", money("3.80")),
            ("Delivery pallet", money("120.00")),  # no catalog price: the estimate
        ]
        requisition.refresh_from_db()
        assert requisition.status == Status.COMPLETED
        assert set(requisition.lines.values_list("state", flat=True)) == {LineState.ORDERED}
        assert {line.requisition_line.requisition_id for line in paper.order.lines.all()} == {requisition.pk}

    def test_ordering_some_lines_leaves_the_requisition_in_progress_until_the_rest_is_ordered(self, buyer):
        requisition = make.requisition(
            buyer, [make.req_line(buyer.paper, 10, vendor=buyer.office), make.req_line(buyer.toner, 1)]
        )
        paper, _toner = requisition.lines.order_by("position")

        services.requisition_order(requisition=requisition, by=buyer.by, line_ids=[paper.pk])
        requisition.refresh_from_db()
        assert requisition.status == Status.IN_PROGRESS

        services.requisition_order(requisition=requisition, by=buyer.by)
        requisition.refresh_from_db()
        assert requisition.status == Status.COMPLETED
        assert PurchaseOrder.objects.filter(lines__requisition_line__requisition=requisition).distinct().count() == 2

    def test_a_line_no_vendor_sells_is_refused_and_nothing_is_ordered(self, buyer):
        requisition = make.requisition(buyer, [make.req_line(buyer.paper, 10), make.req_line(buyer.pens, 5)])

        with pytest.raises(DomainError, match=r"Line 2 .*has no vendor"):
            services.requisition_order(requisition=requisition, by=buyer.by)

        assert not PurchaseOrder.objects.exists()
        assert set(requisition.lines.values_list("state", flat=True)) == {LineState.OPEN}

    def test_a_draft_requisition_cannot_be_ordered(self, buyer):
        requisition = make.requisition(buyer, [make.req_line(buyer.paper, 10)], submit=False)

        with pytest.raises(DomainError, match="Draft"):
            services.requisition_order(requisition=requisition, by=buyer.by)

    def test_a_user_who_may_not_create_orders_is_refused(self, buyer, user_with_role):
        requisition = make.requisition(buyer, [make.req_line(buyer.paper, 10)])

        with pytest.raises(DomainError, match="not allowed"):
            services.requisition_order(requisition=requisition, by=user_with_role("Warehouse"))

    def test_cancelling_the_order_gives_the_lines_back_to_order_again(self, buyer):
        requisition = make.requisition(buyer, [make.req_line(buyer.paper, 10)])
        (order,) = services.requisition_order(requisition=requisition, by=buyer.by)

        documents.document_cancel(document=order, by=buyer.by, reason="Wrong vendor")

        assert list(requisition.lines.values_list("state", flat=True)) == [LineState.OPEN]
        (again,) = services.requisition_order(requisition=requisition, by=buyer.by)
        assert again.partner == buyer.mill  # the cheapest for 10 sheets


class TestRequisitionsFromReplenishment:
    def test_suggestions_below_the_minimum_become_a_requisition_with_the_cheapest_vendor(self, buyer):
        warehouse = inventory.warehouse(organization=buyer.organization, by=buyer.by)
        inventory_services.reorder_rule_create(
            product=buyer.paper,
            warehouse=warehouse,
            min_quantity=money(50),
            max_quantity=money(200),
            multiple=money(50),
            by=buyer.by,
        )
        rules = list(stock_selectors.replenishment(user=buyer.by))

        (requisition,) = services.requisitions_from_replenishment(
            suggestions=[(rule, stock_selectors.suggested_quantity(rule)) for rule in rules], by=buyer.by
        )

        (line,) = requisition.lines.all()
        assert (line.product, line.quantity, line.vendor) == (buyer.paper, money(200), buyer.office)
        assert line.unit_price == money("3.50")  # the 100-sheet break
        assert requisition.status == Status.DRAFT

    def test_nothing_to_reorder_is_refused(self, buyer):
        with pytest.raises(DomainError, match="Nothing needs"):
            services.requisitions_from_replenishment(suggestions=[], by=buyer.by)

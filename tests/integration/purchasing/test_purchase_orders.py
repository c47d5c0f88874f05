"""Purchase orders: priced from the vendor's catalog prices, approved above an amount through the
workflow, their remainder cancelled once something arrived."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from erp.core.documents import services as documents
from erp.core.documents.models import ApprovalStatus, Status
from erp.core.exceptions import DomainError
from erp.purchasing import services
from erp.purchasing.models import PurchaseOrder
from tests.factories import invoicing as finance
from tests.factories import partners
from tests.factories import purchasing as make

pytestmark = pytest.mark.django_db

money = make.money


@pytest.fixture
def buyer(root_organization, admin_user):
    return make.buyer(organization=root_organization, by=admin_user)


class TestPurchaseOrderCreate:
    def test_lines_get_the_vendors_price_for_the_quantity_its_code_lead_time_and_purchase_tax(self, buyer):
        order = make.order(
            buyer,
            buyer.office,
            [make.order_line(buyer.paper, 150), make.order_line(quantity=1, price="25.00", description="Freight")],
            submit=False,
        )

        paper, freight = order.lines.order_by("position")
        assert (paper.unit_price, paper.vendor_product_code) == (money("3.50"), "OS-P4")  # the 100-sheet break
        assert paper.expected_date == make.DAY + timedelta(days=5)
        assert (paper.tax_code, freight.tax_code) == (buyer.books.input_tax, None)
        assert (order.total_net, order.total_tax, order.total_gross) == (
            money("550.00"),
            money("99.75"),
            money("649.75"),
        )

    def test_a_typed_price_and_an_expected_date_on_the_order_are_kept(self, buyer):
        order = make.order(
            buyer,
            buyer.office,
            [make.order_line(buyer.paper, 10, price="3.95")],
            submit=False,
            expected_date=date(2026, 4, 1),
        )

        (paper,) = order.lines.all()
        assert (paper.unit_price, paper.expected_date) == (money("3.95"), date(2026, 4, 1))

    def test_a_customer_cannot_be_ordered_from(self, buyer):
        with pytest.raises(DomainError, match="is not a vendor"):
            make.order(buyer, partners.partner(), [make.order_line(buyer.paper, 1)], submit=False)

        assert not PurchaseOrder.objects.exists()

    def test_a_product_that_cannot_be_purchased_stops_the_submit(self, buyer):
        buyer.toner.can_be_purchased = False
        buyer.toner.save()
        order = make.order(buyer, buyer.office, [make.order_line(buyer.toner, 1)], submit=False)

        with pytest.raises(DomainError, match="cannot be purchased"):
            documents.document_submit(document=order, by=buyer.by)


class TestPurchaseOrderApproval:
    @pytest.fixture
    def threshold(self, admin_user):
        return make.approval_above("5000", subject="purchasing.purchaseorder", by=admin_user)

    def test_below_the_threshold_the_order_is_approved_at_once(self, buyer, threshold, user_with_role):
        clerk = user_with_role("Purchasing")

        order = make.order(buyer, buyer.office, [make.order_line(buyer.toner, 10)], by=clerk)

        assert (order.status, order.approval_status) == (Status.APPROVED, ApprovalStatus.NOT_REQUIRED)
        assert order.number.startswith("PO-")

    def test_above_the_threshold_the_manager_approves_it(self, buyer, threshold, user_with_role):
        clerk, manager = user_with_role("Purchasing"), user_with_role("Manager")

        order = make.order(buyer, buyer.office, [make.order_line(buyer.toner, 80)], by=clerk)  # 5 712.00 gross

        assert (order.status, order.approval_status) == (Status.IN_REVIEW, ApprovalStatus.PENDING)
        with pytest.raises(DomainError):
            documents.perform(document=order, action="approve", by=clerk)
        documents.perform(document=order, action="approve", by=manager)
        order.refresh_from_db()
        assert (order.status, order.approval_status) == (Status.APPROVED, ApprovalStatus.APPROVED)


class TestPaymentTerm:
    def test_the_order_takes_the_vendors_term_as_vendor_not_as_customer(self, buyer):
        as_vendor, as_customer = finance.term(net_days=45), finance.term(net_days=10)
        buyer.office.vendor_payment_term, buyer.office.payment_term = as_vendor, as_customer
        buyer.office.save()

        order = make.order(buyer, buyer.office, [make.order_line(buyer.paper, 10)], submit=False)

        assert order.payment_term == as_vendor

    def test_a_term_given_for_the_order_wins(self, buyer):
        buyer.office.vendor_payment_term = finance.term(net_days=45)
        buyer.office.save()
        chosen = finance.term(net_days=60)

        order = make.order(buyer, buyer.office, [make.order_line(buyer.paper, 10)], submit=False, payment_term=chosen)

        assert order.payment_term == chosen


class TestCancelRemainder:
    def _received(self, order, quantity):
        line = order.lines.get()
        line.quantity_received = money(quantity)
        line.save()
        return line

    def test_cancels_what_did_not_arrive(self, buyer):
        order = make.order(buyer, buyer.office, [make.order_line(buyer.paper, 100)])
        line = self._received(order, 60)

        services.purchase_order_cancel_remainder(order=order, by=buyer.by, reason="Vendor out of stock")

        order.refresh_from_db()
        line.refresh_from_db()
        assert line.quantity_cancelled == money(40)
        assert line.quantity_to_bill == money(60)
        assert (order.status, order.status_reason) == (Status.IN_PROGRESS, "Vendor out of stock")

    def test_an_order_nothing_arrived_for_is_cancelled_instead(self, buyer):
        order = make.order(buyer, buyer.office, [make.order_line(buyer.paper, 100)])

        with pytest.raises(DomainError, match="cancel the order"):
            services.purchase_order_cancel_remainder(order=order, by=buyer.by, reason="No longer needed")

    def test_a_reason_is_required(self, buyer):
        order = make.order(buyer, buyer.office, [make.order_line(buyer.paper, 100)])
        self._received(order, 60)

        with pytest.raises(DomainError, match="reason"):
            services.purchase_order_cancel_remainder(order=order, by=buyer.by, reason=" ")

    def test_once_something_arrived_the_order_itself_cannot_be_cancelled(self, buyer):
        order = make.order(buyer, buyer.office, [make.order_line(buyer.paper, 100)])
        self._received(order, 60)
        services.purchase_order_cancel_remainder(order=order, by=buyer.by, reason="Vendor out of stock")

        with pytest.raises(DomainError, match="In progress"):
            documents.document_cancel(document=order, by=buyer.by, reason="Oops")

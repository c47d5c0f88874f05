"""Requests for quotation: asked of several vendors (from a requisition or by hand), their replies
per line, and the award that creates the purchase order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from erp.core.documents import services as documents
from erp.core.documents.models import Status
from erp.core.exceptions import DomainError
from erp.purchasing import services
from erp.purchasing.models import LineState, PurchaseOrder
from erp.purchasing.services import QuoteData, RFQLineData
from tests.factories import partners
from tests.factories import purchasing as make

pytestmark = pytest.mark.django_db

money = make.money


@pytest.fixture
def buyer(root_organization, admin_user):
    return make.buyer(organization=root_organization, by=admin_user)


@pytest.fixture
def requisition(buyer):
    return make.requisition(
        buyer,
        [make.req_line(buyer.paper, 100, vendor=buyer.office), make.req_line(buyer.toner, 4, vendor=buyer.mill)],
    )


def _open_rfq(buyer, requisition):
    rfq = services.requisition_request_quotes(requisition=requisition, vendors=[], by=buyer.by)
    return documents.document_submit(document=rfq, by=buyer.by)


def _quotes(rfq, **prices):
    """``paper=("3.40", None, 7)`` → {line id: QuoteData(price, quantity, lead time)}."""
    lines = {line.product.sku: line for line in rfq.lines.select_related("product")}
    skus = {"paper": "PAPER-A4", "toner": "TONER"}
    return {
        lines[skus[name]].pk: QuoteData(
            unit_price=money(price), quantity=None if quantity is None else money(quantity), lead_time_days=days
        )
        for name, (price, quantity, days) in prices.items()
    }


class TestRequestQuotes:
    def test_asks_the_suggested_vendors_for_the_open_lines(self, buyer, requisition):
        rfq = services.requisition_request_quotes(requisition=requisition, vendors=[], by=buyer.by)

        assert rfq.status == Status.DRAFT
        assert sorted(rfq.vendors.values_list("partner__name", flat=True)) == ["Office Supplies GmbH", "Paper Mill AG"]
        assert [(line.description, line.quantity) for line in rfq.lines.all()] == [
            ("Paper A4", money(100)),
            ("Toner", money(4)),
        ]
        requisition.refresh_from_db()
        assert requisition.status == Status.COMPLETED
        assert set(requisition.lines.values_list("state", flat=True)) == {LineState.QUOTING}

    def test_a_request_without_vendors_cannot_be_sent(self, buyer):
        rfq = services.rfq_create(
            organization=buyer.organization, lines=[RFQLineData(product=buyer.paper, quantity=money(5))], by=buyer.by
        )

        with pytest.raises(DomainError, match="Invite at least one vendor"):
            documents.document_submit(document=rfq, by=buyer.by)

        services.rfq_vendor_add(rfq=rfq, partner=buyer.mill, by=buyer.by)
        rfq = documents.document_submit(document=rfq, by=buyer.by)
        assert (rfq.status, rfq.number[:4]) == (Status.APPROVED, "RFQ-")

    def test_a_vendor_is_invited_once_and_customers_not_at_all(self, buyer, requisition):
        rfq = services.requisition_request_quotes(requisition=requisition, vendors=[buyer.office], by=buyer.by)

        with pytest.raises(DomainError, match="invited already"):
            services.rfq_vendor_add(rfq=rfq, partner=buyer.office, by=buyer.by)
        with pytest.raises(DomainError, match="not a vendor"):
            services.rfq_vendor_add(rfq=rfq, partner=partners.partner(), by=buyer.by)
        assert rfq.vendors.count() == 1


class TestReplyAndAward:
    def test_the_awarded_vendor_gets_an_order_at_its_quoted_prices_and_lead_times(self, buyer, requisition):
        rfq = _open_rfq(buyer, requisition)
        services.rfq_reply(
            rfq=rfq,
            partner=buyer.office,
            quotes=_quotes(rfq, paper=("3.40", None, 7), toner=("58.00", None, None)),
            by=buyer.by,
            reference="Q-881",
        )
        services.rfq_reply(rfq=rfq, partner=buyer.mill, quotes=_quotes(rfq, paper=("3.30", 120, 14)), by=buyer.by)

        order = services.rfq_award(rfq=rfq, partner=buyer.office, by=buyer.by, on=make.DAY)

        assert (order.partner, order.rfq, order.status) == (buyer.office, rfq, Status.DRAFT)
        assert order.vendor_reference == "Q-881"
        paper, toner = order.lines.order_by("position")
        assert (paper.quantity, paper.unit_price) == (money(100), money("3.40"))
        assert paper.expected_date == make.DAY + timedelta(days=7)
        assert toner.expected_date == make.DAY + timedelta(days=3)  # no lead time quoted: the catalog's
        assert order.total_net == money("572.00")
        rfq.refresh_from_db()
        assert (rfq.status, rfq.awarded_vendor) == (Status.COMPLETED, buyer.office)
        assert set(requisition.lines.values_list("state", flat=True)) == {LineState.ORDERED}

    def test_the_quantity_offered_replaces_the_asked_one(self, buyer, requisition):
        rfq = _open_rfq(buyer, requisition)
        services.rfq_reply(rfq=rfq, partner=buyer.mill, quotes=_quotes(rfq, paper=("3.30", 120, 14)), by=buyer.by)

        order = services.rfq_award(rfq=rfq, partner=buyer.mill, by=buyer.by)

        (paper,) = order.lines.all()
        assert (paper.quantity, paper.unit_price) == (money(120), money("3.30"))
        toner = requisition.lines.get(product=buyer.toner)
        assert toner.state == LineState.OPEN  # not quoted by the mill: to be ordered otherwise

    def test_a_second_reply_replaces_the_first(self, buyer, requisition):
        rfq = _open_rfq(buyer, requisition)
        services.rfq_reply(rfq=rfq, partner=buyer.mill, quotes=_quotes(rfq, paper=("3.30", None, 14)), by=buyer.by)

        invited = services.rfq_reply(
            rfq=rfq, partner=buyer.mill, quotes=_quotes(rfq, toner=("55.00", None, 2)), by=buyer.by
        )

        assert [(quote.line.product.sku, quote.unit_price) for quote in invited.quotes.all()] == [
            ("TONER", money("55.00"))
        ]

    def test_a_vendor_not_invited_cannot_reply(self, buyer, requisition):
        rfq = _open_rfq(buyer, requisition)
        outsider = partners.vendor(name="Outsider KG")

        with pytest.raises(DomainError, match="was not asked"):
            services.rfq_reply(rfq=rfq, partner=outsider, quotes=_quotes(rfq, paper=("1", None, 1)), by=buyer.by)

    def test_replies_are_entered_only_once_the_request_is_sent(self, buyer, requisition):
        rfq = services.requisition_request_quotes(requisition=requisition, vendors=[], by=buyer.by)

        with pytest.raises(DomainError, match="Draft"):
            services.rfq_reply(rfq=rfq, partner=buyer.mill, quotes=_quotes(rfq, paper=("3", None, 1)), by=buyer.by)

    def test_a_negative_price_is_refused(self, buyer, requisition):
        rfq = _open_rfq(buyer, requisition)

        with pytest.raises(DomainError, match="cannot be negative"):
            services.rfq_reply(rfq=rfq, partner=buyer.mill, quotes=_quotes(rfq, paper=("-1", None, 1)), by=buyer.by)

    def test_a_vendor_without_a_reply_cannot_be_awarded(self, buyer, requisition):
        rfq = _open_rfq(buyer, requisition)

        with pytest.raises(DomainError, match="has not replied"):
            services.rfq_award(rfq=rfq, partner=buyer.mill, by=buyer.by)

        assert not PurchaseOrder.objects.exists()

    def test_an_awarded_request_cannot_be_awarded_again(self, buyer, requisition):
        rfq = _open_rfq(buyer, requisition)
        services.rfq_reply(rfq=rfq, partner=buyer.mill, quotes=_quotes(rfq, paper=("3.30", None, 14)), by=buyer.by)
        services.rfq_award(rfq=rfq, partner=buyer.mill, by=buyer.by)

        with pytest.raises(DomainError, match="Completed"):
            services.rfq_award(rfq=rfq, partner=buyer.mill, by=buyer.by)

    def test_cancelling_the_request_gives_the_requisition_lines_back(self, buyer, requisition):
        rfq = _open_rfq(buyer, requisition)

        documents.document_cancel(document=rfq, by=buyer.by, reason="Prices known")

        assert set(requisition.lines.values_list("state", flat=True)) == {LineState.OPEN}

"""Request for quotation screens: create with lines, invite and remove vendors, send, enter the
replies, compare them side by side and award; refused without the permission, in the wrong
state, with bad input and to another tenant."""

from __future__ import annotations

import io

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from erp.core.documents import services as documents
from erp.core.documents.models import Status
from erp.purchasing import services
from erp.purchasing.models import PurchaseOrder, RequestForQuotation, SendStatus
from erp.purchasing.services import QuoteData, RFQLineData
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
def rfq(buyer, clerk):
    """Sent to both vendors: 100 sheets of paper and 4 toners."""
    made = services.rfq_create(
        organization=buyer.organization,
        lines=[
            RFQLineData(product=buyer.paper, quantity=money(100)),
            RFQLineData(product=buyer.toner, quantity=money(4)),
        ],
        vendors=[buyer.office, buyer.mill],
        by=clerk,
        description="Print room supplies",
    )
    return documents.document_submit(document=made, by=clerk)


def _url(view: str, *args) -> str:
    return reverse(f"purchasing:requestforquotation-{view}", args=args)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _invited(rfq, vendor):
    return rfq.vendors.get(partner=vendor)


def _reply(rfq, vendor, by, **prices):
    lines = {line.product.sku: line.pk for line in rfq.lines.select_related("product")}
    services.rfq_reply(
        rfq=rfq,
        partner=vendor,
        quotes={lines[sku]: QuoteData(unit_price=money(price)) for sku, price in prices.items()},
        by=by,
    )


class TestCreateAndInvite:
    def test_creates_a_draft_with_its_lines(self, client, buyer):
        data = {
            "organization": buyer.organization.pk,
            "document_date": make.DAY.isoformat(),
            "description": "Toner for Q2",
            "reply_by": "2026-03-09",
            "needed_by": "",
            "currency": "EUR",
            "notes": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-product": buyer.toner.pk,
            "lines-0-description": "",
            "lines-0-quantity": "12",
            "lines-0-unit": "",
            "lines-0-needed_by": "",
        }

        response = client.post(_url("create"), data)

        rfq = RequestForQuotation.objects.get()
        assert response.url == _url("detail", rfq.pk)
        (line,) = rfq.lines.all()
        assert (line.description, line.quantity, line.unit_id) == ("Toner", money(12), buyer.toner.base_uom_id)

    def test_replies_due_before_the_request_date_are_refused(self, client, buyer):
        data = {
            "organization": buyer.organization.pk,
            "document_date": make.DAY.isoformat(),
            "description": "",
            "reply_by": "2026-03-01",
            "currency": "EUR",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-description": "Cleaning",
            "lines-0-quantity": "1",
        }

        response = client.post(_url("create"), data)

        assert response.status_code == 200
        assert "Replies cannot be due before the request date." in response.text
        assert not RequestForQuotation.objects.exists()

    def test_invites_another_vendor_and_removes_it_again(self, client, rfq, buyer):
        other = make.partners.vendor(name="Stationery Ltd")

        client.post(_url("vendor-add", rfq.pk), {"partner": other.pk})
        invited = _invited(rfq, other)
        client.post(_url("vendor-remove", rfq.pk, invited.pk))

        assert not rfq.vendors.filter(partner=other).exists()

    def test_inviting_a_vendor_twice_is_refused_with_a_message(self, client, rfq, buyer):
        response = client.post(_url("vendor-add", rfq.pk), {"partner": buyer.mill.pk})

        assert any("invited already" in message for message in _messages(response))
        assert rfq.vendors.count() == 2


class TestReplyCompareAward:
    def test_the_reply_form_lists_the_lines(self, client, rfq, buyer):
        response = client.get(_url("reply", rfq.pk, _invited(rfq, buyer.mill).pk))

        assert response.status_code == 200
        assert "Paper A4" in response.text and "Toner" in response.text

    def test_entering_a_reply_saves_the_prices_per_line(self, client, rfq, buyer):
        paper, toner = rfq.lines.order_by("position")
        invited = _invited(rfq, buyer.mill)

        response = client.post(
            _url("reply", rfq.pk, invited.pk),
            {
                "reference": "AN-77",
                "replied_on": "2026-03-04",
                "valid_until": "",
                "notes": "",
                f"price-{paper.pk}": "3.30",
                f"quantity-{paper.pk}": "",
                f"lead-{paper.pk}": "14",
                f"price-{toner.pk}": "",
            },
        )

        assert response.status_code == 302
        (quote,) = invited.quotes.all()
        assert (quote.line, quote.unit_price, quote.lead_time_days) == (paper, money("3.30"), 14)
        invited.refresh_from_db()
        assert invited.reference == "AN-77"

    def test_a_reply_without_any_price_or_with_a_negative_one_is_refused(self, client, rfq, buyer):
        paper, _toner = rfq.lines.order_by("position")
        url = _url("reply", rfq.pk, _invited(rfq, buyer.mill).pk)

        empty = client.post(url, {"replied_on": "2026-03-04"})
        negative = client.post(url, {"replied_on": "2026-03-04", f"price-{paper.pk}": "-2"})

        assert empty.status_code == negative.status_code == 200
        assert "Enter a price for at least one line." in empty.text
        assert "greater than or equal to 0" in negative.text
        assert not _invited(rfq, buyer.mill).quotes.exists()

    def test_replies_to_a_draft_are_refused_on_the_form(self, client, buyer, clerk):
        draft = services.rfq_create(
            organization=buyer.organization,
            lines=[RFQLineData(product=buyer.paper, quantity=money(5))],
            vendors=[buyer.mill],
            by=clerk,
        )
        line = draft.lines.get()

        response = client.post(
            _url("reply", draft.pk, _invited(draft, buyer.mill).pk),
            {"replied_on": "2026-03-04", f"price-{line.pk}": "3"},
        )

        assert response.status_code == 200
        assert "Draft" in response.text

    def test_the_detail_compares_the_replies_and_marks_the_cheapest(self, client, rfq, buyer, clerk):
        _reply(rfq, buyer.office, clerk, **{"PAPER-A4": "3.40", "TONER": "58.00"})
        _reply(rfq, buyer.mill, clerk, **{"PAPER-A4": "3.30"})

        response = client.get(_url("detail", rfq.pk))

        assert response.status_code == 200
        comparison = response.context["comparison"]
        paper_row = comparison.rows[0]
        assert [cell.best for cell in paper_row.cells] == [False, True]
        assert comparison.totals == [money("572.00"), money("330.00")]
        assert f'id="award-{_invited(rfq, buyer.mill).pk}"' in response.text

    def test_awarding_creates_the_order_and_completes_the_request(self, client, rfq, buyer, clerk):
        _reply(rfq, buyer.mill, clerk, **{"PAPER-A4": "3.30"})

        response = client.post(_url("award", rfq.pk, _invited(rfq, buyer.mill).pk))

        order = PurchaseOrder.objects.get()
        assert response.url == order.get_absolute_url()
        assert (order.partner, order.total_net) == (buyer.mill, money("330.00"))
        rfq.refresh_from_db()
        assert rfq.status == Status.COMPLETED

    def test_awarding_a_vendor_without_a_reply_is_refused_with_a_message(self, client, rfq, buyer):
        response = client.post(_url("award", rfq.pk, _invited(rfq, buyer.office).pk))

        assert any("has not replied" in message for message in _messages(response))
        assert not PurchaseOrder.objects.exists()

    def test_only_buyers_who_may_order_can_award(self, client_for, user_with_role, rfq, buyer, clerk):
        _reply(rfq, buyer.mill, clerk, **{"PAPER-A4": "3.30"})

        response = client_for(user_with_role("Warehouse")).post(_url("award", rfq.pk, _invited(rfq, buyer.mill).pk))

        assert response.status_code == 403
        assert not PurchaseOrder.objects.exists()

    def test_a_vendor_of_another_request_is_not_found(self, client, rfq, buyer, clerk):
        other = services.rfq_create(
            organization=buyer.organization,
            lines=[RFQLineData(product=buyer.paper, quantity=money(5))],
            vendors=[buyer.mill],
            by=clerk,
        )

        response = client.get(_url("reply", rfq.pk, _invited(other, buyer.mill).pk))

        assert response.status_code == 404

    def test_another_tenant_gets_404(self, other_admin_client, rfq):
        assert other_admin_client.get(_url("detail", rfq.pk)).status_code == 404

    def test_sales_cannot_see_requests(self, client_for, user_with_role, rfq):
        assert client_for(user_with_role("Sales")).get(_url("list")).status_code == 403


class TestPdfAndSend:
    def test_the_pdf_lists_the_lines_to_quote(self, client, rfq):
        response = client.get(_url("pdf", rfq.pk))

        assert response["Content-Type"] == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        assert rfq.number in text and "Paper A4" in text and "Toner" in text

    def test_e_mails_each_vendor_its_request(self, client, rfq, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_url("send", rfq.pk))

        assert response.status_code == 302
        assert sorted(message.to[0] for message in mail.outbox) == [
            "orders@office.example.com",
            "sales@mill.example.com",
        ]
        assert all(rfq.number in message.subject for message in mail.outbox)
        assert set(rfq.vendors.values_list("send_status", flat=True)) == {SendStatus.SENT}

    def test_a_vendor_without_an_address_stops_the_sending(self, client, rfq, django_capture_on_commit_callbacks):
        silent = make.partners.vendor(name="No Mail KG")
        services.rfq_vendor_add(rfq=rfq, partner=silent, by=rfq.created_by)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_url("send", rfq.pk))

        assert any("No e-mail address for No Mail KG" in message for message in _messages(response))
        assert not mail.outbox

    def test_a_draft_is_not_sent(self, client, buyer, clerk):
        draft = services.rfq_create(
            organization=buyer.organization,
            lines=[RFQLineData(product=buyer.paper, quantity=money(5))],
            vendors=[buyer.mill],
            by=clerk,
        )

        response = client.post(_url("send", draft.pk))

        assert any("Draft" in message for message in _messages(response))

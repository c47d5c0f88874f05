"""Quotation screens through HTTP: list and filters, create and edit with lines, detail, submit,
convert, revise, mark lost, send by e-mail, PDF; refusals (permissions, bad input, wrong state,
another tenant) give a 403/404 or a message, never a 500 and never half-saved data."""

from __future__ import annotations

import datetime as dt
import io
from datetime import date

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from erp.core.documents.models import Status
from erp.sales.models import Quotation, QuotationOutcome, SalesOrder, SendStatus
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
def quotation(shop):
    """An open (submitted) quotation of 3 chairs and an installation."""
    return make.quotation(
        shop, [make.line(shop.product, 3), make.line(description="Installation", price="100.00")], on=DAY
    )


def url(name: str, *args) -> str:
    return reverse(f"sales:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def user_with_permissions(user_with_role, *codenames: str):
    """A user with no role and only ``codenames`` (``sales.view_quotation`` …)."""
    user = user_with_role()
    for name in codenames:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


def form_data(shop, lines, **header) -> dict:
    """The POST of the quotation form; ``lines``: (product, description, quantity, unit price)."""
    data = {
        "organization": shop.organization.pk,
        "partner": shop.customer.pk,
        "contact": "",
        "valid_until": "2026-04-01",
        "document_date": DAY.isoformat(),
        "currency": "EUR",
        "price_list": "",
        "payment_term": "",
        "salesperson": "",
        "language": "",
        "external_reference": "",
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
    def test_lists_the_quotations_with_customer_and_total_within_the_query_budget(
        self, client, shop, quotation, django_assert_max_num_queries
    ):
        for _number in range(3):
            make.quotation(shop, [make.line(shop.product, 1)], on=DAY)

        with django_assert_max_num_queries(20):
            response = client.get(url("quotation-list"))

        assert response.status_code == 200
        assert len(response.context["table"].rows) == 4
        content = response.content.decode()
        assert quotation.number in content and "Kunde GmbH" in content and "278.50" in content

    def test_filters_by_outcome_customer_and_status(self, client, shop, quotation, seller):
        lost = make.quotation(shop, [make.line(shop.product, 1)], on=DAY)
        client.post(url("quotation-lost", lost.pk), {"reason": "Too expensive"})
        draft = make.quotation(shop, [make.line(shop.product, 1)], on=DAY, submit=False)

        def numbers(**params) -> set:
            response = client.get(url("quotation-list"), params)
            return {row.record.pk for row in response.context["table"].rows}

        assert numbers(outcome="lost") == {lost.pk}
        assert numbers(status="draft") == {draft.pk}
        assert numbers(partner="kunde") == {quotation.pk, lost.pk, draft.pk}
        assert numbers(partner="nobody") == set()
        assert numbers(q=quotation.number) == {quotation.pk}

    def test_an_htmx_request_gets_only_the_table(self, client, quotation):
        response = client.get(url("quotation-list"), {"q": quotation.number}, HTTP_HX_REQUEST="true")

        assert response.status_code == 200
        content = response.content.decode()
        assert quotation.number in content and "<html" not in content

    def test_a_user_without_the_permission_gets_403(self, client_for, user_with_role):
        response = client_for(user_with_role("Warehouse")).get(url("quotation-list"))

        assert response.status_code == 403


class TestCreateAndEdit:
    def test_the_new_form_proposes_the_validity_and_leaves_the_price_to_the_price_list(self, client):
        response = client.get(url("quotation-create"))

        assert response.status_code == 200
        assert response.context["form"]["valid_until"].value() == date(2026, 4, 9)  # 30 days
        line = response.context["formset"].forms[0]
        assert line["unit_price"].value() is None
        assert 'name="valid_until" value="2026-04-09"' in response.content.decode()

    def test_saves_a_draft_with_its_lines_priced_from_the_product(self, client, shop):
        data = form_data(shop, [(shop.product, "", "4", ""), (None, "Installation", "1", "80.00")])

        response = client.post(url("quotation-create"), data)

        quotation = Quotation.objects.get()
        assert response.status_code == 302 and response["Location"] == url("quotation-detail", quotation.pk)
        assert quotation.status == Status.DRAFT and quotation.partner == shop.customer
        chairs, installation = quotation.lines.order_by("position")
        assert (chairs.description, chairs.unit_price, chairs.price_manual) == ("Chair", money("50.00"), False)
        assert chairs.tax_code == shop.books.output_tax  # the product's sales tax
        assert (installation.unit_price, installation.price_manual) == (money("80.00"), True)
        assert (quotation.total_net, quotation.total_tax, quotation.total_gross) == (
            money("280.00"),
            money("38.00"),
            money("318.00"),
        )

    def test_bad_input_shows_field_errors_and_saves_nothing(self, client, shop):
        data = form_data(shop, [(shop.product, "", "abc", "")], partner="", valid_until="2026-02-01")

        response = client.post(url("quotation-create"), data)

        assert response.status_code == 200
        assert response.context["form"].errors["partner"]
        assert response.context["formset"].forms[0].errors["quantity"]
        assert not Quotation.objects.exists()

    def test_a_quotation_cannot_expire_before_its_date(self, client, shop):
        response = client.post(
            url("quotation-create"), form_data(shop, [(shop.product, "", "1", "")], valid_until="2026-03-01")
        )

        assert response.status_code == 200
        assert response.context["form"].errors["valid_until"] == ["The quotation cannot expire before its date."]
        assert not Quotation.objects.exists()

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("quantity", "0", "The quantity must be greater than zero."),
            ("quantity", "-2", "The quantity must be greater than zero."),
            ("discount_percent", "120", "Enter a discount between 0 and 100 %."),
            ("unit_price", "-1", "The price cannot be negative."),
        ],
    )
    def test_a_bad_line_is_refused_next_to_its_field(self, client, shop, field, value, message):
        data = form_data(shop, [(shop.product, "", "1", "")])
        data[f"lines-0-{field}"] = value

        response = client.post(url("quotation-create"), data)

        assert response.status_code == 200
        assert message in response.context["formset"].forms[0].errors[field]
        assert not Quotation.objects.exists()

    def test_amounts_beyond_what_the_books_hold_are_refused_not_a_500(self, client, shop):
        line = form_data(shop, [(None, "Gold", "999999999999", "999999999999")])
        lines = form_data(shop, [(None, "Gold", "600000", "1000000"), (None, "Silver", "600000", "1000000")])

        one = client.post(url("quotation-create"), line)
        two = client.post(url("quotation-create"), lines)

        assert one.status_code == 200
        assert one.context["formset"].forms[0].errors["quantity"] == ["The line's amount is too large."]
        assert two.status_code == 200
        assert two.context["formset"].non_form_errors() == ["The document's total is too large."]
        assert not Quotation.objects.exists()

    def test_a_line_needs_a_product_or_a_description(self, client, shop):
        response = client.post(url("quotation-create"), form_data(shop, [(None, "", "1", "10")]))

        assert response.status_code == 200
        assert response.context["formset"].forms[0].errors["description"] == [
            "Enter a description or choose a product."
        ]

    def test_a_contact_of_another_customer_is_refused(self, client, shop):
        from erp.partners.models import Contact
        from tests.factories import partners

        stranger = Contact.objects.create(partner=partners.partner(name="Fremd AG"), name="Eve")

        response = client.post(
            url("quotation-create"), form_data(shop, [(shop.product, "", "1", "")], contact=stranger.pk)
        )

        assert response.status_code == 200
        assert response.context["form"].errors["contact"]
        assert not Quotation.objects.exists()

    def test_the_live_totals_follow_the_lines_as_typed(self, client, shop):
        data = form_data(shop, [(shop.product, "", "2", ""), (None, "Fracht", "1", "10")])

        response = client.post(url("quotation-totals"), data, HTTP_HX_REQUEST="true")

        assert response.status_code == 200
        assert (response.context["totals_net"], response.context["totals_gross"]) == (
            money("110.00"),
            money("129.00"),  # 19 % on the chairs only
        )

    def test_a_tax_exempt_customer_gets_no_tax_on_screen_as_in_the_preview(self, client, shop):
        shop.customer.tax_exempt = True
        shop.customer.save()
        data = form_data(shop, [(shop.product, "", "2", "")])

        preview = client.post(url("quotation-totals"), data, HTTP_HX_REQUEST="true")
        response = client.post(url("quotation-create"), data)

        assert response.status_code == 302
        quotation = Quotation.objects.get()
        assert quotation.lines.get().tax_code is None
        assert quotation.total_gross == preview.context["totals_gross"] == money("100.00")

    def test_garbage_in_the_live_totals_is_no_500(self, client, shop):
        data = form_data(shop, [(shop.product, "", "x", "1e999999")], currency="XXX", document_date="never")
        data["lines-TOTAL_FORMS"] = "zz"
        huge = form_data(shop, [(None, "Gold", "1", "1e999999"), (None, "Silver", "1e30", "1e30")])

        response = client.post(url("quotation-totals"), data, HTTP_HX_REQUEST="true")
        overflow = client.post(url("quotation-totals"), huge, HTTP_HX_REQUEST="true")

        assert response.status_code == 200
        assert response.context["totals_gross"] == 0
        assert overflow.status_code == 200

    def test_choosing_the_customer_loads_its_contacts_and_shipping_addresses(self, client, shop):
        from erp.partners.models import Address, AddressType, Contact

        Contact.objects.create(partner=shop.customer, name="Frau Einkauf")
        Address.objects.create(
            partner=shop.customer, address_type=AddressType.SHIPPING, street="Lager 3", city="Köln", country="DE"
        )

        contacts = client.get(url("partner-choices"), {"partner": shop.customer.pk}, HTTP_HX_REQUEST="true")
        both = client.get(url("partner-choices"), {"partner": shop.customer.pk, "addresses": "1"})
        nonsense = client.get(url("partner-choices"), {"partner": "abc"})

        assert "Frau Einkauf" in contacts.content.decode() and "Lager 3" not in contacts.content.decode()
        assert 'hx-swap-oob="innerHTML"' in both.content.decode() and "Lager 3" in both.content.decode()
        assert nonsense.status_code == 200 and "Frau Einkauf" not in nonsense.content.decode()

    def test_a_draft_is_edited_line_by_line(self, client, shop):
        draft = make.quotation(shop, [make.line(shop.product, 1)], on=DAY, submit=False)
        line = draft.lines.get()
        data = form_data(shop, [(shop.product, "", "12", "")])
        data.update({"lines-INITIAL_FORMS": "1", "lines-0-id": line.pk, "lines-0-quotation": draft.pk})

        response = client.post(url("quotation-update", draft.pk), data)

        assert response.status_code == 302
        line.refresh_from_db()
        assert line.quantity == money(12)
        draft.refresh_from_db()
        assert draft.total_net == money("600.00")

    def test_an_open_quotation_is_no_longer_edited(self, client, quotation):
        response = client.get(url("quotation-update", quotation.pk))

        assert response.status_code == 302 and response["Location"] == url("quotation-detail", quotation.pk)
        assert any("cannot be edited" in text for text in messages_of(response))

    def test_a_user_who_may_only_view_cannot_create(self, client_for, user_with_role, shop):
        viewer = client_for(user_with_permissions(user_with_role, "sales.view_quotation"))

        response = viewer.post(url("quotation-create"), form_data(shop, [(shop.product, "", "1", "")]))

        assert response.status_code == 403
        assert not Quotation.objects.exists()


class TestDetail:
    def test_shows_the_quotation_its_lines_totals_and_answers_within_the_query_budget(
        self, client, quotation, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(40):
            response = client.get(url("quotation-detail", quotation.pk))

        assert response.status_code == 200
        content = response.content.decode()
        assert quotation.number in content and "Kunde GmbH" in content
        assert "Installation" in content and "CHAIR" in content and "278.50" in content
        for button in ("convert-button", "revise-button", "lost-form", "send-form"):
            assert f'id="{button}"' in content

    def test_a_viewer_sees_no_buttons_they_may_not_use(self, client_for, user_with_role, quotation):
        viewer = client_for(user_with_permissions(user_with_role, "sales.view_quotation"))

        content = viewer.get(url("quotation-detail", quotation.pk)).content.decode()

        for button in ("convert-button", "revise-button", "lost-form", "send-form"):
            assert f'id="{button}"' not in content

    def test_submitting_a_draft_numbers_it(self, client, shop):
        draft = make.quotation(shop, [make.line(shop.product, 1)], on=DAY, submit=False)

        response = client.post(url("quotation-action", draft.pk, "submit"))

        draft.refresh_from_db()
        assert response.status_code == 302
        assert draft.status == Status.APPROVED and draft.number.startswith("QT-")

    def test_another_tenant_gets_404(self, other_admin_client, quotation):
        assert other_admin_client.get(url("quotation-detail", quotation.pk)).status_code == 404
        assert other_admin_client.post(url("quotation-convert", quotation.pk)).status_code == 404


class TestConvert:
    def test_creates_a_draft_order_with_the_lines_and_accepts_the_quotation(self, client, quotation):
        response = client.post(url("quotation-convert", quotation.pk))

        order = SalesOrder.objects.get()
        assert response.status_code == 302 and response["Location"] == url("salesorder-detail", order.pk)
        quotation.refresh_from_db()
        assert (quotation.status, quotation.outcome) == (Status.COMPLETED, QuotationOutcome.ACCEPTED)
        assert order.status == Status.DRAFT and order.quotation == quotation
        assert order.total_gross == quotation.total_gross
        assert [line.description for line in order.lines.order_by("position")] == ["Chair", "Installation"]

    def test_a_draft_is_submitted_and_converted_in_one_go(self, client, shop):
        draft = make.quotation(shop, [make.line(shop.product, 2)], on=DAY, submit=False)

        response = client.post(url("quotation-convert", draft.pk))

        order = SalesOrder.objects.get()
        assert response["Location"] == url("salesorder-detail", order.pk)
        draft.refresh_from_db()
        assert draft.number.startswith("QT-") and draft.outcome == QuotationOutcome.ACCEPTED

    def test_under_htmx_the_browser_is_sent_to_the_order(self, client, quotation):
        response = client.post(url("quotation-convert", quotation.pk), HTTP_HX_REQUEST="true")

        order = SalesOrder.objects.get()
        assert response.status_code == 200 and response["HX-Redirect"] == url("salesorder-detail", order.pk)

    def test_an_accepted_quotation_is_not_converted_twice(self, client, quotation):
        client.post(url("quotation-convert", quotation.pk))

        response = client.post(url("quotation-convert", quotation.pk))

        assert response.status_code == 302 and response["Location"] == url("quotation-detail", quotation.pk)
        assert SalesOrder.objects.count() == 1
        assert any("Accepted" in text and "cannot be converted" in text for text in messages_of(response))

    def test_a_user_who_may_not_create_orders_gets_403(self, client_for, user_with_role, quotation):
        viewer = client_for(user_with_permissions(user_with_role, "sales.view_quotation", "sales.add_quotation"))

        response = viewer.post(url("quotation-convert", quotation.pk))

        assert response.status_code == 403
        assert not SalesOrder.objects.exists()

    def test_a_get_is_not_allowed(self, client, quotation):
        assert client.get(url("quotation-convert", quotation.pk)).status_code == 405
        assert not SalesOrder.objects.exists()


class TestRevise:
    def test_creates_the_next_revision_as_a_draft_and_retires_the_quotation(self, client, quotation):
        response = client.post(url("quotation-revise", quotation.pk))

        revision = Quotation.objects.get(previous_revision=quotation)
        assert response.status_code == 302 and response["Location"] == url("quotation-update", revision.pk)
        assert (revision.status, revision.revision, revision.number) == (
            Status.DRAFT,
            2,
            f"{quotation.number}-R2",
        )
        assert revision.lines.count() == 2 and revision.total_gross == quotation.total_gross
        quotation.refresh_from_db()
        assert (quotation.status, quotation.outcome) == (Status.CANCELLED, QuotationOutcome.REVISED)
        page = client.get(url("quotation-detail", quotation.pk)).content.decode()
        assert 'id="next-revision"' in page and revision.number in page

    def test_the_revision_keeps_its_number_when_submitted_and_revises_on_to_r3(self, client, quotation):
        client.post(url("quotation-revise", quotation.pk))
        second = Quotation.objects.get(revision=2)

        client.post(url("quotation-action", second.pk, "submit"))
        client.post(url("quotation-revise", second.pk))

        second.refresh_from_db()
        third = Quotation.objects.get(revision=3)
        assert (second.number, second.outcome) == (f"{quotation.number}-R2", QuotationOutcome.REVISED)
        assert (third.number, third.previous_revision) == (f"{quotation.number}-R3", second)
        sent = client.post(url("quotation-send", second.pk), {"to": "a@example.com"})
        assert any("it is not sent any more" in text for text in messages_of(sent))

    def test_a_draft_is_not_revised(self, client, shop):
        draft = make.quotation(shop, [make.line(shop.product, 1)], on=DAY, submit=False)

        response = client.post(url("quotation-revise", draft.pk))

        assert response.status_code == 302 and response["Location"] == url("quotation-detail", draft.pk)
        assert any("Only open quotations are revised" in text for text in messages_of(response))
        assert Quotation.objects.count() == 1


class TestMarkLost:
    def test_cancels_the_quotation_with_the_reason(self, client, quotation):
        response = client.post(url("quotation-lost", quotation.pk), {"reason": "Competitor was cheaper"})

        assert response.status_code == 302
        quotation.refresh_from_db()
        assert (quotation.status, quotation.outcome) == (Status.CANCELLED, QuotationOutcome.LOST)
        assert quotation.status_reason == "Competitor was cheaper"

    def test_a_reason_is_required(self, client, quotation):
        response = client.post(url("quotation-lost", quotation.pk), {"reason": "  "})

        assert "Please give the reason why the quotation was lost." in messages_of(response)
        quotation.refresh_from_db()
        assert (quotation.status, quotation.outcome) == (Status.APPROVED, QuotationOutcome.OPEN)

    def test_a_lost_quotation_is_neither_converted_nor_lost_again(self, client, quotation):
        client.post(url("quotation-lost", quotation.pk), {"reason": "No budget"})

        convert = client.post(url("quotation-convert", quotation.pk))
        again = client.post(url("quotation-lost", quotation.pk), {"reason": "Twice"})

        assert any("Lost" in text for text in messages_of(convert))
        assert any("cannot be marked as lost" in text for text in messages_of(again))
        assert not SalesOrder.objects.exists()
        quotation.refresh_from_db()
        assert quotation.status_reason == "No budget"

    def test_a_user_who_may_not_cancel_gets_403(self, client_for, user_with_role, quotation):
        viewer = client_for(user_with_permissions(user_with_role, "sales.view_quotation"))

        assert viewer.post(url("quotation-lost", quotation.pk), {"reason": "x"}).status_code == 403
        quotation.refresh_from_db()
        assert quotation.outcome == QuotationOutcome.OPEN


class TestSend:
    def test_queues_the_email_with_the_pdf_in_the_customers_language(
        self, client, quotation, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("quotation-send", quotation.pk), {"to": "einkauf@kunde.example.com"})

        assert response.status_code == 302
        [message] = mail.outbox
        assert message.to == ["einkauf@kunde.example.com"]
        assert message.subject.startswith(f"Angebot {quotation.number}")  # German customer
        [(name, content, kind)] = message.attachments
        assert name == f"{quotation.number}.pdf" and kind == "application/pdf"
        assert "Angebot" in pdf_text(content)
        quotation.refresh_from_db()
        assert quotation.send_status == SendStatus.SENT and quotation.sent_to == "einkauf@kunde.example.com"

    def test_the_status_is_queued_until_the_worker_sends_it(self, client, quotation):
        response = client.post(url("quotation-send", quotation.pk), {"to": ""})  # the customer's address

        assert response.status_code == 302
        assert any("is being sent by e-mail" in text for text in messages_of(response))
        quotation.refresh_from_db()
        assert quotation.send_status == SendStatus.QUEUED
        assert not mail.outbox

    def test_a_bad_address_is_refused(self, client, quotation):
        response = client.post(url("quotation-send", quotation.pk), {"to": "not an address"})

        assert "Enter a valid e-mail address." in messages_of(response)
        quotation.refresh_from_db()
        assert quotation.send_status == SendStatus.NOT_SENT

    def test_a_draft_is_not_sent(self, client, shop, django_capture_on_commit_callbacks):
        draft = make.quotation(shop, [make.line(shop.product, 1)], on=DAY, submit=False)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("quotation-send", draft.pk), {"to": "a@example.com"})

        assert "Submit the quotation before sending it." in messages_of(response)
        assert not mail.outbox

    def test_a_user_who_may_not_send_gets_403(self, client_for, user_with_role, quotation):
        viewer = client_for(user_with_permissions(user_with_role, "sales.view_quotation"))

        assert viewer.post(url("quotation-send", quotation.pk), {"to": "a@example.com"}).status_code == 403


class TestPdf:
    def test_the_pdf_is_in_the_customers_language_with_the_lines_and_totals(self, client, quotation):
        response = client.get(url("quotation-pdf", quotation.pk))

        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'inline; filename="{quotation.number}.pdf"'
        text = pdf_text(response.content)
        assert f"Angebot {quotation.number}" in text
        assert "Kunde GmbH" in text and "Test Company" in text
        assert "Chair" in text and "Installation" in text
        assert "278,50" in text  # 150 × 1.19 + 100 untaxed, in the German number format

    def test_the_language_chosen_on_the_quotation_wins(self, client, shop):
        english = make.quotation(shop, [make.line(shop.product, 1)], on=DAY, language="en")

        text = pdf_text(client.get(url("quotation-pdf", english.pk)).content)

        assert f"Quotation {english.number}" in text and "59.50" in text

    def test_download_asks_for_an_attachment(self, client, quotation):
        response = client.get(url("quotation-pdf", quotation.pk), {"download": "1"})

        assert response["Content-Disposition"].startswith("attachment;")

    def test_another_tenant_gets_404(self, other_admin_client, quotation):
        assert other_admin_client.get(url("quotation-pdf", quotation.pk)).status_code == 404

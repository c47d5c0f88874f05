"""Customer payment screens: list, detail, create with allocations, complete, void, refund; and the
matching screen of unallocated payments and open invoices."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from erp.finance.openitems.models import Allocation, OpenItem
from erp.finance.payments.models import Payment, PaymentLine
from tests.factories import invoicing as make
from tests.factories import partners

pytestmark = pytest.mark.django_db

DAY = date(2025, 3, 10)


@pytest.fixture
def books(admin_user):
    return make.books(by=admin_user)


@pytest.fixture
def accountant(user_with_role):
    return user_with_role("Accountant")


@pytest.fixture
def client(client_for, accountant):
    return client_for(accountant)


@pytest.fixture
def customer():
    return partners.partner(name="Müller Maschinenbau GmbH", country="DE", email="ap@mueller.example")


@pytest.fixture
def invoice(books, customer, root_organization, accountant):
    """437.00 EUR: 300.00 with 19 % tax and 80.00 without."""
    return make.customer_invoice(
        organization=root_organization,
        partner=customer,
        lines=[make.line(2, "150.00", tax=books.output_tax), make.line(1, "80.00")],
        by=accountant,
        on=DAY,
    )


@pytest.fixture
def second_invoice(books, customer, root_organization, accountant):
    return make.customer_invoice(
        organization=root_organization, partner=customer, lines=[make.line(1, "200.00")], by=accountant, on=DAY
    )


def _url(name: str, *args) -> str:
    return reverse(f"finance:{name}", args=args)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _form(organization, partner, bank, lines=(), *, amount="", kind="customer_receipt", on=DAY, **header) -> dict:
    data = {
        "organization": organization.pk,
        "kind": kind,
        "partner": partner.pk if partner else "",
        "document_date": on.isoformat(),
        "bank_account": bank.pk,
        "currency": "EUR",
        "exchange_rate": "",
        "amount": amount,
        "external_reference": "",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        **header,
    }
    for index, (document, line_amount, discount) in enumerate(lines):
        data.update(
            {
                f"lines-{index}-document": document,
                f"lines-{index}-amount": line_amount,
                f"lines-{index}-discount": discount,
            }
        )
    return data


def _open(document) -> Decimal:
    return sum((item.open_amount for item in OpenItem.objects.filter(customer_invoice=document)), Decimal("0"))


def _errors(response) -> str:
    formset = response.context["formset"]
    return " ".join(
        [str(response.context["form"].errors), str(formset.non_form_errors()), *(str(f.errors) for f in formset)]
    )


class TestList:
    def test_lists_customer_payments_only_within_the_query_budget(
        self, client, books, invoice, customer, root_organization, accountant, django_assert_max_num_queries
    ):
        received = make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, pays=[invoice]
        )
        vendor = partners.vendor(name="Bürobedarf AG")
        make.payment(
            kind="vendor_payment",
            organization=root_organization,
            partner=vendor,
            bank=books.bank,
            by=accountant,
            on=DAY,
            amount="50.00",
        )

        with django_assert_max_num_queries(15):
            response = client.get(_url("customerpayment-list"))

        assert response.status_code == 200
        assert [row.record for row in response.context["table"].rows] == [received]
        content = response.content.decode()
        assert received.number in content and "Müller Maschinenbau GmbH" in content and "437.00" in content

    def test_filters_by_partner_kind_and_status(self, client, books, invoice, customer, root_organization, accountant):
        posted = make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, amount="10.00"
        )
        other = partners.partner(name="Schmidt KG")
        draft = make.payment(
            organization=root_organization,
            partner=other,
            bank=books.bank,
            by=accountant,
            on=DAY,
            amount="20.00",
            post=False,
        )

        by_partner = client.get(_url("customerpayment-list"), {"partner": "Schmidt"})
        by_status = client.get(_url("customerpayment-list"), {"status": "completed"})
        by_kind = client.get(_url("customerpayment-list"), {"kind": "customer_refund"})

        assert [row.record for row in by_partner.context["table"].rows] == [draft]
        assert [row.record for row in by_status.context["table"].rows] == [posted]
        assert list(by_kind.context["table"].rows) == []

    def test_the_filtered_table_comes_alone_for_htmx(self, client, books, customer, root_organization, accountant):
        make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, amount="10.00"
        )

        response = client.get(_url("customerpayment-list"), {"q": "Müller"}, HTTP_HX_REQUEST="true")

        assert response.status_code == 200
        assert "<html" not in response.content.decode() and len(response.context["table"].rows) == 1

    def test_a_user_without_the_permission_gets_403(self, client_for, user_with_role):
        sales = client_for(user_with_role("Sales"))

        assert sales.get(_url("customerpayment-list")).status_code == 403
        assert sales.get(_url("customerpayment-create")).status_code == 403


class TestDetail:
    def test_shows_the_amount_the_allocations_and_the_credit_left(
        self, client, books, invoice, customer, root_organization, accountant, django_assert_max_num_queries
    ):
        payment = make.payment(
            organization=root_organization,
            partner=customer,
            bank=books.bank,
            by=accountant,
            on=DAY,
            amount="500.00",
            pays=[invoice],
        )

        with django_assert_max_num_queries(40):
            response = client.get(_url("customerpayment-detail", payment.pk))

        assert response.status_code == 200
        context = response.context
        assert context["payment_allocated"] == Decimal("437.00")
        assert context["payment_unallocated"] == Decimal("63.00")
        assert [row["other"].customer_invoice_id for row in context["allocations"]] == [invoice.pk]
        content = response.content.decode()
        assert payment.number in content and invoice.number in content and "63.00" in content

    def test_a_draft_offers_completing_and_editing(self, client, books, customer, root_organization, accountant):
        draft = make.payment(
            organization=root_organization,
            partner=customer,
            bank=books.bank,
            by=accountant,
            on=DAY,
            amount="10.00",
            post=False,
        )

        response = client.get(_url("customerpayment-detail", draft.pk))

        assert "complete" in [action["value"] for action in response.context["actions"]]
        assert response.context["can_edit"]

    def test_another_tenant_gets_404(self, other_admin_client, books, customer, root_organization, accountant):
        payment = make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, amount="10.00"
        )

        assert other_admin_client.get(_url("customerpayment-detail", payment.pk)).status_code == 404

    def test_a_vendor_payment_is_not_shown_as_a_customer_payment(self, client, books, root_organization, accountant):
        vendor = partners.vendor(name="Bürobedarf AG")
        paid = make.payment(
            kind="vendor_payment",
            organization=root_organization,
            partner=vendor,
            bank=books.bank,
            by=accountant,
            on=DAY,
            amount="50.00",
        )

        assert client.get(_url("customerpayment-detail", paid.pk)).status_code == 404

    def test_the_remittance_pdf_names_the_payment(
        self, client, books, invoice, customer, root_organization, accountant
    ):
        payment = make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, pays=[invoice]
        )

        response = client.get(_url("customerpayment-pdf", payment.pk))

        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert payment.number in response["Content-Disposition"]


class TestCreate:
    def test_allocates_parts_of_several_invoices(
        self, client, books, invoice, second_invoice, customer, root_organization
    ):
        data = _form(
            root_organization,
            customer,
            books.bank,
            [(invoice.number, "400.00", ""), (second_invoice.number, "200.00", "")],
        )

        response = client.post(_url("customerpayment-create"), data)

        payment = Payment.objects.get()
        assert response.status_code == 302 and response["Location"] == _url("customerpayment-detail", payment.pk)
        assert payment.status == "draft" and payment.amount == Decimal("600.00")
        lines = list(payment.lines.order_by("position"))
        assert [(line.customer_invoice_id, line.amount, line.discount) for line in lines] == [
            (invoice.pk, Decimal("400.00"), Decimal("0")),
            (second_invoice.pk, Decimal("200.00"), Decimal("0")),
        ]

        complete = client.post(_url("customerpayment-action", payment.pk, "complete"))

        payment.refresh_from_db()
        assert complete.status_code == 302 and payment.posted and payment.number.startswith("REC-")
        assert _open(invoice) == Decimal("37.00") and _open(second_invoice) == Decimal("0")

    def test_a_line_without_an_amount_pays_all_that_is_open(self, client, books, invoice, customer, root_organization):
        response = client.post(
            _url("customerpayment-create"), _form(root_organization, customer, books.bank, [(invoice.number, "", "")])
        )

        assert response.status_code == 302
        payment = Payment.objects.get()
        assert payment.amount == Decimal("437.00") and payment.lines.get().amount == Decimal("437.00")

    def test_an_overpayment_stays_open_as_the_customers_credit(
        self, client, books, invoice, customer, root_organization
    ):
        client.post(
            _url("customerpayment-create"),
            _form(root_organization, customer, books.bank, [(invoice.number, "", "")], amount="500.00"),
        )
        payment = Payment.objects.get()

        client.post(_url("customerpayment-action", payment.pk, "complete"))

        assert _open(invoice) == Decimal("0")
        assert OpenItem.objects.get(payment=payment).open_amount == Decimal("-63.00")
        matching = client.get(_url("receivable-matching"), {"partner": customer.pk})
        assert [item.payment_id for item in matching.context["credits"]] == [payment.pk]

    def test_the_early_payment_discount_of_the_terms_is_taken(
        self, client, books, customer, root_organization, accountant
    ):
        terms = make.term(net_days=30, discount_percent="2", discount_days=10)
        invoice = make.customer_invoice(
            organization=root_organization,
            partner=customer,
            lines=[make.line(1, "1000.00")],
            by=accountant,
            on=DAY,
            payment_term=terms,
        )

        client.post(
            _url("customerpayment-create"),
            _form(root_organization, customer, books.bank, [(invoice.number, "", "")], on=DAY + timedelta(days=5)),
        )
        payment = Payment.objects.get()
        client.post(_url("customerpayment-action", payment.pk, "complete"))

        line = payment.lines.get()
        assert (line.amount, line.discount) == (Decimal("980.00"), Decimal("20.00"))
        payment.refresh_from_db()
        assert payment.posted and payment.amount == Decimal("980.00")
        assert _open(invoice) == Decimal("0")

    def test_no_discount_after_the_discount_period(self, client, books, customer, root_organization, accountant):
        terms = make.term(net_days=30, discount_percent="2", discount_days=10)
        invoice = make.customer_invoice(
            organization=root_organization,
            partner=customer,
            lines=[make.line(1, "1000.00")],
            by=accountant,
            on=DAY,
            payment_term=terms,
        )

        client.post(
            _url("customerpayment-create"),
            _form(root_organization, customer, books.bank, [(invoice.number, "", "")], on=DAY + timedelta(days=20)),
        )

        line = Payment.objects.get().lines.get()
        assert (line.amount, line.discount) == (Decimal("1000.00"), Decimal("0"))

    def test_a_payment_without_lines_is_kept_as_credit(self, client, books, customer, root_organization):
        client.post(_url("customerpayment-create"), _form(root_organization, customer, books.bank, amount="250.00"))
        payment = Payment.objects.get()

        client.post(_url("customerpayment-action", payment.pk, "complete"))

        assert OpenItem.objects.get(payment=payment).open_amount == Decimal("-250.00")

    @pytest.mark.parametrize(
        ("line_amount", "message"),
        [
            ("500.00", "has only 437.00 EUR open"),
            ("-10.00", "greater than or equal to 0"),
            ("1e15", "Ensure that there are no more than"),
            ("99999999999999", "less than or equal to"),
            ("999999999999", "has only 437.00 EUR open"),
            ("abc", "Enter a number"),
        ],
    )
    def test_a_bad_allocation_is_refused_next_to_the_line_and_nothing_is_saved(
        self, client, books, invoice, customer, root_organization, line_amount, message
    ):
        response = client.post(
            _url("customerpayment-create"),
            _form(root_organization, customer, books.bank, [(invoice.number, line_amount, "")]),
        )

        assert response.status_code == 200
        assert message in _errors(response)
        assert not Payment.objects.exists() and not PaymentLine.objects.exists()

    def test_a_discount_that_with_the_amount_exceeds_what_is_open_is_refused(
        self, client, books, invoice, customer, root_organization
    ):
        response = client.post(
            _url("customerpayment-create"),
            _form(root_organization, customer, books.bank, [(invoice.number, "437.00", "5.00")]),
        )

        assert response.status_code == 200 and "has only 437.00 EUR open" in _errors(response)
        assert not Payment.objects.exists()

    def test_two_lines_for_the_same_invoice_cannot_pay_more_than_is_open(
        self, client, books, invoice, customer, root_organization
    ):
        response = client.post(
            _url("customerpayment-create"),
            _form(
                root_organization, customer, books.bank, [(invoice.number, "300.00", ""), (invoice.number, "200", "")]
            ),
        )

        assert response.status_code == 200 and "has only 137.00 EUR open" in _errors(response)
        assert not Payment.objects.exists()

    def test_lines_allocating_more_than_the_amount_are_refused(
        self, client, books, invoice, customer, root_organization
    ):
        response = client.post(
            _url("customerpayment-create"),
            _form(root_organization, customer, books.bank, [(invoice.number, "", "")], amount="100.00"),
        )

        assert response.status_code == 200
        assert "The lines allocate 437.00 EUR, more than the payment" in _errors(response)
        assert not Payment.objects.exists()

    @pytest.mark.parametrize(
        ("amount", "message"),
        [
            ("-5", "greater than or equal to 0.01"),
            ("0", "greater than or equal to 0.01"),
            ("1e15", "Ensure that there are no more than"),
            ("10000000000000", "less than or equal to"),
            ("NaN", "Enter a number"),
        ],
    )
    def test_a_bad_amount_is_a_form_error(self, client, books, customer, root_organization, amount, message):
        response = client.post(
            _url("customerpayment-create"), _form(root_organization, customer, books.bank, amount=amount)
        )

        assert response.status_code == 200
        assert message in str(response.context["form"].errors["amount"])
        assert not Payment.objects.exists()

    def test_an_unknown_invoice_number_is_refused(self, client, books, customer, root_organization):
        response = client.post(
            _url("customerpayment-create"), _form(root_organization, customer, books.bank, [("INV-NOPE", "10", "")])
        )

        assert response.status_code == 200 and "No posted document with this number" in _errors(response)
        assert not Payment.objects.exists()

    def test_another_customers_invoice_is_refused(self, client, books, invoice, root_organization):
        other = partners.partner(name="Schmidt KG")

        response = client.post(
            _url("customerpayment-create"), _form(root_organization, other, books.bank, [(invoice.number, "10", "")])
        )

        assert response.status_code == 200 and "No posted document with this number for Schmidt KG" in _errors(response)
        assert not Payment.objects.exists()

    def test_an_invalid_htmx_post_gets_the_form_back_with_its_errors(
        self, client, books, invoice, customer, root_organization
    ):
        response = client.post(
            _url("customerpayment-create"),
            _form(root_organization, customer, books.bank, [(invoice.number, "500.00", "")]),
            HTTP_HX_REQUEST="true",
        )

        assert response.status_code == 200 and "<html" not in response.content.decode()
        assert "has only 437.00 EUR open" in response.content.decode()
        assert not Payment.objects.exists()

    def test_the_live_totals_show_what_is_left_as_credit(self, client, books, invoice, customer, root_organization):
        data = _form(root_organization, customer, books.bank, [(invoice.number, "400.00", "")], amount="450.00")

        response = client.post(_url("customerpayment-totals"), data)

        assert response.status_code == 200
        assert response.context["payment_unallocated"] == Decimal("50.00")

    @pytest.mark.parametrize(("amount", "line_amount"), [("1e30", "1e30"), ("Infinity", "-Infinity"), ("9" * 40, "x")])
    def test_the_live_totals_of_absurd_numbers_do_not_fail(
        self, client, books, invoice, customer, root_organization, amount, line_amount
    ):
        data = _form(root_organization, customer, books.bank, [(invoice.number, line_amount, "")], amount=amount)

        response = client.post(_url("customerpayment-totals"), data)

        assert response.status_code == 200

    def test_a_user_without_the_permission_cannot_create(
        self, client_for, user_with_role, books, customer, root_organization
    ):
        response = client_for(user_with_role("Sales")).post(
            _url("customerpayment-create"), _form(root_organization, customer, books.bank, amount="10.00")
        )

        assert response.status_code == 403 and not Payment.objects.exists()


class TestActions:
    def test_completing_refuses_an_invoice_paid_meanwhile(
        self, client, books, invoice, customer, root_organization, accountant
    ):
        client.post(
            _url("customerpayment-create"), _form(root_organization, customer, books.bank, [(invoice.number, "", "")])
        )
        draft = Payment.objects.get()
        make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, pays=[invoice]
        )

        response = client.post(_url("customerpayment-action", draft.pk, "complete"))

        draft.refresh_from_db()
        assert response.status_code == 302 and not draft.posted and draft.status == "draft"
        assert any("has only 0.00 EUR open" in message for message in _messages(response))

    def test_voiding_an_unallocated_payment_removes_its_credit(
        self, client, books, customer, root_organization, accountant
    ):
        payment = make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, amount="80.00"
        )

        response = client.post(_url("customerpayment-action", payment.pk, "void"), {"reason": "Bounced"})

        payment.refresh_from_db()
        assert response.status_code == 302 and payment.status == "voided"
        assert not OpenItem.objects.filter(payment=payment).exists()

    def test_a_matched_payment_cannot_be_voided(self, client, books, invoice, customer, root_organization, accountant):
        payment = make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, pays=[invoice]
        )

        response = client.post(_url("customerpayment-action", payment.pk, "void"), {"reason": "Wrong"})

        payment.refresh_from_db()
        assert payment.status == "completed"
        assert any("remove those allocations on the matching screen first" in m for m in _messages(response))

    def test_a_posted_payment_cannot_be_edited(self, client, books, customer, root_organization, accountant):
        payment = make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, amount="80.00"
        )

        response = client.post(
            _url("customerpayment-update", payment.pk), _form(root_organization, customer, books.bank, amount="1.00")
        )

        payment.refresh_from_db()
        assert response.status_code == 302 and payment.amount == Decimal("80.00")
        assert any("no longer a draft" in message for message in _messages(response))

    def test_completing_twice_posts_once(self, client, books, customer, root_organization, accountant):
        draft = make.payment(
            organization=root_organization,
            partner=customer,
            bank=books.bank,
            by=accountant,
            on=DAY,
            amount="80.00",
            post=False,
        )

        client.post(_url("customerpayment-action", draft.pk, "complete"))
        client.post(_url("customerpayment-action", draft.pk, "complete"))

        assert OpenItem.objects.filter(payment=draft).count() == 1

    def test_a_user_who_may_only_view_cannot_complete(
        self, client_for, user_with_role, books, customer, root_organization, accountant
    ):
        draft = make.payment(
            organization=root_organization,
            partner=customer,
            bank=books.bank,
            by=accountant,
            on=DAY,
            amount="80.00",
            post=False,
        )
        manager = client_for(user_with_role("Manager"))

        response = manager.post(_url("customerpayment-action", draft.pk, "complete"))

        draft.refresh_from_db()
        assert response.status_code == 302 and not draft.posted and draft.status == "draft"
        assert _messages(response)

    def test_pay_from_the_invoice_page_makes_a_draft_of_the_open_amount(self, client, books, invoice):
        response = client.post(_url("customerpayment-for-invoice", invoice.pk))

        payment = Payment.objects.get()
        assert response.status_code == 302 and response["Location"] == _url("customerpayment-update", payment.pk)
        assert payment.amount == Decimal("437.00") and payment.lines.get().customer_invoice_id == invoice.pk


class TestRefund:
    def test_refunds_an_overpayment_through_the_screen(
        self, client, books, invoice, customer, root_organization, accountant
    ):
        overpaid = make.payment(
            organization=root_organization,
            partner=customer,
            bank=books.bank,
            by=accountant,
            on=DAY,
            amount="500.00",
            pays=[invoice],
        )

        response = client.post(
            _url("customerpayment-create"),
            _form(root_organization, customer, books.bank, [(overpaid.number, "", "")], kind="customer_refund"),
        )
        refund = Payment.objects.get(kind="customer_refund")
        client.post(_url("customerpayment-action", refund.pk, "complete"))

        refund.refresh_from_db()
        assert response.status_code == 302 and refund.posted and refund.amount == Decimal("63.00")
        assert refund.number.startswith("RFD-")
        assert OpenItem.objects.get(payment=overpaid).open_amount == Decimal("0")

    def test_refunding_more_than_the_credit_is_refused(
        self, client, books, invoice, customer, root_organization, accountant
    ):
        overpaid = make.payment(
            organization=root_organization,
            partner=customer,
            bank=books.bank,
            by=accountant,
            on=DAY,
            amount="500.00",
            pays=[invoice],
        )

        response = client.post(
            _url("customerpayment-create"),
            _form(root_organization, customer, books.bank, [(overpaid.number, "100.00", "")], kind="customer_refund"),
        )

        assert response.status_code == 200 and "has only 63.00 EUR open" in _errors(response)
        assert not Payment.objects.filter(kind="customer_refund").exists()


class TestMatching:
    def test_lists_the_partners_with_something_to_match(
        self, client, books, invoice, customer, root_organization, accountant
    ):
        make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, amount="100.00"
        )

        response = client.get(_url("receivable-matching"))

        assert response.status_code == 200 and customer in response.context["partners"]
        assert "Müller Maschinenbau GmbH" in response.content.decode()

    def test_shows_the_open_invoices_and_unallocated_payments_of_a_customer(
        self, client, books, invoice, customer, root_organization, accountant
    ):
        payment = make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, amount="100.00"
        )

        response = client.get(_url("receivable-matching"), {"partner": customer.pk})

        assert [item.customer_invoice_id for item in response.context["charges"]] == [invoice.pk]
        assert [item.payment_id for item in response.context["credits"]] == [payment.pk]
        content = response.content.decode()
        assert invoice.number in content and payment.number in content and 'id="match-button"' in content

    def test_matches_part_of_an_invoice(self, client, books, invoice, customer, root_organization, accountant):
        payment = make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, amount="100.00"
        )
        charge = OpenItem.objects.get(customer_invoice=invoice)
        credit = OpenItem.objects.get(payment=payment)

        response = client.post(
            _url("receivable-match"),
            {"partner": customer.pk, "charge": charge.pk, "credit": credit.pk, "amount": "60.00", "date": DAY},
        )

        assert response.status_code == 302
        assert response["Location"] == _url("receivable-matching") + f"?partner={customer.pk}"
        charge.refresh_from_db()
        credit.refresh_from_db()
        assert charge.open_amount == Decimal("377.00") and credit.open_amount == Decimal("-40.00")

    def test_matching_without_an_amount_takes_as_much_as_both_allow(
        self, client, books, invoice, customer, root_organization, accountant
    ):
        payment = make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, amount="100.00"
        )
        charge = OpenItem.objects.get(customer_invoice=invoice)
        credit = OpenItem.objects.get(payment=payment)

        client.post(_url("receivable-match"), {"charge": charge.pk, "credit": credit.pk, "date": DAY})

        assert Allocation.objects.get().amount == Decimal("100.00")

    @pytest.mark.parametrize("amount", ["500.00", "-1", "1e15", "abc"])
    def test_a_bad_amount_is_refused_and_nothing_is_matched(
        self, client, books, invoice, customer, root_organization, accountant, amount
    ):
        payment = make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, amount="100.00"
        )
        charge = OpenItem.objects.get(customer_invoice=invoice)
        credit = OpenItem.objects.get(payment=payment)

        response = client.post(
            _url("receivable-match"),
            {"partner": customer.pk, "charge": charge.pk, "credit": credit.pk, "amount": amount, "date": DAY},
        )

        assert response.status_code == 302 and _messages(response)
        assert not Allocation.objects.exists()

    def test_auto_match_settles_the_oldest_invoices(
        self, client, books, invoice, second_invoice, customer, root_organization, accountant
    ):
        make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, amount="500.00"
        )

        response = client.post(_url("receivable-match-auto"), {"partner": customer.pk})

        assert response.status_code == 302 and "2 matches made." in _messages(response)
        assert _open(invoice) == Decimal("0") and _open(second_invoice) == Decimal("137.00")

    def test_an_allocation_can_be_removed(self, client, books, invoice, customer, root_organization, accountant):
        make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, pays=[invoice]
        )
        allocation = Allocation.objects.get()

        response = client.post(_url("receivable-unmatch", allocation.pk))

        assert response.status_code == 302 and "The allocation was removed." in _messages(response)
        assert _open(invoice) == Decimal("437.00")

    def test_a_user_without_the_permission_gets_403(self, client_for, user_with_role, books, invoice, customer):
        sales = client_for(user_with_role("Sales"))

        assert sales.get(_url("receivable-matching")).status_code == 403
        assert sales.post(_url("receivable-match-auto"), {"partner": customer.pk}).status_code == 403

    def test_another_tenants_items_cannot_be_matched(
        self, other_admin_client, books, invoice, customer, root_organization, accountant
    ):
        payment = make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, amount="100.00"
        )
        charge = OpenItem.objects.get(customer_invoice=invoice)
        credit = OpenItem.objects.get(payment=payment)

        response = other_admin_client.post(
            _url("receivable-match"), {"charge": charge.pk, "credit": credit.pk, "amount": "10"}
        )

        assert response.status_code == 404
        assert not Allocation.objects.exists()

"""Vendor payment run screens: the list, proposing a run, the proposal of a draft, executing it
for the bills ticked, the remittance advice; what they refuse."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from pypdf import PdfReader

from erp.core.models import Currency
from erp.finance.openitems.models import OpenItem
from erp.finance.payments import runs
from erp.finance.payments.models import Payment, PaymentRun, PaymentRunStatus
from tests.factories import invoicing as make
from tests.factories import partners
from tests.factories.core import OrganizationFactory
from tests.factories.ledger import money

pytestmark = pytest.mark.django_db

DAY = date(2025, 3, 10)
PAY_DAY = date(2025, 3, 20)
NEXT_RUN = date(2025, 3, 25)


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
def bills(books, root_organization, accountant):
    """Alpha: 100.00 and 200.00 due; Beta: 1,190.00 with 35.70 discount until 24 March."""
    alpha = partners.vendor(name="Alpha Papier GmbH")
    alpha.vendor_payment_term = make.term(net_days=10)
    alpha.save()
    beta = partners.vendor(name="Beta Büro AG")
    beta.vendor_payment_term = make.term(net_days=30, discount_percent="3", discount_days=14)
    beta.save()
    common = {"organization": root_organization, "by": accountant, "on": DAY}
    return {
        "A-1": make.vendor_bill(partner=alpha, lines=[make.line(1, "100.00")], number="A-1", **common),
        "A-2": make.vendor_bill(partner=alpha, lines=[make.line(1, "200.00")], number="A-2", **common),
        "B-1": make.vendor_bill(
            partner=beta, lines=[make.line(1, "1000.00", tax=books.input_tax)], number="B-1", **common
        ),
    }


def _run(books, organization, by, **options) -> PaymentRun:
    values = {
        "payment_date": PAY_DAY,
        "due_by": PAY_DAY,
        "next_run": NEXT_RUN,
        "bank_account": books.bank,
        "currency": Currency.objects.get(code="EUR"),
    } | options
    return runs.payment_run_create(organization=organization, by=by, **values)


@pytest.fixture
def run(books, root_organization, accountant):
    return _run(books, root_organization, accountant)


def _url(name: str, *args) -> str:
    return reverse(f"finance:{name}", args=args)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _item(bill) -> OpenItem:
    return OpenItem.objects.get(vendor_bill=bill)


def _user_with(user_with_role, *codenames: str):
    user = user_with_role()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="finance", codename__in=codenames))
    return user


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _form(organization, books, **values) -> dict:
    return {
        "organization": organization.pk,
        "payment_date": PAY_DAY.isoformat(),
        "due_by": PAY_DAY.isoformat(),
        "next_run": NEXT_RUN.isoformat(),
        "bank_account": books.bank.pk,
        "currency": "EUR",
    } | values


class TestList:
    def test_lists_the_runs_of_the_users_organizations_only(self, client, books, root_organization, accountant):
        mine = _run(books, root_organization, accountant)
        elsewhere = _run(books, OrganizationFactory(name="Elsewhere", parent=None), accountant)

        response = client.get(_url("paymentrun-list"))

        assert response.status_code == 200
        content = response.content.decode()
        assert mine.number in content and mine.get_absolute_url() in content
        assert elsewhere.number not in content
        assert 'id="paymentrun-new"' in content

    def test_without_runs_it_says_so(self, client, books):
        response = client.get(_url("paymentrun-list"))

        assert response.status_code == 200
        assert "No payment runs yet." in response.content.decode()

    def test_a_user_without_the_permission_gets_403(self, client_for, user_with_role):
        sales = client_for(user_with_role("Sales"))

        assert sales.get(_url("paymentrun-list")).status_code == 403

    def test_a_user_who_may_only_view_is_not_offered_a_new_run(self, client_for, user_with_role, books):
        viewer = client_for(_user_with(user_with_role, "view_paymentrun"))

        response = viewer.get(_url("paymentrun-list"))

        assert response.status_code == 200
        assert 'id="paymentrun-new"' not in response.content.decode()


class TestCreate:
    def test_the_form_is_shown(self, client, books):
        response = client.get(_url("paymentrun-create"))

        assert response.status_code == 200
        content = response.content.decode()
        for field in ("payment_date", "due_by", "next_run", "bank_account", "currency", "organization"):
            assert f'name="{field}"' in content, field

    def test_a_valid_run_is_created_and_its_proposal_shown(self, client, books, root_organization, accountant):
        response = client.post(_url("paymentrun-create"), _form(root_organization, books))

        run = PaymentRun.objects.get()
        assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
        assert (run.organization, run.payment_date, run.due_by, run.next_run, run.bank_account) == (
            root_organization,
            PAY_DAY,
            PAY_DAY,
            NEXT_RUN,
            books.bank,
        )
        assert (run.status, run.created_by, run.currency_id) == (PaymentRunStatus.DRAFT, accountant, "EUR")

    @pytest.mark.parametrize("next_run", [PAY_DAY.isoformat(), "2025-03-01"])
    def test_a_next_run_not_after_the_payment_date_is_refused_next_to_the_field(
        self, client, books, root_organization, next_run
    ):
        response = client.post(_url("paymentrun-create"), _form(root_organization, books, next_run=next_run))

        assert response.status_code == 200
        assert response.context["form"].errors["next_run"] == ["The next run must be after the payment date."]
        assert "The next run must be after the payment date." in response.content.decode()
        assert not PaymentRun.objects.exists()

    @pytest.mark.parametrize(
        "field, value",
        [("payment_date", ""), ("due_by", "31.02.2025"), ("bank_account", "999999999"), ("currency", "XXX")],
    )
    def test_bad_input_is_refused_next_to_the_field(self, client, books, root_organization, field, value):
        response = client.post(_url("paymentrun-create"), _form(root_organization, books, **{field: value}))

        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert not PaymentRun.objects.exists()

    def test_an_expense_account_cannot_pay(self, client, books, root_organization):
        response = client.post(
            _url("paymentrun-create"), _form(root_organization, books, bank_account=books.expense.pk)
        )

        assert response.status_code == 200
        assert "bank_account" in response.context["form"].errors
        assert not PaymentRun.objects.exists()

    def test_an_organization_the_user_may_not_see_is_refused(self, client, books):
        elsewhere = OrganizationFactory(name="Elsewhere", parent=None)

        response = client.post(_url("paymentrun-create"), _form(elsewhere, books))

        assert response.status_code == 200
        assert "organization" in response.context["form"].errors
        assert not PaymentRun.objects.exists()

    def test_a_user_without_the_permission_gets_403(self, client_for, user_with_role, books, root_organization):
        viewer = client_for(_user_with(user_with_role, "view_paymentrun"))

        assert viewer.get(_url("paymentrun-create")).status_code == 403
        assert viewer.post(_url("paymentrun-create"), _form(root_organization, books)).status_code == 403
        assert not PaymentRun.objects.exists()


class TestDetail:
    def test_a_draft_shows_the_proposed_vendors_bills_discount_and_total(self, client, bills, run):
        response = client.get(_url("paymentrun-detail", run.pk))

        assert response.status_code == 200
        assert [
            (vendor.partner.name, [(bill.item.vendor_bill, bill.discount, bill.pay) for bill in vendor.bills])
            for vendor in response.context["vendors"]
        ] == [
            ("Alpha Papier GmbH", [(bills["A-1"], 0, money("100.00")), (bills["A-2"], 0, money("200.00"))]),
            ("Beta Büro AG", [(bills["B-1"], money("35.70"), money("1154.30"))]),
        ]
        assert response.context["total"] == money("1454.30")
        content = response.content.decode()
        for text in ("Alpha Papier GmbH", "Beta Büro AG", "35.70", "1,154.30", "1,454.30", 'id="execute-button"'):
            assert text in content, text
        for bill in bills.values():
            assert f'name="item" value="{_item(bill).pk}"' in content

    def test_a_draft_without_bills_says_so(self, client, books, run):
        response = client.get(_url("paymentrun-detail", run.pk))

        assert response.status_code == 200
        content = response.content.decode()
        assert 'id="proposal-empty"' in content and 'id="execute-button"' not in content

    def test_a_user_who_may_not_execute_sees_no_execute_button(self, client_for, user_with_role, bills, run):
        viewer = client_for(_user_with(user_with_role, "view_paymentrun"))

        response = viewer.get(_url("paymentrun-detail", run.pk))

        assert response.status_code == 200
        assert 'id="execute-button"' not in response.content.decode()

    def test_an_executed_run_shows_its_payments(self, client, bills, run, accountant):
        created = runs.payment_run_execute(run=run, by=accountant)

        response = client.get(_url("paymentrun-detail", run.pk))

        assert response.status_code == 200
        assert response.context["payments"] == created
        assert response.context["total"] == money("1454.30")
        content = response.content.decode()
        assert all(payment.number in content for payment in created)
        assert 'id="remittance-pdf"' in content and 'id="execute-button"' not in content

    def test_a_run_of_an_organization_the_user_may_not_see_is_404(self, client, books, accountant):
        elsewhere = _run(books, OrganizationFactory(name="Elsewhere", parent=None), accountant)

        assert client.get(_url("paymentrun-detail", elsewhere.pk)).status_code == 404

    def test_another_tenant_gets_404(self, other_admin_client, run):
        assert other_admin_client.get(_url("paymentrun-detail", run.pk)).status_code == 404
        assert other_admin_client.get(_url("paymentrun-pdf", run.pk)).status_code == 404
        assert other_admin_client.post(_url("paymentrun-execute", run.pk), {"item": ["1"]}).status_code == 404

    def test_a_user_without_the_permission_gets_403(self, client_for, user_with_role, run):
        sales = client_for(user_with_role("Sales"))

        assert sales.get(_url("paymentrun-detail", run.pk)).status_code == 403
        assert sales.get(_url("paymentrun-pdf", run.pk)).status_code == 403


class TestExecute:
    def test_pays_the_bills_ticked(self, client, bills, run):
        ticked = [_item(bills["A-1"]).pk, _item(bills["B-1"]).pk]

        response = client.post(_url("paymentrun-execute", run.pk), {"item": [str(pk) for pk in ticked]})

        assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
        assert _messages(response) == ["2 payments created and posted."]
        payments = list(Payment.objects.filter(payment_run=run).order_by("partner__name"))
        assert [(payment.partner.name, payment.amount) for payment in payments] == [
            ("Alpha Papier GmbH", money("100.00")),
            ("Beta Büro AG", money("1154.30")),
        ]
        assert _item(bills["A-1"]).open_amount == 0 and _item(bills["B-1"]).open_amount == 0
        assert _item(bills["A-2"]).open_amount == money("200.00")
        run.refresh_from_db()
        assert run.status == PaymentRunStatus.EXECUTED

    def test_without_bills_ticked_nothing_is_paid(self, client, bills, run):
        response = client.post(_url("paymentrun-execute", run.pk), {})

        assert response.status_code == 302
        assert _messages(response) == ["Nothing to pay: choose at least one bill."]
        assert not Payment.objects.exists()
        run.refresh_from_db()
        assert run.status == PaymentRunStatus.DRAFT

    @pytest.mark.parametrize("garbage", ["9" * 30, "9223372036854775808", "abc", "-1", "0", "²", "١", " 1 ", ""])
    def test_ids_that_cannot_be_bills_are_ignored(self, client, bills, run, garbage):
        response = client.post(_url("paymentrun-execute", run.pk), {"item": [garbage]})

        assert response.status_code == 302
        assert _messages(response) == ["Nothing to pay: choose at least one bill."]
        assert not Payment.objects.exists()

    def test_garbage_next_to_a_real_bill_pays_the_bill(self, client, bills, run):
        response = client.post(_url("paymentrun-execute", run.pk), {"item": ["9" * 30, str(_item(bills["A-2"]).pk)]})

        assert _messages(response) == ["1 payment created and posted."]
        (payment,) = Payment.objects.filter(payment_run=run)
        assert payment.amount == money("200.00")

    def test_executing_an_executed_run_is_refused(self, client, bills, run):
        ticked = {"item": [str(_item(bills["A-1"]).pk)]}
        client.post(_url("paymentrun-execute", run.pk), ticked)

        response = client.post(_url("paymentrun-execute", run.pk), {"item": [str(_item(bills["A-2"]).pk)]})

        assert response.status_code == 302
        assert _messages(response)[-1] == f"{run} has been executed already."
        assert Payment.objects.count() == 1
        assert _item(bills["A-2"]).open_amount == money("200.00")

    def test_get_is_not_allowed(self, client, run):
        assert client.get(_url("paymentrun-execute", run.pk)).status_code == 405

    def test_a_user_who_may_only_view_cannot_execute(self, client_for, user_with_role, bills, run):
        viewer = client_for(_user_with(user_with_role, "view_paymentrun", "add_paymentrun"))

        response = viewer.post(_url("paymentrun-execute", run.pk), {"item": [str(_item(bills["A-1"]).pk)]})

        assert response.status_code == 403
        assert not Payment.objects.exists()

    def test_a_run_of_an_organization_the_user_may_not_see_is_404(self, client, bills, books, accountant):
        elsewhere = _run(books, OrganizationFactory(name="Elsewhere", parent=None), accountant)

        response = client.post(_url("paymentrun-execute", elsewhere.pk), {"item": [str(_item(bills["A-1"]).pk)]})

        assert response.status_code == 404
        assert not Payment.objects.exists()


class TestRemittancePdf:
    def test_the_pdf_names_the_vendors_and_amounts(self, client, bills, run, accountant):
        created = runs.payment_run_execute(run=run, by=accountant)

        response = client.get(_url("paymentrun-pdf", run.pk))

        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert run.number in response["Content-Disposition"]
        text = _pdf_text(response.content)
        for expected in ("Alpha Papier GmbH", "Beta Büro AG", "1,154.30", "35.70", "A-1", "B-1"):
            assert expected in text, expected
        assert all(payment.number in text for payment in created)

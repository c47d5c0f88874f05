"""The three-way match on the vendor bill's detail page (per line ordered, received, billed,
order and billed price, the difference, within or outside the tolerances, and why the bill is
held or blocked), and approving a held bill from that page: only the mismatch role may."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from erp.core.documents import services as documents
from erp.core.documents.models import ApprovalStatus, Status
from erp.finance.invoicing import services as invoicing
from erp.purchasing import billing, services
from erp.purchasing.models.settings import MismatchAction
from erp.purchasing.selectors import purchasing_settings
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
def order(buyer):
    """150 sheets of paper at 3.50 with 10 % off: 3.15 net each; 100 of them received."""
    order = make.order(buyer, buyer.office, [make.order_line(buyer.paper, 150, discount_percent=money(10))])
    warehouse = inventory.warehouse(organization=buyer.organization, by=buyer.by)
    line = order.lines.get()
    receipt = services.purchase_order_receive(
        order=order, warehouse=warehouse, by=buyer.by, quantities={line.pk: money(100)}, on=ON
    )
    documents.document_complete(document=receipt, by=buyer.by)
    return order


@pytest.fixture
def accountant(user_with_role):
    return user_with_role("Accountant")


@pytest.fixture
def manager(user_with_role):
    return user_with_role("Manager")


def _bill(order, price, *, by, number="OS-1001"):
    line = order.lines.get()
    return billing.purchase_order_bill(
        order=order, vendor_invoice_number=number, by=by, on=ON, prices={line.pk: money(price)}
    )


def _url(bill, view="detail", *args):
    return reverse(f"finance:vendorbill-{view}", args=[bill.pk, *args])


def _panel(response) -> str:
    text = response.content.decode()
    start = text.index('id="bill-match"')
    return text[start : text.index("</section>", start)]


class TestMatchPanel:
    def test_a_bill_inside_the_tolerances_shows_each_line_within(self, client_for, accountant, order):
        bill = _bill(order, "3.55", by=accountant)

        response = client_for(accountant).get(_url(bill))

        assert response.status_code == 200
        panel = _panel(response)
        assert "All lines are within the tolerances." in panel
        assert "Tolerances: price ±2 %, quantity +0 %" in panel
        for text in ("150", "100", "3.1500", "3.1950", "4.50", "within tolerance", order.number):
            assert text in panel
        assert "outside tolerance" not in panel

    def test_a_held_bill_shows_the_differences_and_who_approves_them(self, client_for, accountant, manager, order):
        bill = invoicing.invoice_post(invoice=_bill(order, "4.00", by=accountant), by=accountant)

        response = client_for(accountant).get(_url(bill))

        panel = _panel(response)
        assert "Held for approval by Manager: lines are outside the tolerances." in panel
        assert "3.6000" in panel and "45.00" in panel  # 0.45 more on 100
        assert "outside tolerance" in panel
        assert "the price differs by 14.29 % (tolerance 2 %)" in panel
        assert 'id="action-button-approve"' not in response.content.decode()

    def test_a_draft_outside_the_tolerances_says_posting_asks_for_an_approval(self, client_for, accountant, order):
        bill = _bill(order, "4.00", by=accountant)

        panel = _panel(client_for(accountant).get(_url(bill)))

        assert "posting sends the bill to Manager for approval" in panel

    def test_a_blocking_tenant_shows_the_bill_blocked(self, client_for, accountant, order):
        settings = purchasing_settings()
        settings.mismatch_action = MismatchAction.BLOCK
        settings.save()
        bill = _bill(order, "4.00", by=accountant)

        panel = _panel(client_for(accountant).get(_url(bill)))

        assert "Blocked: the bill cannot be posted while lines are outside the tolerances" in panel

    def test_the_order_is_linked_for_those_who_may_see_orders(self, client_for, user_with_role, accountant, order):
        bill = _bill(order, "3.50", by=accountant)
        as_accountant = _panel(client_for(accountant).get(_url(bill)))
        as_both = _panel(client_for(user_with_role("Accountant", "Purchasing")).get(_url(bill)))
        Group.objects.get(name="Accountant").permissions.remove(
            Permission.objects.get(content_type__app_label="purchasing", codename="view_purchaseorder")
        )
        as_accountant_without_orders = _panel(client_for(user_with_role("Accountant")).get(_url(bill)))

        assert order.get_absolute_url() in as_accountant  # accounts payable may open the order
        assert order.get_absolute_url() in as_both
        assert order.get_absolute_url() not in as_accountant_without_orders
        assert reverse("purchasing:settings") not in as_accountant
        assert reverse("purchasing:settings") in as_both

    def test_a_bill_without_an_order_has_no_panel(self, client_for, buyer, accountant):
        bill = finance.vendor_bill(
            organization=buyer.organization,
            partner=buyer.office,
            lines=[finance.line("1", "10.00")],
            by=buyer.by,
            on=ON,
            number="OS-9",
            post=False,
        )

        response = client_for(accountant).get(_url(bill))

        assert response.status_code == 200
        assert 'id="bill-match"' not in response.content.decode()

    def test_refused_without_the_permission_and_to_another_tenant(
        self, client_for, user_with_role, accountant, order, other_admin_client
    ):
        bill = _bill(order, "4.00", by=accountant)

        assert client_for(user_with_role("Sales")).get(_url(bill)).status_code == 403
        assert other_admin_client.get(_url(bill)).status_code == 404


class TestApprovingTheDifferences:
    def test_the_manager_sees_approve_and_approves(self, client_for, accountant, manager, order):
        bill = invoicing.invoice_post(invoice=_bill(order, "4.00", by=accountant), by=accountant)
        client = client_for(manager)
        assert 'id="action-button-approve"' in client.get(_url(bill)).content.decode()

        response = client.post(_url(bill, "action", "approve"), {"reason": "Price rise agreed"}, follow=True)

        bill.refresh_from_db()
        assert (bill.status, bill.approval_status) == (Status.APPROVED, ApprovalStatus.APPROVED)
        assert "The differences have been approved: the bill can be posted." in _panel(response)

    def test_someone_outside_the_role_is_refused_with_a_clear_message(
        self, client_for, user_with_role, accountant, manager, order
    ):
        bill = invoicing.invoice_post(invoice=_bill(order, "4.00", by=accountant), by=accountant)
        colleague = client_for(user_with_role("Accountant"))

        response = colleague.post(_url(bill, "action", "approve"), follow=True)

        assert response.status_code == 200
        assert (
            "You are not an approver of the step “Differences from the purchase order”: it is decided by Manager."
            in response.content.decode()
        )
        bill.refresh_from_db()
        assert (bill.status, bill.approval_status) == (Status.IN_REVIEW, ApprovalStatus.PENDING)

    def test_once_approved_the_accountant_posts_it_and_the_panel_says_so(self, client_for, accountant, manager, order):
        bill = invoicing.invoice_post(invoice=_bill(order, "4.00", by=accountant), by=accountant)
        client_for(manager).post(_url(bill, "action", "approve"))

        response = client_for(accountant).post(_url(bill, "action", "complete"), follow=True)

        bill.refresh_from_db()
        assert bill.status == Status.COMPLETED
        assert "Posted with the differences approved." in _panel(response)

"""The three-way match per line (``billing.bill_match``) and the approval of a bill outside the
tolerances: a step of the bill's approval workflow decided by the settings' mismatch role (the
Manager when none is chosen), never by someone outside it, nor by the person who posted it."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group

from erp.core.documents import services as documents
from erp.core.documents.models import Action, ApprovalStatus, Status
from erp.core.exceptions import DomainError
from erp.core.models import BusinessEvent
from erp.finance.invoicing import services as invoicing
from erp.purchasing import billing, services
from erp.purchasing.models.settings import MismatchAction
from erp.purchasing.selectors import purchasing_settings
from erp.workflow import selectors as workflow
from erp.workflow.models import InstanceStatus, TaskStatus
from tests.factories import inventory
from tests.factories import purchasing as make
from tests.factories import workflow as flows

pytestmark = pytest.mark.django_db

money = make.money
ON = date(2026, 3, 6)


@pytest.fixture
def buyer(root_organization, admin_user):
    return make.buyer(organization=root_organization, by=admin_user)


@pytest.fixture
def order(buyer):
    """150 sheets of paper at 3.50 with 10 % off: 3.15 net each."""
    return make.order(buyer, buyer.office, [make.order_line(buyer.paper, 150, discount_percent=money(10))])


@pytest.fixture
def accountant(user_with_role):
    return user_with_role("Accountant")


@pytest.fixture
def manager(user_with_role):
    return user_with_role("Manager")


def _received(buyer, order, quantity, *, warehouse=None):
    warehouse = warehouse or inventory.warehouse(organization=buyer.organization, by=buyer.by)
    line = order.lines.get(position=1)
    receipt = services.purchase_order_receive(
        order=order, warehouse=warehouse, by=buyer.by, quantities={line.pk: money(quantity)}, on=ON
    )
    documents.document_complete(document=receipt, by=buyer.by)
    return warehouse


def _bill(buyer, order, number, price, *, by):
    line = order.lines.get(position=1)
    return billing.purchase_order_bill(
        order=order, vendor_invoice_number=number, by=by, on=ON, prices={line.pk: money(price)}
    )


def _held(buyer, order, accountant, price="4.00"):
    """100 received, billed at 4.00 less 10 % = 3.60 (14.29 % over 3.15) and posted by the accountant."""
    _received(buyer, order, 100)
    bill = _bill(buyer, order, "OS-1001", price, by=accountant)
    return invoicing.invoice_post(invoice=bill, by=accountant)


class TestBillMatch:
    def test_each_line_shows_ordered_received_billed_prices_and_the_difference(self, buyer, order, accountant):
        warehouse = _received(buyer, order, 100)
        invoicing.invoice_post(invoice=_bill(buyer, order, "OS-1001", "3.55", by=accountant), by=accountant)
        _received(buyer, order, 50, warehouse=warehouse)
        second = _bill(buyer, order, "OS-1002", "4.00", by=accountant)

        (row,) = billing.bill_match(second)

        assert (row.ordered, row.received, row.billed_before, row.billed) == (
            money(150),
            money(150),
            money(100),
            money(150),
        )
        assert (row.order_price, row.billed_price) == (money("3.15"), money("3.60"))
        assert row.price_difference == money("0.45")
        assert row.value_difference == money("22.50")
        assert not row.within
        assert row.problems == ("the price differs by 14.29 % (tolerance 2 %)",)

    def test_a_line_inside_the_tolerances_is_within(self, buyer, order, accountant):
        _received(buyer, order, 100)

        (row,) = billing.bill_match(_bill(buyer, order, "OS-1001", "3.55", by=accountant))

        assert row.within and row.problems == ()
        assert row.value_difference == money("4.50")  # 3.195 − 3.15 = 0.045 on 100
        assert billing.bill_mismatches(row.line.invoice) == []

    def test_a_bill_without_an_order_has_no_match(self, buyer):
        from tests.factories import invoicing as finance

        bill = finance.vendor_bill(
            organization=buyer.organization,
            partner=buyer.office,
            lines=[finance.line("1", "10.00")],
            by=buyer.by,
            on=ON,
            number="OS-9",
            post=False,
        )

        assert billing.bill_match(bill) == []


class TestMismatchApproval:
    def test_outside_the_tolerance_the_bill_waits_for_a_manager_step(self, buyer, order, accountant, manager):
        bill = _held(buyer, order, accountant)

        assert (bill.status, bill.approval_status) == (Status.IN_REVIEW, ApprovalStatus.PENDING)
        task = workflow.open_task(bill)
        assert (task.name, task.approver_label, task.role.name) == (
            "Differences from the purchase order",
            "Manager",
            "Manager",
        )
        assert list(task.assignments.values_list("assignee", flat=True)) == [manager.pk]
        event = BusinessEvent.objects.get(verb="purchasing.bill.mismatch", aggregate_id=str(bill.pk))
        assert event.data["lines"] == [
            "Line 1 (Paper A4): ordered 150 at 3.15, received 100, billed 100 at 3.6: "
            "the price differs by 14.29 % (tolerance 2 %)."
        ]

    def test_the_manager_approves_and_the_accountant_posts(self, buyer, order, accountant, manager):
        bill = _held(buyer, order, accountant)
        assert Action.APPROVE in documents.available_actions(bill, manager)

        documents.perform(document=bill, action=Action.APPROVE, by=manager, reason="Price rise agreed")
        bill.refresh_from_db()
        assert (bill.status, bill.approval_status) == (Status.APPROVED, ApprovalStatus.APPROVED)
        bill = invoicing.invoice_post(invoice=bill, by=accountant)

        assert bill.status == Status.COMPLETED
        assert bill.rule_warnings and "the price differs by 14.29 %" in bill.rule_warnings[0]
        assert workflow.instances_of(bill).get().status == InstanceStatus.APPROVED

    def test_someone_outside_the_role_is_refused_with_the_step_and_its_approver(
        self, buyer, order, accountant, manager, user_with_role
    ):
        colleague = user_with_role("Accountant")  # may approve vendor bills, is no Manager
        assert colleague.has_perm("finance.approve_vendorbill")
        bill = _held(buyer, order, accountant)

        assert Action.APPROVE not in documents.available_actions(bill, colleague)
        with pytest.raises(DomainError) as refused:
            documents.perform(document=bill, action=Action.APPROVE, by=colleague)
        with pytest.raises(DomainError, match="waits for its approval workflow"):
            documents.document_approve(document=bill, by=colleague)

        assert str(refused.value.message) == (
            "You are not an approver of the step “Differences from the purchase order”: it is decided by Manager."
        )
        bill.refresh_from_db()
        assert (bill.status, bill.approval_status) == (Status.IN_REVIEW, ApprovalStatus.PENDING)

    def test_the_role_chosen_in_the_settings_decides_not_the_manager(
        self, buyer, order, accountant, manager, user_with_role
    ):
        controllers = flows.role("Controlling", "finance.approve_vendorbill", "finance.view_vendorbill")
        controller = user_with_role("Controlling")
        settings = purchasing_settings()
        settings.mismatch_role = controllers
        settings.save()

        bill = _held(buyer, order, accountant)

        assert workflow.open_task(bill).approver_label == "Controlling"
        with pytest.raises(DomainError, match="it is decided by Controlling"):
            documents.perform(document=bill, action=Action.APPROVE, by=manager)
        documents.perform(document=bill, action=Action.APPROVE, by=controller)
        bill.refresh_from_db()
        assert bill.approval_status == ApprovalStatus.APPROVED

    def test_a_role_nobody_in_it_may_approve_refuses_the_posting(self, buyer, order, accountant):
        settings = purchasing_settings()
        settings.mismatch_role = Group.objects.get_or_create(name="Empty role")[0]
        settings.save()
        _received(buyer, order, 100)
        bill = _bill(buyer, order, "OS-1001", "4.00", by=accountant)

        with pytest.raises(DomainError, match="Nobody can approve the step “Differences from the purchase order”"):
            invoicing.invoice_post(invoice=bill, by=accountant)

        bill.refresh_from_db()
        assert (bill.status, bill.number) == (Status.DRAFT, "")

    def test_the_person_who_posted_it_may_not_approve_it(self, buyer, order, user_with_role):
        both = user_with_role("Accountant", "Manager")
        other_manager = user_with_role("Manager")
        bill = _held(buyer, order, both)

        with pytest.raises(DomainError, match="You are not an approver"):
            documents.perform(document=bill, action=Action.APPROVE, by=both)

        assert list(workflow.open_task(bill).assignments.values_list("assignee", flat=True)) == [other_manager.pk]

    def test_a_rejection_sends_the_bill_back_to_draft_with_the_reason(self, buyer, order, accountant, manager):
        bill = _held(buyer, order, accountant)

        documents.perform(document=bill, action=Action.REJECT, by=manager, reason="Ask for the agreed price")

        bill.refresh_from_db()
        assert (bill.status, bill.approval_status, bill.status_reason) == (
            Status.DRAFT,
            ApprovalStatus.REJECTED,
            "Ask for the agreed price",
        )
        assert workflow.open_task(bill) is None

    def test_inside_the_tolerance_no_approval_is_started(self, buyer, order, accountant, manager):
        _received(buyer, order, 100)

        bill = invoicing.invoice_post(invoice=_bill(buyer, order, "OS-1001", "3.55", by=accountant), by=accountant)

        assert (bill.status, bill.approval_status) == (Status.COMPLETED, ApprovalStatus.NOT_REQUIRED)
        assert not workflow.instances_of(bill).exists()

    def test_a_blocking_tenant_starts_no_approval_and_refuses_the_posting(self, buyer, order, accountant):
        settings = purchasing_settings()
        settings.mismatch_action = MismatchAction.BLOCK
        settings.save()
        _received(buyer, order, 100)
        bill = _bill(buyer, order, "OS-1001", "4.00", by=accountant)

        with pytest.raises(DomainError, match="beyond the tolerances"):
            invoicing.invoice_post(invoice=bill, by=accountant)

        assert not workflow.instances_of(bill).exists()

    def test_the_step_follows_the_vendor_bill_workflow_steps(self, buyer, order, accountant, manager, user_with_role):
        controllers = flows.role("Controlling", "finance.approve_vendorbill", "finance.view_vendorbill")
        controller = user_with_role("Controlling")
        flows.workflow(
            {"name": "Controlling", "role": controllers, "condition": flows.above("100")},
            subject="finance.vendorbill",
            by=buyer.by,
            name="Bill approvals",
        )

        bill = _held(buyer, order, accountant)  # 428.40 gross

        assert [task.name for task in workflow.history_of(bill)] == [
            "Controlling",
            "Differences from the purchase order",
        ]
        documents.perform(document=bill, action=Action.APPROVE, by=controller)
        bill.refresh_from_db()
        assert bill.status == Status.IN_REVIEW
        assert workflow.open_task(bill).status == TaskStatus.OPEN
        documents.perform(document=bill, action=Action.APPROVE, by=manager)
        bill.refresh_from_db()
        assert (bill.status, bill.approval_status) == (Status.APPROVED, ApprovalStatus.APPROVED)

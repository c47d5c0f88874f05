"""The whole cycle, to the cent: requisition → approval → purchase order over the approval
threshold → manager approval → partial receipt → bill for the received part with a small price
difference inside the tolerance → second receipt → bill outside the tolerance held for the
manager's approval, approved, posted → payment run with the early-payment discount.

The buyer (``tests.factories.purchasing.buyer``) buys paper from Office Supplies at 3.50 from
100 sheets (19 % input tax), on 2 % within 10 days, 30 days net. Purchase orders above 500.00
and every requisition need the Manager's approval; the price tolerance is 2 %.

Amounts: the order is 200 × 3.50 = 700.00 net, 833.00 gross. Receipt 1 brings 120 (420.00 into
stock against GRNI); bill 1 charges them at 3.55 (1.43 % over: 426.00 net, 80.94 tax, 506.94).
Receipt 2 brings 80 (280.00); bill 2 charges them at 4.00 (14.29 % over: 320.00 net, 60.80 tax,
380.80): held, approved by the manager, posted. Both bills clear GRNI at the received value; as
all the paper is still in stock, the differences (6.00 and 40.00) raise its value: 746.00. The
run on 12 March pays both within their discount days: 506.94 − 10.14 + 380.80 − 7.62 = 869.98;
the discounts (17.76) take their input tax back (1.62 + 1.22) and the rest (14.92) is discount
received."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Sum

from erp.core.documents import services as documents
from erp.core.documents.models import Action, ApprovalStatus, Status
from erp.finance import selectors as ledger
from erp.finance.invoicing import services as invoicing
from erp.finance.invoicing.models import VendorBill
from erp.finance.models import AccountRole
from erp.finance.openitems.models import Side
from erp.finance.payments import runs
from erp.inventory.checks import layer_differences, valuation_drift
from erp.inventory.models import ProductValuation, Quant, ValuationEntry
from erp.purchasing import billing, services
from erp.purchasing.models import LineState
from erp.workflow import selectors as workflow
from tests.factories import inventory
from tests.factories import invoicing as finance
from tests.factories import purchasing as make
from tests.factories.ledger import run_commit_checks

pytestmark = pytest.mark.django_db

money = make.money
ORDERED = date(2026, 3, 2)
FIRST_RECEIPT, FIRST_BILL = date(2026, 3, 4), date(2026, 3, 5)
SECOND_RECEIPT, SECOND_BILL = date(2026, 3, 9), date(2026, 3, 10)
PAY_DAY, NEXT_RUN = date(2026, 3, 12), date(2026, 3, 26)


@pytest.fixture
def buyer(root_organization, admin_user):
    buyer = make.buyer(organization=root_organization, by=admin_user)
    buyer.office.vendor_payment_term = finance.term(net_days=30, discount_percent="2", discount_days=10)
    buyer.office.save()
    make.approval_above("0", subject="purchasing.purchaserequisition", by=admin_user)
    make.approval_above("500", subject="purchasing.purchaseorder", by=admin_user)
    return buyer


@pytest.fixture
def people(user_with_role):
    return {
        "purchaser": user_with_role("Purchasing"),
        "manager": user_with_role("Manager"),
        "storekeeper": user_with_role("Warehouse", "Purchasing"),
        "accountant": user_with_role("Accountant"),
    }


def _approve(document, manager) -> None:
    assert (document.status, document.approval_status) == (Status.IN_REVIEW, ApprovalStatus.PENDING)
    documents.perform(document=document, action=Action.APPROVE, by=manager, reason="OK")
    document.refresh_from_db()
    assert (document.status, document.approval_status) == (Status.APPROVED, ApprovalStatus.APPROVED)


def _receive(order, warehouse, quantity, *, by, on):
    line = order.lines.get()
    receipt = services.purchase_order_receive(
        order=order, warehouse=warehouse, by=by, quantities={line.pk: money(quantity)}, on=on
    )
    return documents.document_complete(document=receipt, by=by)


def _bill(order, number, price, *, by, on) -> VendorBill:
    line = order.lines.get()
    return billing.purchase_order_bill(
        order=order, vendor_invoice_number=number, by=by, on=on, prices={line.pk: money(price)}
    )


def _role_balance(role: str):
    return finance.balance(inventory.account(role))


class TestProcureToPay:
    def test_the_full_cycle_posts_stock_grni_tax_payable_and_bank_to_the_cent(self, buyer, people):
        purchaser, manager, accountant = people["purchaser"], people["manager"], people["accountant"]
        warehouse = inventory.warehouse(organization=buyer.organization, by=buyer.by)

        # The requisition, approved by the manager, becomes an order at the vendor's price
        requisition = make.requisition(
            buyer, [make.req_line(buyer.paper, 200, vendor=buyer.office, price="3.60")], by=purchaser, on=ORDERED
        )
        _approve(requisition, manager)
        (order,) = services.requisition_order(requisition=requisition, by=purchaser, on=ORDERED)
        assert (order.total_net, order.total_tax, order.total_gross) == (
            money("700.00"),
            money("133.00"),
            money("833.00"),
        )
        assert order.payment_term == buyer.office.vendor_payment_term

        # Over 500.00: the manager approves it
        order = documents.document_submit(document=order, by=purchaser)
        assert Action.APPROVE not in documents.available_actions(order, purchaser)
        _approve(order, manager)

        # 120 arrive and are billed at 3.55 (inside the 2 % tolerance): posted at once
        _receive(order, warehouse, 120, by=people["storekeeper"], on=FIRST_RECEIPT)
        assert _role_balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED) == money("-420.00")
        first = _bill(order, "OS-2026-118", "3.55", by=accountant, on=FIRST_BILL)
        assert [row.within for row in billing.bill_match(first)] == [True]
        first = invoicing.invoice_post(invoice=first, by=accountant)
        assert (first.status, first.approval_status) == (Status.COMPLETED, ApprovalStatus.NOT_REQUIRED)
        assert (first.total_net, first.total_tax, first.total_gross) == (
            money("426.00"),
            money("80.94"),
            money("506.94"),
        )
        assert _role_balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED) == 0

        # The other 80 arrive and are billed at 4.00 (14.29 % over): held for the manager
        _receive(order, warehouse, 80, by=people["storekeeper"], on=SECOND_RECEIPT)
        second = _bill(order, "OS-2026-131", "4.00", by=accountant, on=SECOND_BILL)
        (mismatch,) = billing.bill_mismatches(second)
        assert mismatch.message == (
            "Line 1 (Paper A4): ordered 200 at 3.5, received 200, billed 200 at 4: "
            "the price differs by 14.29 % (tolerance 2 %)."
        )
        second = invoicing.invoice_post(invoice=second, by=accountant)
        assert second.status == Status.IN_REVIEW
        assert workflow.open_task(second).approver_label == "Manager"
        assert _role_balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED) == money("-280.00")
        _approve(second, manager)
        second = invoicing.invoice_post(invoice=second, by=accountant)
        assert second.status == Status.COMPLETED
        assert (second.total_net, second.total_tax, second.total_gross) == (
            money("320.00"),
            money("60.80"),
            money("380.80"),
        )

        # The payment run on 12 March pays both bills, within their discount days
        run = runs.payment_run_create(
            organization=buyer.organization,
            payment_date=PAY_DAY,
            due_by=PAY_DAY,
            next_run=NEXT_RUN,
            bank_account=buyer.books.bank,
            currency=order.currency,
            by=accountant,
        )
        (vendor,) = runs.run_proposal(run)
        assert [(bill.item.vendor_bill, bill.discount, bill.pay) for bill in vendor.bills] == [
            (first, money("10.14"), money("496.80")),
            (second, money("7.62"), money("373.18")),
        ]
        (payment,) = runs.payment_run_execute(run=run, by=accountant)
        run_commit_checks()

        assert payment.status == Status.COMPLETED
        assert payment.amount == money("869.98")
        order.refresh_from_db()
        line = order.lines.get()
        assert order.status == Status.COMPLETED
        assert (line.quantity_received, line.quantity_billed) == (money(200), money(200))
        requisition.refresh_from_db()
        assert requisition.status == Status.COMPLETED
        assert set(requisition.lines.values_list("state", flat=True)) == {LineState.ORDERED}
        on_hand = Quant.objects.filter(product=buyer.paper, location__warehouse=warehouse).aggregate(
            total=Sum("quantity")
        )
        assert on_hand["total"] == money(200)

        # Stock: 200 sheets, 700.00 at the order's price and 46.00 of price differences
        valuation = ProductValuation.objects.get(product=buyer.paper, warehouse=warehouse)
        assert (valuation.quantity, valuation.value) == (money(200), money("746.00"))
        entries = ValuationEntry.objects.filter(product=buyer.paper, warehouse=warehouse)
        assert entries.aggregate(total=Sum("value"))["total"] == money("746.00")
        assert finance.balance(inventory.inventory_account()) == money("746.00")
        assert valuation_drift() == [] and layer_differences() == []

        balance = finance.balance
        assert _role_balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED) == money("0.00")
        assert _role_balance(AccountRole.PRICE_DIFFERENCE) == money("0.00")
        assert balance(buyer.books.payable) == money("0.00")
        assert finance.open_items_total(side=Side.PAYABLE) == 0
        assert balance(buyer.books.input_tax.account) == money("138.90")  # 141.74 less 1.62 + 1.22
        assert balance(buyer.books.discount_received) == money("-14.92")  # 8.52 + 6.40 net
        assert balance(buyer.books.bank) == money("-869.98")
        trial = ledger.trial_balance(date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))
        assert trial.balances and trial.closing_debit > 0

"""The credit check on submitting a sales order (the seeded business rule “Credit limit”): the
exposure is the customer's open receivables + its other binding orders + this order; above the
limit the order is blocked, or, with the rule changed to require approval, sent for approval;
either way the message names the exposure and the limit."""

from __future__ import annotations

from datetime import date

import pytest

from erp.core.documents import services as documents
from erp.core.documents.models import Status
from erp.core.exceptions import DomainError
from erp.inventory.models import Quant
from erp.sales import credit, services
from erp.workflow import selectors as approvals
from erp.workflow import services as workflow
from erp.workflow.models import BusinessRule
from tests.factories import invoicing as finance
from tests.factories import sales as make
from tests.factories.workflow import role

pytestmark = pytest.mark.django_db

money = make.money


@pytest.fixture
def shop(root_organization, admin_user):
    """A customer with a limit of 1,000.00 who owes 238.00 and has a confirmed order of 119.00."""
    shop = make.shop(organization=root_organization, by=admin_user, credit_limit="1000.00")
    finance.customer_invoice(
        organization=root_organization,
        partner=shop.customer,
        lines=[finance.line(1, "200.00", tax=shop.books.output_tax)],
        by=admin_user,
        on=date(2026, 3, 1),
    )
    make.order(shop, [make.line(shop.product, 2)])
    return shop


def reserved(shop):
    return Quant.objects.get(product=shop.product, location=shop.warehouse.stock_location).reserved


def seeded_rule() -> BusinessRule:
    return BusinessRule.objects.get(subject="sales.salesorder", name="Credit limit")


class TestExposure:
    def test_counts_open_receivables_other_binding_orders_and_this_order(self, shop):
        draft = make.order(shop, [make.line(shop.product, 6)], submit=False)

        exposure = credit.exposure_of(draft)

        assert (exposure.receivables, exposure.open_orders, exposure.this_order) == (
            money("238.00"),
            money("119.00"),
            money("357.00"),
        )
        assert exposure.total == money("714.00") and not exposure.exceeded

    def test_what_is_invoiced_of_an_order_leaves_its_open_share(self, shop, admin_user):
        service = make.order(shop, [make.line(description="Beratung", quantity="4", price="100.00")])
        draft = make.order(shop, [make.line(shop.product, 1)], submit=False)
        before = credit.exposure_of(draft)

        services.sales_order_invoice(order=service, by=admin_user, on=date(2026, 3, 3), post=True)
        after = credit.exposure_of(draft)

        # The 400.00 move from open orders to receivables: the exposure stays.
        assert after.open_orders == before.open_orders - money("400.00")
        assert after.receivables == before.receivables + money("400.00")
        assert after.total == before.total


class TestBlockingRule:
    def test_within_the_limit_the_order_is_confirmed_with_its_figures(self, shop, admin_user):
        draft = make.order(shop, [make.line(shop.product, 6)], submit=False)

        order = documents.document_submit(document=draft, by=admin_user)

        assert order.status == Status.APPROVED
        assert (order.credit_limit, order.credit_exposure) == (money("1000.00"), money("714.00"))

    def test_above_the_limit_the_order_is_refused_naming_exposure_and_limit(self, shop, admin_user):
        draft = make.order(shop, [make.line(shop.product, 12)], submit=False)  # 714.00

        with pytest.raises(DomainError) as refused:
            documents.document_submit(document=draft, by=admin_user)

        assert refused.value.message == (
            "The order would raise the exposure of Kunde GmbH to 1,071.00 (open receivables, open orders and "
            "this order), above its credit limit of 1,000.00."
        )
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT and not draft.number
        assert reserved(shop) == money(2)  # only the earlier order's

    def test_a_limit_of_zero_means_no_limit(self, shop, admin_user):
        shop.customer.credit_limit = money(0)
        shop.customer.save()
        draft = make.order(shop, [make.line(shop.product, 15)], submit=False)

        assert documents.document_submit(document=draft, by=admin_user).status == Status.APPROVED


class TestApprovalRule:
    def test_with_the_rule_changed_to_require_approval_the_order_waits_and_is_reserved_once_approved(
        self, shop, admin_user, user_with_role
    ):
        credit_control = role("Credit control", "sales.approve_salesorder", "sales.view_salesorder")
        controller = user_with_role("Credit control")
        rule = seeded_rule()
        message = "Exposure {credit_exposure} above the credit limit {credit_limit}: credit control approves."
        workflow.rule_update(
            rule=rule,
            expected_version=rule.version,
            by=admin_user,
            actions=[{"type": "require_approval", "role": credit_control.pk}, {"type": "warn", "message": message}],
        )
        draft = make.order(shop, [make.line(shop.product, 12)], submit=False)

        order = documents.document_submit(document=draft, by=admin_user)

        assert order.status == Status.IN_REVIEW
        assert order.rule_warnings == ["Exposure 1,071.00 above the credit limit 1,000.00: credit control approves."]
        assert reserved(shop) == money(2)
        [assignment] = approvals.approval_queue(user=controller)
        workflow.approval_decide(assignment_id=assignment.pk, by=controller, approve=True)
        order.refresh_from_db()
        assert order.status == Status.APPROVED
        assert reserved(shop) == money(14)

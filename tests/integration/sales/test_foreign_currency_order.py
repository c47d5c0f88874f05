"""A sales order in US dollars, to the cent: delivered at cost in euros, invoiced at the rate of the
invoice date, paid when the dollar has fallen; the exchange loss goes to the exchange loss
account and the receivable is cleared in both currencies."""

from __future__ import annotations

from datetime import date

import pytest

from erp.finance.models import AccountRole
from erp.finance.openitems.models import Allocation, OpenItem, Side
from erp.sales import services
from tests.factories import inventory
from tests.factories import invoicing as finance
from tests.factories import sales as make
from tests.factories.ledger import run_commit_checks

pytestmark = pytest.mark.django_db

money = make.money


@pytest.fixture
def shop(root_organization, admin_user):
    shop = make.shop(organization=root_organization, by=admin_user)
    finance.rate("USD", date(2026, 3, 1), "0.90")
    finance.rate("USD", date(2026, 3, 20), "0.85")
    return shop


class TestForeignCurrencyOrder:
    def test_the_payment_at_a_lower_rate_posts_the_exchange_loss(self, shop, admin_user):
        order = make.order(shop, [make.line(shop.product, 4, price="60.00")], currency="USD")
        make.deliver(order, by=admin_user, on=date(2026, 3, 3))

        invoice = services.sales_order_invoice(order=order, by=admin_user, on=date(2026, 3, 5), post=True)
        payment = finance.payment(
            organization=shop.organization,
            partner=shop.customer,
            bank=shop.books.bank,
            by=admin_user,
            on=date(2026, 3, 25),
            currency="USD",
            pays=[invoice],
        )
        run_commit_checks()

        assert (order.currency_id, order.exchange_rate) == ("USD", money("0.90"))
        assert (invoice.currency_id, invoice.exchange_rate, invoice.total_gross) == (
            "USD",
            money("0.90"),
            money("285.60"),
        )
        assert invoice.total_gross_company == money("257.04")
        assert (payment.amount, payment.exchange_rate) == (money("285.60"), money("0.85"))
        allocation = Allocation.objects.get()
        assert (allocation.charge_company, allocation.credit_company, allocation.exchange_difference) == (
            money("257.04"),
            money("242.76"),
            money("-14.28"),
        )
        balance = finance.balance
        assert balance(shop.books.exchange_loss) == money("14.28")
        assert balance(shop.books.exchange_gain) == 0
        assert balance(shop.books.bank) == money("242.76")
        assert balance(shop.books.revenue) == money("-216.00")
        assert balance(shop.books.output_tax.account) == money("-41.04")
        assert balance(shop.books.receivable) == 0
        assert balance(inventory.account(AccountRole.COST_OF_GOODS_SOLD)) == money("40.00")  # at cost, in euros
        assert not OpenItem.objects.filter(side=Side.RECEIVABLE).open().exists()

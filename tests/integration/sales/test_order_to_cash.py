"""The whole cycle, to the cent: quotation → order → partial delivery → invoice for the delivered
part → second delivery → invoice → one payment covering both with the early-payment discount.

The shop (``tests.factories.sales.shop``) has 20 chairs at FIFO cost (10 @ 10.00, 10 @ 12.00), a
price list selling them at 50.00, 45.00 from 10 pieces, 19 % output tax, and a customer on 2 %
discount within 10 days, 30 days net."""

from __future__ import annotations

from datetime import date

import pytest

from erp.core.documents import services as documents
from erp.core.documents.models import Status
from erp.finance import selectors as ledger
from erp.finance.models import Account, AccountRole
from erp.finance.openitems.models import Side
from erp.finance.payments.models import PaymentKind
from erp.inventory.models import Quant
from erp.sales import services
from erp.sales.models import Progress, QuotationOutcome
from tests.factories import catalog, inventory
from tests.factories import invoicing as finance
from tests.factories import sales as make
from tests.factories.ledger import run_commit_checks

pytestmark = pytest.mark.django_db

money = make.money


@pytest.fixture
def shop(root_organization, admin_user):
    shop = make.shop(organization=root_organization, by=admin_user)
    price_list = catalog.price_list(code="RETAIL")
    catalog.price_item(price_list, shop.product, "50.00")
    catalog.price_item(price_list, shop.product, "45.00", min_quantity=money(10))
    shop.customer.price_list = price_list
    shop.customer.save()
    return shop


def _role(role: str) -> Account:
    return Account.objects.for_role(role).order_by("code").first()


class TestOrderToCash:
    def test_the_full_cycle_posts_stock_cogs_revenue_tax_receivable_and_bank_to_the_cent(self, shop, admin_user):
        by = admin_user
        installation = make.line(description="Installation", price="100.00", tax_code=shop.books.output_tax)
        quotation = make.quotation(shop, [make.line(shop.product, 12), installation])
        assert quotation.lines.get(product=shop.product).unit_price == money("45.00")  # the 10-piece break
        assert quotation.total_gross == money("761.60")  # (540 + 100) × 1.19

        order = services.quotation_convert(quotation=quotation, by=by)
        order.warehouse = shop.warehouse
        order.save()
        order = documents.document_submit(document=order, by=by)
        quotation.refresh_from_db()

        assert (quotation.status, quotation.outcome) == (Status.COMPLETED, QuotationOutcome.ACCEPTED)
        assert order.status == Status.APPROVED
        quant = Quant.objects.get(product=shop.product, location=shop.warehouse.stock_location)
        assert (quant.quantity, quant.reserved) == (money(20), money(12))

        chairs = order.lines.get(product=shop.product)
        make.deliver(order, by=by, quantities={chairs.pk: money(5)}, on=date(2026, 3, 3))
        first = services.sales_order_invoice(order=order, by=by, on=date(2026, 3, 3), post=True)
        make.deliver(order, by=by, on=date(2026, 3, 5))
        second = services.sales_order_invoice(order=order, by=by, on=date(2026, 3, 5), post=True)
        payment = finance.payment(
            kind=PaymentKind.CUSTOMER_RECEIPT,
            organization=shop.organization,
            partner=shop.customer,
            bank=shop.books.bank,
            by=by,
            on=date(2026, 3, 12),
            pays=[first, second],
        )
        run_commit_checks()

        assert (first.total_net, first.total_tax, first.total_gross) == (
            money("325.00"),
            money("61.75"),
            money("386.75"),
        )
        assert (second.total_net, second.total_tax, second.total_gross) == (
            money("315.00"),
            money("59.85"),
            money("374.85"),
        )
        assert payment.amount == money("746.36")  # 761.60 less 7.74 and 7.50 discount
        order.refresh_from_db()
        chairs.refresh_from_db()
        assert order.status == Status.COMPLETED
        assert (order.delivery_status, order.invoice_status) == (Progress.DONE, Progress.DONE)
        assert (chairs.quantity_delivered, chairs.quantity_invoiced) == (money(12), money(12))
        quant.refresh_from_db()
        assert (quant.quantity, quant.reserved) == (money(8), money(0))

        balance = finance.balance
        assert balance(inventory.inventory_account()) == money("96.00")  # 8 left @ 12.00
        assert balance(_role(AccountRole.COST_OF_GOODS_SOLD)) == money("124.00")  # 5 @ 10 + 5 @ 10 + 2 @ 12
        assert balance(shop.books.revenue) == money("-640.00")
        assert balance(shop.books.discount_granted) == money("12.80")  # 6.50 + 6.30 net
        assert balance(shop.books.output_tax.account) == money("-119.16")  # 121.60 less 1.24 + 1.20
        assert balance(shop.books.receivable) == money("0.00")
        assert finance.open_items_total(side=Side.RECEIVABLE) == 0
        assert balance(shop.books.bank) == money("746.36")
        trial = ledger.trial_balance(date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))
        assert trial.balances and trial.closing_debit > 0

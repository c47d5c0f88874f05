"""``manage.py inventory_check_valuation``: stock value against the inventory accounts per date."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from erp.core.models import Organization
from erp.finance.models import Account, AccountRole
from tests.factories import inventory as factory
from tests.factories.ledger import post

pytestmark = pytest.mark.django_db


def _run(schema: str) -> tuple[str, int]:
    out = StringIO()
    try:
        call_command("inventory_check_valuation", schema=schema, stdout=out)
    except SystemExit as exit_:
        return out.getvalue(), exit_.code
    finally:
        connection.set_schema(schema)
    return out.getvalue(), 0


class TestCheckValuation:
    def test_reports_no_drift_when_stock_and_ledger_agree(self, admin_user, tenant):
        factory.books(by=admin_user)
        warehouse = factory.warehouse(by=admin_user)
        product = factory.product()
        factory.receive(product, warehouse, 4, "2.50", on=date(2025, 2, 1))
        factory.issue(product, warehouse, 1, on=date(2025, 2, 3))

        output, status = _run(tenant.schema_name)

        assert status == 0 and "agree on every date (drift 0)" in output

    def test_reports_the_date_and_amount_of_a_drift(self, admin_user, tenant):
        factory.books(by=admin_user)
        warehouse = factory.warehouse(by=admin_user)
        factory.receive(factory.product(), warehouse, 4, "2.50", on=date(2025, 2, 1))
        inventory = factory.inventory_account()
        post(
            debit=inventory,
            credit=Account.objects.for_role(AccountRole.GOODS_RECEIVED_NOT_INVOICED).first(),
            amount="7.00",
            on=date(2025, 2, 10),
            organization=Organization.objects.get(code="HQ"),
        )

        output, status = _run(tenant.schema_name)

        assert status == 1
        assert f"2025-02-10 account {inventory.code}: stock 10.0000, ledger 17.0000, drift 7.0000" in output

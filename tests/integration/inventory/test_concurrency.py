"""Issuing from several connections at once, with data committed in a tenant of the test's own:
stock is never driven below zero and no movement is lost."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from erp.core.documents.services import document_complete
from erp.inventory import checks
from erp.inventory.models import LocationType, ProductValuation, Quant, StockMove
from erp.inventory.stock import InsufficientStock
from tests.conftest import ADMIN_EMAIL
from tests.factories import inventory as factory
from tests.factories.inventory import money
from tests.integration.finance.test_posting_concurrency import _in_parallel

pytestmark = pytest.mark.committed


@pytest.fixture
def stocked(committed_tenant):
    """10 units of one product on hand in a warehouse that refuses negative stock, 20 issue drafts of 1."""
    from erp.accounts.models import User

    with schema_context(committed_tenant.schema_name):
        admin = User.objects.get(email=ADMIN_EMAIL)
        factory.books(by=admin)
        warehouse = factory.warehouse(by=admin)
        product = factory.product()
        factory.receive(product, warehouse, 10, "5.00", on=date(2025, 1, 2), by=admin)
        drafts = [
            factory.issue_draft(warehouse, [{"product": product, "quantity": money(1)}], on=date(2025, 1, 3), by=admin)
            for _ in range(20)
        ]
    return committed_tenant.schema_name, admin, warehouse, product, drafts


class TestParallelIssues:
    def test_20_issues_of_one_unit_against_10_on_hand_leave_0_and_refuse_10(self, stocked):
        schema, admin, warehouse, product, drafts = stocked

        outcomes, errors = _in_parallel(
            schema, [lambda draft=draft: document_complete(document=draft, by=admin) for draft in drafts]
        )

        assert len(outcomes) == 10 and len(errors) == 10
        assert all(isinstance(error, InsufficientStock) for error in errors), errors
        assert all("0 available" in str(error) and "1 needed" in str(error) for error in errors)
        with schema_context(schema):
            quant = Quant.objects.get(product=product, location=warehouse.stock_location)
            assert (quant.quantity, quant.reserved) == (0, 0)
            issued = StockMove.objects.filter(product=product, to_location__location_type=LocationType.CUSTOMER)
            assert issued.count() == 10
            valuation = ProductValuation.objects.get(product=product, warehouse=warehouse)
            assert (valuation.quantity, valuation.value) == (0, 0)
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM inventory_quant WHERE quantity < 0")
                assert cursor.fetchone()[0] == 0
            assert checks.valuation_drift() == []
            assert checks.quant_differences() == []
            assert checks.layer_differences() == []

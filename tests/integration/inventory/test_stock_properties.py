"""Property: whatever receipts, issues, transfers and adjustments happen, in whatever date order,
on hand equals the sum of the movements per location, the inventory accounts equal the
valuation report on every date, and nothing goes below zero where negative stock is off."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from erp.catalog.models import ValuationMethod
from erp.core.exceptions import DomainError
from erp.finance import selectors as ledger
from erp.inventory import checks, selectors, stock
from erp.inventory.models import LocationType
from tests.factories import inventory as factory

pytestmark = pytest.mark.django_db

FIRST_DAY = date(2025, 1, 1)
CENT = Decimal("0.01")


class _Rollback(Exception):
    """Ends one example: its movements are rolled back before the next."""


operation = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["receipt", "issue", "transfer", "found", "lost"]),
        "product": st.integers(min_value=0, max_value=2),
        "warehouse": st.integers(min_value=0, max_value=1),
        "location": st.integers(min_value=0, max_value=1),
        "quantity": st.integers(min_value=1, max_value=15),
        "cents": st.integers(min_value=1, max_value=5_000),
        "day": st.integers(min_value=0, max_value=60),
    }
)


@pytest.fixture
def setting(admin_user):
    factory.books(by=admin_user)
    warehouses = [factory.warehouse(by=admin_user) for _ in range(2)]
    locations = [[warehouse.stock_location, factory.shelf(warehouse)] for warehouse in warehouses]
    products = [
        factory.product(method=ValuationMethod.FIFO),
        factory.product(method=ValuationMethod.AVERAGE),
        factory.product(method=ValuationMethod.FIFO),
    ]
    return warehouses, locations, products


def _request(spec, warehouses, locations, products) -> stock.MoveRequest:
    product = products[spec["product"]]
    here = locations[spec["warehouse"]][spec["location"]]
    quantity = Decimal(spec["quantity"])
    kind = spec["kind"]
    if kind == "receipt":
        source, target = factory.virtual(LocationType.VENDOR), here
    elif kind == "issue":
        source, target = here, factory.virtual(LocationType.CUSTOMER)
    elif kind == "transfer":
        other = locations[1 - spec["warehouse"]][spec["location"]]
        source, target = here, other
    elif kind == "found":
        source, target = factory.virtual(LocationType.INVENTORY_LOSS), here
    else:
        source, target = here, factory.virtual(LocationType.INVENTORY_LOSS)
    cost = Decimal(spec["cents"]) * CENT if kind in ("receipt", "found") else None
    return stock.MoveRequest(
        product=product, quantity=quantity, from_location=source, to_location=target, unit_cost=cost
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=14))
def test_stock_and_its_value_always_add_up(setting, admin_user, operations):
    warehouses, locations, products = setting
    try:
        with transaction.atomic():
            for spec in operations:
                request = _request(spec, warehouses, locations, products)
                try:
                    with transaction.atomic():
                        stock.moves_post(
                            requests=[request],
                            on=FIRST_DAY + timedelta(days=spec["day"]),
                            organization=warehouses[0].organization,
                            by=admin_user,
                        )
                except DomainError:
                    pass  # not enough stock: refused, and nothing of it was written

            assert checks.quant_differences() == []
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM inventory_quant WHERE quantity < 0")
                assert cursor.fetchone()[0] == 0
            assert checks.layer_differences() == []
            assert checks.valuation_drift() == []
            last = FIRST_DAY + timedelta(days=60)
            inventory = checks.inventory_account_ids()
            balances = ledger.movements(date_from=None, date_to=last)
            ledger_value = sum((d - c for account, (d, c) in balances.items() if account in inventory), Decimal(0))
            report = selectors.valuation_at(on=last, user=admin_user).aggregate(total=Sum("value"))["total"]
            assert ledger_value == (report or Decimal(0))
            raise _Rollback
    except _Rollback:
        pass

"""A receipt dated before 1,000 later issues of the same product re-values every one of them
incrementally, in bounded time, and leaves no drift between stock value and ledger.
(``make bench --only inventory`` times the same with one transaction per issue.)"""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal

import pytest

from erp.catalog.models import ValuationMethod
from erp.inventory import checks, stock
from erp.inventory.models import EntryKind, LocationType, ProductValuation, ValuationEntry, ValuationLayer
from tests.factories import inventory as factory

pytestmark = pytest.mark.django_db

START = date(2025, 1, 10)


def _issues(product, warehouse, *, count: int, days: int, by) -> None:
    """``count`` issues of one unit each, spread over ``days`` days (one operation per day)."""
    per_day = count // days
    for offset in range(days):
        stock.moves_post(
            requests=[
                stock.MoveRequest(
                    product=product,
                    quantity=Decimal(1),
                    from_location=warehouse.stock_location,
                    to_location=factory.virtual(LocationType.CUSTOMER),
                )
                for _ in range(per_day)
            ],
            on=START + timedelta(days=1 + offset),
            organization=warehouse.organization,
            by=by,
        )


@pytest.mark.parametrize(
    ("method", "revalued", "remaining_value"),
    [
        # FIFO: the 500 back-dated units at 20.00 go first: 500 issues cost 10.00 more each,
        # and 1,000 of the units at 10.00 remain.
        (ValuationMethod.FIFO, 500, Decimal("10000.00")),
        # Average: from the back-dated receipt on the average is (500 × 20 + 1500 × 10) / 2000 = 12.50.
        (ValuationMethod.AVERAGE, 1000, Decimal("12500.00")),
    ],
)
def test_a_receipt_before_1000_issues_revalues_them_and_the_books_agree(admin_user, method, revalued, remaining_value):
    factory.books(by=admin_user)
    warehouse = factory.warehouse(by=admin_user)
    product = factory.product(method=method)
    factory.receive(product, warehouse, 1500, "10.00", on=START, by=admin_user)
    _issues(product, warehouse, count=1000, days=50, by=admin_user)

    started = time.perf_counter()
    factory.receive(product, warehouse, 500, "20.00", on=START - timedelta(days=5), by=admin_user)
    elapsed = time.perf_counter() - started

    adjusted = ValuationEntry.objects.filter(kind=EntryKind.ADJUSTMENT, product=product)
    assert adjusted.values("layer").distinct().count() == revalued
    assert adjusted.values("journal_entry").distinct().count() <= 50  # one entry per issue date
    valuation = ProductValuation.objects.get(product=product, warehouse=warehouse)
    assert (valuation.quantity, valuation.value) == (Decimal(1000), remaining_value)
    issued = ValuationLayer.objects.filter(product=product, direction="out")
    assert sum(-layer.value for layer in issued) == Decimal("25000.00") - remaining_value
    assert checks.valuation_drift() == []
    assert checks.layer_differences() == []
    assert elapsed < 30, f"back-dating took {elapsed:.1f} s"

"""Proofs that the stock ledger adds up, for ``manage.py inventory_check_valuation`` and the tests.

- ``valuation_drift``: per inventory account and date, the value of stock (the valuation
  entries up to that date) against the account's balance in the general ledger; every date on
  which either changed is compared, so a drift is reported on the day it appeared.
- ``layer_differences``: each layer's value against its entries, each scope's quantity and
  value against its layers.
- ``quant_differences``: each quant against the movements into and out of its location."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from erp.finance.models import Account, AccountRole

ZERO = Decimal("0")


@dataclass(frozen=True)
class Drift:
    account: str
    date: date
    stock_value: Decimal
    ledger_balance: Decimal

    @property
    def difference(self) -> Decimal:
        return self.ledger_balance - self.stock_value

    def __str__(self) -> str:
        return (
            f"{self.date.isoformat()} account {self.account}: stock {self.stock_value}, "
            f"ledger {self.ledger_balance}, drift {self.difference}"
        )


def inventory_account_ids() -> set[int]:
    """Accounts stock is valued in: those with the inventory role, those products and categories
    name, and the transit location's (one query, whatever the size of the ledger)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM finance_account WHERE role = %s "
            "UNION SELECT inventory_account_id FROM catalog_product WHERE inventory_account_id IS NOT NULL "
            "UNION SELECT inventory_account_id FROM catalog_productcategory WHERE inventory_account_id IS NOT NULL "
            "UNION SELECT account_id FROM inventory_location "
            "WHERE location_type = 'transit' AND account_id IS NOT NULL",
            [AccountRole.INVENTORY],
        )
        return {row[0] for row in cursor.fetchall()}


def _daily(statement: str, params: list) -> dict[int, dict[date, Decimal]]:
    found: dict[int, dict[date, Decimal]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for account_id, day, amount in cursor.fetchall():
            found[account_id][day] = amount
    return found


def valuation_drift(*, until: date | None = None) -> list[Drift]:
    """Every (account, date) where the stock value and the inventory account's balance differ
    (cumulative up to and including that date; dates after ``until`` are left out)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT account_id FROM inventory_valuationentry")
        account_ids = {row[0] for row in cursor.fetchall()}
    account_ids |= inventory_account_ids()
    if not account_ids:
        return []
    ids = sorted(account_ids)
    last = until or date.max
    stock = _daily(
        "SELECT account_id, date, sum(value) FROM inventory_valuationentry "
        "WHERE account_id = ANY(%s) AND date <= %s GROUP BY account_id, date",
        [ids, last],
    )
    ledger = _daily(
        "SELECT l.account_id, l.date, sum(l.debit_company - l.credit_company) FROM finance_journalline l "
        "JOIN finance_journalentry e ON e.id = l.entry_id "
        "WHERE l.posted AND l.account_id = ANY(%s) AND l.date <= %s AND e.kind <> 'opening' "
        "GROUP BY l.account_id, l.date",
        [ids, last],
    )
    codes = dict(Account.all_objects.filter(pk__in=ids).values_list("pk", "code"))
    drifts: list[Drift] = []
    for account_id in ids:
        stock_days, ledger_days = stock.get(account_id, {}), ledger.get(account_id, {})
        stock_total = ledger_total = ZERO
        for day in sorted(set(stock_days) | set(ledger_days)):
            stock_total += stock_days.get(day, ZERO)
            ledger_total += ledger_days.get(day, ZERO)
            if stock_total != ledger_total:
                drifts.append(Drift(codes.get(account_id, str(account_id)), day, stock_total, ledger_total))
    return drifts


def layer_differences() -> list[str]:
    """Layers whose value is not the sum of their entries; scopes whose quantity or value is not
    the sum of their layers."""
    problems = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.id, l.value, coalesce(sum(e.value), 0) FROM inventory_valuationlayer l "
            "LEFT JOIN inventory_valuationentry e ON e.layer_id = l.id "
            "GROUP BY l.id HAVING l.value <> coalesce(sum(e.value), 0)"
        )
        problems += [f"layer {row[0]}: value {row[1]}, entries {row[2]}" for row in cursor.fetchall()]
        cursor.execute(
            "SELECT v.product_id, v.warehouse_id, v.quantity, v.value, t.quantity, t.value "
            "FROM inventory_productvaluation v LEFT JOIN ("
            "  SELECT product_id, warehouse_id,"
            "         sum(CASE WHEN direction = 'in' THEN quantity ELSE -quantity END) AS quantity, sum(value) AS value"
            "    FROM inventory_valuationlayer GROUP BY product_id, warehouse_id"
            ") t ON t.product_id = v.product_id AND t.warehouse_id IS NOT DISTINCT FROM v.warehouse_id "
            "WHERE v.quantity <> coalesce(t.quantity, 0) OR v.value <> coalesce(t.value, 0)"
        )
        problems += [
            f"product {row[0]} warehouse {row[1]}: kept {row[2]} / {row[3]}, layers {row[4]} / {row[5]}"
            for row in cursor.fetchall()
        ]
    return problems


def quant_differences() -> list[str]:
    """Quants that differ from the movements (sum in − sum out per product, location and lot)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH moved AS (
                SELECT product_id, to_location_id AS location_id, lot_id, quantity FROM inventory_stockmove
                UNION ALL
                SELECT product_id, from_location_id, lot_id, -quantity FROM inventory_stockmove
            ), totals AS (
                SELECT m.product_id, m.location_id, m.lot_id, sum(m.quantity) AS quantity
                  FROM moved m JOIN inventory_location l ON l.id = m.location_id
                 WHERE l.location_type IN ('internal', 'transit')
                 GROUP BY m.product_id, m.location_id, m.lot_id
            )
            SELECT coalesce(q.product_id, t.product_id), coalesce(q.location_id, t.location_id),
                   coalesce(q.lot_id, t.lot_id), q.quantity, t.quantity
              FROM inventory_quant q
              FULL JOIN totals t ON t.product_id = q.product_id AND t.location_id = q.location_id
                                AND t.lot_id IS NOT DISTINCT FROM q.lot_id
             WHERE coalesce(q.quantity, 0) <> coalesce(t.quantity, 0)
            """
        )
        return [
            f"product {row[0]} location {row[1]} lot {row[2]}: quant {row[3]}, moves {row[4]}"
            for row in cursor.fetchall()
        ]

"""Proving the kept balances: ``AccountBalance`` rebuilt from the posted lines and compared.

The posting trigger keeps the balances in the statement that posts the lines, so they never
differ unless someone worked around the database's guards (a superuser disabling triggers, a
restore of only some tables). ``manage.py finance_check_balances`` reports such differences
and, with ``--fix``, rewrites the rows from the lines.

Postings append their sums (several rows per key until ``balances_compact`` folds them, which
the worker does every few minutes); the comparison adds the kept rows of each key up."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from psycopg import sql

KEY = ("account_id", "organization_id", "period_id", "currency_id", "kind")
AMOUNTS = ("debit", "credit", "debit_company", "credit_company", "line_count")

_COMPUTED = """
    SELECT l.account_id, l.organization_id, l.period_id, e.currency_id,
           CASE e.kind WHEN 'closing' THEN 'closing' WHEN 'opening' THEN 'opening' ELSE 'regular' END AS kind,
           sum(l.debit) AS debit, sum(l.credit) AS credit,
           sum(l.debit_company) AS debit_company, sum(l.credit_company) AS credit_company,
           count(*) AS line_count
      FROM finance_journalline l JOIN finance_journalentry e ON e.id = l.entry_id
     WHERE l.posted
     GROUP BY 1, 2, 3, 4, 5
"""

_DIFFERENCES = """
    WITH computed AS ({computed}),
    kept AS (
        SELECT account_id, organization_id, period_id, currency_id, kind,
               sum(debit) AS debit, sum(credit) AS credit, sum(debit_company) AS debit_company,
               sum(credit_company) AS credit_company, sum(line_count) AS line_count
          FROM finance_accountbalance
         GROUP BY 1, 2, 3, 4, 5
    )
    SELECT coalesce(c.account_id, b.account_id), coalesce(c.organization_id, b.organization_id),
           coalesce(c.period_id, b.period_id), coalesce(c.currency_id, b.currency_id), coalesce(c.kind, b.kind),
           c.debit, c.credit, c.debit_company, c.credit_company, c.line_count,
           b.debit, b.credit, b.debit_company, b.credit_company, b.line_count
      FROM computed c
      FULL OUTER JOIN kept b
        ON b.account_id = c.account_id AND b.organization_id = c.organization_id AND b.period_id = c.period_id
       AND b.currency_id = c.currency_id AND b.kind = c.kind
     WHERE (c.debit, c.credit, c.debit_company, c.credit_company, c.line_count)
           IS DISTINCT FROM (b.debit, b.credit, b.debit_company, b.credit_company, b.line_count)
     ORDER BY 1, 2, 3, 4, 5
"""

_REPAIR = """
    INSERT INTO finance_accountbalance (account_id, organization_id, period_id, currency_id, kind,
                                        debit, credit, debit_company, credit_company, line_count)
    {computed}
"""


def _with_computed(template: str) -> sql.Composed:
    return sql.SQL(template).format(computed=sql.SQL(_COMPUTED))


@dataclass(frozen=True)
class Difference:
    key: tuple  # account_id, organization_id, period_id, currency_id, kind
    expected: tuple | None  # from the lines: debit, credit, debit_company, credit_company, line_count
    kept: tuple | None  # in finance_accountbalance

    def __str__(self) -> str:
        account, organization, period, currency, kind = self.key
        return (
            f"account {account} organization {organization} period {period} {currency} {kind}: "
            f"lines say {_amounts(self.expected)}, kept {_amounts(self.kept)}"
        )


def _amounts(values: tuple | None) -> str:
    if values is None:
        return "nothing"
    debit, credit, debit_company, credit_company, count = values
    return f"Dr {debit} Cr {credit} (company Dr {debit_company} Cr {credit_company}, {count} lines)"


def _present(values: tuple) -> tuple | None:
    return None if values[-1] is None else tuple(Decimal(v) if i < 4 else v for i, v in enumerate(values))


def balance_differences() -> list[Difference]:
    """Rows of ``AccountBalance`` that differ from the posted lines (one statement, one snapshot)."""
    with connection.cursor() as cursor:
        cursor.execute(_with_computed(_DIFFERENCES))
        rows = cursor.fetchall()
    return [Difference(key=tuple(row[:5]), expected=_present(row[5:10]), kept=_present(row[10:15])) for row in rows]


@transaction.atomic
def balances_repair() -> list[Difference]:
    """Rewrite the kept balances from the lines; returns what was different. Postings wait
    meanwhile (the table is locked against writes until commit)."""
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE finance_accountbalance IN EXCLUSIVE MODE")
        differences = balance_differences()
        if differences:
            cursor.execute("SET LOCAL finance.balance_repair = 'on'")
            cursor.execute("DELETE FROM finance_accountbalance")
            cursor.execute(_with_computed(_REPAIR))
            cursor.execute("SET LOCAL finance.balance_repair = 'off'")
    return differences


def balances_compact() -> int:
    """Fold the balance rows of each key into one (``finance_compact_balances()``, migration
    finance 0010), in its own transaction; the number of rows it removed. Readers see either
    the rows or their sum; postings meanwhile append new rows and wait for nothing."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT finance_compact_balances()")
        return cursor.fetchone()[0]

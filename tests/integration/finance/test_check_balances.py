"""manage.py finance_check_balances: the kept balances proven against the lines, and repaired."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from erp.finance.balances import balance_differences
from erp.finance.journal.models import AccountBalance
from tests.conftest import TEST_SCHEMA
from tests.factories.ledger import chart, fiscal_years, money, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(admin_user, root_organization):
    accounts = chart()
    year = fiscal_years(1, by=admin_user)[0]
    post(debit=accounts.bank, credit=accounts.revenue, amount="70", on=year.start_date, organization=root_organization)
    post(debit=accounts.bank, credit=accounts.revenue, amount="30", on=year.start_date, organization=root_organization)
    return accounts


def _tamper(sql: str, params: list) -> None:
    """What only a superuser working around the guards could do."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL finance.balance_repair = 'on'")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL finance.balance_repair = 'off'")


def _run(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("finance_check_balances", "--schema", TEST_SCHEMA, *args, stdout=out)
    except SystemExit as exit_:
        return out.getvalue(), int(exit_.code)
    finally:
        connection.set_tenant(_tenant())
    return out.getvalue(), 0


def _tenant():
    from django_tenants.utils import get_tenant_model, schema_context

    with schema_context("public"):
        return get_tenant_model().objects.get(schema_name=TEST_SCHEMA)


class TestFinanceCheckBalances:
    def test_reports_that_balances_match(self, posted):
        output, status = _run()

        assert status == 0 and "balances match" in output

    def test_reports_a_changed_and_a_missing_row_then_repairs_them(self, posted):
        _tamper("UPDATE finance_accountbalance SET debit_company = 1 WHERE account_id = %s", [posted.bank.pk])
        _tamper("DELETE FROM finance_accountbalance WHERE account_id = %s", [posted.revenue.pk])

        output, status = _run()

        assert status == 1 and "2 balance rows differ" in output
        assert "lines say Dr 100.0000" in output and "kept nothing" in output

        output, status = _run("--fix")

        assert status == 0 and "2 balance rows rewritten" in output
        assert balance_differences() == []
        assert AccountBalance.objects.get(account=posted.bank).debit_company == money(100)

    def test_removes_a_row_no_line_explains(self, posted):
        _tamper(
            "INSERT INTO finance_accountbalance (account_id, organization_id, period_id, currency_id, kind, debit,"
            " credit, debit_company, credit_company, line_count)"
            " SELECT %s, organization_id, period_id, currency_id, kind, 5, 0, 5, 0, 1 FROM finance_accountbalance"
            " LIMIT 1",
            [posted.rent.pk],
        )

        _output, status = _run("--fix")

        assert status == 0
        assert not AccountBalance.objects.filter(account=posted.rent).exists()


class TestCompaction:
    def test_the_worker_folds_each_keys_rows_into_one_and_the_figures_stay(self, posted):
        from erp.finance.tasks import balances_compact_all

        assert AccountBalance.objects.filter(account=posted.bank).count() == 2  # one row per posting

        removed = balances_compact_all.call_local()

        assert removed[TEST_SCHEMA] == 2  # the bank's and the revenue's second rows
        bank = AccountBalance.objects.get(account=posted.bank)
        assert (bank.debit_company, bank.line_count) == (money(100), 2)
        assert AccountBalance.objects.get(account=posted.revenue).credit_company == money(100)
        assert balance_differences() == []

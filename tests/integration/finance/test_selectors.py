"""Trial balance, profit and loss, balance sheet and general ledger read from the kept balances."""

from __future__ import annotations

from datetime import timedelta

import pytest

from erp.finance import selectors
from tests.factories.ledger import chart, fiscal_years, money, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(admin_user, root_organization):
    accounts = chart()
    year = fiscal_years(1, by=admin_user)[0]
    start = year.start_date
    org = root_organization
    post(debit=accounts.bank, credit=accounts.equity, amount="10000", on=start, organization=org)
    post(
        debit=accounts.receivable,
        credit=accounts.revenue,
        amount="3000",
        on=start.replace(month=2, day=14),
        organization=org,
    )
    post(debit=accounts.rent, credit=accounts.bank, amount="800", on=start.replace(month=2, day=20), organization=org)
    post(
        debit=accounts.bank,
        credit=accounts.receivable,
        amount="2500",
        on=start.replace(month=3, day=5),
        organization=org,
    )
    post(
        debit=accounts.expense,
        credit=accounts.payable,
        amount="450",
        on=start.replace(month=3, day=31),
        organization=org,
    )
    return accounts, year


def _row(rows, account):
    return next(row for row in rows if row.account_id == account.pk)


class TestTrialBalance:
    def test_shows_opening_movements_and_closing_per_account_and_balances(self, books):
        accounts, year = books
        february = year.start_date.replace(month=2)

        report = selectors.trial_balance(date_from=february, date_to=february.replace(day=28))

        bank = _row(report.rows, accounts.bank)
        assert (bank.opening, bank.debit, bank.credit, bank.closing) == (money(10000), 0, money(800), money(9200))
        revenue = _row(report.rows, accounts.revenue)
        assert (revenue.opening_credit, revenue.credit, revenue.closing_credit) == (0, money(3000), money(3000))
        assert report.balances
        assert (report.debit, report.credit) == (money(3800), money(3800))
        assert report.opening_debit == report.opening_credit == money(10000)

    def test_a_range_cutting_periods_reads_the_lines_of_the_cut_part(self, books):
        accounts, year = books

        report = selectors.trial_balance(
            date_from=year.start_date.replace(month=2, day=15), date_to=year.start_date.replace(month=3, day=30)
        )

        assert _row(report.rows, accounts.receivable).opening == money(3000)
        assert _row(report.rows, accounts.bank).debit == money(2500)
        assert accounts.expense.pk not in {row.account_id for row in report.rows}
        assert report.balances

    def test_filters_by_organization(self, books, root_organization):
        _accounts, year = books

        report = selectors.trial_balance(date_from=year.start_date, date_to=year.end_date, organization_ids=[0])

        assert report.rows == []


class TestProfitAndLossAndBalanceSheet:
    def test_the_result_is_income_minus_expense(self, books):
        _accounts, year = books

        report = selectors.profit_and_loss(date_from=year.start_date, date_to=year.end_date)

        assert (report.income, report.expense, report.result) == (money(3000), money(1250), money(1750))

    def test_assets_equal_liabilities_equity_and_the_current_result(self, books):
        _accounts, year = books

        sheet = selectors.balance_sheet(on=year.start_date.replace(month=3, day=31))

        assert sheet.assets == money(10000 + 3000 - 800 - 2500 + 2500 + 0)
        assert (sheet.liabilities, sheet.equity, sheet.current_result) == (money(450), money(10000), money(1750))
        assert sheet.balances


class TestGeneralLedger:
    def test_lists_the_accounts_lines_with_a_running_balance(self, books):
        accounts, year = books

        ledger = selectors.general_ledger(
            account=accounts.bank, date_from=year.start_date + timedelta(days=1), date_to=year.end_date
        )

        assert ledger.opening == money(10000)
        assert [(line.debit_company, line.credit_company, line.running_balance) for line in ledger.lines] == [
            (0, money(800), money(9200)),
            (money(2500), 0, money(11700)),
        ]
        assert ledger.closing == money(11700)
        assert ledger.lines[0].entry.number

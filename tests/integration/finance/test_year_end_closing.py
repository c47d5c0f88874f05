"""Year-end closing with numbers: the result moves to retained earnings, balance-sheet accounts
are carried into the next year, the periods close; reopening undoes it."""

from __future__ import annotations

import pytest

from erp.core.documents.models import Status
from erp.core.exceptions import DomainError
from erp.core.models import Organization
from erp.finance import selectors
from erp.finance.balances import balance_differences
from erp.finance.closing import fiscal_year_close, fiscal_year_reopen
from erp.finance.journal.models import EntryKind, JournalEntry
from erp.finance.models import FiscalYear, PeriodStatus
from erp.finance.periods import PeriodClosed
from tests.factories.ledger import chart, fiscal_years, money, post, run_commit_checks

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(admin_user, root_organization):
    """Capital 10,000; sales 3,000 on credit; rent 800 paid; material 450 on credit: result 1,750."""
    accounts = chart()
    first = fiscal_years(1, by=admin_user)[0]
    org, start = root_organization, first.start_date
    post(debit=accounts.bank, credit=accounts.equity, amount="10000", on=start, organization=org)
    post(debit=accounts.receivable, credit=accounts.revenue, amount="3000", on=start.replace(month=5), organization=org)
    post(debit=accounts.rent, credit=accounts.bank, amount="800", on=start.replace(month=6), organization=org)
    post(debit=accounts.expense, credit=accounts.payable, amount="450", on=first.end_date, organization=org)
    return accounts, first


def _lines(entry) -> dict[str, tuple]:
    return {line.account.code: (line.debit, line.credit) for line in entry.lines.select_related("account")}


class TestFiscalYearClose:
    def test_moves_the_result_to_retained_earnings(self, year, admin_user):
        accounts, first = year

        outcome = fiscal_year_close(fiscal_year=first, by=admin_user)
        run_commit_checks()

        assert outcome.result == money(1750)
        closing = outcome.closing_entry
        assert closing.kind == EntryKind.CLOSING and closing.accounting_date == first.end_date
        assert _lines(closing) == {
            accounts.revenue.code: (money(3000), 0),
            accounts.rent.code: (0, money(800)),
            accounts.expense.code: (0, money(450)),
            accounts.retained.code: (0, money(1750)),
        }

    def test_carries_the_balance_sheet_into_the_next_year(self, year, admin_user):
        accounts, first = year

        outcome = fiscal_year_close(fiscal_year=first, by=admin_user)

        opening = outcome.opening_entry
        assert opening.kind == EntryKind.OPENING and opening.accounting_date == outcome.next_year.start_date
        assert _lines(opening) == {
            accounts.bank.code: (money(9200), 0),
            accounts.receivable.code: (money(3000), 0),
            accounts.payable.code: (0, money(450)),
            accounts.equity.code: (0, money(10000)),
            accounts.retained.code: (0, money(1750)),
        }

    def test_the_reports_after_closing(self, year, admin_user):
        accounts, first = year

        outcome = fiscal_year_close(fiscal_year=first, by=admin_user)

        sheet = selectors.balance_sheet(on=first.end_date)
        assert (sheet.assets, sheet.liabilities, sheet.equity, sheet.current_result) == (
            money(12200),
            money(450),
            money(11750),
            0,
        )
        assert selectors.profit_and_loss(date_from=first.start_date, date_to=first.end_date).result == money(1750)
        next_sheet = selectors.balance_sheet(on=outcome.next_year.start_date)
        assert (next_sheet.assets, next_sheet.equity, next_sheet.current_result) == (money(12200), money(11750), 0)
        january = selectors.trial_balance(date_from=outcome.next_year.start_date, date_to=outcome.next_year.start_date)
        assert {row.code: row.opening for row in january.rows}[accounts.bank.code] == money(9200)
        assert accounts.revenue.pk not in {row.account_id for row in january.rows}
        assert balance_differences() == []

    def test_closes_the_periods_and_the_year(self, year, admin_user, root_organization):
        accounts, first = year

        fiscal_year_close(fiscal_year=first, by=admin_user)

        first.refresh_from_db()
        assert first.status == PeriodStatus.CLOSED and first.closed_by == admin_user
        assert not first.periods.filter(status=PeriodStatus.OPEN).exists()
        with pytest.raises(PeriodClosed):
            post(
                debit=accounts.bank,
                credit=accounts.equity,
                amount="1",
                on=first.end_date,
                organization=root_organization,
            )

    def test_reopens_a_closed_last_period_for_the_closing_entry(self, year, admin_user):
        _accounts, first = year
        last = first.periods.order_by("-start_date").first()
        last.status = PeriodStatus.CLOSED
        last.save(update_fields=["status"])

        outcome = fiscal_year_close(fiscal_year=first, by=admin_user)

        assert outcome.closing_entry.period == last

    def test_books_each_organizations_result_separately(self, year, admin_user, root_organization):
        accounts, first = year
        branch = Organization.objects.create(code="YB", name="Year branch", parent=root_organization)
        post(debit=accounts.bank, credit=accounts.services, amount="100", on=first.start_date, organization=branch)

        outcome = fiscal_year_close(fiscal_year=first, by=admin_user)

        retained = {
            line.organization_id: line.credit for line in outcome.closing_entry.lines.filter(account=accounts.retained)
        }
        assert retained == {root_organization.pk: money(1750), branch.pk: money(100)}

    def test_years_close_in_order(self, year, admin_user):
        _accounts, _first = year
        second = fiscal_years(2, by=admin_user)[1]

        with pytest.raises(DomainError, match="first"):
            fiscal_year_close(fiscal_year=second, by=admin_user)

    def test_needs_a_retained_earnings_account(self, year, admin_user):
        accounts, first = year
        accounts.retained.role = ""
        accounts.retained.save(update_fields=["role"])

        with pytest.raises(DomainError, match="retained earnings"):
            fiscal_year_close(fiscal_year=first, by=admin_user)

    def test_needs_the_permission(self, year, user_with_role):
        _accounts, first = year

        with pytest.raises(DomainError, match="may not"):
            fiscal_year_close(fiscal_year=first, by=user_with_role("Sales"))


class TestFiscalYearReopen:
    def test_reverses_the_closing_and_opening_entries(self, year, admin_user):
        _accounts, first = year
        outcome = fiscal_year_close(fiscal_year=first, by=admin_user)

        fiscal_year_reopen(fiscal_year=first, by=admin_user)
        run_commit_checks()

        first.refresh_from_db()
        assert first.status == PeriodStatus.OPEN
        assert first.periods.order_by("-start_date").first().is_open
        for entry in (outcome.closing_entry, outcome.opening_entry):
            assert JournalEntry.objects.get(pk=entry.pk).status == Status.REVERSED
            assert JournalEntry.objects.filter(reversal_of=entry).count() == 1
        sheet = selectors.balance_sheet(on=first.end_date)
        assert (sheet.equity, sheet.current_result) == (money(10000), money(1750))

    def test_the_year_can_be_closed_again_afterwards(self, year, admin_user):
        _accounts, first = year
        fiscal_year_close(fiscal_year=first, by=admin_user)
        fiscal_year_reopen(fiscal_year=first, by=admin_user)

        outcome = fiscal_year_close(fiscal_year=first, by=admin_user)
        run_commit_checks()

        assert outcome.result == money(1750)
        assert selectors.balance_sheet(on=first.end_date).current_result == 0
        assert balance_differences() == []

    def test_is_refused_while_the_next_year_is_closed(self, year, admin_user):
        _accounts, first = year
        outcome = fiscal_year_close(fiscal_year=first, by=admin_user)
        fiscal_year_close(fiscal_year=outcome.next_year, by=admin_user)

        with pytest.raises(DomainError, match="first"):
            fiscal_year_reopen(fiscal_year=first, by=admin_user)

        assert FiscalYear.objects.get(pk=first.pk).is_closed

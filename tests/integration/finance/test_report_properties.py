"""Property: the reports as shown (and exported) add up, whatever was posted.

Hypothesis posts random balanced entries on random days of two fiscal years, to random
accounts (some under summary accounts, two levels deep) and organizations, then builds the
report screens' data for random ranges with a comparison period and checks: the trial
balance's totals row balances and sums its rows; the balance sheet's assets equal its
liabilities and equity including the result not yet closed; profit and loss's result is its
income less its expenses; every summary account's subtotal is the sum of the rows under it;
and the Excel file carries the same totals as numbers."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from erp.core.models import Organization
from erp.finance.models import AccountType
from erp.finance.posting import PostingLine, post_entry
from erp.finance.reports import build, export
from erp.finance.reports.forms import PREVIOUS_PERIOD, PREVIOUS_YEAR, Scope, previous_day, previous_range
from tests.factories import finance as finance_factories
from tests.factories.ledger import chart, fiscal_years

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")


class _Rollback(Exception):
    """Ends one example: its postings are rolled back before the next."""


@pytest.fixture
def ledger(admin_user, root_organization):
    years = fiscal_years(2, by=admin_user)
    branch = Organization.objects.create(code="RBR", name="Report branch", parent=root_organization)
    accounts = chart()
    costs = finance_factories.group(code="RX6", name="Costs", account_type=AccountType.EXPENSE)
    people = finance_factories.group(code="RX65", name="People", account_type=AccountType.EXPENSE, parent=costs)
    salaries = finance_factories.account(
        code="RX6510", name="Salaries", account_type=AccountType.EXPENSE, parent=people
    )
    energy = finance_factories.account(code="RX6600", name="Energy", account_type=AccountType.EXPENSE, parent=costs)
    postable = [*accounts.postable, salaries, energy]
    return postable, years, [root_organization, branch]


entry_strategy = st.fixed_dictionaries(
    {
        "day": st.integers(min_value=0, max_value=729),
        "cents": st.integers(min_value=1, max_value=50_000_000),
        "debit": st.integers(min_value=0, max_value=10),
        "credit": st.integers(min_value=0, max_value=10),
        "organization": st.integers(min_value=0, max_value=1),
    }
)


def _scope(first_day, start: int, length: int, compare: str, organization_ids) -> Scope:
    date_from = first_day + timedelta(days=start)
    date_to = date_from + timedelta(days=length)
    compare_from, compare_to = previous_range(date_from, date_to, compare)
    return Scope(date_from, date_to, organization_ids, None, compare_from, compare_to)


def _money_columns(report: build.Report) -> list[int]:
    return [index for index, column in enumerate(report.columns) if column.numeric]


def _check_subtotals(report: build.Report) -> None:
    """Each summary account's figures are the sums of the rows one level below it."""
    rows = report.rows
    for index, row in enumerate(rows):
        if row.style != "group":
            continue
        children = []
        for below in rows[index + 1 :]:
            if below.level <= row.level or below.style not in ("group", "account"):
                break
            if below.level == row.level + 1:
                children.append(below)
        for column in _money_columns(report):
            assert row.cells[column].value == sum((child.cells[column].value for child in children), Decimal(0))


def _row(report: build.Report, key: str) -> list:
    return next([cell.value for cell in row.cells] for row in report.rows if row.key == key)


def _check_trial_balance(report: build.Report) -> None:
    totals = _row(report, "total")
    accounts = [row for row in report.rows if row.style == "account"]
    for column in range(2, 8):
        assert totals[column] == sum((row.cells[column].value for row in accounts), Decimal(0))
    assert totals[2] == totals[3] and totals[4] == totals[5] and totals[6] == totals[7]
    assert totals[10] == 0  # the comparison's net closing balances cancel out
    for row in accounts:  # closing = opening + movements, on one side only
        values = [cell.value for cell in row.cells]
        assert values[6] - values[7] == values[2] - values[3] + values[4] - values[5]
        assert 0 in (values[6], values[7])
    assert report.checks == [("Debits equal credits", True)]


def _check_excel_totals(report: build.Report) -> None:
    sheet = load_workbook(io.BytesIO(export.workbook(report, company=None))).active
    total = next(row for row in sheet.iter_rows(values_only=True) if row[1] == "Total")
    assert [Decimal(str(value)) for value in total[2:8]] == [Decimal(value) for value in _row(report, "total")[2:8]]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    entries=st.lists(entry_strategy, min_size=1, max_size=12),
    start=st.integers(min_value=0, max_value=700),
    length=st.integers(min_value=0, max_value=400),
    compare=st.sampled_from([PREVIOUS_PERIOD, PREVIOUS_YEAR]),
    branch_only=st.booleans(),
)
def test_the_reports_always_add_up(ledger, admin_user, entries, start, length, compare, branch_only):
    postable, years, organizations = ledger
    first_day, last_day = years[0].start_date, years[-1].end_date
    organization_ids = frozenset({organizations[1].pk}) if branch_only else None
    links = build.Links(scope=None, enabled=False, first_day=first_day)

    try:
        with transaction.atomic():
            for spec in entries:
                debit, credit = postable[spec["debit"]], postable[spec["credit"]]
                if debit == credit:
                    continue
                amount = Decimal(spec["cents"]) * CENT
                post_entry(
                    lines=[PostingLine(account=debit, debit=amount), PostingLine(account=credit, credit=amount)],
                    on=min(first_day + timedelta(days=spec["day"]), last_day),
                    organization=organizations[spec["organization"]],
                    description="",
                    source=None,
                    by=admin_user,
                )
            scope = _scope(first_day, start, length, compare, organization_ids)

            trial = build.trial_balance(scope, links=links)
            pnl = build.profit_and_loss(scope, links=links)
            on = scope.date_to
            sheet_scope = Scope(None, on, organization_ids, None, None, previous_day(on, compare))
            sheet = build.balance_sheet(sheet_scope, links=links)

            _check_trial_balance(trial)
            _check_excel_totals(trial)
            for column in (2, 3):
                income, expense = _row(pnl, "total-income")[column], _row(pnl, "total-expense")[column]
                assert _row(pnl, "result")[column] == income - expense
            assert _row(pnl, "result")[4] == _row(pnl, "result")[2] - _row(pnl, "result")[3]
            _check_subtotals(pnl)
            assert pnl.checks[0][1]
            for column in (2, 3):
                assert _row(sheet, "total-assets")[column] == _row(sheet, "total-liabilities-equity")[column]
            _check_subtotals(sheet)
            assert sheet.checks == [("Assets = liabilities + equity", True)]
            raise _Rollback
    except _Rollback:
        pass

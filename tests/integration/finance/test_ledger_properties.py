"""Property: whatever balanced entries are posted, wherever, the books add up.

Hypothesis posts random balanced entries (and reversals of some) on random days of two fiscal
years, to random accounts and organizations, then checks the report identities computed from
the kept balances against a plain sum of what was posted."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from erp.core.models import Organization
from erp.finance import selectors
from erp.finance.balances import balance_differences
from erp.finance.models import AccountType
from erp.finance.posting import PostingLine, post_entry, reverse_entry
from tests.factories.ledger import chart, fiscal_years, run_commit_checks

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")


class _Rollback(Exception):
    """Ends one example: its postings are rolled back before the next."""


def _split(total: int, cuts: list[int]) -> list[int]:
    points = sorted({cut % total for cut in cuts if cut % total} | {0, total})
    return [b - a for a, b in itertools.pairwise(points)]


entry_strategy = st.fixed_dictionaries(
    {
        "day": st.integers(min_value=0, max_value=729),
        "debits": st.lists(st.integers(min_value=1, max_value=5_000_000), min_size=1, max_size=3),
        "cuts": st.lists(st.integers(min_value=1, max_value=10**9), max_size=2),
        "accounts": st.lists(st.integers(min_value=0, max_value=8), min_size=6, max_size=6),
        "organization": st.integers(min_value=0, max_value=1),
        "reverse": st.booleans(),
    }
)


@pytest.fixture
def ledger(admin_user, root_organization):
    years = fiscal_years(2, by=admin_user)
    branch = Organization.objects.create(code="LBR", name="Ledger branch", parent=root_organization)
    return chart(), years, [root_organization, branch]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(entry_strategy, min_size=1, max_size=12), probe=st.integers(min_value=0, max_value=729))
def test_the_books_always_add_up(ledger, admin_user, entries, probe):
    accounts, years, organizations = ledger
    postable = accounts.postable
    first_day = years[0].start_date
    last_day = years[-1].end_date
    posted: list[tuple] = []  # (date, account, organization id, debit, credit)

    try:
        with transaction.atomic():
            for spec in entries:
                day = min(first_day + timedelta(days=spec["day"]), last_day)
                debits = [Decimal(cents) * CENT for cents in spec["debits"]]
                total = sum(spec["debits"])
                credits = [Decimal(cents) * CENT for cents in _split(total, spec["cuts"])]
                organization = organizations[spec["organization"]]
                chosen = iter(spec["accounts"])
                lines = [PostingLine(account=postable[next(chosen)], debit=amount) for amount in debits] + [
                    PostingLine(account=postable[next(chosen)], credit=amount) for amount in credits
                ]
                entry = post_entry(
                    lines=lines, on=day, organization=organization, description="", source=None, by=admin_user
                )
                posted += [(day, line.account, organization.pk, line.debit, line.credit) for line in lines]
                if spec["reverse"]:
                    reverse_entry(entry=entry, on=day, by=admin_user)
                    posted += [(day, line.account, organization.pk, line.credit, line.debit) for line in lines]
            run_commit_checks()

            _check_identities(posted, first_day, last_day, first_day + timedelta(days=probe), organizations)
            assert balance_differences() == []
            raise _Rollback
    except _Rollback:
        pass


def _naive(posted, *, until, since=None, organization_ids=None):
    sums: dict[int, Decimal] = defaultdict(Decimal)
    for day, account, organization_id, debit, credit in posted:
        if day > until or (since is not None and day < since):
            continue
        if organization_ids is not None and organization_id not in organization_ids:
            continue
        sums[account.pk] += debit - credit
    return sums


def _check_identities(posted, first_day, last_day, probe, organizations):
    types = {account.pk: account.account_type for _d, account, _o, _dr, _cr in posted}
    whole = selectors.trial_balance(date_from=first_day, date_to=last_day)
    assert whole.balances
    assert whole.debit == sum((line[3] for line in posted), Decimal(0))

    part = selectors.trial_balance(date_from=probe, date_to=last_day, organization_ids=[organizations[0].pk])
    assert part.balances  # every generated entry stays within one organization
    naive_before = _naive(posted, until=probe - timedelta(days=1), organization_ids={organizations[0].pk})
    assert {row.account_id: row.opening for row in part.rows if row.opening} == {
        pk: net for pk, net in naive_before.items() if net
    }

    pnl = selectors.profit_and_loss(date_from=first_day, date_to=probe)
    naive = _naive(posted, until=probe)
    income = -sum((net for pk, net in naive.items() if types[pk] == AccountType.INCOME), Decimal(0))
    expense = sum((net for pk, net in naive.items() if types[pk] == AccountType.EXPENSE), Decimal(0))
    assert (pnl.income, pnl.expense, pnl.result) == (income, expense, income - expense)

    sheet = selectors.balance_sheet(on=probe)
    assert sheet.balances
    assert sheet.assets == sum((net for pk, net in naive.items() if types[pk] == AccountType.ASSET), Decimal(0))
    assert sheet.current_result == income - expense

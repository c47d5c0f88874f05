"""Journal entries to try rules and approvals on; each test module names their author (``entry_author``)."""

from __future__ import annotations

import pytest

from tests.factories.ledger import chart, fiscal_years
from tests.factories.workflow import entry_of


@pytest.fixture
def books(admin_user):
    return chart(), fiscal_years(2, by=admin_user)


@pytest.fixture
def make_entry(books, root_organization, entry_author):
    """``make_entry("1200")``: a draft journal entry of that amount by ``entry_author``, with its totals."""
    accounts, years = books

    def make(amount):
        return entry_of(
            amount,
            accounts=accounts,
            organization=root_organization,
            on=years[0].start_date.replace(month=3, day=10),
            by=entry_author,
        )

    return make

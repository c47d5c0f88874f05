"""Closing and reopening a fiscal year from its page."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from erp.finance.journal.models import EntryKind, JournalEntry
from erp.finance.models import FiscalYear
from tests.factories.ledger import chart, fiscal_years, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(admin_user, root_organization):
    accounts = chart()
    first = fiscal_years(1, by=admin_user)[0]
    post(
        debit=accounts.bank, credit=accounts.revenue, amount="900", on=first.start_date, organization=root_organization
    )
    return first


def _messages(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


class TestYearEnd:
    def test_an_accountant_closes_the_year_and_sees_its_entries(self, client_for, user_with_role, year):
        client = client_for(user_with_role("Accountant"))

        response = client.post(reverse("finance:fiscalyear-close", args=[year.pk]))

        assert response.status_code == 302 and "900" in _messages(response)
        assert FiscalYear.objects.get(pk=year.pk).is_closed
        page = client.get(reverse("finance:fiscalyear-detail", args=[year.pk])).content.decode()
        closing = JournalEntry.objects.get(kind=EntryKind.CLOSING, closes_year=year)
        assert closing.number in page and 'id="fiscalyear-reopen"' in page

    def test_reopening_reverses_the_year_end_entries(self, client_for, user_with_role, year):
        client = client_for(user_with_role("Accountant"))
        client.post(reverse("finance:fiscalyear-close", args=[year.pk]))

        response = client.post(reverse("finance:fiscalyear-reopen", args=[year.pk]))

        assert "open again" in _messages(response)
        assert not FiscalYear.objects.get(pk=year.pk).is_closed
        assert JournalEntry.objects.filter(closes_year=year, correction="reversal").count() == 2

    def test_a_refusal_is_shown_as_a_message(self, client_for, user_with_role, year):
        client = client_for(user_with_role("Accountant"))

        response = client.post(reverse("finance:fiscalyear-reopen", args=[year.pk]))

        assert "is open" in _messages(response)

    def test_a_user_without_the_permission_gets_403(self, client_for, user_with_role, year):
        response = client_for(user_with_role("Sales")).post(reverse("finance:fiscalyear-close", args=[year.pk]))

        assert response.status_code == 403
        assert not FiscalYear.objects.get(pk=year.pk).is_closed

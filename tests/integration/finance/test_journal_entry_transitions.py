"""A manual journal entry through the document life cycle: complete = post, void, reverse."""

from __future__ import annotations

from datetime import timedelta

import pytest

from erp.core.documents.models import Action, Status
from erp.core.documents.services import (
    TransitionRefused,
    available_actions,
    document_complete,
    document_reverse,
    document_submit,
    document_void,
)
from erp.core.exceptions import DomainError
from erp.finance.journal.models import AccountBalance, Correction, EntryKind, JournalEntry
from erp.finance.models import PeriodStatus
from tests.factories.ledger import chart, draft_entry, fiscal_years, money, post, run_commit_checks

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(admin_user):
    return chart(), fiscal_years(2, by=admin_user)


@pytest.fixture
def accountant(user_with_role):
    return user_with_role("Accountant")


@pytest.fixture
def draft(books, root_organization, accountant):
    accounts, years = books
    return draft_entry(
        organization=root_organization,
        on=years[0].start_date.replace(month=3, day=10),
        lines=[(accounts.rent, "1200", "0"), (accounts.bank, "0", "1200")],
        by=accountant,
    )


def _close(period) -> None:
    period.status = PeriodStatus.CLOSED
    period.save(update_fields=["status"])


def _net(account) -> tuple:
    rows = AccountBalance.objects.filter(account=account)
    return sum((row.debit_company for row in rows), money(0)), sum((row.credit_company for row in rows), money(0))


class TestComplete:
    def test_posts_the_draft_with_a_number_and_kept_balances(self, draft, books, accountant):
        accounts, _years = books

        entry = document_complete(document=draft, by=accountant)
        run_commit_checks()

        entry = JournalEntry.objects.get(pk=draft.pk)
        assert entry.status == Status.COMPLETED and entry.posted and entry.posted_by == accountant
        assert entry.number.startswith("JE-") and entry.kind == EntryKind.MANUAL
        assert entry.period.start_date <= entry.accounting_date <= entry.period.end_date
        assert all(line.posted and line.date == entry.accounting_date for line in entry.lines.all())
        assert entry.total_gross_company == money("1200")
        assert _net(accounts.rent) == (money("1200"), 0)

    def test_refuses_an_unbalanced_draft(self, books, root_organization, accountant):
        accounts, years = books
        draft = draft_entry(
            organization=root_organization,
            on=years[0].start_date,
            lines=[(accounts.rent, "100", "0"), (accounts.bank, "0", "99")],
        )

        with pytest.raises(DomainError, match="does not balance"):
            document_complete(document=draft, by=accountant)

        assert JournalEntry.objects.get(pk=draft.pk).status == Status.DRAFT

    def test_refuses_a_draft_dated_in_a_closed_period(self, draft, accountant):
        _close(_period_of(draft))

        with pytest.raises(DomainError, match="closed"):
            document_complete(document=draft, by=accountant)

    def test_a_second_completion_is_refused(self, draft, accountant):
        document_complete(document=draft, by=accountant)

        with pytest.raises(TransitionRefused):
            document_complete(document=draft, by=accountant)

    def test_a_user_without_the_permission_is_refused(self, draft, user_with_role):
        sales = user_with_role("Sales")

        with pytest.raises(TransitionRefused, match="not allowed"):
            document_complete(document=draft, by=sales)

    def test_submitting_allocates_the_number_without_posting(self, draft, books, accountant):
        accounts, _years = books

        entry = document_submit(document=draft, by=accountant)

        assert entry.status == Status.APPROVED and entry.number and not entry.posted
        assert not AccountBalance.objects.filter(account=accounts.rent).exists()


def _period_of(entry):
    from erp.finance.periods import period_for

    return period_for(entry.accounting_date)


class TestVoid:
    def test_posts_a_voiding_entry_on_the_same_date_and_marks_the_entry_voided(self, draft, books, accountant):
        accounts, _years = books
        entry = document_complete(document=draft, by=accountant)

        document_void(document=entry, by=accountant, reason="typed twice")
        run_commit_checks()

        entry = JournalEntry.objects.get(pk=entry.pk)
        void = entry.reversals.get()
        assert entry.status == Status.VOIDED and entry.status_reason == "typed twice"
        assert void.correction == Correction.VOID and void.accounting_date == entry.accounting_date
        assert void.status == Status.COMPLETED and void.period_id == entry.period_id
        assert _net(accounts.rent) == (money("1200"), money("1200"))

    def test_is_refused_once_the_period_is_closed(self, draft, accountant):
        entry = document_complete(document=draft, by=accountant)
        _close(entry.period)

        with pytest.raises(TransitionRefused, match="closed"):
            document_void(document=entry, by=accountant)

        assert Action.VOID not in available_actions(JournalEntry.objects.get(pk=entry.pk), accountant)

    def test_is_refused_for_an_entry_another_document_posted(self, books, root_organization, admin_user):
        accounts, years = books
        entry = post(
            debit=accounts.bank,
            credit=accounts.revenue,
            amount="10",
            on=years[0].start_date,
            organization=root_organization,
            source=root_organization,
        )

        with pytest.raises(TransitionRefused, match="correct that document"):
            document_void(document=entry, by=admin_user)

    def test_is_refused_when_a_registered_dependency_says_so(self, draft, accountant):
        from erp.finance.journal import effects

        entry = document_complete(document=draft, by=accountant)
        check = effects.register_dependency_check(
            lambda e: ["Its bank line is reconciled."] if e.pk == entry.pk else []
        )
        try:
            with pytest.raises(TransitionRefused, match="reconciled"):
                document_void(document=entry, by=accountant)
        finally:
            effects._dependency_checks.remove(check)

    def test_a_void_cannot_itself_be_voided(self, draft, accountant):
        entry = document_complete(document=draft, by=accountant)
        document_void(document=entry, by=accountant)
        void = JournalEntry.objects.get(reversal_of=entry)

        with pytest.raises(TransitionRefused, match="cannot itself"):
            document_void(document=void, by=accountant)


class TestReverse:
    def test_reverse_correct_posts_on_the_original_date(self, draft, books, accountant):
        accounts, _years = books
        entry = document_complete(document=draft, by=accountant)

        reversal = document_reverse(document=entry, by=accountant, accrual=False, reason="wrong account")
        run_commit_checks()

        assert reversal.accounting_date == entry.accounting_date and reversal.correction == Correction.REVERSAL
        assert JournalEntry.objects.get(pk=entry.pk).status == Status.REVERSED
        assert _net(accounts.bank) == (money("1200"), money("1200"))

    def test_reverse_accrual_posts_on_the_chosen_date_even_after_the_period_closed(self, draft, accountant):
        entry = document_complete(document=draft, by=accountant)
        _close(entry.period)
        later = entry.period.end_date + timedelta(days=5)

        assert Action.REVERSE_CORRECT not in available_actions(JournalEntry.objects.get(pk=entry.pk), accountant)
        with pytest.raises(TransitionRefused, match="closed"):
            document_reverse(document=entry, by=accountant, accrual=False)
        reversal = document_reverse(document=entry, by=accountant, accrual=True, on_date=later)
        run_commit_checks()

        assert reversal.accounting_date == later and reversal.period.start_date <= later
        assert [line.credit for line in reversal.lines.order_by("position")] == [money("1200"), 0]

    def test_reverse_accrual_refuses_a_date_before_the_entry(self, draft, accountant):
        entry = document_complete(document=draft, by=accountant)

        with pytest.raises(TransitionRefused, match="before"):
            document_reverse(document=entry, by=accountant, accrual=True, on_date=entry.accounting_date - timedelta(1))

    def test_an_entry_is_reversed_only_once(self, draft, accountant):
        entry = document_complete(document=draft, by=accountant)
        document_reverse(document=entry, by=accountant, accrual=False)

        with pytest.raises(TransitionRefused):
            document_reverse(document=entry, by=accountant, accrual=False)

        assert JournalEntry.objects.filter(reversal_of=entry).count() == 1


class TestAvailableActions:
    def test_a_draft_offers_submit_and_complete(self, draft, accountant):
        assert available_actions(draft, accountant) == [Action.SUBMIT, Action.COMPLETE, Action.CANCEL]

    def test_a_posted_entry_offers_the_corrections_its_period_allows(self, draft, accountant):
        entry = document_complete(document=draft, by=accountant)

        assert set(available_actions(entry, accountant)) >= {
            Action.VOID,
            Action.REVERSE_CORRECT,
            Action.REVERSE_ACCRUAL,
        }

"""Posting from several connections at once, with data committed in a tenant of the test's own.

The same draft completed twice in parallel is posted once; different drafts completed in
parallel get gapless, unique numbers; many posters at once leave no gap, no duplicate and
balances that match the lines. (make bench runs the 32 × 200 version.)"""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connections, transaction
from django_tenants.utils import schema_context

from erp.core.documents.services import TransitionRefused, document_complete
from erp.finance.balances import balance_differences
from erp.finance.journal.models import AccountBalance, JournalEntry
from tests.conftest import ADMIN_EMAIL
from tests.factories.ledger import chart, draft_entry, fiscal_years, money, numbering_problems

pytestmark = pytest.mark.committed


def _in_parallel(schema: str, jobs: list) -> tuple[list, list[BaseException]]:
    """Run each job (a callable) in its own thread and connection, all starting together."""
    outcomes: list = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(len(jobs))

    def run(job) -> None:
        try:
            with schema_context(schema):
                start.wait()
                outcome = job()
            with lock:
                outcomes.append(outcome)
        except BaseException as error:  # collected for the test to look at
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes, errors


@pytest.fixture
def books(committed_tenant):
    from erp.accounts.models import User
    from erp.core.models import Organization

    with schema_context(committed_tenant.schema_name):
        admin = User.objects.get(email=ADMIN_EMAIL)
        accounts = chart()
        year = fiscal_years(1, by=admin)[0]
        organization = Organization.objects.get(code="HQ")
    return committed_tenant.schema_name, admin, accounts, year, organization


def _drafts(books, count: int) -> list[JournalEntry]:
    schema, admin, accounts, year, organization = books
    with schema_context(schema):
        return [
            draft_entry(
                organization=organization,
                on=year.start_date.replace(month=2),
                lines=[(accounts.rent, "10", "0"), (accounts.bank, "0", "10")],
                by=admin,
            )
            for _ in range(count)
        ]


class TestCompletingInParallel:
    def test_the_same_draft_completed_from_two_connections_is_posted_once(self, books):
        schema, admin, accounts, _year, _organization = books
        [draft] = _drafts(books, 1)

        outcomes, errors = _in_parallel(schema, [lambda: document_complete(document=draft, by=admin)] * 2)

        assert len(outcomes) == 1 and len(errors) == 1
        assert isinstance(errors[0], TransitionRefused)
        with schema_context(schema):
            entry = JournalEntry.objects.get(pk=draft.pk)
            assert entry.posted and entry.number
            assert AccountBalance.objects.get(account=accounts.rent).line_count == 1
            assert balance_differences() == []

    def test_different_drafts_completed_in_parallel_get_gapless_unique_numbers(self, books):
        schema, admin, _accounts, _year, _organization = books
        drafts = _drafts(books, 8)

        outcomes, errors = _in_parallel(
            schema, [lambda draft=draft: document_complete(document=draft, by=admin) for draft in drafts]
        )

        assert errors == [] and len(outcomes) == 8
        with schema_context(schema):
            numbers = list(JournalEntry.objects.values_list("number", flat=True))
        assert len(numbers) == 8
        assert numbering_problems(numbers) == {"gaps": 0, "duplicates": 0}


class TestManyPosters:
    def test_leave_no_gap_no_duplicate_and_matching_balances(self, books):
        from tests.benchmarks.posting import post_entries

        schema = books[0]

        outcomes, errors = _in_parallel(
            schema,
            [lambda index=index: post_entries(schema=schema, count=25, offset=index * 25) for index in range(8)],
        )

        assert errors == [] and len(outcomes) == 8
        with schema_context(schema):
            numbers = list(JournalEntry.objects.values_list("number", flat=True))
            assert len(numbers) == 200
            assert numbering_problems(numbers) == {"gaps": 0, "duplicates": 0}
            assert balance_differences() == []

    def test_compacting_the_balances_meanwhile_loses_nothing(self, books):
        """Postings append balance rows while compactions fold them: at every moment the rows
        add up to the lines, and afterwards one compaction leaves one row per key."""
        import time

        from erp.finance.balances import balances_compact
        from tests.benchmarks.posting import post_entries

        schema = books[0]

        def compactor() -> int:
            removed = 0
            for _ in range(15):
                removed += balances_compact()
                time.sleep(0.05)
            return removed

        posters = [lambda index=index: post_entries(schema=schema, count=20, offset=index * 20) for index in range(4)]
        outcomes, errors = _in_parallel(schema, [*posters, compactor, compactor])

        assert errors == [] and len(outcomes) == 6
        with schema_context(schema):
            assert balance_differences() == []
            balances_compact()
            keys = AccountBalance.objects.values_list("account", "organization", "period", "currency", "kind")
            assert len(keys) == len(set(keys))
            assert balance_differences() == []


class TestAtCommit:
    def test_an_unbalanced_entry_is_refused_by_the_database_before_it_takes_a_number(self, books):
        """Python's checks skipped (``_publish`` is what ``post_entry`` calls after them): the
        database's deferred balance check refuses it — run by the posting function itself,
        before the number is taken, so no number is used up."""
        from erp.core.documents.models import Status
        from erp.core.models import Company
        from erp.finance.journal.models import JournalLine
        from erp.finance.periods import period_for
        from erp.finance.posting import _publish

        schema, admin, accounts, year, organization = books
        with schema_context(schema):
            day = year.start_date
            entry = JournalEntry(
                organization=organization,
                status=Status.COMPLETED,
                document_date=day,
                accounting_date=day,
                currency_id=Company.objects.values_list("currency_id", flat=True).get(),
            )
            lines = [
                JournalLine(account=accounts.bank, organization=organization, debit=money(10), debit_company=money(10)),
                JournalLine(
                    account=accounts.revenue, organization=organization, credit=money(9), credit_company=money(9)
                ),
            ]

            with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
                _publish(entry, lines, by=admin, period_id=period_for(day).pk, verb="posted", data={})

            assert not JournalEntry.objects.exists()
            assert not AccountBalance.objects.exists()

    def test_a_refused_posting_does_not_wait_for_the_number_another_posting_holds(self, books):
        """The checks run before the number is taken: while one posting holds the series'
        number (uncommitted), an unbalanced one is refused at once instead of queueing."""
        from erp.core.documents.models import Status
        from erp.core.models import Company
        from erp.finance.journal.models import JournalLine
        from erp.finance.periods import period_for
        from erp.finance.posting import PostingLine, _publish, post_entry

        schema, admin, accounts, year, organization = books
        holding, release = threading.Event(), threading.Event()

        def holder() -> None:
            with transaction.atomic():
                post_entry(
                    lines=[
                        PostingLine(account=accounts.bank, debit=money(5)),
                        PostingLine(account=accounts.revenue, credit=money(5)),
                    ],
                    on=year.start_date,
                    organization=organization,
                    description="holds the number",
                    source=None,
                    by=admin,
                )
                holding.set()
                release.wait(30)

        def refused() -> str:
            holding.wait(30)
            day = year.start_date
            entry = JournalEntry(
                organization=organization,
                status=Status.COMPLETED,
                document_date=day,
                accounting_date=day,
                currency_id=Company.objects.values_list("currency_id", flat=True).get(),
            )
            lines = [
                JournalLine(account=accounts.bank, organization=organization, debit=money(10), debit_company=money(10)),
                JournalLine(
                    account=accounts.revenue, organization=organization, credit=money(9), credit_company=money(9)
                ),
            ]
            try:
                with transaction.atomic():
                    with connections["default"].cursor() as cursor:
                        cursor.execute("SET LOCAL lock_timeout = '3s'")
                    _publish(entry, lines, by=admin, period_id=period_for(day).pk, verb="posted", data={})
            except Exception as error:  # the outcome is what the test looks at
                return str(error)
            finally:
                release.set()
            return "posted"

        outcomes, errors = _in_parallel(schema, [holder, refused])

        assert errors == []
        assert any("does not balance" in str(outcome) for outcome in outcomes), outcomes

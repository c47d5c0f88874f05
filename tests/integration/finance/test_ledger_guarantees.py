"""The ledger's rules hold in PostgreSQL itself: each is broken once through the ORM and once
through raw SQL, and the database refuses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from erp.core.documents.models import Status
from erp.core.models import Company
from erp.finance.journal.models import AccountBalance, JournalEntry, JournalLine
from erp.finance.models import PeriodStatus
from tests.factories.ledger import chart, fiscal_years, money, post, run_commit_checks

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(admin_user):
    return chart(), fiscal_years(1, by=admin_user)[0]


@pytest.fixture
def posted(books, root_organization):
    accounts, year = books
    return post(
        debit=accounts.bank, credit=accounts.revenue, amount="100", on=year.start_date, organization=root_organization
    )


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _refused(match: str):
    """The statement (or the commit checks after it) fail with an IntegrityError matching ``match``."""
    return pytest.raises(IntegrityError, match=match)


def _draft(organization, on) -> JournalEntry:
    return JournalEntry.objects.create(
        organization=organization,
        document_date=on,
        accounting_date=on,
        currency_id=Company.objects.values_list("currency_id", flat=True).get(),
    )


def _line(entry, account, *, debit="0", credit="0", posted=False, period=None, on=None) -> JournalLine:
    return JournalLine(
        entry=entry,
        account=account,
        organization_id=entry.organization_id,
        debit=money(debit),
        credit=money(credit),
        debit_company=money(debit),
        credit_company=money(credit),
        posted=posted,
        period=period,
        date=on,
    )


def _publish(entry: JournalEntry, period) -> None:
    JournalEntry.objects.filter(pk=entry.pk).update(status=Status.COMPLETED, posted=True, period=period, number="X-1")


class TestBalancedAtCommit:
    def test_an_unbalanced_entry_posted_through_the_orm_is_refused(self, books, root_organization):
        accounts, year = books
        period = year.periods.get(number=1)

        with _refused("does not balance"), transaction.atomic():
            entry = _draft(root_organization, period.start_date)
            JournalLine.objects.bulk_create(
                [
                    _line(entry, accounts.bank, debit="100", posted=True, period=period, on=period.start_date),
                    _line(entry, accounts.revenue, credit="90", posted=True, period=period, on=period.start_date),
                ]
            )
            _publish(entry, period)
            run_commit_checks()

    def test_an_unbalanced_entry_posted_through_raw_sql_is_refused(self, books, root_organization):
        accounts, year = books
        period = year.periods.get(number=1)

        with _refused("does not balance"), transaction.atomic():
            entry = _draft(root_organization, period.start_date)
            for account, debit, credit in ((accounts.bank, "50", "0"), (accounts.revenue, "0", "49.99")):
                _sql(
                    "INSERT INTO finance_journalline (entry_id, position, account_id, organization_id, description,"
                    " analytic_tag, debit, credit, debit_company, credit_company, date, period_id, posted)"
                    " VALUES (%s, 0, %s, %s, '', '', %s, %s, %s, %s, %s, %s, true)",
                    [
                        entry.pk,
                        account.pk,
                        root_organization.pk,
                        debit,
                        credit,
                        debit,
                        credit,
                        period.start_date,
                        period.pk,
                    ],
                )
            _sql(
                "UPDATE finance_journalentry SET posted = true, status = 'completed', number = 'RAW-1', period_id = %s"
                " WHERE id = %s",
                [period.pk, entry.pk],
            )
            run_commit_checks()

    def test_posted_lines_in_an_unposted_entry_are_refused(self, books, root_organization):
        accounts, year = books
        period = year.periods.get(number=1)

        with _refused("not posted"), transaction.atomic():
            entry = _draft(root_organization, period.start_date)
            JournalLine.objects.bulk_create(
                [
                    _line(entry, accounts.bank, debit="10", posted=True, period=period, on=period.start_date),
                    _line(entry, accounts.revenue, credit="10", posted=True, period=period, on=period.start_date),
                ]
            )
            run_commit_checks()

    def test_a_balanced_entry_passes(self, posted):
        run_commit_checks()

        assert posted.lines.count() == 2


class TestPostedLinesAreImmutable:
    def test_updating_a_posted_line_through_the_orm_is_refused(self, posted):
        line = posted.lines.first()
        line.debit = line.debit + 1

        with _refused("cannot be changed"), transaction.atomic():
            line.save()

    def test_updating_a_posted_line_through_raw_sql_is_refused(self, posted):
        with _refused("cannot be changed"), transaction.atomic():
            _sql("UPDATE finance_journalline SET credit = credit + 1 WHERE entry_id = %s", [posted.pk])

    def test_deleting_a_posted_line_through_the_orm_is_refused(self, posted):
        with _refused("cannot be changed or deleted"), transaction.atomic():
            posted.lines.all().delete()

    def test_deleting_a_posted_line_through_raw_sql_is_refused(self, posted):
        with _refused("cannot be changed or deleted"), transaction.atomic():
            _sql("DELETE FROM finance_journalline WHERE entry_id = %s", [posted.pk])

    def test_adding_a_line_to_a_posted_entry_is_refused(self, posted, books):
        accounts, _year = books

        with _refused("lines cannot be added"), transaction.atomic():
            _line(posted, accounts.rent, debit="1").save()

    def test_truncating_the_lines_is_refused(self, books):
        with _refused("append-only"), transaction.atomic():
            _sql("TRUNCATE finance_journalline CASCADE", [])


class TestPostedEntriesKeepTheirFigures:
    @pytest.mark.parametrize(
        "change",
        [
            {"accounting_date": "2000-01-01"},
            {"total_gross_company": Decimal("1")},
            {"posted": False},
            {"number": "OTHER-1"},
        ],
    )
    def test_changing_a_posted_entry_through_the_orm_is_refused(self, posted, change):
        with _refused("cannot be changed"), transaction.atomic():
            JournalEntry.objects.filter(pk=posted.pk).update(**change)

    def test_changing_the_date_through_raw_sql_is_refused(self, posted):
        with _refused("cannot be changed"), transaction.atomic():
            _sql("UPDATE finance_journalentry SET accounting_date = accounting_date + 1 WHERE id = %s", [posted.pk])

    def test_deleting_a_posted_entry_is_refused(self, posted):
        with _refused("cannot be deleted"), transaction.atomic():
            _sql("DELETE FROM finance_journalentry WHERE id = %s", [posted.pk])

    def test_its_status_may_still_change(self, posted):
        JournalEntry.objects.filter(pk=posted.pk).update(status=Status.REVERSED, status_reason="corrected")

        assert JournalEntry.objects.get(pk=posted.pk).status == Status.REVERSED


class TestWhereLinesMayBePosted:
    def test_posting_into_a_closed_period_through_the_orm_is_refused(self, books, root_organization):
        accounts, year = books
        period = year.periods.get(number=2)
        period.status = PeriodStatus.CLOSED
        period.save(update_fields=["status"])
        entry = _draft(root_organization, period.start_date)

        with _refused("is closed"), transaction.atomic():
            JournalLine.objects.bulk_create(
                [
                    _line(entry, accounts.bank, debit="10", posted=True, period=period, on=period.start_date),
                    _line(entry, accounts.revenue, credit="10", posted=True, period=period, on=period.start_date),
                ]
            )

    def test_posting_a_draft_into_a_closed_period_through_raw_sql_is_refused(self, books, root_organization):
        accounts, year = books
        period = year.periods.get(number=2)
        entry = _draft(root_organization, period.start_date)
        JournalLine.objects.bulk_create(
            [_line(entry, accounts.bank, debit="10"), _line(entry, accounts.revenue, credit="10")]
        )
        _sql("UPDATE finance_period SET status = 'closed' WHERE id = %s", [period.pk])

        with _refused("is closed"), transaction.atomic():
            _sql(
                "UPDATE finance_journalline SET posted = true, date = %s, period_id = %s WHERE entry_id = %s",
                [period.start_date, period.pk, entry.pk],
            )

    def test_a_date_outside_the_period_is_refused(self, books, root_organization):
        accounts, year = books
        period = year.periods.get(number=2)
        entry = _draft(root_organization, period.start_date)

        with _refused("outside period"), transaction.atomic():
            JournalLine.objects.bulk_create(
                [_line(entry, accounts.bank, debit="10", posted=True, period=period, on=year.start_date)]
            )

    @pytest.mark.parametrize("account_name", ["group", "inactive"])
    def test_a_non_postable_account_is_refused(self, books, root_organization, account_name):
        accounts, year = books
        account = accounts.group
        if account_name == "inactive":
            account = accounts.rent
            _sql("UPDATE finance_account SET is_active = false WHERE id = %s", [account.pk])
        period = year.periods.get(number=1)
        entry = _draft(root_organization, period.start_date)

        with _refused("cannot be posted to"), transaction.atomic():
            _sql(
                "INSERT INTO finance_journalline (entry_id, position, account_id, organization_id, description,"
                " analytic_tag, debit, credit, debit_company, credit_company, date, period_id, posted)"
                " VALUES (%s, 0, %s, %s, '', '', 5, 0, 5, 0, %s, %s, true)",
                [entry.pk, account.pk, root_organization.pk, period.start_date, period.pk],
            )

    def test_a_summary_account_is_refused_through_the_orm_too(self, books, root_organization):
        accounts, year = books
        period = year.periods.get(number=1)
        entry = _draft(root_organization, period.start_date)

        with _refused("summary account"), transaction.atomic():
            JournalLine.objects.bulk_create(
                [
                    _line(entry, accounts.group, debit="3", posted=True, period=period, on=period.start_date),
                    _line(entry, accounts.revenue, credit="3", posted=True, period=period, on=period.start_date),
                ]
            )


class TestLineAmounts:
    @pytest.mark.parametrize(
        ("amounts", "constraint"),
        [
            ({"debit": "-5"}, "finance_journalline_not_negative"),
            ({"debit": "5", "credit": "5"}, "finance_journalline_(one|company)_side"),
            ({}, "finance_journalline_not_zero"),
        ],
    )
    def test_check_constraints_refuse_impossible_amounts(self, books, root_organization, amounts, constraint):
        accounts, year = books
        entry = _draft(root_organization, year.start_date)

        with _refused(constraint), transaction.atomic():
            _line(entry, accounts.bank, **amounts).save()

    def test_a_debit_cannot_become_a_company_credit(self, books, root_organization):
        accounts, year = books
        entry = _draft(root_organization, year.start_date)
        line = _line(entry, accounts.bank, debit="5")
        line.debit_company, line.credit_company = Decimal("0"), Decimal("5")

        with _refused("finance_journalline_company_side"), transaction.atomic():
            line.save()


class TestBalancesComeFromPostingsOnly:
    def test_writing_a_balance_through_the_orm_is_refused(self, posted):
        with _refused("kept by posting"), transaction.atomic():
            AccountBalance.objects.filter(period=posted.period).update(debit_company=Decimal("1"))

    def test_inserting_a_balance_through_raw_sql_is_refused(self, posted, books, root_organization):
        accounts, _year = books

        with _refused("kept by posting"), transaction.atomic():
            _sql(
                "INSERT INTO finance_accountbalance (account_id, organization_id, period_id, currency_id, kind,"
                " debit, credit, debit_company, credit_company, line_count)"
                " VALUES (%s, %s, %s, %s, 'regular', 1, 0, 1, 0, 1)",
                [accounts.rent.pk, root_organization.pk, posted.period_id, posted.currency_id],
            )

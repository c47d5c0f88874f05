"""finance.posting.post_entry and reverse_entry: what gets posted, and what is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum

from erp.core.models import BusinessEvent, ExchangeRate, NumberSequence
from erp.finance.balances import balances_compact
from erp.finance.journal.models import AccountBalance, Correction, EntryKind, JournalLine
from erp.finance.models import PeriodStatus
from erp.finance.periods import NoPeriod, PeriodClosed
from erp.finance.posting import PostingError, PostingLine, post_entry, reverse_entry, to_company_amounts
from tests.factories.ledger import chart, fiscal_years, money, post, run_commit_checks

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(admin_user):
    years = fiscal_years(2, by=admin_user)
    return chart(), years


def _balance(account, period) -> tuple[Decimal, Decimal]:
    sums = AccountBalance.objects.filter(account=account, period=period).aggregate(
        debit=Sum("debit_company", default=Decimal("0")), credit=Sum("credit_company", default=Decimal("0"))
    )
    return sums["debit"], sums["credit"]


class TestPostEntry:
    def test_posts_a_numbered_balanced_entry_with_its_lines(self, books, root_organization, admin_user):
        accounts, years = books
        day = years[0].start_date.replace(month=3, day=15)

        entry = post_entry(
            lines=[
                PostingLine(account=accounts.receivable, debit=money("119.00"), description="Customer"),
                PostingLine(account=accounts.revenue, credit=money("100.00")),
                PostingLine(account=accounts.payable, credit=money("19.00"), analytic_tag=" shop "),
            ],
            on=day,
            organization=root_organization,
            description="Invoice 1",
            source=root_organization,
            by=admin_user,
        )
        run_commit_checks()

        entry.refresh_from_db()
        assert entry.posted and entry.status == "completed" and entry.kind == EntryKind.SYSTEM
        assert entry.number.startswith(f"JE-{root_organization.code}-{day.year}-")
        assert entry.period.start_date <= day <= entry.period.end_date
        assert entry.total_gross_company == money("119.00")
        assert entry.source == root_organization
        assert entry.source_type == ContentType.objects.get_for_model(root_organization)
        lines = list(entry.lines.order_by("position"))
        assert [(line.position, line.debit, line.credit) for line in lines] == [
            (1, money("119.00"), 0),
            (2, 0, money("100.00")),
            (3, 0, money("19.00")),
        ]
        assert all(line.posted and line.date == day and line.period_id == entry.period_id for line in lines)
        assert lines[2].analytic_tag == "shop"
        assert entry.history.count() == 1
        event = BusinessEvent.objects.get(aggregate_id=str(entry.pk), verb="finance.journalentry.posted")
        assert event.aggregate_repr == entry.number and event.data == {"lines": 3}
        assert entry.history.get().number == entry.number

    def test_adds_the_lines_to_the_kept_balances(self, books, root_organization, admin_user):
        accounts, years = books
        day = years[0].start_date.replace(month=2, day=3)
        entry = post(debit=accounts.bank, credit=accounts.equity, amount="500", on=day, organization=root_organization)

        post(debit=accounts.bank, credit=accounts.revenue, amount="20.50", on=day, organization=root_organization)

        assert _balance(accounts.bank, entry.period) == (money("520.50"), 0)
        assert _balance(accounts.equity, entry.period) == (0, money("500"))
        rows = AccountBalance.objects.filter(account=accounts.bank, period=entry.period)
        assert sorted(rows.values_list("line_count", flat=True)) == [1, 1]  # appended, one row per posting

        assert balances_compact() == 1  # the bank's two rows folded into one; equity and revenue had one each

        row = AccountBalance.objects.get(account=accounts.bank, period=entry.period)
        assert (row.debit_company, row.line_count) == (money("520.50"), 2)
        assert row.kind == "regular" and row.organization_id == root_organization.pk
        assert _balance(accounts.equity, entry.period) == (0, money("500"))
        assert balances_compact() == 0

    def test_numbers_follow_each_other_without_gaps(self, books, root_organization):
        accounts, years = books
        day = years[0].start_date

        numbers = [
            post(debit=accounts.bank, credit=accounts.equity, amount="1", on=day, organization=root_organization).number
            for _ in range(3)
        ]

        sequence = [int(number.rsplit("-", 1)[1]) for number in numbers]
        assert sequence == list(range(sequence[0], sequence[0] + 3))
        assert NumberSequence.objects.filter(series="journal", organization=root_organization).exists()

    def test_each_organization_numbers_its_own_entries(self, books, root_organization):
        from erp.core.models import Organization

        accounts, years = books
        branch = Organization.objects.create(code="BR", name="Branch", parent=root_organization)
        day = years[0].start_date

        first = post(debit=accounts.bank, credit=accounts.equity, amount="1", on=day, organization=root_organization)
        second = post(debit=accounts.bank, credit=accounts.equity, amount="1", on=day, organization=branch)

        assert first.number != second.number
        assert second.number == f"JE-BR-{day.year}-00001"

    def test_converts_foreign_currency_lines_and_balances_the_rounding(self, books, root_organization, admin_user):
        accounts, years = books
        day = years[0].start_date.replace(month=5, day=2)

        entry = post_entry(
            lines=[
                PostingLine(account=accounts.expense, debit=money("0.01")),
                PostingLine(account=accounts.expense, debit=money("0.01")),
                PostingLine(account=accounts.expense, debit=money("0.01")),
                PostingLine(account=accounts.payable, credit=money("0.03")),
            ],
            on=day,
            organization=root_organization,
            description="fx",
            source=None,
            by=admin_user,
            currency=_foreign_currency(),
            exchange_rate=Decimal("1.5"),
        )
        run_commit_checks()

        lines = list(entry.lines.order_by("position"))
        assert sum(line.debit_company for line in lines) == sum(line.credit_company for line in lines)
        assert [line.debit_company for line in lines[:3]] == [money("0.02")] * 3
        assert lines[3].credit_company == money("0.06")
        assert entry.exchange_rate == Decimal("1.5")

    def test_uses_the_days_rate_when_no_rate_is_given(self, books, root_organization, admin_user):
        accounts, years = books
        day = years[0].start_date.replace(month=6, day=10)
        foreign = _foreign_currency()
        ExchangeRate.objects.create(
            from_currency_id=foreign, to_currency_id=_company_currency(), date=day, rate=Decimal("2")
        )

        entry = post(
            debit=accounts.bank,
            credit=accounts.revenue,
            amount="10",
            on=day,
            organization=root_organization,
            currency=foreign,
        )

        assert entry.exchange_rate == Decimal("2")
        assert [line.debit_company for line in entry.lines.order_by("position")] == [money("20"), 0]

    @pytest.mark.parametrize(
        ("lines", "message"),
        [
            ([("bank", "10", "0")], "at least two lines"),
            ([("bank", "10", "0"), ("revenue", "0", "9")], "does not balance"),
            ([("bank", "10", "0"), ("revenue", "0", "-10")], "negative"),
            ([("bank", "10", "10"), ("revenue", "0", "0")], "not both"),
            ([("bank", "10.001", "0"), ("revenue", "0", "10.001")], "decimal places"),
            ([("group", "10", "0"), ("revenue", "0", "10")], "summary account"),
        ],
    )
    def test_refuses_lines_that_cannot_be_posted(self, books, root_organization, lines, message):
        accounts, years = books
        posting_lines = [
            PostingLine(account=getattr(accounts, name), debit=money(debit), credit=money(credit))
            for name, debit, credit in lines
        ]

        with pytest.raises(PostingError, match=message):
            post_entry(
                lines=posting_lines,
                on=years[0].start_date,
                organization=root_organization,
                description="",
                source=None,
                by=None,
            )

        assert not JournalLine.objects.filter(account__code__startswith="L").exists()

    def test_refuses_an_inactive_account(self, books, root_organization):
        accounts, years = books
        accounts.rent.is_active = False
        accounts.rent.save(update_fields=["is_active"])

        with pytest.raises(PostingError, match="deactivated"):
            post(
                debit=accounts.rent,
                credit=accounts.bank,
                amount="5",
                on=years[0].start_date,
                organization=root_organization,
            )

    def test_refuses_a_closed_period(self, books, root_organization, admin_user):
        accounts, years = books
        period = years[0].periods.get(number=1)
        period.status = PeriodStatus.CLOSED
        period.save(update_fields=["status"])

        with pytest.raises(PeriodClosed):
            post(
                debit=accounts.bank,
                credit=accounts.equity,
                amount="5",
                on=period.start_date,
                organization=root_organization,
            )

    def test_refuses_a_day_no_fiscal_year_covers(self, books, root_organization):
        accounts, years = books

        with pytest.raises(NoPeriod):
            post(
                debit=accounts.bank,
                credit=accounts.equity,
                amount="5",
                on=years[-1].end_date.replace(year=years[-1].end_date.year + 5),
                organization=root_organization,
            )


@pytest.mark.parametrize(
    ("pattern", "seq", "year", "org"),
    [
        ("JE-{org}-{year}-{seq:05d}", 42, 2026, "HQ"),
        ("{seq}", 7, None, ""),
        ("INV{year}/{seq:03d}", 123456, 2025, "X"),
        ("{org:05d}-{year:06d}-{seq:09d}", 1, 2024, "BR"),
        ("{year:04d}-{seq:02d}", 3, None, "HQ"),
        ("{seq:02d}{seq:02d} {{x}}", 5, 2024, "HQ"),
        ("{seq:03d}-{seq:05d}", 12345678, 2026, "HQ"),
        ("{org}/{org:03d}/{seq}", 1, 2026, "{seq:02d}"),
        ("ENTRY", 9, 2026, "HQ"),
    ],
)
def test_the_database_renders_numbers_like_python(pattern, seq, year, org):
    """``finance_write_entry`` numbers entries inside the database: same result as ``numbering.render``."""
    from django.db import connection

    from erp.core.numbering import render

    with connection.cursor() as cursor:
        cursor.execute("SELECT finance_number_render(%s, %s, %s, %s)", [pattern, seq, year, org])
        assert cursor.fetchone()[0] == render(pattern, seq=seq, year=year, org=org)


class TestReverseEntry:
    def test_posts_the_mirror_image_and_nets_the_balances_to_zero(self, books, root_organization, admin_user):
        accounts, years = books
        day = years[0].start_date.replace(month=4, day=1)
        entry = post(debit=accounts.expense, credit=accounts.bank, amount="80", on=day, organization=root_organization)

        reversal = reverse_entry(entry=entry, on=day.replace(day=20), by=admin_user)
        run_commit_checks()

        assert reversal.reversal_of == entry and reversal.correction == Correction.REVERSAL
        assert [(line.account_id, line.debit, line.credit) for line in reversal.lines.order_by("position")] == [
            (accounts.expense.pk, 0, money("80")),
            (accounts.bank.pk, money("80"), 0),
        ]
        assert _balance(accounts.expense, entry.period) == (money("80"), money("80"))
        assert reversal.description == f"Reversal of {entry.number}"


def _company_currency() -> str:
    from erp.core.models import Company

    return Company.objects.values_list("currency_id", flat=True).get()


def _foreign_currency() -> str:
    return "CHF" if _company_currency() != "CHF" else "USD"


class TestToCompanyAmounts:
    def test_rounding_difference_goes_to_the_largest_line_of_the_short_side(self):
        amounts = [(money("0.01"), 0), (money("0.01"), 0), (money("0.01"), 0), (0, money("0.03"))]

        converted = to_company_amounts(amounts, rate=Decimal("1.5"), places=2)

        assert converted == [(money("0.02"), 0), (money("0.02"), 0), (money("0.02"), 0), (0, money("0.06"))]

    def test_leaves_exact_conversions_alone(self):
        amounts = [(money("10"), 0), (0, money("4")), (0, money("6"))]

        assert to_company_amounts(amounts, rate=Decimal("2"), places=2) == [
            (money("20.00"), 0),
            (0, money("8.00")),
            (0, money("12.00")),
        ]

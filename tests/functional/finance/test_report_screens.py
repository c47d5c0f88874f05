"""The financial report screens: figures for a small hand-made set of postings, comparison
periods, the organization filter, drill-down to the lines, Excel and PDF, permissions,
tenant isolation and query budgets."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tenants.utils import schema_context
from openpyxl import load_workbook
from pypdf import PdfReader

from erp.core.models import Organization
from erp.finance import closing
from erp.finance.journal.models import JournalEntry
from erp.finance.models import AccountType, FiscalYear
from erp.finance.reports import build
from erp.finance.views import reports
from tests.factories import finance as finance_factories
from tests.factories.ledger import chart, fiscal_years, money, post

pytestmark = pytest.mark.django_db

REPORTS = ("trial-balance", "general-ledger", "journal", "profit-and-loss", "balance-sheet")


@pytest.fixture
def organizations(root_organization):
    branch = Organization.objects.create(code="BR", name="Branch", parent=root_organization)
    shop = Organization.objects.create(code="SH", name="Shop", parent=branch)
    return root_organization, branch, shop


@pytest.fixture
def books(admin_user, organizations):
    """2025: capital, a sale, rent, a collection in the branch, an expense in the shop (the
    branch's sub-organization); 2026: a service sale and rent."""
    hq, branch, shop = organizations
    accounts = chart()
    fiscal_years(2, by=admin_user)
    operating = finance_factories.group(code="LX6", name="Operating expenses", account_type=AccountType.EXPENSE)
    office = finance_factories.account(
        code="LX6200", name="Office supplies", account_type=AccountType.EXPENSE, parent=operating
    )
    travel = finance_factories.account(code="LX6300", name="Travel", account_type=AccountType.EXPENSE, parent=operating)
    post(debit=accounts.bank, credit=accounts.equity, amount="10000", on=date(2025, 1, 2), organization=hq)
    post(debit=accounts.receivable, credit=accounts.revenue, amount="3000", on=date(2025, 2, 14), organization=hq)
    post(debit=accounts.rent, credit=accounts.bank, amount="800", on=date(2025, 2, 20), organization=hq)
    post(debit=accounts.bank, credit=accounts.receivable, amount="2500", on=date(2025, 3, 5), organization=branch)
    post(debit=office, credit=accounts.payable, amount="450", on=date(2025, 3, 31), organization=shop)
    post(debit=travel, credit=accounts.bank, amount="120", on=date(2025, 3, 20), organization=hq)
    post(debit=accounts.receivable, credit=accounts.services, amount="5000", on=date(2026, 2, 10), organization=hq)
    post(debit=accounts.rent, credit=accounts.bank, amount="900", on=date(2026, 2, 11), organization=hq)
    accounts.office, accounts.travel, accounts.operating = office, travel, operating
    return accounts


@pytest.fixture
def accountant(user_with_role):
    return user_with_role("Accountant")


@pytest.fixture
def client(client_for, accountant):
    return client_for(accountant)


def _url(report: str, **params) -> str:
    return build.report_url(report, **params)


def _row(response, key: str) -> list:
    """The values of the report row named ``key``."""
    report = response.context["report"]
    return next([cell.value for cell in row.cells] for row in report.rows if row.key == key)


def _cells(response, key: str) -> list[build.Cell]:
    return next(row.cells for row in response.context["report"].rows if row.key == key)


def _keys(response) -> list[str]:
    return [row.key for row in response.context["report"].rows]


def _pdf_text(response) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def _sheet_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows())


def _sheet_row(rows, first_values: tuple) -> tuple:
    return next(row for row in rows if tuple(cell.value for cell in row[: len(first_values)]) == first_values)


FEBRUARY = {"date_from": "2025-02-01", "date_to": "2025-02-28"}
Q1 = {"date_from": "2025-01-01", "date_to": "2025-03-31"}


class TestTrialBalance:
    def test_shows_opening_movements_and_closing_per_account_with_balancing_totals(self, client, books):
        response = client.get(_url("trial-balance", **FEBRUARY))

        assert response.status_code == 200
        # code, name, opening Dr/Cr, movements Dr/Cr, closing Dr/Cr
        assert _row(response, books.bank.code)[2:] == [money(10000), 0, 0, money(800), money(9200), 0]
        assert _row(response, books.equity.code)[2:] == [0, money(10000), 0, 0, 0, money(10000)]
        assert _row(response, books.receivable.code)[2:] == [0, 0, money(3000), 0, money(3000), 0]
        assert _row(response, books.revenue.code)[2:] == [0, 0, 0, money(3000), 0, money(3000)]
        assert (
            _row(response, "total")[2:] == [money(10000), money(10000), money(3800), money(3800)] + [money(13000)] * 2
        )
        assert response.context["report"].checks == [("Debits equal credits", True)]
        content = response.content.decode()
        assert 'id="row-total"' in content and "13,000.00" in content

    def test_compares_with_the_previous_period_side_by_side(self, client, books):
        response = client.get(_url("trial-balance", compare="previous_period", **FEBRUARY))

        report = response.context["report"]
        assert report.scope.compare_from == date(2025, 1, 1) and report.scope.compare_to == date(2025, 1, 31)
        # … movements and closing balance of January beside February's
        assert _row(response, books.bank.code)[8:] == [money(10000), 0, money(10000)]
        assert _row(response, books.rent.code)[8:] == [0, 0, 0]
        assert _row(response, "total")[8:] == [money(10000), money(10000), 0]
        assert "Comparison 01/01/2025 – 01/31/2025" in response.content.decode()

    def test_compares_with_the_same_period_last_year(self, client, books):
        response = client.get(
            _url("trial-balance", date_from="2026-02-01", date_to="2026-02-28", compare="previous_year")
        )

        assert _row(response, books.rent.code)[4:6] == [money(900), 0]
        assert _row(response, books.rent.code)[8:] == [money(800), 0, money(800)]
        assert _row(response, books.services.code)[8:] == [0, 0, 0]

    def test_filters_by_an_organization_and_its_sub_organizations(self, client, books, organizations):
        _hq, branch, _shop = organizations

        response = client.get(_url("trial-balance", organization=branch.pk, **Q1))

        assert set(_keys(response)) == {
            books.bank.code,
            books.receivable.code,
            books.office.code,
            books.payable.code,
            "total",
        }
        assert _row(response, books.bank.code)[2:] == [0, 0, money(2500), 0, money(2500), 0]
        assert _row(response, books.office.code)[4] == money(450)  # posted in the shop, under the branch
        assert response.context["report"].checks[0][1]

    def test_a_user_of_one_branch_sees_only_its_figures(self, client_for, user_with_role, books, organizations):
        _hq, branch, shop = organizations
        client = client_for(user_with_role("Accountant", organizations=[shop]))

        response = client.get(_url("trial-balance", **Q1))

        assert set(_keys(response)) == {books.office.code, books.payable.code, "total"}
        other = client.get(_url("trial-balance", organization=branch.pk, **Q1))
        assert "organization" in other.context["form"].errors
        assert other.context["report"] is None

    def test_drills_from_a_figure_to_the_general_ledger_and_on_to_the_entry(self, client, books):
        response = client.get(_url("trial-balance", **FEBRUARY))
        bank = _cells(response, books.bank.code)

        ledger = client.get(bank[5].url)  # February's credit to the bank

        lines = [row for row in ledger.context["report"].rows if row.style == "line"]
        assert [(row.cells[0].value, row.cells[6].value, row.cells[7].value) for row in lines] == [
            (date(2025, 2, 20), money(800), money(9200))
        ]
        entry = JournalEntry.objects.get(number=lines[0].cells[1].value)
        assert lines[0].cells[1].url == reverse("finance:journalentry-detail", args=[entry.pk])
        assert client.get(lines[0].cells[1].url).status_code == 200
        opening = client.get(bank[2].url)  # the opening balance: every line before February
        assert opening.context["report"].summary[1] == ("Closing balance", money(10000))
        assert bank[3].url == ""  # nothing behind a zero

    def test_shows_a_clear_message_for_impossible_dates(self, client, books):
        response = client.get(_url("trial-balance", date_from="2025-03-01", date_to="2025-02-01"))

        assert response.status_code == 200
        assert response.context["report"] is None
        assert "The end date must not be before the start date." in response.content.decode()

    def test_downloads_an_excel_workbook_with_numbers_as_numbers(self, client, books):
        response = client.get(_url("trial-balance", _export="xlsx", **FEBRUARY))

        assert response["Content-Disposition"] == 'attachment; filename="trial-balance_2025-02-01_2025-02-28.xlsx"'
        rows = _sheet_rows(response)
        bank = _sheet_row(rows, (books.bank.code, "Bank"))
        assert [cell.value for cell in bank[2:]] == [10000, 0, 0, 800, 9200, 0]
        assert all(isinstance(cell.value, int | float) for cell in bank[2:])
        assert bank[2].number_format == "#,##0.00;-#,##0.00"
        total = _sheet_row(rows, (None, "Total"))
        assert [cell.value for cell in total[2:]] == [10000, 10000, 3800, 3800, 13000, 13000]
        assert total[1].font.bold

    def test_downloads_a_pdf_with_the_totals(self, client, books):
        response = client.get(_url("trial-balance", _export="pdf", **FEBRUARY))

        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        text = _pdf_text(response)
        assert "Trial balance" in text and "Test Company" in text
        assert "Total 10,000.00 10,000.00 3,800.00 3,800.00 13,000.00 13,000.00" in text
        assert "Page 1 / 1" in text

    def test_returns_the_report_partial_to_htmx(self, client, books):
        response = client.get(_url("trial-balance", **FEBRUARY), HTTP_HX_REQUEST="true")

        content = response.content.decode()
        assert content.lstrip().startswith('<div id="report-page">')
        assert "<html" not in content


class TestGeneralLedger:
    def test_lists_the_accounts_lines_with_a_running_balance(self, client, books):
        response = client.get(_url("general-ledger", account=books.bank.code, **Q1))

        assert response.status_code == 200
        report = response.context["report"]
        assert report.subtitle == f"{books.bank.code} Bank"
        balances = [(row.key, row.cells[5].value, row.cells[6].value, row.cells[7].value) for row in report.rows]
        assert [balance[1:] for balance in balances] == [
            (None, None, 0),  # opening balance
            (money(10000), None, money(10000)),
            (None, money(800), money(9200)),
            (money(2500), None, money(11700)),
            (None, money(120), money(11580)),
            (None, None, money(11580)),  # closing balance
        ]

    def test_pages_by_key_with_the_balance_brought_forward(self, client, books, monkeypatch):
        monkeypatch.setattr(build, "LEDGER_PER_PAGE", 2)
        first = client.get(
            _url("general-ledger", account=books.bank.code, date_from="2025-01-01", date_to="2026-12-31")
        )
        pager = first.context["report"].pager
        assert pager.label == "Lines 1–2 of 5" and pager.previous == ""

        second = client.get(first.wsgi_request.path + pager.next)

        rows = second.context["report"].rows
        assert rows[0].key == "brought-forward" and rows[0].cells[7].value == money(9200)
        assert [row.cells[7].value for row in rows[1:]] == [money(11700), money(11580)]
        assert second.context["report"].pager.label == "Lines 3–4 of 5"
        last = client.get(first.wsgi_request.path + second.context["report"].pager.last)
        assert [row.key for row in last.context["report"].rows][-1] == "closing"
        assert last.context["report"].rows[-1].cells[7].value == money(10680)
        assert last.context["report"].pager.label == "Lines 4–5 of 5"  # the last two
        back = client.get(first.wsgi_request.path + last.context["report"].pager.previous)
        assert back.context["report"].pager.label == "Lines 2–3 of 5"
        assert back.context["report"].rows[0].cells[7].value == money(10000)  # brought forward

    def test_asks_for_an_account_first(self, client, books):
        response = client.get(_url("general-ledger"))

        assert response.status_code == 200
        assert response.context["report"] is None
        assert 'id="report-hint"' in response.content.decode()

    def test_refuses_an_unknown_account_next_to_the_field(self, client, books):
        response = client.get(_url("general-ledger", account="NOPE", **Q1))

        assert response.status_code == 200
        assert "account" in response.context["form"].errors

    def test_exports_every_line_to_excel_and_pdf(self, client, books):
        xlsx = client.get(_url("general-ledger", account=books.bank.code, _export="xlsx", **Q1))
        pdf = client.get(_url("general-ledger", account=books.bank.code, _export="pdf", **Q1))

        rows = _sheet_rows(xlsx)
        dated = [row for row in rows if isinstance(row[0].value, date) or hasattr(row[0].value, "date")]
        assert [row[7].value for row in dated] == [10000, 9200, 11700, 11580]
        assert dated[0][0].number_format == "yyyy-mm-dd"
        text = _pdf_text(pdf)
        assert pdf.content.startswith(b"%PDF") and "11,580.00" in text and "Closing balance" in text

    def test_refuses_an_export_beyond_the_limit_with_a_message(self, client, books, monkeypatch):
        monkeypatch.setitem(reports.EXPORT_LIMITS, "pdf", 3)

        response = client.get(_url("general-ledger", account=books.bank.code, _export="pdf", **Q1))

        assert response.status_code == 302
        assert "_export" not in response["Location"]
        assert "more than 3 lines" in str(next(iter(get_messages(response.wsgi_request))))


class TestJournal:
    def test_lists_entries_with_their_lines_in_the_period(self, client, books):
        response = client.get(_url("journal", **FEBRUARY))

        report = response.context["report"]
        entries = [row for row in report.rows if row.style == "entry"]
        assert [row.cells[0].value for row in entries] == [date(2025, 2, 14), date(2025, 2, 20)]
        first = JournalEntry.objects.get(number=entries[0].cells[1].value)
        lines = [row for row in report.rows if row.key.startswith("line-")]
        assert [(row.cells[2].value, row.cells[6].value, row.cells[7].value) for row in lines[:2]] == [
            (f"{books.receivable.code} Receivables", money(3000), None),
            (f"{books.revenue.code} Revenue", None, money(3000)),
        ]
        assert entries[0].cells[1].url == reverse("finance:journalentry-detail", args=[first.pk])
        assert report.summary == [("Entries", 2), ("Total debit = total credit", money(3800))]

    def test_pages_by_key(self, client, books, monkeypatch):
        monkeypatch.setattr(build, "JOURNAL_PER_PAGE", 2)
        first = client.get(_url("journal", **Q1))

        second = client.get(first.wsgi_request.path + first.context["report"].pager.next)

        dates = [row.cells[0].value for row in second.context["report"].rows if row.style == "entry"]
        assert dates == [date(2025, 2, 20), date(2025, 3, 5)]
        assert second.context["report"].pager.previous and second.context["report"].pager.next

    def test_exports_to_excel_and_pdf(self, client, books):
        xlsx = client.get(_url("journal", _export="xlsx", **FEBRUARY))
        pdf = client.get(_url("journal", _export="pdf", **FEBRUARY))

        rows = _sheet_rows(xlsx)
        amounts = [row[6].value for row in rows if isinstance(row[6].value, int | float)]
        assert amounts == [3000, 800]
        assert "3,800.00" in _pdf_text(pdf)


class TestProfitAndLoss:
    def test_shows_income_and_expenses_by_account_tree_with_subtotals_and_the_result(self, client, books):
        response = client.get(_url("profit-and-loss", **Q1))

        assert _row(response, books.revenue.code)[2] == money(3000)
        assert _row(response, books.operating.code)[2] == money(570)  # subtotal of office and travel
        assert _row(response, books.office.code)[2] == money(450)
        assert _row(response, "total-income")[2] == money(3000)
        assert _row(response, "total-expense")[2] == money(1370)
        assert _row(response, "result")[2] == money(1630)
        keys = _keys(response)
        assert keys.index(books.operating.code) < keys.index(books.office.code) < keys.index(books.travel.code)
        rows = {row.key: row for row in response.context["report"].rows}
        assert rows[books.office.code].level == rows[books.operating.code].level + 1

    def test_compares_with_the_same_period_last_year(self, client, books):
        response = client.get(
            _url("profit-and-loss", date_from="2026-01-01", date_to="2026-03-31", compare="previous_year")
        )

        assert _row(response, "result")[2:] == [money(4100), money(1630), money(2470)]
        assert _row(response, books.services.code)[2:] == [money(5000), 0, money(5000)]

    def test_drills_from_an_expense_to_its_lines(self, client, books):
        response = client.get(_url("profit-and-loss", **Q1))

        ledger = client.get(_cells(response, books.travel.code)[2].url)

        lines = [row for row in ledger.context["report"].rows if row.style == "line"]
        assert [row.cells[5].value for row in lines] == [money(120)]

    def test_exports_to_excel_and_pdf(self, client, books):
        xlsx = client.get(_url("profit-and-loss", _export="xlsx", **Q1))
        pdf = client.get(_url("profit-and-loss", _export="pdf", **Q1))

        result = _sheet_row(_sheet_rows(xlsx), (None, "Result"))
        assert result[2].value == 1630 and result[2].number_format == "#,##0.00;-#,##0.00"
        assert "Result 1,630.00" in _pdf_text(pdf)


class TestBalanceSheet:
    def test_assets_equal_liabilities_and_equity_including_the_result(self, client, books):
        response = client.get(_url("balance-sheet", on="2025-03-31"))

        assert _row(response, "total-assets")[2] == money(12080)  # bank 11,580 + receivables 500
        assert _row(response, books.group.code)[2] == money(11580)  # the bank's summary account
        assert _row(response, "total-liabilities")[2] == money(450)
        assert _row(response, "result")[2] == money(1630)
        assert _row(response, "total-equity")[2] == money(11630)
        assert _row(response, "total-liabilities-equity")[2] == money(12080)
        assert response.context["report"].checks == [("Assets = liabilities + equity", True)]

    def test_compares_with_a_month_earlier(self, client, books):
        response = client.get(_url("balance-sheet", on="2025-03-31", compare="previous_period"))

        assert response.context["report"].scope.compare_to == date(2025, 2, 28)
        assert _row(response, "total-assets")[2:] == [money(12080), money(12200), money(-120)]

    def test_drills_from_the_result_to_profit_and_loss_and_from_an_account_to_its_ledger(self, client, books):
        response = client.get(_url("balance-sheet", on="2025-03-31"))

        pnl = client.get(_cells(response, "result")[2].url)
        ledger = client.get(_cells(response, books.payable.code)[2].url)

        assert _row(pnl, "result")[2] == money(1630)
        assert ledger.context["report"].summary[1] == ("Closing balance", money(-450))

    def test_filters_by_organization(self, client, books, organizations):
        _hq, branch, _shop = organizations

        response = client.get(_url("balance-sheet", on="2025-03-31", organization=branch.pk))

        assert _row(response, "total-assets")[2] == money(0)  # 2,500 collected: bank up, receivable down
        assert _row(response, "result")[2] == money(-450)
        assert response.context["report"].checks[0][1]

    def test_exports_to_excel_and_pdf(self, client, books):
        xlsx = client.get(_url("balance-sheet", on="2025-03-31", _export="xlsx"))
        pdf = client.get(_url("balance-sheet", on="2025-03-31", _export="pdf"))

        rows = _sheet_rows(xlsx)
        assert _sheet_row(rows, (None, "Total assets"))[2].value == 12080
        assert _sheet_row(rows, (None, "Total liabilities and equity"))[2].value == 12080
        text = _pdf_text(pdf)
        assert "Total assets 12,080.00" in text and "Total liabilities and equity 12,080.00" in text


class TestAfterTheYearEndClosing:
    @pytest.fixture
    def closed(self, books, admin_user):
        closing.fiscal_year_close(fiscal_year=FiscalYear.objects.get(name="2025"), by=admin_user)
        return books

    YEAR = {"date_from": "2025-01-01", "date_to": "2025-12-31"}

    def test_profit_and_loss_still_shows_the_years_result_and_drills_to_its_lines(self, client, closed):
        response = client.get(_url("profit-and-loss", **self.YEAR))

        ledger = client.get(_cells(response, closed.rent.code)[2].url)

        assert _row(response, "result")[2] == money(1630)
        assert ledger.context["form"].cleaned_data["exclude_closing"] is True
        assert ledger.context["report"].summary[1] == ("Closing balance", money(800))

    def test_the_ledger_shows_the_closing_entry_unless_asked_not_to(self, client, closed):
        response = client.get(_url("general-ledger", account=closed.rent.code, **self.YEAR))

        assert response.context["report"].summary[1] == ("Closing balance", 0)
        assert _row(client.get(_url("trial-balance", **self.YEAR)), closed.rent.code)[2:] == [
            0,
            0,
            money(800),
            money(800),
            0,
            0,
        ]

    def test_the_balance_sheet_counts_only_the_open_years_result(self, client, closed):
        response = client.get(_url("balance-sheet", on="2026-02-28"))

        assert _row(response, "result")[2] == money(4100)
        assert _row(response, closed.retained.code)[2] == money(1630)
        assert response.context["report"].checks[0][1]
        assert "date_from=2026-01-01" in _cells(response, "result")[2].url

    def test_the_journal_lists_the_opening_entry(self, client, closed):
        response = client.get(_url("journal", date_from="2026-01-01", date_to="2026-01-01"))

        assert [row.cells[3].value for row in response.context["report"].rows if row.style == "entry"] != []


class TestAccess:
    @pytest.mark.parametrize("role", ["Accountant", "Manager"])
    def test_the_accountant_and_the_manager_see_every_report(self, client_for, user_with_role, books, role):
        client = client_for(user_with_role(role))

        statuses = [client.get(_url(name, account=books.bank.code)).status_code for name in REPORTS]

        assert statuses == [200] * len(REPORTS)

    def test_the_reports_are_in_the_sidebar(self, client, books):
        content = client.get(reverse("core:dashboard")).content.decode()

        for name in REPORTS:
            assert f'href="{reverse(f"finance:report-{name}")}"' in content

    def test_a_user_without_the_permission_gets_403(self, client_for, user_with_role, books):
        client = client_for(user_with_role("Sales"))

        statuses = {name: client.get(_url(name, account=books.bank.code)).status_code for name in REPORTS}
        exports = {name: client.get(_url(name, _export="xlsx")).status_code for name in REPORTS}

        assert set(statuses.values()) == {403} and set(exports.values()) == {403}

    def test_anonymous_visitors_are_sent_to_sign_in(self, tenant_client):
        response = tenant_client.get(_url("trial-balance"))

        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_never_shows_another_tenants_postings(self, client, books, other_tenant, admin_user):
        with schema_context(other_tenant.schema_name):
            theirs = chart()
            fiscal_years(1)
            post(
                debit=theirs.bank,
                credit=theirs.equity,
                amount="777777",
                on=date(2025, 2, 3),
                organization=Organization.objects.get(code="HQ"),
            )

        pages = [client.get(_url(name, account=books.bank.code, **Q1)).content.decode() for name in REPORTS]
        pages.append(client.get(_url("balance-sheet", on="2025-12-31")).content.decode())

        assert not any("777,777" in page or "777777" in page for page in pages)
        assert _row(client.get(_url("trial-balance", **FEBRUARY)), books.bank.code)[2] == money(10000)


class TestQueryBudgets:
    """The number of queries does not grow with the number of lines."""

    def _count(self, client, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def _more_postings(self, books, count: int) -> None:
        hq = Organization.objects.get(code="HQ")
        for day in range(1, count + 1):
            post(
                debit=books.bank, credit=books.revenue, amount=str(day), on=date(2025, 2, day % 28 + 1), organization=hq
            )

    @pytest.mark.parametrize(
        "name,params,budget",
        [
            ("trial-balance", {"compare": "previous_period", **FEBRUARY}, 21),
            ("trial-balance", {"date_from": "2025-02-10", "date_to": "2025-03-15"}, 18),
            ("profit-and-loss", {"compare": "previous_year", **Q1}, 17),
            ("balance-sheet", {"on": "2025-02-17", "compare": "previous_year"}, 20),
            ("journal", FEBRUARY, 16),
            ("general-ledger", {"account": "L1200", **FEBRUARY}, 21),
        ],
    )
    def test_stays_the_same_with_more_lines(self, client, books, name, params, budget):
        url = _url(name, **params)
        few = self._count(client, url)
        self._more_postings(books, 40)

        many = self._count(client, url)

        assert many == few <= budget

    def test_a_deep_ledger_page_costs_what_the_first_does(self, client, books, monkeypatch):
        monkeypatch.setattr(build, "LEDGER_PER_PAGE", 5)
        self._more_postings(books, 40)
        url = _url("general-ledger", account=books.bank.code, **FEBRUARY)
        first = client.get(url)
        last_url = url + "&" + first.context["report"].pager.last[1:]
        previous = client.get(last_url).context["report"].pager.previous

        # The running balance where the page starts: closed periods' balances, the period's
        # start, the lines since then — three queries, however deep the page.
        assert self._count(client, url + "&" + previous[1:]) <= self._count(client, url) + 3

"""An accountant in the browser: enters, completes and reverses a journal entry, opens the
trial balance, drills into an account and on to the entry, and downloads the trial balance
as PDF and as Excel (their content is read back with pypdf and openpyxl)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django_tenants.utils import schema_context
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from erp.accounts.services import user_create
from erp.core.models import Organization
from erp.finance.journal.models import JournalEntry
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.factories.ledger import chart, fiscal_years, post

pytestmark = pytest.mark.browser

ACCOUNTANT_EMAIL = "alex.ledger@example.com"


@pytest.fixture
def books(committed_tenant, django_db_blocker):
    """A chart, the fiscal year 2025 with the share capital paid in, and an accountant."""
    with django_db_blocker.unblock(), schema_context(committed_tenant.schema_name):
        accounts = chart()
        fiscal_years(1)
        headquarters = Organization.objects.get(code="HQ")
        post(debit=accounts.bank, credit=accounts.equity, amount="5000", on=date(2025, 1, 2), organization=headquarters)
        user_create(
            email=ACCOUNTANT_EMAIL,
            first_name="Alex",
            password=PASSWORD,
            roles=[Group.objects.get(name="Accountant")],
            organizations=[headquarters],
        )
    return accounts


def _enter_rent(page, site, accounts) -> None:
    page.goto(site.url("/finance/journal-entries/new/"))
    page.locator("#id_accounting_date").fill("2025-03-31")
    page.locator("#id_description").fill("March rent")
    for index, account, side in ((0, accounts.rent, "debit"), (1, accounts.bank, "credit")):
        page.locator(f"#id_lines-{index}-account").select_option(str(account.pk))
        page.locator(f"#id_lines-{index}-{side}").fill("1000.00")
        page.locator(f"#id_lines-{index}-{side}").dispatch_event("change")
    expect(page.locator("#total-difference")).to_have_text("0.00")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#document-header")).to_contain_text("Draft")


def _confirm(page) -> None:
    page.locator("#erp-confirm").get_by_role("button", name="Confirm").click()


class TestAccountantReportsInTheBrowser:
    def test_posts_reverses_and_finds_both_in_the_trial_balance_ledger_pdf_and_excel(
        self, page, tenant_site, books, committed_tenant, tmp_path
    ):
        sign_in(page, tenant_site, email=ACCOUNTANT_EMAIL, password=PASSWORD)
        _enter_rent(page, tenant_site, books)
        page.locator("#action-button-complete").click()
        _confirm(page)
        expect(page.locator("#document-header")).to_contain_text("Completed")
        page.get_by_role("button", name="Reverse (original date)").click()
        page.locator("#reason-reverse_correct").fill("booked twice")
        page.locator("#action-button-reverse_correct").click()
        _confirm(page)
        expect(page.locator("#document-fields")).to_contain_text("Reversal of")
        with schema_context(committed_tenant.schema_name):
            original = JournalEntry.objects.get(description="March rent")
            reversal = JournalEntry.objects.get(reversal_of=original)

        page.locator("#erp-sidebar").get_by_role("link", name="Trial balance").click()
        page.locator("#id_date_from").fill("2025-01-01")
        page.locator("#id_date_to").fill("2025-12-31")
        page.locator("#report-show").click()
        expect(page).to_have_url(re.compile(r"date_from=2025-01-01&date_to=2025-12-31"))
        trial_balance_url = page.url
        rent = page.locator(f"#row-{books.rent.code}")
        expect(rent).to_contain_text("1,000.00")
        expect(page.locator("#row-total")).to_contain_text("7,000.00")
        expect(page.locator("#check-1")).to_contain_text("Debits equal credits")

        rent.get_by_role("link", name=books.rent.name).click()
        expect(page.locator("#report-subtitle")).to_have_text(f"{books.rent.code} Rent")
        lines = page.locator("#report-table tbody tr")
        expect(lines).to_have_count(4)  # opening, the entry, its reversal, closing
        expect(page.locator(f"#report-table a:text-is('{original.number}')")).to_be_visible()
        expect(page.locator(f"#report-table a:text-is('{reversal.number}')")).to_be_visible()
        page.locator(f"#report-table a:text-is('{original.number}')").click()
        expect(page.locator("h1")).to_contain_text(original.number)
        page.goto(trial_balance_url)
        expect(page.locator("#row-total")).to_contain_text("7,000.00")

        with page.expect_download() as pdf_download:
            page.locator("#export-pdf").click()
        pdf_path = tmp_path / pdf_download.value.suggested_filename
        pdf_download.value.save_as(pdf_path)
        with page.expect_download() as xlsx_download:
            page.locator("#export-xlsx").click()
        xlsx_path = tmp_path / xlsx_download.value.suggested_filename
        xlsx_download.value.save_as(xlsx_path)

        assert pdf_path.name == "trial-balance_2025-01-01_2025-12-31.pdf"
        assert pdf_path.read_bytes().startswith(b"%PDF")
        text = "".join(page.extract_text() for page in PdfReader(pdf_path).pages)
        assert "Trial balance" in text and committed_tenant.name in text
        assert f"{books.rent.code} Rent 0.00 0.00 1,000.00 1,000.00 0.00 0.00" in text
        assert "Total 0.00 0.00 7,000.00 7,000.00 5,000.00 5,000.00" in text
        rows = list(load_workbook(xlsx_path).active.iter_rows(values_only=True))
        assert (books.rent.code, "Rent", 0, 0, 1000, 1000, 0, 0) in rows
        assert (None, "Total", 0, 0, 7000, 7000, 5000, 5000) in rows

"""An accountant enters a journal entry in the browser: lines added by HTMX, totals updated
as they type, saved as a draft, completed (posted), reversed; the PDF opens."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from erp.finance.journal.models import JournalEntry
from tests.browser.conftest import sign_in
from tests.conftest import ADMIN_EMAIL, PASSWORD
from tests.factories.ledger import chart, fiscal_years

pytestmark = pytest.mark.browser


@pytest.fixture
def books(committed_tenant, django_db_blocker):
    with django_db_blocker.unblock(), schema_context(committed_tenant.schema_name):
        accounts = chart()
        year = fiscal_years(1)[0]
    return accounts, year


def _fill_line(page, index: int, *, account, debit: str = "", credit: str = "") -> None:
    page.locator(f"#id_lines-{index}-account").select_option(str(account.pk))
    if debit:
        page.locator(f"#id_lines-{index}-debit").fill(debit)
        page.locator(f"#id_lines-{index}-debit").dispatch_event("change")
    if credit:
        page.locator(f"#id_lines-{index}-credit").fill(credit)
        page.locator(f"#id_lines-{index}-credit").dispatch_event("change")


class TestJournalEntryInTheBrowser:
    def test_create_with_three_lines_complete_and_reverse(self, page, tenant_site, books, committed_tenant):
        accounts, year = books
        sign_in(page, tenant_site, email=ADMIN_EMAIL, password=PASSWORD)
        page.goto(tenant_site.url("/finance/journal-entries/new/"))
        page.locator("#id_accounting_date").fill(year.start_date.replace(month=3, day=31).isoformat())
        page.locator("#id_description").fill("March rent and fees")

        _fill_line(page, 0, account=accounts.rent, debit="1000.00")
        _fill_line(page, 1, account=accounts.bank, credit="1000.00")
        expect(page.locator("#total-difference")).to_have_text("0.00")
        page.locator("#add-line").click()
        expect(page.locator("#id_lines-2-account")).to_be_visible()
        _fill_line(page, 2, account=accounts.expense, debit="25.50")

        expect(page.locator("#total-debit")).to_have_text("1025.50")
        expect(page.locator("#total-difference")).to_have_text("25.50")
        page.locator("#id_lines-1-credit").fill("1025.50")
        page.locator("#id_lines-1-credit").dispatch_event("change")
        expect(page.locator("#total-difference")).to_have_text("0.00")
        page.get_by_role("button", name="Save draft").click()

        expect(page.locator("#document-header")).to_contain_text("Draft")
        expect(page.locator("#entry-lines")).to_contain_text("25.50")
        page.locator("#action-button-complete").click()
        page.locator("#erp-confirm").get_by_role("button", name="Confirm").click()
        expect(page.locator("#document-header")).to_contain_text("Completed")
        with schema_context(committed_tenant.schema_name):
            entry = JournalEntry.objects.get(description="March rent and fees")
        assert entry.posted and entry.number
        expect(page.locator("h1")).to_contain_text(entry.number)

        head = page.evaluate(
            "async (url) => { const response = await fetch(url);"
            " const bytes = new Uint8Array(await response.arrayBuffer());"
            " return [response.headers.get('content-type'), String.fromCharCode(...bytes.slice(0, 5))]; }",
            f"/finance/journal-entries/{entry.pk}/pdf/",
        )
        assert head == ["application/pdf", "%PDF-"]

        page.get_by_role("button", name="Reverse (original date)").click()
        page.locator("#reason-reverse_correct").fill("wrong account")
        page.locator("#action-button-reverse_correct").click()
        page.locator("#erp-confirm").get_by_role("button", name="Confirm").click()

        expect(page.locator("#document-fields")).to_contain_text("Reversal of")
        with schema_context(committed_tenant.schema_name):
            reversal = JournalEntry.objects.get(reversal_of=entry)
            assert JournalEntry.objects.get(pk=entry.pk).status == "reversed"
        expect(page.locator("h1")).to_contain_text(reversal.number)

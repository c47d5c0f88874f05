"""Issue 4 in the browser: an administrator defines an approval workflow and a custom field,
a clerk submits a journal entry, the approver approves it from the queue, and the clerk
sees the notification."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from erp.finance.journal.models import JournalEntry
from tests.browser.conftest import sign_in
from tests.conftest import ADMIN_EMAIL, PASSWORD
from tests.factories.ledger import chart, fiscal_years

pytestmark = pytest.mark.browser

CLERK_EMAIL = "clara.clerk@example.com"
APPROVER_EMAIL = "max.manager@example.com"


@pytest.fixture
def company(committed_tenant, django_db_blocker):
    """Books, a clerk who enters and submits journal entries, and a manager who may approve them."""
    from django.contrib.auth.models import Group

    from erp.accounts.services import user_create
    from erp.core.models import Organization
    from tests.factories.workflow import grant, role

    with django_db_blocker.unblock(), schema_context(committed_tenant.schema_name):
        accounts, year = chart(), fiscal_years(1)[0]
        clerk_role = role(
            "Clerk",
            "finance.view_journalentry",
            "finance.add_journalentry",
            "finance.change_journalentry",
            "finance.submit_journalentry",
            "finance.view_account",
        )
        grant("Manager", "finance.approve_journalentry")
        headquarters = Organization.objects.get(code="HQ")
        user_create(
            email=CLERK_EMAIL, first_name="Clara", password=PASSWORD, roles=[clerk_role], organizations=[headquarters]
        )
        user_create(
            email=APPROVER_EMAIL,
            first_name="Max",
            password=PASSWORD,
            roles=[Group.objects.get(name="Manager")],
            organizations=[headquarters],
        )
    return accounts, year


def _line(page, index: int, *, account, debit: str = "", credit: str = "") -> None:
    page.locator(f"#id_lines-{index}-account").select_option(str(account.pk))
    for field, amount in (("debit", debit), ("credit", credit)):
        if amount:
            page.locator(f"#id_lines-{index}-{field}").fill(amount)
            page.locator(f"#id_lines-{index}-{field}").dispatch_event("change")


class TestApprovalInTheBrowser:
    def test_workflow_and_custom_field_defined_submitted_approved_and_notified(
        self, new_page, tenant_site, company, committed_tenant
    ):
        accounts, year = company

        admin = new_page()
        sign_in(admin, tenant_site, email=ADMIN_EMAIL, password=PASSWORD)
        admin.locator("#erp-sidebar").get_by_role("link", name="Custom fields").click()
        admin.get_by_role("link", name="New custom field").click()
        expect(admin.locator("h1")).to_have_text("New custom field")
        admin.locator("#id_model").select_option("finance.journalentry")
        admin.locator("#id_label").fill("Cost centre")
        admin.locator("#id_code").fill("cost_centre")
        admin.locator("#id_field_type").select_option("text")
        admin.locator("#id_show_in_list").check()
        admin.get_by_role("button", name="Save").click()
        expect(admin.locator("#list-table")).to_contain_text("Cost centre")

        admin.locator("#erp-sidebar").get_by_role("link", name="Approval workflows").click()
        admin.get_by_role("link", name="New workflow").click()
        expect(admin.locator("h1")).to_have_text("New approval workflow")
        admin.locator("#id_name").fill("Journal approvals")
        admin.locator("#id_subject").select_option("finance.journalentry")
        admin.get_by_role("button", name="Save").click()
        expect(admin.locator("h1")).to_contain_text("Journal approvals")
        admin.locator("#add-step").click()
        expect(admin.locator("h1")).to_contain_text("New step")
        admin.locator("#id_name").fill("Manager approval")
        admin.locator("#id_role").select_option(label="Manager")
        admin.locator("#cond-add-row-0").click()
        expect(admin.locator("#id_cond-row-0-field")).to_be_visible()
        admin.locator("#id_cond-row-0-field").select_option("total_gross")
        admin.locator("#id_cond-row-0-op").select_option("gt")
        admin.locator("#id_cond-row-0-value").fill("1000")
        admin.locator("#save-step").click()
        expect(admin.locator("#steps")).to_contain_text("Gross total is greater than / after 1000")

        clerk = new_page()
        sign_in(clerk, tenant_site, email=CLERK_EMAIL, password=PASSWORD)
        clerk.goto(tenant_site.url("/finance/journal-entries/new/"))
        expect(clerk.locator("h1")).to_have_text("New journal entry")
        clerk.locator("#id_accounting_date").fill(year.start_date.replace(month=4, day=30).isoformat())
        clerk.locator("#id_description").fill("April rent")
        clerk.locator("#id_cf_cost_centre").fill("CC-42")
        _line(clerk, 0, account=accounts.rent, debit="1500.00")
        _line(clerk, 1, account=accounts.bank, credit="1500.00")
        clerk.get_by_role("button", name="Save draft").click()
        expect(clerk.locator("#document-fields")).to_contain_text("CC-42")
        clerk.locator("#action-button-submit").click()
        expect(clerk.locator("#document-header")).to_contain_text("awaiting approval")
        with schema_context(committed_tenant.schema_name):
            entry = JournalEntry.objects.get(description="April rent")
        assert entry.status == "in_review" and entry.custom_fields == {"cost_centre": "CC-42"}

        approver = new_page()
        sign_in(approver, tenant_site, email=APPROVER_EMAIL, password=PASSWORD)
        approver.locator("#erp-sidebar").get_by_role("link", name="Approvals").click()
        card = approver.locator(".erp-approval").filter(has_text=entry.number)
        expect(card).to_contain_text("Manager approval")
        expect(card).to_contain_text("1,500.00")
        card.get_by_placeholder("Comment (needed to reject)").fill("Rent as agreed")
        card.get_by_role("button", name="Approve").click()
        expect(approver.locator("#queue-empty")).to_be_visible()

        clerk.reload()
        expect(clerk.locator("#erp-bell-count")).to_have_text("1")
        clerk.locator("#erp-bell").click()
        expect(clerk).to_have_url(re.compile(r"/notifications/$"))
        expect(clerk.locator("#notification-list")).to_contain_text(f"Journal entry {entry.number} was approved")
        clerk.locator("#notification-list").get_by_role("button", name="Open").first.click()
        expect(clerk.locator("#document-header")).to_contain_text("Approved")
        expect(clerk.locator("#document-timeline")).to_contain_text("Manager approval: Approved")
        expect(clerk.locator("#document-timeline")).to_contain_text("Rent as agreed")

"""The workflow inside the generic document screens: rules on saving, the PDF with custom
fields and approvals, notifications of document events."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse
from pypdf import PdfReader

from erp.core.customfields.services import customfield_create
from erp.core.documents import services as documents
from erp.core.models import Notification
from erp.finance.journal.models import JournalEntry
from erp.workflow import selectors, services
from erp.workflow.models import Trigger
from tests.factories.ledger import chart, fiscal_years
from tests.factories.workflow import JOURNAL_ENTRY, above, entry_of, grant, workflow
from tests.functional.core.test_custom_field_screens import entry_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(admin_user):
    return chart(), fiscal_years(1, by=admin_user)


def before_save(*actions, conditions=None):
    return services.rule_create(
        name="On saving",
        subject=JOURNAL_ENTRY,
        trigger=Trigger.BEFORE_SAVE,
        conditions=conditions or {},
        actions=list(actions),
        by=None,
    )


class TestRulesOnSaving:
    def test_a_blocking_rule_keeps_the_form_open_with_its_message(self, admin_client, books, root_organization):
        before_save({"type": "block", "message": "Entries above 50 need a reference."}, conditions=above("50"))

        response = admin_client.post(reverse("finance:journalentry-create"), entry_form(books, root_organization))

        assert response.status_code == 200
        assert "Entries above 50 need a reference." in response.content.decode()
        assert not JournalEntry.objects.exists()

    def test_a_warning_is_shown_and_the_entry_saved(self, admin_client, books, root_organization):
        before_save({"type": "warn", "message": "Remember the receipt."})

        response = admin_client.post(reverse("finance:journalentry-create"), entry_form(books, root_organization))

        assert response.status_code == 302
        assert "Remember the receipt." in [str(message) for message in get_messages(response.wsgi_request)]
        assert JournalEntry.objects.count() == 1

    def test_a_rule_sets_a_field_before_the_entry_is_saved(self, admin_client, books, root_organization):
        customfield_create(model=JOURNAL_ENTRY, code="review", field_type="boolean", label="Review", by=None)
        before_save({"type": "set_field", "field": "custom.review", "value": "yes"}, conditions=above("50"))

        admin_client.post(reverse("finance:journalentry-create"), entry_form(books, root_organization))

        assert JournalEntry.objects.get().custom_fields == {"review": True}


class TestPdf:
    def test_prints_custom_fields_and_the_approvals(self, client_for, user_with_role, books, root_organization):
        accounts, years = books
        grant("Manager", "finance.approve_journalentry")
        manager = user_with_role("Manager")
        clerk = user_with_role("Accountant")
        customfield_create(model=JOURNAL_ENTRY, code="cost_centre", field_type="text", label="Cost centre", by=None)
        workflow({"name": "Manager approval", "role": Group.objects.get(name="Manager")})
        entry = entry_of("800", accounts=accounts, organization=root_organization, on=years[0].start_date, by=clerk)
        entry.custom_fields = {"cost_centre": "CC-9"}
        entry.save()
        entry = documents.document_submit(document=entry, by=clerk)
        assignment = selectors.decidable_assignment(entry, manager)
        services.approval_decide(assignment_id=assignment.pk, by=manager, approve=True, comment="Checked the lease")

        response = client_for(clerk).get(reverse("finance:journalentry-pdf", args=[entry.pk]))

        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        assert "Cost centre" in text and "CC-9" in text
        assert "Approvals" in text and "Manager approval: Approved" in text and "Checked the lease" in text


class TestDocumentEvents:
    def test_the_creator_hears_when_someone_else_completes_their_entry(self, books, root_organization, user_with_role):
        accounts, years = books
        author, colleague = user_with_role("Accountant"), user_with_role("Accountant")
        entry = entry_of("10", accounts=accounts, organization=root_organization, on=years[0].start_date, by=author)

        documents.document_complete(document=entry, by=colleague)

        [notice] = Notification.objects.filter(recipient=author, verb="documents.changed_by_someone_else")
        assert notice.title == f"Journal entry {JournalEntry.objects.get().number} was completed by {colleague}"
        assert not Notification.objects.filter(recipient=colleague).exists()

    def test_nobody_is_told_about_their_own_actions(self, books, root_organization, user_with_role):
        accounts, years = books
        author = user_with_role("Accountant")
        entry = entry_of("10", accounts=accounts, organization=root_organization, on=years[0].start_date, by=author)

        documents.document_complete(document=entry, by=author)

        assert not Notification.objects.exists()

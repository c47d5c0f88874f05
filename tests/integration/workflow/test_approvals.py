"""Approval workflows on journal entries: start on submit, decide step by step, delegate, reject, tiers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from erp.core.documents import services as documents
from erp.core.documents.models import Action, ApprovalStatus, Status
from erp.core.documents.timeline import entries
from erp.core.exceptions import DomainError
from erp.core.models import Notification
from erp.workflow import selectors, services
from erp.workflow.models import ApprovalMode, InstanceStatus, TaskStatus
from tests.factories.workflow import above, grant, role, workflow

pytestmark = pytest.mark.django_db

APPROVE = "finance.approve_journalentry"
CLERK_PERMISSIONS = (
    "finance.view_journalentry",
    "finance.add_journalentry",
    "finance.change_journalentry",
    "finance.submit_journalentry",
    "finance.complete_journalentry",
    "finance.cancel_journalentry",
)


@pytest.fixture
def people(db, user_with_role):
    """A clerk who submits; a manager and a finance approver; a deputy who stands in for the manager."""
    role("Clerk", *CLERK_PERMISSIONS)
    grant("Manager", APPROVE)
    role("Deputy", APPROVE, "finance.view_journalentry")
    return {
        "clerk": user_with_role("Clerk", email="clerk@testco.example.com"),
        "manager": user_with_role("Manager", email="manager@testco.example.com"),
        "finance": user_with_role("Accountant", email="finance@testco.example.com"),
        "deputy": user_with_role("Deputy", email="deputy@testco.example.com"),
    }


@pytest.fixture
def entry_author(people):
    return people["clerk"]


def _queue(user):
    return list(selectors.approval_queue(user=user))


def _decide(user, document, *, approve=True, comment=""):
    assignment = selectors.decidable_assignment(document, user)
    assert assignment is not None, f"{user} has nothing to decide on {document}"
    services.approval_decide(assignment_id=assignment.pk, by=user, approve=approve, comment=comment)
    document.refresh_from_db()
    return document


class TestTwoStepApproval:
    """Manager, then finance; one rejection; one delegation."""

    @pytest.fixture
    def two_steps(self, people):
        from django.contrib.auth.models import Group

        return workflow(
            {"name": "Manager approval", "role": Group.objects.get(name="Manager")},
            {"name": "Finance approval", "role": Group.objects.get(name="Accountant")},
        )

    def test_manager_rejects_then_deputy_and_finance_approve(
        self, two_steps, people, make_entry, django_capture_on_commit_callbacks
    ):
        clerk, manager, finance, deputy = people["clerk"], people["manager"], people["finance"], people["deputy"]
        entry = make_entry("1200")

        with django_capture_on_commit_callbacks(execute=True):
            entry = documents.document_submit(document=entry, by=clerk)

        assert entry.status == Status.IN_REVIEW and entry.approval_status == ApprovalStatus.PENDING
        assert [a.task.name for a in _queue(manager)] == ["Manager approval"]
        assert _queue(finance) == [] and _queue(deputy) == []
        assert Notification.objects.filter(recipient=manager, verb="workflow.approval_requested").count() == 1
        assert [message.to for message in mail.outbox] == [["manager@testco.example.com"]]

        with django_capture_on_commit_callbacks(execute=True):
            entry = _decide(manager, entry, approve=False, comment="Wrong cost centre")

        assert entry.status == Status.DRAFT and entry.approval_status == ApprovalStatus.REJECTED
        assert entry.status_reason == "Wrong cost centre"
        assert selectors.instances_of(entry).get().status == InstanceStatus.REJECTED
        rejected = Notification.objects.get(recipient=clerk, verb="workflow.document_rejected")
        assert "Wrong cost centre" in rejected.body
        assert _queue(manager) == []

        services.delegation_create(
            user=manager,
            delegate=deputy,
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + timedelta(days=7),
            by=manager,
        )
        entry = documents.document_submit(document=entry, by=clerk)

        assert [a.assignee for a in _queue(deputy)] == [manager]
        assert Notification.objects.filter(recipient=deputy, verb="workflow.approval_requested").count() == 1

        entry = _decide(deputy, entry, comment="For the manager")

        assert entry.status == Status.IN_REVIEW
        assert [a.task.name for a in _queue(finance)] == ["Finance approval"]
        assert _queue(deputy) == [] and _queue(manager) == []

        entry = _decide(finance, entry, comment="Booked")

        assert entry.status == Status.APPROVED and entry.approval_status == ApprovalStatus.APPROVED
        instance = selectors.instances_of(entry).last()
        assert instance.status == InstanceStatus.APPROVED
        decided = [(a.task.name, a.assignee, a.decided_by) for t in instance.tasks.all() for a in t.assignments.all()]
        assert decided == [("Manager approval", manager, deputy), ("Finance approval", finance, finance)]
        assert Notification.objects.filter(recipient=clerk, verb="workflow.document_approved").count() == 1
        texts = [(entry.kind, entry.who, entry.text) for entry in entries(entry) if entry.kind == "approval"]
        assert ("approval", f"{deputy} for {manager}", "Manager approval: Approved") in texts
        assert ("approval", str(manager), "Manager approval: Rejected") in texts

    def test_a_delegation_that_is_over_gives_the_deputy_nothing(self, two_steps, people, make_entry):
        manager, deputy = people["manager"], people["deputy"]
        services.delegation_create(
            user=manager,
            delegate=deputy,
            starts_on=timezone.localdate() - timedelta(days=10),
            ends_on=timezone.localdate() - timedelta(days=1),
            by=manager,
        )

        documents.document_submit(document=make_entry("100"), by=people["clerk"])

        assert _queue(deputy) == []
        assert len(_queue(manager)) == 1

    def test_the_generic_approve_button_decides_the_current_step_only(self, two_steps, people, make_entry):
        manager, finance = people["manager"], people["finance"]
        entry = documents.document_submit(document=make_entry("100"), by=people["clerk"])

        assert Action.APPROVE not in documents.available_actions(entry, finance)
        assert Action.APPROVE in documents.available_actions(entry, manager)
        with pytest.raises(DomainError, match="not an approver"):
            documents.perform(document=entry, action=Action.APPROVE, by=finance)

        documents.perform(document=entry, action=Action.APPROVE, by=manager, reason="ok")

        entry.refresh_from_db()
        assert entry.status == Status.IN_REVIEW
        assert Action.APPROVE in documents.available_actions(entry, finance)

    def test_approving_directly_cannot_skip_the_workflow(self, two_steps, people, make_entry):
        entry = documents.document_submit(document=make_entry("100"), by=people["clerk"])

        with pytest.raises(DomainError, match="waits for its approval workflow"):
            documents.document_approve(document=entry, by=people["finance"])

        entry.refresh_from_db()
        assert entry.status == Status.IN_REVIEW

    def test_the_submitter_never_approves_their_own_document(self, people, make_entry, root_organization):
        from django.contrib.auth.models import Group

        grant("Clerk", APPROVE)
        workflow({"name": "Clerk approval", "role": Group.objects.get(name="Clerk")})

        with pytest.raises(DomainError, match="Nobody can approve"):
            documents.document_submit(document=make_entry("100"), by=people["clerk"])

    def test_cancelling_the_document_ends_its_approval(self, two_steps, people, make_entry):
        entry = documents.document_submit(document=make_entry("100"), by=people["clerk"])

        documents.document_cancel(document=entry, by=people["clerk"], reason="Duplicate")

        instance = selectors.instances_of(entry).get()
        assert instance.status == InstanceStatus.CANCELLED
        assert set(instance.tasks.values_list("status", flat=True)) == {TaskStatus.CANCELLED}
        assert _queue(people["manager"]) == []

    def test_a_decision_cannot_be_given_twice(self, two_steps, people, make_entry):
        entry = documents.document_submit(document=make_entry("100"), by=people["clerk"])
        assignment = selectors.decidable_assignment(entry, people["manager"])
        services.approval_decide(assignment_id=assignment.pk, by=people["manager"], approve=True)

        with pytest.raises(DomainError, match="already been decided"):
            services.approval_decide(assignment_id=assignment.pk, by=people["manager"], approve=True)

    def test_a_rejection_needs_a_reason(self, two_steps, people, make_entry):
        entry = documents.document_submit(document=make_entry("100"), by=people["clerk"])

        with pytest.raises(DomainError, match="reason"):
            _decide(people["manager"], entry, approve=False, comment="  ")


class TestTieredApproval:
    @pytest.fixture
    def tiers(self, people):
        from django.contrib.auth.models import Group

        return workflow(
            {"name": "Above 10,000", "role": Group.objects.get(name="Manager"), "condition": above("10000")},
            {"name": "Above 20,000", "role": Group.objects.get(name="Accountant"), "condition": above("20000")},
        )

    def test_a_21000_entry_stays_in_review_until_both_tiers_approved(self, tiers, people, make_entry):
        entry = documents.document_submit(document=make_entry("21000"), by=people["clerk"])

        entry = _decide(people["manager"], entry)

        assert entry.status == Status.IN_REVIEW
        assert selectors.decidable_assignment(entry, people["manager"]) is None

        entry = _decide(people["finance"], entry)

        assert entry.status == Status.APPROVED

    def test_a_15000_entry_needs_the_first_tier_only(self, tiers, people, make_entry):
        entry = documents.document_submit(document=make_entry("15000"), by=people["clerk"])

        assert [task.name for task in selectors.instances_of(entry).get().tasks.all()] == ["Above 10,000"]
        assert _decide(people["manager"], entry).status == Status.APPROVED

    def test_a_small_entry_is_approved_at_once(self, tiers, people, make_entry):
        entry = documents.document_submit(document=make_entry("5000"), by=people["clerk"])

        assert entry.status == Status.APPROVED and entry.approval_status == ApprovalStatus.NOT_REQUIRED
        assert not selectors.instances_of(entry).exists()

    def test_completing_a_large_draft_submits_it_and_waits(self, tiers, people, make_entry):
        entry = documents.document_complete(document=make_entry("25000"), by=people["clerk"])

        assert entry.status == Status.IN_REVIEW


class TestEveryApproverMode:
    def test_all_members_of_the_role_must_approve(self, people, make_entry, user_with_role):
        from django.contrib.auth.models import Group

        second = user_with_role("Manager")
        workflow({"name": "Both managers", "role": Group.objects.get(name="Manager"), "mode": ApprovalMode.ALL})
        entry = documents.document_submit(document=make_entry("100"), by=people["clerk"])

        entry = _decide(people["manager"], entry)
        assert entry.status == Status.IN_REVIEW

        entry = _decide(second, entry)
        assert entry.status == Status.APPROVED


class TestOrganizations:
    def test_approvers_without_access_to_the_organization_are_not_asked(
        self, people, make_entry, user_with_role, root_organization
    ):
        from tests.factories.core import OrganizationFactory

        regional = role("Regional approver", APPROVE, "finance.view_journalentry")
        here = user_with_role("Regional approver", organizations=[root_organization])
        elsewhere = user_with_role("Regional approver", organizations=[OrganizationFactory()])
        workflow({"name": "Regional approval", "role": regional})

        entry = documents.document_submit(document=make_entry("100"), by=people["clerk"])

        assignees = {a.assignee for a in selectors.instances_of(entry).get().tasks.get().assignments.all()}
        assert assignees == {here}
        assert _queue(elsewhere) == []
        assert len(_queue(here)) == 1

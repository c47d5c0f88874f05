"""The approver's queue and the delegation screens, through HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from erp.core.documents import services as documents
from erp.core.documents.models import Status
from erp.core.models import Notification
from erp.workflow import selectors, services
from erp.workflow.models import Delegation
from tests.factories.ledger import chart, fiscal_years
from tests.factories.workflow import entry_of, grant, role, workflow

pytestmark = pytest.mark.django_db

APPROVE = "finance.approve_journalentry"


@pytest.fixture
def people(user_with_role):
    role(
        "Clerk",
        "finance.view_journalentry",
        "finance.add_journalentry",
        "finance.submit_journalentry",
        "finance.change_journalentry",
    )
    grant("Manager", APPROVE)
    return {
        "clerk": user_with_role("Clerk"),
        "manager": user_with_role("Manager"),
        "finance": user_with_role("Accountant"),
    }


@pytest.fixture
def submitted(people, root_organization, admin_user):
    from django.contrib.auth.models import Group

    workflow(
        {"name": "Manager approval", "role": Group.objects.get(name="Manager")},
        {"name": "Finance approval", "role": Group.objects.get(name="Accountant")},
    )
    accounts, years = chart(), fiscal_years(1, by=admin_user)

    def submit(amount="1200"):
        entry = entry_of(
            amount, accounts=accounts, organization=root_organization, on=years[0].start_date, by=people["clerk"]
        )
        return documents.document_submit(document=entry, by=people["clerk"])

    return submit


class TestQueue:
    def test_shows_what_waits_for_me(self, client_for, people, submitted, django_assert_max_num_queries):
        entries = [submitted(str(amount)) for amount in (100, 200, 300)]
        client = client_for(people["manager"])

        with django_assert_max_num_queries(15):
            response = client.get(reverse("workflow:approval-queue"))

        content = response.content.decode()
        assert response.status_code == 200
        assert [a.task.workflow_instance.object_id for a in response.context["assignments"]] == [e.pk for e in entries]
        assert entries[0].number in content and "Manager approval" in content

    def test_is_empty_for_someone_who_approves_nothing(self, client_for, people, submitted):
        submitted()

        response = client_for(people["finance"]).get(reverse("workflow:approval-queue"))

        assert "Nothing waits for your approval." in response.content.decode()

    def test_approving_from_the_queue_moves_the_document_to_the_next_step(self, client_for, people, submitted):
        entry = submitted()
        [assignment] = selectors.approval_queue(user=people["manager"])

        response = client_for(people["manager"]).post(
            reverse("workflow:approval-decide", args=[assignment.pk]),
            {"decision": "approve", "comment": "fine"},
            HTTP_HX_REQUEST="true",
        )

        content = response.content.decode()
        assert response.status_code == 200 and content.lstrip().startswith('<div id="approval-queue"')
        assert "Nothing waits for your approval." in content
        assert "You approved" in response["HX-Trigger"]
        assert len(selectors.approval_queue(user=people["finance"])) == 1
        entry.refresh_from_db()
        assert entry.status == Status.IN_REVIEW

    def test_rejecting_needs_a_comment_and_sends_the_document_back(self, client_for, people, submitted):
        entry = submitted()
        [assignment] = selectors.approval_queue(user=people["manager"])
        client = client_for(people["manager"])
        url = reverse("workflow:approval-decide", args=[assignment.pk])

        refused = client.post(url, {"decision": "reject", "comment": ""}, HTTP_HX_REQUEST="true")
        done = client.post(url, {"decision": "reject", "comment": "Wrong account"})

        assert "Please give a reason for the rejection." in refused.content.decode()
        assert done.status_code == 302
        entry.refresh_from_db()
        assert (entry.status, entry.status_reason) == (Status.DRAFT, "Wrong account")
        assert Notification.objects.filter(recipient=people["clerk"], verb="workflow.document_rejected").exists()

    def test_someone_elses_approval_is_not_found(self, client_for, people, submitted):
        submitted()
        [assignment] = selectors.approval_queue(user=people["manager"])

        response = client_for(people["finance"]).post(
            reverse("workflow:approval-decide", args=[assignment.pk]), {"decision": "approve"}
        )

        assert response.status_code == 404
        assert selectors.approval_queue(user=people["manager"]).count() == 1

    def test_another_tenants_approval_is_not_found(self, other_admin_client, people, submitted):
        submitted()
        [assignment] = selectors.approval_queue(user=people["manager"])

        response = other_admin_client.post(
            reverse("workflow:approval-decide", args=[assignment.pk]), {"decision": "approve"}
        )

        assert response.status_code == 404

    def test_the_document_page_offers_approve_to_the_current_approver_only(self, client_for, people, submitted):
        entry = submitted()

        manager = client_for(people["manager"]).get(entry.get_absolute_url())
        finance = client_for(people["finance"]).get(entry.get_absolute_url())

        assert 'id="action-button-approve"' in manager.content.decode()
        assert 'id="action-button-approve"' not in finance.content.decode()
        assert "Manager approval: waiting for Manager" in manager.content.decode()


class TestDelegations:
    def test_an_approver_delegates_while_away_and_the_delegate_decides(
        self, client_for, people, submitted, user_with_role
    ):
        deputy = user_with_role("Manager")
        manager = client_for(people["manager"])
        today = timezone.localdate()
        submitted()

        created = manager.post(
            reverse("workflow:delegation-create"),
            {"delegate": str(deputy.pk), "starts_on": str(today), "ends_on": str(today + timedelta(days=3))},
        )
        listed = manager.get(reverse("workflow:delegation-list"))

        delegation = Delegation.objects.get()
        assert created.status_code == 302
        assert (delegation.user, delegation.delegate) == (people["manager"], deputy)
        assert str(deputy) in listed.content.decode()
        queue = client_for(deputy).get(reverse("workflow:approval-queue"))
        assert f"for {people['manager']}" in queue.content.decode()

    def test_a_user_can_only_delegate_their_own_approvals(self, client_for, people, user_with_role):
        other = user_with_role("Manager")
        today = timezone.localdate()

        client_for(people["clerk"]).post(
            reverse("workflow:delegation-create"),
            {
                "user": str(other.pk),
                "delegate": str(people["finance"].pk),
                "starts_on": str(today),
                "ends_on": str(today),
            },
        )

        assert Delegation.objects.get().user == people["clerk"]

    def test_an_end_before_the_start_is_refused(self, client_for, people):
        today = timezone.localdate()

        response = client_for(people["manager"]).post(
            reverse("workflow:delegation-create"),
            {"delegate": str(people["finance"].pk), "starts_on": str(today), "ends_on": str(today - timedelta(days=1))},
        )

        assert "The end date must not be before the start date." in response.content.decode()
        assert not Delegation.objects.exists()

    def test_ends_a_delegation_but_not_someone_elses(self, client_for, people):
        today = timezone.localdate()
        delegation = services.delegation_create(
            user=people["manager"], delegate=people["finance"], starts_on=today, ends_on=today, by=people["manager"]
        )

        refused = client_for(people["clerk"]).post(reverse("workflow:delegation-delete", args=[delegation.pk]))
        ended = client_for(people["manager"]).post(reverse("workflow:delegation-delete", args=[delegation.pk]))

        assert refused.status_code == 404
        assert ended.status_code == 302
        assert not Delegation.objects.filter(pk=delegation.pk).exists()

    def test_lists_only_my_delegations_in_a_few_queries(
        self, client_for, people, user_with_role, django_assert_max_num_queries
    ):
        today = timezone.localdate()
        for _number in range(3):
            services.delegation_create(
                user=user_with_role("Manager"), delegate=people["finance"], starts_on=today, ends_on=today, by=None
            )
        mine = services.delegation_create(
            user=people["manager"], delegate=people["clerk"], starts_on=today, ends_on=today, by=None
        )
        client = client_for(people["manager"])

        with django_assert_max_num_queries(15):
            response = client.get(reverse("workflow:delegation-list"))

        assert [row.record for row in response.context["table"].rows] == [mine]

    def test_another_tenants_delegation_is_not_found(self, other_admin_client, people):
        today = timezone.localdate()
        delegation = services.delegation_create(
            user=people["manager"], delegate=people["finance"], starts_on=today, ends_on=today, by=None
        )

        assert other_admin_client.post(reverse("workflow:delegation-delete", args=[delegation.pk])).status_code == 404

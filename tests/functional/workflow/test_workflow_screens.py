"""The approval workflow screens: list, create, read, edit, and their steps."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_tenants.utils import schema_context

from erp.workflow.models import ApprovalMode, WorkflowDefinition, WorkflowStep
from tests.conftest import TEST_SCHEMA
from tests.factories.workflow import JOURNAL_ENTRY, above, workflow
from tests.functional.workflow.test_rule_screens import formset

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger(client_for, user_with_role):
    return client_for(user_with_role("Sales"))


@pytest.fixture
def manager_role():
    return Group.objects.get(name="Manager")


def step_form(*, rows=None, **fields) -> dict:
    data = {"name": "Manager approval", "position": "1", "role": "", "user": "", "mode": ApprovalMode.ANY}
    data.update(fields)
    data["cond-top-match"] = "all"
    data.update(formset("cond-group", [{"match": "all"}]))
    data.update(formset("cond-row", rows or []))
    return data


class TestDefinitionScreens:
    def test_lists_workflows_with_their_step_count(self, admin_client, manager_role, django_assert_max_num_queries):
        workflow({"name": "One", "role": manager_role}, {"name": "Two", "role": manager_role})

        with django_assert_max_num_queries(15):
            response = admin_client.get(reverse("workflow:definition-list"))

        [row] = response.context["table"].rows
        assert (row.record.name, row.record.step_count) == ("Journal approvals", 2)

    def test_creates_a_workflow_for_a_document_type(self, admin_client):
        data = {"name": "Journal approvals", "subject": JOURNAL_ENTRY, "is_active": "on", "description": ""}

        response = admin_client.post(reverse("workflow:definition-create"), data)

        definition = WorkflowDefinition.objects.get()
        assert response["Location"] == definition.get_absolute_url()
        assert (definition.subject, definition.is_active) == (JOURNAL_ENTRY, True)

    def test_refuses_a_second_active_workflow_for_the_same_document_type(self, admin_client, manager_role):
        workflow({"name": "One", "role": manager_role})
        data = {"name": "Another", "subject": JOURNAL_ENTRY, "is_active": "on", "description": ""}

        response = admin_client.post(reverse("workflow:definition-create"), data)

        assert "is already the active workflow of this document type" in response.content.decode()
        assert WorkflowDefinition.objects.count() == 1

    def test_master_data_cannot_have_an_approval_workflow(self, admin_client):
        data = {"name": "Partners", "subject": "partners.partner", "is_active": "on", "description": ""}

        response = admin_client.post(reverse("workflow:definition-create"), data)

        assert "Select a valid choice" in response.content.decode()

    def test_shows_the_steps_with_their_conditions(self, admin_client, manager_role, django_assert_max_num_queries):
        definition = workflow(
            {"name": "Above 10,000", "role": manager_role, "condition": above("10000")},
            {"name": "Everything", "role": manager_role, "mode": ApprovalMode.ALL},
        )

        with django_assert_max_num_queries(25):
            response = admin_client.get(definition.get_absolute_url())

        content = response.content.decode()
        assert "Gross total is greater than / after 10000" in content
        assert "Every approver" in content and "Manager" in content

    def test_edits_name_and_activation(self, admin_client, manager_role):
        definition = workflow({"name": "One", "role": manager_role})
        data = {"name": "Renamed", "is_active": "", "description": "x", "version": str(definition.version)}

        admin_client.post(reverse("workflow:definition-update", args=[definition.pk]), data)

        definition.refresh_from_db()
        assert (definition.name, definition.is_active, definition.subject) == ("Renamed", False, JOURNAL_ENTRY)

    def test_refuses_a_user_without_the_permission(self, stranger, manager_role):
        definition = workflow({"name": "One", "role": manager_role})

        for url in (
            reverse("workflow:definition-list"),
            reverse("workflow:definition-create"),
            definition.get_absolute_url(),
            reverse("workflow:definition-update", args=[definition.pk]),
            reverse("workflow:step-create", args=[definition.pk]),
        ):
            assert stranger.get(url).status_code == 403, url

    def test_another_tenants_workflow_is_not_found(self, other_admin_client, manager_role):
        definition = workflow({"name": "One", "role": manager_role})
        step = definition.steps.get()

        assert other_admin_client.get(definition.get_absolute_url()).status_code == 404
        assert other_admin_client.get(reverse("workflow:definition-update", args=[definition.pk])).status_code == 404
        assert other_admin_client.get(reverse("workflow:step-update", args=[definition.pk, step.pk])).status_code == 404
        deleted = other_admin_client.post(reverse("workflow:step-delete", args=[definition.pk, step.pk]))
        assert deleted.status_code == 404
        with schema_context(TEST_SCHEMA):
            assert WorkflowStep.objects.filter(pk=step.pk).exists()


class TestStepScreens:
    @pytest.fixture
    def definition(self):
        return workflow()

    def test_adds_a_step_with_a_condition(self, admin_client, definition, manager_role):
        data = step_form(
            role=str(manager_role.pk),
            rows=[{"group": "0", "field": "total_gross", "op": "gt", "value": "10000"}],
        )

        response = admin_client.post(reverse("workflow:step-create", args=[definition.pk]), data)

        step = definition.steps.get()
        assert response["Location"] == definition.get_absolute_url()
        assert (step.role, step.user, step.condition) == (manager_role, None, {"all": [above("10000")]})

    def test_a_step_needs_a_role_or_a_user_but_not_both(self, admin_client, definition, manager_role, admin_user):
        url = reverse("workflow:step-create", args=[definition.pk])

        neither = admin_client.post(url, step_form())
        both = admin_client.post(url, step_form(role=str(manager_role.pk), user=str(admin_user.pk)))

        assert "Choose either a role or a user as approver." in neither.content.decode()
        assert "Choose either a role or a user as approver." in both.content.decode()
        assert not definition.steps.exists()

    def test_a_condition_on_an_unknown_field_is_refused(self, admin_client, definition, manager_role):
        data = step_form(role=str(manager_role.pk), rows=[{"group": "0", "field": "amount", "op": "gt", "value": "1"}])

        response = admin_client.post(reverse("workflow:step-create", args=[definition.pk]), data)

        assert "amount is not one of the available choices" in response.content.decode()
        assert not definition.steps.exists()

    def test_edits_and_removes_a_step(self, admin_client, manager_role, admin_user):
        definition = workflow({"name": "Manager", "role": manager_role, "condition": above("1")})
        step = definition.steps.get()

        shown = admin_client.get(reverse("workflow:step-update", args=[definition.pk, step.pk]))
        admin_client.post(
            reverse("workflow:step-update", args=[definition.pk, step.pk]),
            step_form(name="The boss", user=str(admin_user.pk)),
        )
        step.refresh_from_db()
        removed = admin_client.post(reverse("workflow:step-delete", args=[definition.pk, step.pk]))

        assert 'value="1"' in shown.content.decode()
        assert (step.name, step.user, step.role, step.condition) == ("The boss", admin_user, None, {})
        assert removed.status_code == 302 and not definition.steps.exists()
        assert definition.history.count() >= 3

from django.urls import reverse

from tests.factories.core import BusinessEventFactory, OrganizationFactory


class TestActivityList:
    def test_lists_events_of_the_users_organizations(self, client_for, user_with_role, root_organization):
        branch = OrganizationFactory(code="B1", name="Branch 1", parent=root_organization)
        elsewhere = OrganizationFactory(code="ELSE", name="Elsewhere")
        BusinessEventFactory(verb="core.visible.event", organization=branch)
        BusinessEventFactory(verb="core.invisible.event", organization=elsewhere)
        user = user_with_role("Accountant", organizations=[branch])

        response = client_for(user).get(reverse("core:event-list"))

        assert response.status_code == 200
        content = response.content.decode()
        assert "core.visible.event" in content
        assert "core.invisible.event" not in content

    def test_filters_by_text(self, admin_client):
        BusinessEventFactory(verb="core.alpha.event")
        BusinessEventFactory(verb="core.beta.event")

        response = admin_client.get(reverse("core:event-list"), {"q": "alpha"})

        content = response.content.decode()
        assert "core.alpha.event" in content
        assert "core.beta.event" not in content

    def test_ignores_an_invalid_date_instead_of_failing(self, admin_client):
        response = admin_client.get(reverse("core:event-list"), {"occurred_after": "not-a-date"})

        assert response.status_code == 200

    def test_refuses_a_role_without_the_permission(self, client_for, user_with_role):
        response = client_for(user_with_role("Sales")).get(reverse("core:event-list"))

        assert response.status_code == 403

    def test_returns_only_the_table_to_htmx(self, admin_client):
        BusinessEventFactory(verb="core.alpha.event")

        response = admin_client.get(reverse("core:event-list"), HTTP_HX_REQUEST="true")

        content = response.content.decode()
        assert content.lstrip().startswith('<div id="list-table"')
        assert "<html" not in content
        assert "core.alpha.event" in content

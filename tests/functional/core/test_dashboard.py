from django.urls import reverse

from erp.core import events
from tests.factories.core import OrganizationFactory


class TestDashboard:
    def test_shows_the_organizations_the_user_works_in(self, client_for, user_with_role, root_organization):
        branch = OrganizationFactory(code="NORTH", name="Branch North", parent=root_organization)
        hidden = OrganizationFactory(code="HIDDEN", name="Hidden Unit")
        user = user_with_role("Sales", organizations=[branch])

        response = client_for(user).get(reverse("core:dashboard"))

        assert response.status_code == 200
        names = [o.name for o in response.context["organizations"]]
        assert names == ["Branch North"]
        assert hidden.name not in response.content.decode()

    def test_shows_recent_activity_of_the_event_log(self, admin_client, admin_user, root_organization):
        events.record(verb="core.organization.renamed", target=root_organization, actor=admin_user)

        response = admin_client.get(reverse("core:dashboard"))

        assert "core.organization.renamed" in response.content.decode()

    def test_shows_a_user_without_event_permission_only_their_own_activity(
        self, client_for, user_with_role, admin_user, root_organization
    ):
        user = user_with_role("Sales")
        events.record(verb="core.someone.else", target=root_organization, actor=admin_user)
        events.record(verb="core.mine", target=root_organization, actor=user)

        response = client_for(user).get(reverse("core:dashboard"))

        verbs = [event.verb for event in response.context["events"]]
        assert verbs == ["core.mine"]

    def test_greets_a_user_without_organizations_with_a_hint(self, client_for, user_with_role):
        user = user_with_role("Sales", organizations=[])

        response = client_for(user).get(reverse("core:dashboard"))

        assert response.status_code == 200
        assert "not been given access to any organization" in response.content.decode()

    def test_sends_anonymous_visitors_to_the_login_page(self, tenant_client):
        response = tenant_client.get(reverse("core:dashboard"))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

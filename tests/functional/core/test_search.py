from django.urls import reverse

from tests.factories.core import OrganizationFactory


class TestGlobalSearch:
    def test_finds_organizations_and_users_for_an_administrator(self, admin_client, user_with_role):
        OrganizationFactory(code="ZEBRA", name="Zebra Logistics")
        user_with_role("Sales", email="zebra.fan@testco.example.com")

        response = admin_client.get(reverse("core:search"), {"q": "zebra"})

        assert response.status_code == 200
        labels = [str(group["label"]) for group in response.context["groups"]]
        assert labels == ["Organizations", "Users"]
        content = response.content.decode()
        assert "Zebra Logistics" in content
        assert "zebra.fan@testco.example.com" in content

    def test_shows_only_what_the_users_role_and_organizations_allow(
        self, client_for, user_with_role, root_organization
    ):
        mine = OrganizationFactory(code="ZMINE", name="Zebra Mine", parent=root_organization)
        OrganizationFactory(code="ZOTHER", name="Zebra Elsewhere")
        user_with_role("Sales", email="zebra.colleague@testco.example.com")
        user = user_with_role("Sales", organizations=[mine])

        response = client_for(user).get(reverse("core:search"), {"q": "zebra"})

        groups = response.context["groups"]
        assert [str(g["label"]) for g in groups] == ["Organizations"]
        assert [hit.title for hit in groups[0]["hits"]] == ["Zebra Mine"]

    def test_asks_for_at_least_two_characters(self, admin_client):
        response = admin_client.get(reverse("core:search"), {"q": "z"})

        assert response.context["too_short"] is True
        assert response.context["groups"] == []

    def test_says_when_nothing_matches(self, admin_client):
        response = admin_client.get(reverse("core:search"), {"q": "no-such-thing"})

        assert "Nothing found." in response.content.decode()

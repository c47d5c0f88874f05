from datetime import UTC, datetime

from django.urls import reverse


def _profile(user, **changes) -> dict:
    data = {"first_name": user.first_name, "last_name": user.last_name, "language": "en", "time_zone": "UTC"}
    data.update(changes)
    return data


class TestProfile:
    def test_shows_the_users_email_and_roles(self, client_for, user_with_role):
        user = user_with_role("Sales")

        response = client_for(user).get(reverse("accounts:profile"))

        assert response.status_code == 200
        content = response.content.decode()
        assert user.email in content
        assert response.context["roles"] == ["Sales"]

    def test_saves_language_and_time_zone(self, admin_client, admin_user):
        response = admin_client.post(
            reverse("accounts:profile"), _profile(admin_user, language="de", time_zone="Europe/Berlin")
        )

        assert response.status_code == 302
        admin_user.refresh_from_db()
        assert (admin_user.language, admin_user.time_zone) == ("de", "Europe/Berlin")

    def test_renders_the_next_page_in_the_chosen_language(self, admin_client, admin_user):
        admin_client.post(reverse("accounts:profile"), _profile(admin_user, language="de"))

        response = admin_client.get(reverse("core:dashboard"))

        content = response.content.decode()
        assert response["Content-Language"] == "de"
        assert '<html lang="de"' in content
        assert "Ihre Organisationen" in content

    def test_another_user_keeps_their_own_language(self, admin_client, admin_user, client_for, user_with_role):
        admin_client.post(reverse("accounts:profile"), _profile(admin_user, language="de"))

        response = client_for(user_with_role("Sales")).get(reverse("core:dashboard"))

        assert response["Content-Language"] == "en"
        assert "Your organizations" in response.content.decode()

    def test_shows_times_in_the_chosen_time_zone(self, admin_client, admin_user):
        admin_user.date_joined = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
        admin_user.save()
        admin_client.post(reverse("accounts:profile"), _profile(admin_user, time_zone="Asia/Tokyo"))

        response = admin_client.get(reverse("accounts:user-detail", args=[admin_user.pk]))

        content = response.content.decode()
        assert "Jan. 1, 2024, 9 p.m." in content
        assert "Jan. 1, 2024, noon" not in content

    def test_refuses_an_unknown_time_zone(self, admin_client, admin_user):
        response = admin_client.post(reverse("accounts:profile"), _profile(admin_user, time_zone="Mars/Olympus"))

        assert response.status_code == 200
        assert "time_zone" in response.context["form"].errors
        admin_user.refresh_from_db()
        assert admin_user.time_zone == "UTC"

    def test_returns_the_form_partial_to_an_invalid_htmx_post(self, admin_client, admin_user):
        response = admin_client.post(
            reverse("accounts:profile"), _profile(admin_user, time_zone="Mars/Olympus"), HTTP_HX_REQUEST="true"
        )

        content = response.content.decode()
        assert response.status_code == 200
        assert content.lstrip().startswith("<form")
        assert "Mars/Olympus" in content

    def test_answers_a_valid_htmx_post_with_hx_redirect(self, admin_client, admin_user):
        response = admin_client.post(reverse("accounts:profile"), _profile(admin_user), HTTP_HX_REQUEST="true")

        assert response["HX-Redirect"] == reverse("accounts:profile")

    def test_cannot_change_the_email_or_roles(self, admin_client, admin_user):
        admin_client.post(
            reverse("accounts:profile"),
            {**_profile(admin_user), "email": "new@example.com", "is_superuser": "on", "groups": "1"},
        )

        admin_user.refresh_from_db()
        assert admin_user.email == "admin@testco.example.com"
        assert admin_user.is_superuser is False

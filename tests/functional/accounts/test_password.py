import re

from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from tests.conftest import ADMIN_EMAIL, PASSWORD, TEST_DOMAIN

NEW_PASSWORD = "a-much-longer-secret-42"


class TestPasswordChange:
    def test_changes_the_password_and_keeps_the_user_signed_in(self, admin_client, admin_user):
        response = admin_client.post(
            reverse("accounts:password-change"),
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )

        assert response.status_code == 302
        admin_user.refresh_from_db()
        assert admin_user.check_password(NEW_PASSWORD)
        assert admin_client.get(reverse("core:dashboard")).status_code == 200

    def test_refuses_a_wrong_old_password(self, admin_client, admin_user):
        response = admin_client.post(
            reverse("accounts:password-change"),
            {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )

        assert response.status_code == 200
        assert "old_password" in response.context["form"].errors
        admin_user.refresh_from_db()
        assert admin_user.check_password(PASSWORD)

    def test_refuses_a_weak_new_password(self, admin_client):
        response = admin_client.post(
            reverse("accounts:password-change"),
            {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
        )

        assert "new_password2" in response.context["form"].errors


def _link_from(message) -> str:
    return re.search(rf"http://{re.escape(TEST_DOMAIN)}(/\S+)", message.body).group(1)


class TestPasswordReset:
    def test_sends_a_link_and_lets_the_user_choose_a_new_password(self, tenant_client, admin_user):
        response = tenant_client.post(reverse("accounts:password-reset"), {"email": ADMIN_EMAIL})
        assert response["Location"] == reverse("accounts:password-reset-done")
        assert [m.to for m in mail.outbox] == [[ADMIN_EMAIL]]
        link = _link_from(mail.outbox[0])

        form_page = tenant_client.get(link, follow=True)
        set_url = form_page.redirect_chain[-1][0]
        done = tenant_client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

        assert form_page.context["validlink"] is True
        assert done["Location"] == reverse("accounts:password-reset-complete")
        admin_user.refresh_from_db()
        assert admin_user.check_password(NEW_PASSWORD)
        login = tenant_client.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": NEW_PASSWORD})
        assert login.status_code == 302

    def test_the_link_works_only_once(self, tenant_client):
        tenant_client.post(reverse("accounts:password-reset"), {"email": ADMIN_EMAIL})
        link = _link_from(mail.outbox[0])
        set_url = tenant_client.get(link, follow=True).redirect_chain[-1][0]
        tenant_client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

        again = tenant_client.get(link, follow=True)

        assert again.context["validlink"] is False
        assert "This link is invalid or has already been used." in again.content.decode()

    def test_does_not_reveal_whether_an_address_exists(self, tenant_client):
        response = tenant_client.post(reverse("accounts:password-reset"), {"email": "nobody@example.com"})

        assert response["Location"] == reverse("accounts:password-reset-done")
        assert mail.outbox == []

    def test_sends_nothing_for_an_address_of_another_tenant(self, tenant_client, other_tenant):
        from tests.conftest import OTHER_ADMIN_EMAIL

        tenant_client.post(reverse("accounts:password-reset"), {"email": OTHER_ADMIN_EMAIL})

        assert mail.outbox == []

    def test_shows_the_pages_of_the_flow(self, tenant_client):
        for name in ("accounts:password-reset", "accounts:password-reset-done", "accounts:password-reset-complete"):
            assert tenant_client.get(reverse(name)).status_code == 200

    def test_does_not_sign_the_user_in(self, tenant_client):
        tenant_client.post(reverse("accounts:password-reset"), {"email": ADMIN_EMAIL})
        link = _link_from(mail.outbox[0])
        set_url = tenant_client.get(link, follow=True).redirect_chain[-1][0]

        tenant_client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

        assert SESSION_KEY not in tenant_client.session

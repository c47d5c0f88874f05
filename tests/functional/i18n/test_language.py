"""Each user works in their own language; visitors get the language their browser asks for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from erp.core import services as core_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def german_admin(admin_user):
    admin_user.language = "de"
    admin_user.save(update_fields=["language"])
    return admin_user


class TestSignedInUser:
    def test_sees_the_dashboard_in_german_when_their_language_is_german(self, client_for, german_admin):
        client = client_for(german_admin)

        response = client.get(reverse("core:dashboard"))

        page = response.content.decode()
        assert response["Content-Language"] == "de"
        assert '<html lang="de"' in page
        assert "Willkommen, Ada" in page
        assert "Ihre Organisationen" in page
        assert "Letzte Aktivitäten" in page

    def test_sees_the_sidebar_in_german(self, client_for, german_admin):
        client = client_for(german_admin)

        page = client.get(reverse("core:dashboard")).content.decode()

        for label in ("Übersicht", "Verwaltung", "Organisationen", "Benutzer", "Rollen", "Aktivitäten", "Abmelden"):
            assert f"{label}<" in page or f"{label}</" in page, label

    def test_sees_english_pages_when_their_language_is_english(self, admin_client):
        response = admin_client.get(reverse("core:dashboard"))

        page = response.content.decode()
        assert response["Content-Language"] == "en"
        assert "Welcome, Ada" in page
        assert "Willkommen" not in page

    def test_keeps_their_language_whatever_the_browser_asks_for(self, client_for, german_admin):
        client = client_for(german_admin)

        page = client.get(reverse("core:dashboard"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

        assert "Willkommen, Ada" in page

    def test_switches_language_by_saving_the_profile(self, admin_client, admin_user):
        admin_client.post(
            reverse("accounts:profile"),
            {"first_name": "Ada", "last_name": "", "language": "de", "time_zone": "Europe/Berlin"},
        )

        page = admin_client.get(reverse("core:dashboard")).content.decode()

        assert "Willkommen, Ada" in page

    def test_reads_the_activity_log_in_german(self, client_for, german_admin, root_organization):
        core_services.organization_create(code="NORTH", name="Branch North", parent=root_organization, by=german_admin)
        client = client_for(german_admin)

        page = client.get(reverse("core:dashboard")).content.decode()

        assert "Organisation angelegt</span>: Branch North" in page
        assert ">core.organization.created<" not in page

    def test_sees_the_permission_matrix_in_german(self, client_for, german_admin):
        from django.contrib.auth.models import Group

        role = Group.objects.get(name="Sales")
        client = client_for(german_admin)

        page = client.get(reverse("accounts:role-detail", args=[role.pk])).content.decode()

        assert '<h1 class="h3 mb-0">Vertrieb</h1>' in page
        assert "Darf in der Organisation arbeiten" in page
        assert 'aria-label="Anzeigen: Organisationen"' in page


class TestLocalFormats:
    @time_machine.travel(dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC), tick=False)
    def test_a_german_user_sees_dates_as_day_month_year_in_their_time_zone(
        self, client_for, german_admin, root_organization
    ):
        german_admin.time_zone = "Europe/Berlin"
        german_admin.save(update_fields=["time_zone"])
        core_services.organization_create(code="SOUTH", name="Branch South", parent=root_organization, by=german_admin)
        client = client_for(german_admin)

        page = client.get(reverse("core:organization-list"), {"q": "SOUTH"}).content.decode()

        assert "02.03.2026 10:30" in page

    @time_machine.travel(dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC), tick=False)
    def test_an_english_user_sees_dates_as_month_day_year(self, admin_client, admin_user, root_organization):
        core_services.organization_create(code="SOUTH", name="Branch South", parent=root_organization, by=admin_user)

        page = admin_client.get(reverse("core:organization-list"), {"q": "SOUTH"}).content.decode()

        assert "03/02/2026 9:30 a.m." in page

    def test_a_german_user_sees_decimal_commas(self, client_for, german_admin):
        from erp.core.currency import exchange_rate_create
        from erp.core.models import Currency

        exchange_rate_create(
            from_currency=Currency.objects.get(code="EUR"),
            to_currency=Currency.objects.get(code="USD"),
            on_date=dt.date(2026, 3, 2),
            value=Decimal("1.0834"),
            by=german_admin,
        )
        client = client_for(german_admin)

        page = client.get(reverse("core:exchangerate-list")).content.decode()

        assert "1,0834" in page
        assert "02.03.2026" in page

    def test_a_german_user_reads_currency_names_in_german(self, client_for, german_admin):
        client = client_for(german_admin)

        page = client.get(reverse("core:currency-list"), {"q": "USD"}).content.decode()

        assert "US-Dollar" in page


class TestLoginPage:
    def test_follows_a_german_browser(self, tenant_client):
        response = tenant_client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")

        page = response.content.decode()
        assert response["Content-Language"] == "de"
        assert '<html lang="de"' in page
        assert "Anmelden" in page
        assert "Passwort vergessen?" in page
        assert "E-Mail-Adresse" in page

    def test_follows_an_english_browser(self, tenant_client):
        response = tenant_client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9,de;q=0.5")

        page = response.content.decode()
        assert response["Content-Language"] == "en"
        assert "Sign in" in page
        assert "Anmelden" not in page

    def test_falls_back_to_english_for_a_language_it_does_not_offer(self, tenant_client):
        response = tenant_client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")

        assert response["Content-Language"] == "en"
        assert "Sign in" in response.content.decode()

    def test_varies_the_cache_on_the_language(self, tenant_client):
        response = tenant_client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="de")

        assert "Accept-Language" in response["Vary"]

    def test_shows_the_wrong_password_message_in_german(self, tenant_client, admin_user):
        response = tenant_client.post(
            reverse("accounts:login"),
            {"username": admin_user.email, "password": "not-the-password"},
            HTTP_ACCEPT_LANGUAGE="de",
        )

        assert "E-Mail-Adresse oder Passwort ist falsch." in response.content.decode()

    def test_operator_login_follows_the_browser_too(self, operator_client):
        page = operator_client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

        assert "Anmeldung für Betreiber" in page


class TestScriptMessages:
    def test_are_handed_to_the_browser_translated_as_data_attributes(self, client_for, german_admin):
        client = client_for(german_admin)

        page = client.get(reverse("core:dashboard")).content.decode()

        assert 'data-erp-text-forbidden="Dazu fehlt Ihnen die Berechtigung."' in page
        assert 'data-erp-text-failed="Etwas ist schiefgegangen (Fehler %(status)s).' in page
        assert 'data-erp-text-offline="Der Server ist nicht erreichbar.' in page

"""Probes answer before tenant routing; error pages are the ERP's own."""

import pytest
from django.test import Client as HttpClient

from tests.conftest import OPERATOR_DOMAIN


class TestProbes:
    @pytest.mark.parametrize("host", ["nosuchcompany.localhost", "10.0.0.7", OPERATOR_DOMAIN, "testco.localhost"])
    def test_healthz_answers_for_any_host(self, db, host):
        response = HttpClient(HTTP_HOST=host).get("/healthz")

        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    def test_readyz_reports_database_and_queue(self, db):
        response = HttpClient(HTTP_HOST="probe.internal").get("/readyz")

        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "queue": "ok"}

    def test_readyz_reports_a_broken_queue_with_503(self, db):
        from unittest import mock

        with mock.patch("erp.core.middleware._queue_reachable", side_effect=ConnectionError):
            response = HttpClient(HTTP_HOST="probe.internal").get("/readyz")

        assert response.status_code == 503
        assert response.json()["queue"] == "error: ConnectionError"


class TestErrorPages:
    def test_an_unknown_address_in_a_tenant_shows_the_404_page(self, admin_client):
        response = admin_client.get("/no-such-page/")

        assert response.status_code == 404
        assert 'id="error-404"' in response.content.decode()

    def test_an_unknown_address_on_the_operator_site_shows_the_404_page(self, operator_logged_in):
        response = operator_logged_in.get("/no-such-page/")

        assert response.status_code == 404
        assert 'id="error-404"' in response.content.decode()

    def test_the_403_page_keeps_the_shell_for_navigation(self, client_for, user_with_role):
        response = client_for(user_with_role("Sales")).get("/accounts/users/")

        content = response.content.decode()
        assert response.status_code == 403
        assert 'id="erp-user-menu"' in content

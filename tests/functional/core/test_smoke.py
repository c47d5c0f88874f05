from django.urls import reverse


class TestDashboard:
    def test_shows_the_users_organizations(self, admin_client):
        response = admin_client.get("/")

        assert response.status_code == 200
        assert "Test Company" in response.content.decode()

    def test_sends_anonymous_visitors_to_the_login_page(self, tenant_client):
        response = tenant_client.get("/")

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


class TestOperatorSite:
    def test_lists_tenants(self, operator_logged_in):
        response = operator_logged_in.get("/tenants/")

        assert response.status_code == 200
        assert "Test Company" in response.content.decode()

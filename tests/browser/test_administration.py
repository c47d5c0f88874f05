import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

SALES_EMAIL = "sam.seller@example.com"
SALES_PASSWORD = "Harbour-Kettle-7719"
ADMINISTRATION_PATHS = ("/accounts/users/", "/accounts/roles/", "/activity/")


class TestAdministratorSetsUpTheCompany:
    def test_a_sales_user_created_in_a_new_organization_sees_only_what_the_role_allows(
        self, new_page, tenant_site, committed_tenant
    ):
        admin = new_page()
        sign_in(admin, tenant_site, email=ADMIN_EMAIL, password=PASSWORD)

        admin.locator("#erp-sidebar").get_by_role("link", name="Organizations").click()
        expect(admin).to_have_url(tenant_site.url("/organizations/"))
        admin.locator("#organization-tree").get_by_role("link", name=committed_tenant.name).click()
        admin.get_by_role("link", name="Sub-organization").click()
        expect(admin.locator("h1")).to_have_text("New organization")
        admin.locator("#id_code").fill("NORTH")
        admin.locator("#id_name").fill("North Sales")
        admin.get_by_role("button", name="Save").click()
        expect(admin.locator("h1")).to_contain_text("North Sales")
        admin.locator("#erp-sidebar").get_by_role("link", name="Organizations").click()
        expect(admin.locator("#organization-tree li li")).to_contain_text("North Sales")

        admin.locator("#erp-sidebar").get_by_role("link", name="Users").click()
        admin.get_by_role("link", name="New user").click()
        expect(admin.locator("h1")).to_have_text("New user")
        admin.locator("#id_email").fill(SALES_EMAIL)
        admin.locator("#id_first_name").fill("Sam")
        admin.get_by_label("Sales", exact=True).check()
        admin.get_by_label("North Sales (NORTH)").check()
        admin.locator("#id_password").fill(SALES_PASSWORD)
        admin.get_by_role("button", name="Save").click()
        expect(admin).to_have_url(re.compile(r"/accounts/users/\d+/$"))
        expect(admin.locator("#user-roles")).to_have_text("Sales")
        expect(admin.locator("#user-organizations")).to_have_text("North Sales")

        seller = new_page()
        sign_in(seller, tenant_site, email=SALES_EMAIL, password=SALES_PASSWORD)
        expect(seller.locator("h1")).to_have_text("Welcome, Sam")
        expect(seller.locator("#dashboard-organizations")).to_contain_text("North Sales")
        sidebar = seller.locator("#erp-sidebar")
        expect(sidebar.get_by_role("link", name="Dashboard")).to_be_visible()
        for path in ADMINISTRATION_PATHS:
            expect(sidebar.locator(f'a[href="{path}"]')).to_have_count(0)

        response = seller.goto(tenant_site.url("/accounts/users/"))

        assert response.status == 403
        expect(seller.locator("#error-403")).to_contain_text("You do not have permission to open this page")
        expect(seller.locator("body")).not_to_contain_text(ADMIN_EMAIL)

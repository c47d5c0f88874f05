import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in, site_of
from tests.conftest import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser


class TestTenantSignIn:
    def test_an_administrator_signs_in_and_out(self, page, tenant_site):
        page.goto(tenant_site.url("/"))
        expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))

        page.locator("#id_username").fill(ADMIN_EMAIL)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("#login-form button[type=submit]").click()

        expect(page).to_have_url(tenant_site.url("/"))
        expect(page.locator("h1")).to_have_text("Welcome, Ada")
        page.locator("#erp-user-menu").click()
        page.get_by_role("button", name="Log out").click()
        expect(page).to_have_url(re.compile(r"/accounts/login/$"))
        page.goto(tenant_site.url("/accounts/profile/"))
        expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/accounts/profile/$"))

    def test_a_wrong_password_keeps_the_visitor_on_the_sign_in_page_with_a_message(self, page, tenant_site):
        page.goto(tenant_site.url("/accounts/login/"))

        page.locator("#id_username").fill(ADMIN_EMAIL)
        page.locator("#id_password").fill("not-the-password")
        page.locator("#login-form button[type=submit]").click()

        expect(page.locator("#login-form")).to_contain_text("E-mail address or password is wrong.")
        expect(page).to_have_url(tenant_site.url("/accounts/login/"))

    def test_a_session_of_one_tenant_is_not_signed_in_on_another(self, page, tenant_site, erp_server, tenant):
        sign_in(page, tenant_site, email=ADMIN_EMAIL, password=PASSWORD)

        page.goto(site_of(erp_server, tenant).url("/"))

        expect(page).to_have_url(re.compile(r"testco\.localhost:\d+/accounts/login/\?next=/$"))

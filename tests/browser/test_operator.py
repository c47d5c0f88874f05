import re

import pytest
from django_tenants.utils import get_public_schema_name, schema_context
from playwright.sync_api import expect

from erp.tenancy.models import Client
from erp.tenancy.services import tenant_delete
from tests.browser.conftest import Site, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

OPERATOR_EMAIL = "operator@example.com"
ACME_ADMIN_EMAIL = "olivia@acme.example.com"
ACME_ADMIN_PASSWORD = "Rivet-Lantern-5083"


@pytest.fixture
def acme_dropped_afterwards(db):
    """The test creates tenant `acme` through the operator's form; drop it whatever happens."""
    yield "acme"
    with schema_context(get_public_schema_name()):
        client = Client.objects.filter(schema_name="acme").first()
        if client is not None:
            tenant_delete(client=client)


class TestTenantCreationByTheOperator:
    def test_the_operator_creates_a_tenant_whose_administrator_then_signs_in(
        self, new_page, operator_site, acme_dropped_afterwards
    ):
        operator = new_page()
        operator.goto(operator_site.url("/"))
        expect(operator).to_have_url(re.compile(r"localhost:\d+/accounts/login/"))
        sign_in(operator, operator_site, email=OPERATOR_EMAIL, password=PASSWORD)
        expect(operator).to_have_url(operator_site.url("/tenants/"))

        operator.get_by_role("link", name="New tenant").click()
        expect(operator.locator("h1")).to_have_text("New tenant")
        operator.locator("#id_name").fill("Acme Ltd")
        operator.locator("#id_subdomain").fill("acme")
        operator.locator("#id_currency").select_option("GBP")
        operator.locator("#id_country").select_option("GB")
        operator.locator("#id_admin_first_name").fill("Olivia")
        operator.locator("#id_admin_last_name").fill("Stone")
        operator.locator("#id_admin_email").fill(ACME_ADMIN_EMAIL)
        operator.locator("#id_admin_password").fill(ACME_ADMIN_PASSWORD)
        operator.get_by_role("button", name="Create tenant").click()

        expect(operator).to_have_url(re.compile(r"/tenants/\d+/$"))
        expect(operator.locator("h1")).to_contain_text("Acme Ltd")
        expect(operator.locator("#tenant-schema")).to_have_text("acme")
        expect(operator.locator("#tenant-users")).to_contain_text(ACME_ADMIN_EMAIL)
        acme = Site(operator_site.server, "acme.localhost")
        expect(operator.get_by_role("link", name="Open the company's site")).to_have_attribute("href", acme.url("/"))

        administrator = new_page()
        administrator.goto(acme.url("/"))
        expect(administrator).to_have_url(re.compile(r"acme\.localhost:\d+/accounts/login/\?next=/$"))
        sign_in(administrator, acme, email=ACME_ADMIN_EMAIL, password=ACME_ADMIN_PASSWORD)
        expect(administrator).to_have_url(acme.url("/"))
        expect(administrator.locator("h1")).to_have_text("Welcome, Olivia")
        expect(administrator.locator("#dashboard-organizations")).to_contain_text("Acme Ltd")

    def test_a_taken_sub_domain_is_refused_next_to_the_field(self, page, operator_site, tenant):
        sign_in(page, operator_site, email=OPERATOR_EMAIL, password=PASSWORD)
        page.goto(operator_site.url("/tenants/new/"))

        page.locator("#id_name").fill("Copycat")
        page.locator("#id_subdomain").fill(tenant.schema_name)
        page.locator("#id_admin_first_name").fill("Carl")
        page.locator("#id_admin_email").fill("carl@copycat.example.com")
        page.locator("#id_admin_password").fill(ACME_ADMIN_PASSWORD)
        page.get_by_role("button", name="Create tenant").click()

        expect(page.locator("#id_subdomain")).to_have_class(re.compile(r"\bis-invalid\b"))
        expect(page.locator("#erp-form")).to_contain_text(f"The sub-domain “{tenant.schema_name}” is already taken.")
        expect(page).to_have_url(operator_site.url("/tenants/new/"))

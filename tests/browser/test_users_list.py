import re

import pytest
from django.contrib.auth.models import Group
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from erp.accounts.models import User
from erp.accounts.services import user_create
from erp.core.models import Organization
from tests.browser.conftest import sign_in
from tests.conftest import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def colleagues(committed_tenant, django_db_blocker) -> dict[str, int]:
    """Two committed users of the tenant: e-mail → id."""
    with django_db_blocker.unblock(), schema_context(committed_tenant.schema_name):
        root = Organization.objects.get(code="HQ")
        sales = Group.objects.get(name="Sales")
        users = [
            user_create(email=email, first_name=name, roles=[sales], organizations=[root])
            for email, name in (("alice.archer@example.com", "Alice"), ("bob.baker@example.com", "Bob"))
        ]
    return {user.email: user.pk for user in users}


def is_active(committed_tenant, user_id: int) -> bool:
    with schema_context(committed_tenant.schema_name):
        return User.objects.get(pk=user_id).is_active


class TestUserListSearch:
    def test_typing_a_search_replaces_the_table_without_reloading_and_pushes_the_url(
        self, page, tenant_site, colleagues
    ):
        sign_in(page, tenant_site, email=ADMIN_EMAIL, password=PASSWORD)
        page.goto(tenant_site.url("/accounts/users/"))
        table = page.locator("#list-table")
        expect(table).to_contain_text("bob.baker@example.com")
        page.evaluate("window.erpPageMarker = 'still the same document'")

        with page.expect_request(lambda request: "q=alice" in request.url) as search:
            page.locator("#id_q").fill("alice")

        assert search.value.headers.get("hx-request") == "true"
        expect(table).not_to_contain_text("bob.baker@example.com")
        expect(table).to_contain_text("alice.archer@example.com")
        expect(page).to_have_url(re.compile(r"/accounts/users/\?(.*&)?q=alice(&|$)"))
        assert page.evaluate("window.erpPageMarker") == "still the same document"


class TestDeactivatingAUser:
    def test_asks_for_confirmation_in_a_modal_before_deactivating(
        self, page, tenant_site, colleagues, committed_tenant
    ):
        bob = colleagues["bob.baker@example.com"]
        sign_in(page, tenant_site, email=ADMIN_EMAIL, password=PASSWORD)
        page.goto(tenant_site.url(f"/accounts/users/{bob}/"))
        posts = []
        page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
        modal = page.locator("#erp-confirm")

        page.get_by_role("button", name="Deactivate").click()

        expect(modal).to_be_visible()
        expect(modal).to_contain_text("Deactivate this user? They will no longer be able to sign in.")
        modal.get_by_role("button", name="Cancel").click()
        expect(modal).to_be_hidden()
        page.reload()
        expect(page.locator("h1")).to_contain_text("active")
        assert posts == []
        assert is_active(committed_tenant, bob)

        page.get_by_role("button", name="Deactivate").click()
        modal.get_by_role("button", name="Confirm").click()

        expect(page.locator("h1")).to_contain_text("deactivated")
        assert posts == [tenant_site.url(f"/accounts/users/{bob}/active/")]
        assert not is_active(committed_tenant, bob)

"""Every URL of both sites states who may call it, and behaves accordingly.

The resolvers of the tenant site (erp.urls) and the operator site
(erp.urls_public) are walked; a new screen that forgets its decorator, or
whose decorator does not hold, fails here."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import get_public_schema_name, schema_context

from tests.conftest import OPERATOR_DOMAIN, PASSWORD, TEST_DOMAIN, login

DUMMY_VALUES = {"int": "987654", "str": "dummy", "slug": "dummy", "uuid": "00000000-0000-0000-0000-000000000000"}
CONVERTER = re.compile(r"<(?:(?P<type>\w+):)?\w+>")

TENANT_PUBLIC = {
    "accounts:login",
    "accounts:password-reset",
    "accounts:password-reset-done",
    "accounts:password-reset-confirm",
    "accounts:password-reset-complete",
}
TENANT_LOGIN_ONLY = {
    "accounts:logout",
    "accounts:password-change",
    "accounts:profile",
    "core:dashboard",
    "core:search",
    "core:notification-list",
    "core:notification-bell",
    "core:notification-read",
    "core:notification-read-all",
    "core:organization-switch",
    "core:notification-preferences",
    "workflow:approval-queue",
    "workflow:approval-decide",
    "workflow:delegation-list",
    "workflow:delegation-create",
    "workflow:delegation-delete",
}
OPERATOR_PUBLIC = {"accounts:login", "operator:home"}
OPERATOR_LOGIN_ONLY = {"accounts:logout"}


@dataclass(frozen=True)
class Route:
    site: str
    name: str
    path: str
    view: object

    def __str__(self) -> str:
        return f"{self.site}:{self.name}"


def _fill(route: str) -> str:
    def value(match: re.Match[str]) -> str:
        kind = match.group("type") or "str"
        assert kind in DUMMY_VALUES, f"no dummy value for path converter {kind!r} in {route}"
        return DUMMY_VALUES[kind]

    return "/" + CONVERTER.sub(value, route)


def _walk(patterns, *, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        route = str(pattern.pattern)
        assert not route.startswith("^"), f"regex URL patterns are not walked: {route}"
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix=prefix + route, namespace=inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", prefix + route, pattern.callback


def _routes(site: str, urlconf: str) -> list[Route]:
    return [Route(site, name, _fill(path), view) for name, path, view in _walk(get_resolver(urlconf).url_patterns)]


TENANT_ROUTES = _routes("tenant", "erp.urls")
OPERATOR_ROUTES = _routes("operator", "erp.urls_public")
ALL_ROUTES = TENANT_ROUTES + OPERATOR_ROUTES


def _expected_access(route: Route) -> str:
    public, login_only = (
        (TENANT_PUBLIC, TENANT_LOGIN_ONLY) if route.site == "tenant" else (OPERATOR_PUBLIC, OPERATOR_LOGIN_ONLY)
    )
    if route.name in public:
        return "public"
    if route.name in login_only:
        return "login"
    return "permission"


def _call(client: HttpClient, route: Route, **headers):
    """GET the route, or POST when the view only accepts POST."""
    response = client.get(route.path, **headers)
    if response.status_code == 405:
        response = client.post(route.path, **headers)
    return response


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.fixture
def anonymous(db):
    def make(route: Route) -> HttpClient:
        return HttpClient(HTTP_HOST=TEST_DOMAIN if route.site == "tenant" else OPERATOR_DOMAIN)

    return make


@pytest.fixture
def without_permissions(db, tenant, user_with_role):
    """A signed-in user of the route's site who holds no permission at all."""
    from erp.accounts.models import User

    tenant_user = user_with_role()
    with schema_context(get_public_schema_name()):
        operator_user = User.objects.create_user(email="nobody@operator.example.com", password=PASSWORD)

    def make(route: Route) -> HttpClient:
        if route.site == "tenant":
            return login(HttpClient(HTTP_HOST=TEST_DOMAIN), tenant_user, tenant=tenant)
        return login(HttpClient(HTTP_HOST=OPERATOR_DOMAIN), operator_user)

    return make


class TestEveryView:
    def test_the_walk_finds_the_screens_of_both_sites(self):
        names = {str(route) for route in ALL_ROUTES}

        assert {"tenant:accounts:user-list", "tenant:core:organization-detail", "operator:operator:tenant-create"} <= (
            names
        )
        assert len(TENANT_ROUTES) >= 25

    def test_the_explicit_lists_name_only_existing_urls(self):
        tenant_names = {route.name for route in TENANT_ROUTES}
        operator_names = {route.name for route in OPERATOR_ROUTES}

        assert (TENANT_PUBLIC | TENANT_LOGIN_ONLY) - tenant_names == set()
        assert (OPERATOR_PUBLIC | OPERATOR_LOGIN_ONLY) - operator_names == set()

    @pytest.mark.parametrize("route", ALL_ROUTES, ids=str)
    def test_carries_the_access_it_is_listed_with(self, route):
        declared = getattr(route.view, "erp_access", None)

        assert declared == _expected_access(route), (
            f"{route} is declared {declared!r}: decorate it with erp.core.decorators "
            "(public and login-only views must also be listed in this test)"
        )

    @pytest.mark.parametrize("route", [r for r in ALL_ROUTES if _expected_access(r) != "public"], ids=str)
    def test_sends_anonymous_visitors_to_the_login_page(self, route, anonymous):
        response = _call(anonymous(route), route)

        assert _is_login_redirect(response), (route, response.status_code)

    @pytest.mark.parametrize("route", [r for r in ALL_ROUTES if _expected_access(r) != "public"], ids=str)
    def test_sends_anonymous_htmx_requests_to_the_login_page_with_hx_redirect(self, route, anonymous):
        response = _call(anonymous(route), route, HTTP_HX_REQUEST="true")

        assert response.status_code == 200
        assert response["HX-Redirect"].startswith("/accounts/login/")

    @pytest.mark.parametrize("route", [r for r in ALL_ROUTES if _expected_access(r) == "permission"], ids=str)
    def test_refuses_a_signed_in_user_without_the_permission(self, route, without_permissions):
        response = _call(without_permissions(route), route)

        assert response.status_code == 403
        assert b'id="error-403"' in response.content

    @pytest.mark.parametrize("route", [r for r in ALL_ROUTES if _expected_access(r) == "login"], ids=str)
    def test_lets_any_signed_in_user_reach_a_self_service_view(self, route, without_permissions):
        client = without_permissions(route)

        response = _call(client, route)

        assert response.status_code in (200, 302, 404)
        if route.name == "accounts:logout":  # signing out ends on the login page
            assert SESSION_KEY not in client.session
        else:
            assert not _is_login_redirect(response)

    @pytest.mark.parametrize("route", [r for r in ALL_ROUTES if _expected_access(r) == "public"], ids=str)
    def test_shows_a_public_view_to_anonymous_visitors(self, route, anonymous):
        response = _call(anonymous(route), route)

        assert response.status_code in (200, 302)
        assert not _is_login_redirect(response)

    @pytest.mark.parametrize("route", [r for r in TENANT_ROUTES if _expected_access(r) != "public"], ids=str)
    def test_treats_the_session_of_another_tenants_user_as_anonymous(self, route, other_admin_client):
        stolen = other_admin_client.cookies["sessionid"].value
        client = HttpClient(HTTP_HOST=TEST_DOMAIN)
        client.cookies["sessionid"] = stolen

        response = _call(client, route)

        assert _is_login_redirect(response), (route, response.status_code)
        assert SESSION_KEY not in client.session

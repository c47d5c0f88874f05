"""Request plumbing: health probes, HTMX toasts and the current organization."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib import messages
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import SimpleLazyObject

HEALTH_PATHS = {"/healthz", "/healthz/"}
READY_PATHS = {"/readyz", "/readyz/"}
SESSION_ORGANIZATION_KEY = "erp_organization_id"


def _queue_reachable() -> None:
    from huey.contrib.djhuey import HUEY

    storage = HUEY.storage
    if hasattr(storage, "conn") and hasattr(storage.conn, "ping"):
        storage.conn.ping()
    else:
        HUEY.pending_count()


class HealthCheckMiddleware:
    """Answers /healthz and /readyz before tenant routing and host checks."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in HEALTH_PATHS:
            return JsonResponse({"status": "ok"})
        if request.path in READY_PATHS:
            return self.readiness()
        return self.get_response(request)

    @staticmethod
    def readiness() -> HttpResponse:
        checks: dict[str, str] = {}
        try:
            connection.set_schema_to_public()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            checks["database"] = "ok"
        except Exception as exc:  # a probe reports, it does not crash
            checks["database"] = f"error: {exc.__class__.__name__}"
        try:
            _queue_reachable()
            checks["queue"] = "ok"
        except Exception as exc:
            checks["queue"] = f"error: {exc.__class__.__name__}"
        ready = all(value == "ok" for value in checks.values())
        return JsonResponse({"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503)


class HtmxMessagesMiddleware:
    """Under HTMX, queued messages leave as an ``HX-Trigger`` toast event."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or 300 <= response.status_code < 400:
            return response
        if "HX-Redirect" in response or "HX-Location" in response or "HX-Refresh" in response:
            return response
        toasts = [{"level": m.level_tag, "message": str(m)} for m in messages.get_messages(request)]
        if toasts:
            triggers = json.loads(response.get("HX-Trigger", "{}") or "{}")
            triggers["erp:toasts"] = toasts
            response["HX-Trigger"] = json.dumps(triggers)
        return response


def switchable_organizations(request: HttpRequest) -> list:
    """The active organizations the user may work in (the switcher's choices), read once per request."""
    from erp.core.models import Organization

    cached = getattr(request, "_erp_switchable_organizations", None)
    if cached is None:
        user = getattr(request, "user", None)
        authenticated = user is not None and user.is_authenticated
        cached = list(Organization.objects.for_user(user).active().order_by("name")) if authenticated else []
        request._erp_switchable_organizations = cached
    return cached


def _current_organization(request: HttpRequest):
    if not request.user.is_authenticated:
        return None
    allowed = switchable_organizations(request)
    chosen = request.session.get(SESSION_ORGANIZATION_KEY)
    by_pk = {organization.pk: organization for organization in allowed}
    if chosen in by_pk:
        return by_pk[chosen]
    # By default the top-most organization the user may work in.
    tops = [organization for organization in allowed if organization.parent_id not in by_pk]
    return tops[0] if tops else None


class OrganizationMiddleware:
    """``request.organization``: the organization chosen in the switcher (lazy)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is not None and tenant.schema_name != "public" and hasattr(request, "user"):
            request.organization = SimpleLazyObject(lambda: _current_organization(request))
        else:
            request.organization = None
        return self.get_response(request)

"""Sub-domain routing with a clear page for unknown and suspended companies."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django_tenants.middleware.main import TenantMainMiddleware


class TenantMiddleware(TenantMainMiddleware):
    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        response = TemplateResponse(request, "tenancy/unknown_tenant.html", {"hostname": hostname}, status=404)
        return response.render()

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        response = super().process_request(request)
        if response is not None:
            return response
        tenant = request.tenant
        if tenant.is_template:
            connection.set_schema_to_public()
            return self.no_tenant_found(request, tenant.domain_url)
        if not tenant.is_active:
            response = TemplateResponse(request, "tenancy/suspended.html", {"tenant": tenant}, status=503)
            return response.render()
        return None

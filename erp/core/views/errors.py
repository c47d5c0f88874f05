"""The 403/404/500 pages, for tenant and operator sites alike."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.template.response import TemplateResponse


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return TemplateResponse(request, "errors/403.html", {"title": "403"}, status=403).render()


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return TemplateResponse(request, "errors/404.html", {"title": "404"}, status=404).render()


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: whatever broke must not break the error page too.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())

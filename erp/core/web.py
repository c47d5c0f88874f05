"""Small helpers shared by the views of every module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django_htmx.http import HttpResponseClientRedirect

from erp.core.exceptions import DomainError

FORM_TEMPLATE = "components/form_page.html"


def is_htmx_fragment(request: HttpRequest) -> bool:
    """An HTMX request that asked for a fragment (not a boosted full-page navigation)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def render_form(
    request: HttpRequest,
    *,
    form: forms.BaseForm,
    title: str,
    cancel_url: str | None = None,
    submit_label: str | None = None,
    template: str = FORM_TEMPLATE,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The form page; an HTMX post gets back only the ``form`` partial (status 200, so htmx swaps it)."""
    if is_htmx_fragment(request) and request.method == "POST":
        # A page extending the generic form page inherits its ``form`` partial.
        templates = [f"{template}#form", f"{FORM_TEMPLATE}#form"]
    else:
        templates = [template]
    return TemplateResponse(
        request,
        templates,
        {"form": form, "title": title, "cancel_url": cancel_url, "submit_label": submit_label, **(context or {})},
    )


def redirect_to(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful POST: a plain redirect, or HX-Redirect under HTMX."""
    if is_htmx_fragment(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def form_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's refusal next to the field it concerns (or above the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def post_action(
    request: HttpRequest,
    *,
    document,
    form_class: type[forms.Form],
    invalid: str,
    act: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """A POST-only action on ``document`` with a small form (a reason, an address): ``invalid``
    when the form does not validate, the service's refusal when ``act(cleaned_data)`` raises,
    ``done`` when it went through — back to the document in every case."""
    url = document.get_absolute_url()
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, invalid)
        return redirect_to(request, url)
    try:
        act(form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect_to(request, url)
    messages.success(request, done)
    return redirect_to(request, url)

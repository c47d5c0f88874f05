"""Every view states who may call it.

``permission_required`` (login plus Django permissions), ``login_only`` (any
signed-in user: self-service screens such as the profile) and ``public``
(login page, password reset). ``tests/functional/core/test_url_protection.py``
walks the URL resolver and fails for a view that carries none of them or does
not behave as it says."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect

View = Callable[..., HttpResponse]


def _login_redirect(request: HttpRequest) -> HttpResponse:
    response = redirect_to_login(request.get_full_path())
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(response["Location"])
    return response


def login_only(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return _login_redirect(request)
        return view(request, *args, **kwargs)

    wrapped.erp_access = "login"
    return wrapped


def permission_required(*permissions: str) -> Callable[[View], View]:
    """Login, then every one of ``permissions``; otherwise the 403 page."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return _login_redirect(request)
            if not request.user.has_perms(permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.erp_access = "permission"
        wrapped.erp_permissions = permissions
        return wrapped

    return decorator


def public(view: View) -> View:
    view.erp_access = "public"
    return view

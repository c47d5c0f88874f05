"""Login throttling: after repeated failures an e-mail address (and the client
address it came from) must wait before trying again. Counters live in the
cache, whose keys carry the tenant's schema, so tenants never share them."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address; behind a load balancer (ERP_BEHIND_PROXY) the last
    X-Forwarded-For entry, which the balancer appended and the client cannot forge."""
    if settings.ERP_BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")


def _keys(request: HttpRequest | None, email: str) -> list[str]:
    keys = [f"login-failures:email:{email.strip().lower()}"]
    if request is not None:
        keys.append(f"login-failures:ip:{client_address(request)}")
    return keys


def is_locked(request: HttpRequest | None, email: str) -> bool:
    limit = settings.ERP_LOGIN_MAX_FAILURES
    email_key, *ip_keys = _keys(request, email)
    if (cache.get(email_key) or 0) >= limit:
        return True
    # A single address trying many accounts is locked out at a higher threshold.
    return any((cache.get(key) or 0) >= limit * 4 for key in ip_keys)


def record_failure(request: HttpRequest | None, email: str) -> None:
    for key in _keys(request, email):
        if cache.add(key, 1, timeout=settings.ERP_LOGIN_LOCKOUT_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=settings.ERP_LOGIN_LOCKOUT_SECONDS)


def reset(request: HttpRequest | None, email: str) -> None:
    cache.delete(_keys(request, email)[0])

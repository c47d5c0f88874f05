"""Global search over what exists. Each module registers a provider that
returns the records a user may see; the search page groups the hits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Hit:
    title: str
    subtitle: str
    url: str


Provider = Callable[..., list[Hit]]
_PROVIDERS: list[tuple[str, str | None, Provider]] = []
LIMIT = 10


def register(label: str, permission: str | None = None) -> Callable[[Provider], Provider]:
    def decorator(provider: Provider) -> Provider:
        _PROVIDERS.append((label, permission, provider))
        return provider

    return decorator


def run(*, user, query: str) -> list[dict]:
    groups = []
    for label, permission, provider in _PROVIDERS:
        if permission and not user.has_perm(permission):
            continue
        hits = provider(user=user, query=query)
        if hits:
            groups.append({"label": label, "hits": hits})
    return groups


@register(_("Organizations"), "core.view_organization")
def _organizations(*, user, query: str) -> list[Hit]:
    from erp.core.models import Organization

    found = Organization.objects.for_user(user).filter(Q(code__icontains=query) | Q(name__icontains=query))
    return [Hit(o.name, o.code, o.get_absolute_url()) for o in found.order_by("name")[:LIMIT]]


@register(_("Users"), "accounts.view_user")
def _users(*, user, query: str) -> list[Hit]:
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    found = get_user_model().objects.filter(
        Q(email__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query)
    )
    return [Hit(str(u), u.email, reverse("accounts:user-detail", args=[u.pk])) for u in found.order_by("email")[:LIMIT]]

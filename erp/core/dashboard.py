"""Cards other modules put on the dashboard. A module registers a function that renders its
card's HTML for a request (e.g. sales' chart of the last twelve months):

    from erp.core import dashboard
    dashboard.register(sales_chart, permission="sales.view_salesorder")

The dashboard shows the cards of the modules whose permission the user has, in the order
they were registered."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

Card = Callable[[HttpRequest], str]
_CARDS: list[tuple[Card, str | None]] = []


def register(card: Card, *, permission: str | None = None) -> Card:
    _CARDS.append((card, permission))
    return card


def cards(request: HttpRequest) -> list[str]:
    """The rendered cards ``request.user`` may see."""
    return [card(request) for card, permission in _CARDS if permission is None or request.user.has_perm(permission)]

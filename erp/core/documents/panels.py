"""Panels other modules add to a document's detail page, below its totals (purchasing shows the
three-way match on a vendor bill of an order): a provider is called with the document and the
user looking at it and returns a ``Panel`` (its template and context) or None."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


Provider = Callable[..., "Panel | None"]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    _providers.append(provider)
    return provider


def panels_for(document, *, user) -> list[Panel]:
    return [panel for provider in _providers if (panel := provider(document, user=user)) is not None]

"""A document's timeline: its history, its business events and what other
modules add (approvals), merged newest first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from erp.core.models import BusinessEvent


@dataclass(frozen=True)
class Entry:
    when: datetime
    who: str
    kind: str  # "event", "history", "approval", …
    text: str
    detail: str = ""


Provider = Callable[..., list[Entry]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    _providers.append(provider)
    return provider


HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _history(document) -> list[Entry]:
    entries = []
    records = list(document.history.select_related("history_user").order_by("-history_date")[:50])
    for newer, older in zip(records, [*records[1:], None], strict=False):
        detail = ""
        if older is not None:
            changes = newer.diff_against(older, excluded_fields=["updated_at", "version", "updated_by"]).changes
            detail = ", ".join(f"{change.field}: {change.old} → {change.new}" for change in changes[:6])
        entries.append(
            Entry(
                when=newer.history_date,
                who=str(newer.history_user or ""),
                kind="history",
                text={"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}[newer.history_type],
                detail=detail,
            )
        )
    return entries


def _events(document) -> list[Entry]:
    events = BusinessEvent.objects.filter(
        aggregate_type=document._meta.label_lower, aggregate_id=str(document.pk)
    ).select_related("actor")[:50]
    return [
        Entry(
            when=event.occurred_at,
            who=str(event.actor or ""),
            kind="event",
            text=event.verb.rsplit(".", 1)[-1].replace("_", " ").capitalize(),
            detail="; ".join(f"{key}: {value}" for key, value in event.data.items() if value not in ("", None)),
        )
        for event in events
    ]


def entries(document) -> list[Entry]:
    merged = _history(document) + _events(document)
    for provider in _providers:
        merged.extend(provider(document))
    return sorted(merged, key=lambda entry: entry.when, reverse=True)

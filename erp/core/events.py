"""Appending to the business event log."""

from __future__ import annotations

import uuid
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from erp.core.models import BusinessEvent

# How an event reads on screen: verbs are "<app>.<record>.<action>"; the common actions are
# worded here and name the record by its model's verbose name, in the reader's language.
ACTION_LABELS = {
    "created": _("%(record)s created"),
    "updated": _("%(record)s changed"),
    "moved": _("%(record)s moved"),
    "activated": _("%(record)s activated"),
    "deactivated": _("%(record)s deactivated"),
    "reactivated": _("%(record)s reactivated"),
    "deleted": _("%(record)s deleted"),
}
_VERB_LABELS: dict[str, str] = {}


def record(
    *,
    verb: str,
    target: models.Model | None = None,
    actor=None,
    data: dict[str, Any] | None = None,
    organization=None,
    correlation_id: uuid.UUID | None = None,
) -> BusinessEvent:
    """Append one event: `verb` is dotted, e.g. ``core.organization.created``."""
    event = build(
        verb=verb, target=target, actor=actor, data=data, organization=organization, correlation_id=correlation_id
    )
    event.save(force_insert=True)
    return event


def build(
    *,
    verb: str,
    target: models.Model | None = None,
    actor=None,
    data: dict[str, Any] | None = None,
    organization=None,
    correlation_id: uuid.UUID | None = None,
) -> BusinessEvent:
    """The event ``record`` would append, unsaved: for a caller that inserts it together with
    other rows in one statement (the ledger's posting path)."""
    if organization is None and target is not None:
        organization = getattr(target, "organization", None)
        if organization is None and target._meta.label_lower == "core.organization":
            organization = target
    return BusinessEvent(
        verb=verb,
        aggregate_type=target._meta.label_lower if target is not None else "",
        aggregate_id=str(target.pk) if target is not None else "",
        aggregate_repr=str(target)[:255] if target is not None else "",
        organization=organization,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        data=data or {},
        correlation_id=correlation_id or uuid.uuid4(),
    )


def label_verbs(labels: dict[str, str]) -> None:
    """Word the verbs the common actions do not fit, e.g. ``{"sales.order.confirmed": _("Order confirmed")}``."""
    _VERB_LABELS.update(labels)


def describe(event: BusinessEvent) -> str:
    """The event in words, in the active language; its verb when no wording fits."""
    if event.verb in _VERB_LABELS:
        return str(_VERB_LABELS[event.verb])
    action = ACTION_LABELS.get(event.verb.rpartition(".")[2])
    try:
        model = apps.get_model(event.aggregate_type)
    except (LookupError, ValueError):
        model = None
    if action is None or model is None:
        return event.verb
    return action % {"record": capfirst(model._meta.verbose_name)}

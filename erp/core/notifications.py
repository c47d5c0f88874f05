"""Notifications: in-app (the bell) always, and by e-mail (through huey) for the
kinds a user chose on their notification preferences.

Modules declare their kinds once (``register_kind("workflow.approval_requested",
_("Something waits for my approval"), email=True)``) and send with
``notify(recipients=…, verb=…, title=…, url=…)`` — inside a transaction the
e-mails leave after it commits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction

from erp.core.models import Notification, NotificationPreference


@dataclass(frozen=True)
class Kind:
    verb: str
    label: Any
    email: bool  # the default when the user has not chosen


_kinds: dict[str, Kind] = {}


def register_kind(verb: str, label: Any, *, email: bool = True) -> Kind:
    kind = _kinds[verb] = Kind(verb, label, email)
    return kind


def kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda kind: kind.verb)


def email_choices(user) -> dict[str, bool]:
    """Kind → whether ``user`` receives it by e-mail (their choice, or the kind's default)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind.verb: chosen.get(kind.verb, kind.email) for kind in kinds()}


@transaction.atomic
def preferences_set(*, user, email: dict[str, bool]) -> None:
    """Store ``user``'s e-mail choice per kind (unknown kinds are ignored)."""
    for verb, wanted in email.items():
        if verb in _kinds:
            NotificationPreference.objects.update_or_create(user=user, kind=verb, defaults={"email": bool(wanted)})


def _wanting_email(user_ids: set[int], verb: str) -> set[int]:
    kind = _kinds.get(verb)
    default = kind.email if kind else False
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=verb).values_list("user_id", "email")
    )
    return {user_id for user_id in user_ids if chosen.get(user_id, default)}


def notify(*, recipients: Iterable, verb: str, title: str, body: str = "", url: str = "") -> list[Notification]:
    """One in-app notification per active recipient; e-mails after commit for those who want them."""
    users = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not users:
        return []
    created = Notification.objects.bulk_create(
        Notification(recipient=user, verb=verb, title=title[:255], body=body, url=url[:500]) for user in users.values()
    )
    emailed = _wanting_email(set(users), verb)
    ids = [notification.pk for notification in created if notification.recipient_id in emailed]
    if ids:
        from erp.core.tasks import current_schema, notification_email_send

        transaction.on_commit(partial(notification_email_send, schema_name=current_schema(), notification_ids=ids))
    return created

"""Tenant-aware background tasks.

Every task takes the tenant's ``schema_name`` as a keyword argument and runs
inside that schema. A task given no tenant, or the public schema, fails
instead of running against the operator's data."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context
from huey.contrib.djhuey import db_task

from erp.core.exceptions import TenantRequired


def tenant_task(**task_options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Like huey's ``db_task``, but the body runs inside ``schema_name``'s schema."""

    def decorator(fn: Callable[..., Any]):
        @functools.wraps(fn)
        def run_in_schema(*args: Any, schema_name: str | None = None, **kwargs: Any) -> Any:
            if not schema_name or schema_name == get_public_schema_name():
                raise TenantRequired(f"{fn.__qualname__} needs the schema_name of a tenant, got {schema_name!r}")
            from erp.tenancy.models import Client

            with schema_context(get_public_schema_name()):
                if not Client.objects.filter(schema_name=schema_name, is_template=False).exists():
                    raise TenantRequired(f"{fn.__qualname__}: no tenant with schema {schema_name!r}")
            with schema_context(schema_name):
                return fn(*args, **kwargs)

        return db_task(**task_options)(run_in_schema)

    return decorator


def current_schema() -> str:
    """The schema name to hand to a task from inside a request or service."""
    schema = connection.schema_name
    if schema == get_public_schema_name():
        raise TenantRequired("No tenant is active.")
    return schema


@tenant_task(retries=3, retry_delay=60)
def notification_email_send(*, notification_ids: list[int]) -> None:
    """E-mail notifications to their recipients, each in the recipient's language."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    from erp.core.models import Notification
    from erp.tenancy.models import Client

    client = Client.objects.prefetch_related("domains").get(schema_name=connection.schema_name)
    site = client.url(port=settings.ERP_PUBLIC_PORT).rstrip("/")
    for notification in Notification.objects.filter(pk__in=notification_ids).select_related("recipient"):
        recipient = notification.recipient
        if not recipient.email or not recipient.is_active:
            continue
        link = f"{site}{notification.url}" if notification.url.startswith("/") else notification.url
        with translation.override(recipient.language):
            context = {"notification": notification, "recipient": recipient, "link": link}
            subject = render_to_string("core/email/notification_subject.txt", context).strip()
            body = render_to_string("core/email/notification.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])

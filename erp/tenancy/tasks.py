"""Background work for tenants."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation
from huey.contrib.djhuey import db_task

from erp.core.tasks import tenant_task


@tenant_task(retries=3, retry_delay=30)
def send_welcome_email(*, user_id: int) -> None:
    """Welcome the first administrator of a new company, in their language."""
    from erp.accounts.models import User
    from erp.core.models import Company

    user = User.objects.get(pk=user_id)
    company = Company.objects.get()
    from erp.tenancy.models import Client

    client = Client.objects.prefetch_related("domains").get(schema_name=connection.schema_name)
    url = client.url(port=settings.ERP_PUBLIC_PORT)
    with translation.override(user.language):
        context = {"user": user, "company": company, "url": url}
        subject = render_to_string("tenancy/email/welcome_subject.txt", context).strip()
        body = render_to_string("tenancy/email/welcome.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


@db_task(retries=2, retry_delay=10)
def pool_refill() -> int:
    """Replace the spare schema a new tenant took (operator-level work: runs in public)."""
    from erp.tenancy.pool import pool_fill

    return pool_fill()

"""Provisioning and lifecycle of tenants.

A new tenant's schema is a clone of the migrated template schema (the
``tenant_template`` client, kept migrated by ``migrate_schemas`` like every
tenant), so creating a company takes a second instead of running every
migration again."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists
from psycopg import sql

from erp.accounts import roles
from erp.core.exceptions import DomainError
from erp.tenancy import pool
from erp.tenancy.clone import clone_schema
from erp.tenancy.models import Client, Domain
from erp.tenancy.tasks import pool_refill, send_welcome_email

SUBDOMAIN_RE = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")
RESERVED_SUBDOMAINS = frozenset(
    {
        "admin",
        "administrator",
        "api",
        "app",
        "assets",
        "auth",
        "billing",
        "cdn",
        "dashboard",
        "demo-template",
        "dev",
        "docs",
        "ftp",
        "help",
        "imap",
        "information_schema",
        "localhost",
        "login",
        "mail",
        "media",
        "ns1",
        "ns2",
        "operator",
        "pg",
        "pop",
        "postgres",
        "public",
        "root",
        "smtp",
        "static",
        "status",
        "support",
        "system",
        "template",
        "test",
        "www",
    }
    | {settings.ERP_TEMPLATE_SCHEMA}
)


class TenantError(DomainError):
    pass


@dataclass(frozen=True)
class NewTenant:
    name: str
    subdomain: str
    currency: str
    country: str
    admin_email: str
    admin_password: str
    admin_first_name: str = ""
    admin_last_name: str = ""
    chart: str = "ifrs"  # a key of erp.finance.charts.TEMPLATES
    admin_language: str = ""  # empty: from the country (language_for_country)


GERMAN_SPEAKING = frozenset({"DE", "AT", "CH", "LI", "LU"})


def language_for_country(country: str) -> str:
    """The first administrator's language: German where it is spoken, English elsewhere (they can change it)."""
    return "de" if country.upper() in GERMAN_SPEAKING else "en"


def schema_name_for(subdomain: str) -> str:
    return subdomain.replace("-", "_")


def domain_for(subdomain: str) -> str:
    return f"{subdomain}.{settings.ERP_BASE_DOMAIN}"


def subdomain_validate(subdomain: str) -> str:
    """Return the normalised sub-domain or raise ``TenantError`` with a message for the field."""
    subdomain = (subdomain or "").strip().lower()
    if not SUBDOMAIN_RE.match(subdomain) or "--" in subdomain:
        raise TenantError(
            _(
                "Use 2 to 40 lower-case letters, digits and single hyphens, "
                "starting with a letter and not ending with a hyphen."
            ),
            field="subdomain",
        )
    schema = schema_name_for(subdomain)
    if subdomain in RESERVED_SUBDOMAINS or schema in RESERVED_SUBDOMAINS or schema.startswith(("pg_", pool.PREFIX)):
        raise TenantError(
            _("“%(name)s” is reserved. Please choose another sub-domain.") % {"name": subdomain}, field="subdomain"
        )
    with schema_context(get_public_schema_name()):
        taken = (
            Domain.objects.filter(domain__iexact=domain_for(subdomain)).exists()
            or Client.objects.filter(schema_name__iexact=schema).exists()
            or schema_exists(schema, case_sensitive=False)
        )
    if taken:
        raise _taken(subdomain)
    return subdomain


def _taken(subdomain: str) -> TenantError:
    return TenantError(_("The sub-domain “%(name)s” is already taken.") % {"name": subdomain}, field="subdomain")


def template_schema_ready() -> bool:
    return schema_exists(settings.ERP_TEMPLATE_SCHEMA)


def template_ensure(*, verbosity: int = 0) -> Client:
    """Create the template tenant (running every migration once) if it does not exist."""
    with schema_context(get_public_schema_name()):
        template = Client.objects.filter(schema_name=settings.ERP_TEMPLATE_SCHEMA).first()
        if template is None:
            template = Client(schema_name=settings.ERP_TEMPLATE_SCHEMA, name="Template", is_template=True)
            template.save(verbosity=verbosity)
        return template


def public_tenant_ensure() -> Client:
    with schema_context(get_public_schema_name()):
        tenant, _created = Client.objects.get_or_create(
            schema_name=get_public_schema_name(), defaults={"name": "Operator"}
        )
        Domain.objects.update_or_create(
            domain=settings.ERP_BASE_DOMAIN, defaults={"tenant": tenant, "is_primary": True}
        )
        return tenant


def _clone_template(schema_name: str) -> None:
    clone_schema(settings.ERP_TEMPLATE_SCHEMA, schema_name)


def _migrate_fully(client: Client) -> None:
    from django.core.management import call_command

    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(client.schema_name)))
    call_command("migrate_schemas", tenant=True, schema_name=client.schema_name, interactive=False, verbosity=0)


def _seed_company(new: NewTenant):
    """Inside the new schema: company profile, root organization, first administrator."""
    from erp.accounts.services import user_create
    from erp.core import events
    from erp.core.models import Company, Currency, Organization

    currency = Currency.objects.get(code=new.currency)
    Company.objects.update_or_create(id=1, defaults={"name": new.name, "country": new.country, "currency": currency})
    root = Organization.objects.create(code="HQ", name=new.name)
    admin = user_create(
        email=new.admin_email,
        first_name=new.admin_first_name,
        last_name=new.admin_last_name,
        password=new.admin_password,
        roles=[Group.objects.get(name=roles.ADMINISTRATOR)],
        organizations=[root],
        language=new.admin_language or language_for_country(new.country),
    )
    events.record(verb="core.organization.created", target=root, actor=admin)
    events.record(
        verb="tenancy.company.created",
        target=Company.objects.get(),
        actor=admin,
        data={"currency": new.currency, "country": new.country},
    )
    return admin


@transaction.atomic
def tenant_create(*, new: NewTenant, by=None, clone: bool = True, use_pool: bool = True) -> Client:
    """Create a client company: schema, domain, company profile and first administrator.

    The schema is a spare copy of the template renamed (``erp.tenancy.pool``), or a fresh copy
    of the template when no spare is ready (or ``use_pool`` is off), or — with ``clone=False`` —
    built by running every migration. Everything happens in one transaction: a failure leaves no
    schema, no row behind (a claimed spare returns to the pool)."""
    subdomain = subdomain_validate(new.subdomain)
    from erp.core.models import Currency

    connection.set_schema_to_public()
    client = Client(
        schema_name=schema_name_for(subdomain), name=new.name.strip(), country=new.country, currency=new.currency
    )
    client.auto_create_schema = False
    try:
        client.save()
        Domain.objects.create(domain=domain_for(subdomain), tenant=client, is_primary=True)
    except (IntegrityError, ValidationError):
        # Someone created the same sub-domain between the check above and now.
        raise _taken(subdomain)
    if clone:
        if not template_schema_ready():
            raise TenantError(_("The template schema is missing: run `manage.py erp_setup` first."))
        claimed = use_pool and pool.claim(client.schema_name)
        if not claimed:
            _clone_template(client.schema_name)
        if use_pool and settings.ERP_TENANT_POOL_SIZE:
            transaction.on_commit(pool_refill)
    else:
        _migrate_fully(client)
    with schema_context(client.schema_name):
        currency = Currency.objects.filter(code=new.currency).first()
        if currency is None:
            raise TenantError(_("Unknown currency %(code)s.") % {"code": new.currency}, field="currency")
        if not currency.is_active:
            raise TenantError(
                _("%(code)s cannot be a company currency: choose a currency in circulation.") % {"code": currency.code},
                field="currency",
            )
        admin = _seed_company(new)
        admin_id = admin.pk
        from erp.finance.charts import chart_load

        chart_load(template=new.chart, by=admin)
    transaction.on_commit(partial(send_welcome_email, schema_name=client.schema_name, user_id=admin_id))
    connection.set_schema_to_public()
    return client


def tenant_create_timed(*, new: NewTenant, clone: bool = True, use_pool: bool = True) -> tuple[Client, float]:
    started = time.perf_counter()
    client = tenant_create(new=new, clone=clone, use_pool=use_pool)
    return client, time.perf_counter() - started


@transaction.atomic
def tenant_set_status(*, client: Client, status: str) -> Client:
    if client.is_template or client.schema_name == get_public_schema_name():
        raise TenantError(_("This schema cannot be suspended."))
    if status not in Client.Status.values:
        raise ValidationError(f"unknown status {status}")
    connection.set_schema_to_public()
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.status == status:
        return client
    client.status = status
    client.status_changed_at = timezone.now()
    client.save(update_fields=["status", "status_changed_at"])
    if status == Client.Status.SUSPENDED:
        _end_sessions(client)
    return client


def _end_sessions(client: Client) -> None:
    """A suspended tenant's users are logged out everywhere."""
    from django.contrib.sessions.models import Session

    with schema_context(client.schema_name):
        Session.objects.all().delete()


@transaction.atomic
def tenant_delete(*, client: Client) -> None:
    """Drop a tenant and its schema (used by tests and scripts, not offered on screen)."""
    if client.is_template or client.schema_name == get_public_schema_name():
        raise TenantError(_("This schema cannot be deleted."))
    connection.set_schema_to_public()
    client.delete(force_drop=True)

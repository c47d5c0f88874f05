"""Bring the database up to date: migrate public and every tenant schema (the
template included), create the operator account and, with --demo, the demo
tenant on first run. Safe to run again: it keeps the data."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context

from erp.tenancy import demo, pool, services
from erp.tenancy.models import Client

OPERATOR_EMAIL = "operator@example.com"


class Command(BaseCommand):
    help = "Migrate all schemas, ensure the template schema, the operator account and (with --demo) the demo tenant."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--demo", action="store_true", help="Load the demo tenant if it does not exist.")

    def handle(self, *args, demo: bool = False, verbosity: int = 1, **options) -> None:
        quiet = max(0, verbosity - 1)
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=quiet)
        services.public_tenant_ensure()
        if not services.template_schema_ready():
            self.stdout.write("Creating the template schema (runs every migration once)…")
        services.template_ensure(verbosity=quiet)
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=quiet)
        self._operator_ensure()
        if demo:
            self._demo_ensure()
        made = pool.pool_fill()
        if made:
            self.stdout.write(f"Prepared {made} spare schema(s) for fast tenant creation.")
        self.stdout.write(self.style.SUCCESS("Database ready."))

    def _operator_ensure(self) -> None:
        from erp.accounts.models import User

        with schema_context(get_public_schema_name()):
            if not User.objects.filter(is_superuser=True).exists():
                password = os.environ.get("ERP_OPERATOR_PASSWORD", "")
                if not password and settings.ERP_HTTPS:
                    raise CommandError(
                        "Set ERP_OPERATOR_PASSWORD: the operator account is created with it "
                        "(the password 'operator' is for local use only)."
                    )
                User.objects.create_superuser(
                    email=OPERATOR_EMAIL, password=password or "operator", first_name="Operator"
                )
                self.stdout.write(f"Created the operator account {OPERATOR_EMAIL}.")

    def _demo_ensure(self) -> None:
        with schema_context(get_public_schema_name()):
            if Client.objects.filter(schema_name=settings.ERP_DEMO_TENANT).exists():
                return
        self.stdout.write("Loading the demo tenant…")
        demo.demo_load(settings.ERP_DEMO_TENANT)

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django_tenants.utils import get_public_schema_name, schema_context

from erp.tenancy import demo
from erp.tenancy.management.commands.erp_setup import OPERATOR_EMAIL
from erp.tenancy.models import Client


class Command(BaseCommand):
    help = "Print the operator URL, the tenant URLs and the demo logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, port: str, **options) -> None:
        scheme = "https" if settings.ERP_HTTPS else "http"
        suffix = "" if str(port) in ("80", "443") else f":{port}"
        line = "=" * 72
        self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("The ERP is running."))
        self.stdout.write(f"  Operator site : {scheme}://{settings.ERP_BASE_DOMAIN}{suffix}/")
        operator_password = (
            "(as set in ERP_OPERATOR_PASSWORD)" if os.environ.get("ERP_OPERATOR_PASSWORD") else "operator"
        )
        self.stdout.write(f"      {'Operator':<13} {OPERATOR_EMAIL} / {operator_password}")
        with schema_context(get_public_schema_name()):
            clients = list(Client.objects.companies().prefetch_related("domains"))
        for client in clients:
            self.stdout.write(f"  {client.name}: {client.url(port=port)}")
            if client.schema_name == settings.ERP_DEMO_TENANT:
                for email, password, role in demo.demo_logins():
                    self.stdout.write(f"      {role:<13} {email} / {password}")
        self.stdout.write("  Stop with Ctrl+C. Data is kept under var/ for the next `make run`.")
        self.stdout.write(line)

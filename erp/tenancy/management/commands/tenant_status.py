from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from erp.core.exceptions import DomainError
from erp.tenancy import services
from erp.tenancy.models import Client


class Command(BaseCommand):
    help = "Suspend or reactivate a tenant."

    def add_arguments(self, parser) -> None:
        parser.add_argument("schema_name")
        parser.add_argument("status", choices=Client.Status.values)

    def handle(self, *args, schema_name: str, status: str, **options) -> None:
        client = Client.objects.companies().filter(schema_name=schema_name).first()
        if client is None:
            raise CommandError(f"No tenant with schema {schema_name}.")
        try:
            services.tenant_set_status(client=client, status=status)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"{client.name} is now {status}."))

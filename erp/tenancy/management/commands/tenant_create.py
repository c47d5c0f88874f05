"""Create a tenant from a script: the same service the operator's form uses."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from erp.core.exceptions import DomainError
from erp.tenancy import services


class Command(BaseCommand):
    help = "Create a client company: clone the template schema, add its domain and first administrator."

    def add_arguments(self, parser) -> None:
        parser.add_argument("subdomain")
        parser.add_argument("--name", required=True, help="Company name")
        parser.add_argument("--currency", default="EUR")
        parser.add_argument("--country", default="DE")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", required=True)
        parser.add_argument("--admin-first-name", default="")
        parser.add_argument("--admin-last-name", default="")
        parser.add_argument(
            "--admin-language", default="", help="en or de (default: German for German-speaking countries)"
        )
        parser.add_argument(
            "--chart", default="ifrs", help="Chart of accounts template: ifrs (default), skr03 or empty"
        )

    def handle(self, *args, **options) -> None:
        new = services.NewTenant(
            name=options["name"],
            subdomain=options["subdomain"],
            currency=options["currency"].upper(),
            country=options["country"].upper(),
            admin_email=options["admin_email"],
            admin_password=options["admin_password"],
            admin_first_name=options["admin_first_name"],
            admin_last_name=options["admin_last_name"],
            admin_language=options["admin_language"],
            chart=options["chart"],
        )
        try:
            client, seconds = services.tenant_create_timed(new=new)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Created {client.name} at {client.primary_domain} in {seconds:.2f} s."))

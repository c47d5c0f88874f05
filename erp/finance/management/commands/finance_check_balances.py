from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context

from erp.finance.balances import balance_differences, balances_repair
from erp.tenancy.models import Client


class Command(BaseCommand):
    help = (
        "Rebuild every tenant's account balances from the posted journal lines and report any "
        "difference; with --fix, rewrite the differing balances. Exits with status 1 when a "
        "difference was found (and not fixed)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--schema", help="Only this tenant (its schema name).")
        parser.add_argument("--fix", action="store_true", help="Rewrite the differing balances from the lines.")

    def handle(self, *args, schema: str | None = None, fix: bool = False, **options) -> None:
        with schema_context(get_public_schema_name()):
            clients = Client.objects.companies()
            if schema:
                clients = clients.filter(schema_name=schema)
            schemas = list(clients.order_by("schema_name").values_list("schema_name", flat=True))
        if schema and not schemas:
            raise CommandError(f"No tenant with schema {schema}.")
        unfixed = 0
        for name in schemas:
            with schema_context(name):
                differences = balances_repair() if fix else balance_differences()
            if not differences:
                self.stdout.write(f"{name}: balances match the journal lines.")
                continue
            for difference in differences:
                self.stdout.write(f"{name}: {difference}")
            if fix:
                self.stdout.write(self.style.WARNING(f"{name}: {len(differences)} balance rows rewritten."))
            else:
                unfixed += len(differences)
                self.stdout.write(self.style.ERROR(f"{name}: {len(differences)} balance rows differ."))
        if unfixed:
            raise SystemExit(1)

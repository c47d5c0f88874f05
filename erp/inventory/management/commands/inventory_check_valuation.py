from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context

from erp.inventory import checks
from erp.tenancy.models import Client


class Command(BaseCommand):
    help = (
        "Compare every tenant's stock value with its inventory accounts on each date either changed "
        "(the valuation entries up to that date against the accounts' balances in the general ledger), "
        "and check that layers add up to their entries and quants to their movements. Exits with "
        "status 1 when anything drifts."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--schema", help="Only this tenant (its schema name).")
        parser.add_argument("--until", type=date.fromisoformat, help="Only dates up to this one (YYYY-MM-DD).")

    def handle(self, *args, schema: str | None = None, until: date | None = None, **options) -> None:
        with schema_context(get_public_schema_name()):
            clients = Client.objects.companies()
            if schema:
                clients = clients.filter(schema_name=schema)
            schemas = list(clients.order_by("schema_name").values_list("schema_name", flat=True))
        if schema and not schemas:
            raise CommandError(f"No tenant with schema {schema}.")
        problems = 0
        for name in schemas:
            with schema_context(name):
                drifts = checks.valuation_drift(until=until)
                others = checks.layer_differences() + checks.quant_differences()
            if not drifts and not others:
                self.stdout.write(f"{name}: stock value and inventory accounts agree on every date (drift 0).")
                continue
            for drift in drifts:
                self.stdout.write(f"{name}: {drift}")
            for problem in others:
                self.stdout.write(f"{name}: {problem}")
            problems += len(drifts) + len(others)
            self.stdout.write(self.style.ERROR(f"{name}: {len(drifts)} drifts, {len(others)} other differences."))
        if problems:
            raise SystemExit(1)

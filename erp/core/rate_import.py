"""Importing daily exchange rates from CSV (see ``erp.core.imports`` for the flow).

Columns: ``date``, ``from_currency``, ``to_currency``, ``rate``. A row for a pair
and day that already has a rate replaces it (the preview says so)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from erp.core import events
from erp.core.currency import rate_validate
from erp.core.exceptions import DomainError
from erp.core.imports import CREATE, UNCHANGED, UPDATE, ImportPlan, parse_date, parse_decimal, read_csv
from erp.core.models import Currency, ExchangeRate

RATE_COLUMNS = ("date", "from_currency", "to_currency", "rate")
RATE_ALIASES = {"from": "from_currency", "to": "to_currency", "day": "date"}
RATE_COLUMNS_HELP = (
    ("date", gettext_lazy("Day the rate applies from: 2025-01-31 or 31.01.2025.")),
    ("from_currency", gettext_lazy("ISO code of the source currency, e.g. EUR.")),
    ("to_currency", gettext_lazy("ISO code of the target currency, e.g. USD.")),
    ("rate", gettext_lazy("Units of the target currency for one unit of the source currency; 1.0834 or 1,0834.")),
)
RATE_EXAMPLE = "date,from_currency,to_currency,rate\n2025-01-31,EUR,USD,1.0389\n2025-01-31,EUR,CHF,0.9432\n"


def exchange_rates_plan(text: str) -> ImportPlan:
    """Read and check every row; nothing is written."""
    plan = read_csv(text, required=RATE_COLUMNS, aliases=RATE_ALIASES)
    if plan.errors:
        return plan
    currencies = {c.code: c for c in Currency.objects.all()}
    parsed = []
    for row in plan.rows:
        values = row.values
        try:
            on_date = parse_date(values["date"])
        except ValueError as error:
            row.errors.append(str(error))
            on_date = None
        pair = []
        for name in ("from_currency", "to_currency"):
            code = values[name].upper()
            currency = currencies.get(code)
            if currency is None:
                row.errors.append(_("Unknown currency “%(code)s”.") % {"code": values[name]})
            pair.append(currency)
        try:
            value = parse_decimal(values["rate"])
        except ValueError as error:
            row.errors.append(str(error))
            value = None
        if None not in pair and value is not None:
            try:
                value = rate_validate(from_currency=pair[0], to_currency=pair[1], value=value)
            except DomainError as error:
                row.errors.append(error.message)
        if not row.errors:
            row.data = {"from": pair[0], "to": pair[1], "date": on_date, "rate": value}
            parsed.append(row)
    existing = {
        (r.from_currency_id, r.to_currency_id, r.date): r
        for r in ExchangeRate.objects.filter(date__in={row.data["date"] for row in parsed})
    }
    seen: dict[tuple, int] = {}
    for row in parsed:
        key = (row.data["from"].code, row.data["to"].code, row.data["date"])
        if key in seen:
            row.errors.append(_("Same pair and date as line %(line)d.") % {"line": seen[key]})
            continue
        seen[key] = row.line
        current = existing.get(key)
        row.data["existing"] = current
        if current is None:
            row.action = CREATE
        elif current.rate == row.data["rate"]:
            row.action = UNCHANGED
        else:
            row.action = UPDATE
    return plan


@transaction.atomic
def exchange_rates_import(*, plan: ImportPlan, by) -> dict[str, int]:
    """Write a valid plan: new rows created, changed rates replaced, all with history."""
    if not plan.is_valid:
        raise DomainError(_("The file has errors; nothing was imported."))
    new = [
        ExchangeRate(
            from_currency=row.data["from"],
            to_currency=row.data["to"],
            date=row.data["date"],
            rate=row.data["rate"],
            source=ExchangeRate.Source.IMPORT,
            created_by=by,
        )
        for row in plan.rows
        if row.action == CREATE
    ]
    changed = []
    now = timezone.now()
    for row in plan.rows:
        if row.action == UPDATE:
            current = row.data["existing"]
            current.rate = row.data["rate"]
            current.source = ExchangeRate.Source.IMPORT
            current.updated_at = now
            changed.append(current)
    bulk_create_with_history(new, ExchangeRate, default_user=by)
    if changed:
        bulk_update_with_history(changed, ExchangeRate, ["rate", "source", "updated_at"], default_user=by)
    counts = plan.counts()
    events.record(verb="core.exchangerate.imported", actor=by, data=counts)
    return counts

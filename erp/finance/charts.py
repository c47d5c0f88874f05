"""Charts of accounts as CSV: the templates in ``fixtures/charts/``, import and export.

One format serves all three (export → edit → import round-trips)::

    code,name,parent,type,role,is_group,reconcilable,currency,description
    1,Assets,,asset,,1,0,,
    1310,Trade receivables,13,asset,receivable,0,1,,

``parent`` is the parent's code (in the file or already in the chart); ``type`` and ``role``
take the values of ``AccountType`` / ``AccountRole`` (or their English labels).
Rows whose code exists already update that account; the others create accounts."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from erp.core import events
from erp.core.exceptions import DomainError
from erp.core.imports import CREATE, UNCHANGED, UPDATE, ImportPlan, ImportRow, parse_bool, read_csv
from erp.core.models import Currency
from erp.finance import rules
from erp.finance.models import SINGLE_ROLES, Account, AccountRole, AccountType, TaxCode

CHARTS_DIR = Path(settings.BASE_DIR) / "fixtures" / "charts"
REQUIRED = ("code", "name", "type")
OPTIONAL = ("parent", "role", "is_group", "reconcilable", "currency", "description")
COLUMNS = ("code", "name", "parent", "type", "role", "is_group", "reconcilable", "currency", "description")
ALIASES = {
    "account_type": "type",
    "parent_code": "parent",
    "group": "is_group",
    "summary": "is_group",
    "reconcile": "reconcilable",
    "number": "code",
}
COLUMNS_HELP = (
    ("code", gettext_lazy("Account number, unique: letters, digits, dots, hyphens.")),
    ("name", gettext_lazy("Account name.")),
    ("parent", gettext_lazy("Code of the summary account above it (in the file or the chart); empty at the top.")),
    ("type", gettext_lazy("asset, liability, equity, income or expense.")),
    ("role", gettext_lazy("Optional: receivable, payable, bank, cash, inventory, cost_of_goods_sold, tax_payable, …")),
    ("is_group", gettext_lazy("1 for a summary account (not postable), else 0 or empty.")),
    ("reconcilable", gettext_lazy("1 when open items are matched (receivables, payables, bank).")),
    ("currency", gettext_lazy("Optional ISO code for an account kept in a foreign currency.")),
    ("description", gettext_lazy("Optional note.")),
)
EXAMPLE = (
    "code,name,parent,type,role,is_group,reconcilable\n"
    "1,Assets,,asset,,1,0\n"
    "14,Cash and cash equivalents,1,asset,,1,0\n"
    "1421,Bank – second account,14,asset,bank,0,1\n"
)


@dataclass(frozen=True)
class ChartTemplate:
    key: str
    label: str
    accounts: str | None
    tax_codes: str | None = None


TEMPLATES = {
    "ifrs": ChartTemplate("ifrs", gettext_lazy("Generic IFRS-style chart (English)"), "ifrs_accounts.csv"),
    "skr03": ChartTemplate(
        "skr03",
        gettext_lazy("SKR03 – Germany, DATEV standard chart (German)"),
        "skr03_accounts.csv",
        "skr03_tax_codes.csv",
    ),
    "empty": ChartTemplate("empty", gettext_lazy("Empty – import your own chart later"), None),
}
DEFAULT_TEMPLATE = "ifrs"


def template_choices() -> list[tuple[str, str]]:
    return [(template.key, template.label) for template in TEMPLATES.values()]


# --- Planning: parse and check, nothing written -------------------------------------------------


def _parse_row(row: ImportRow, currencies: dict[str, Currency]) -> None:
    values = row.values
    code = values["code"]
    error = rules.code_error(code)
    if error:
        row.errors.append(error)
    if not values["name"]:
        row.errors.append(_("The name is missing."))
    elif len(values["name"]) > 200:
        row.errors.append(_("The name is longer than 200 characters."))
    data: dict = {
        "code": code,
        "name": values["name"],
        "parent": values["parent"],
        "description": values["description"],
    }
    for name, choices in (("type", AccountType), ("role", AccountRole)):
        try:
            data[name] = parse_choice_or_blank(values[name], choices, required=name == "type")
        except ValueError as error:
            row.errors.append(f"{name}: {error}")
    for name in ("is_group", "reconcilable"):
        try:
            data[name] = parse_bool(values[name])
        except ValueError as error:
            row.errors.append(f"{name}: {error}")
    currency_code = values["currency"].upper()
    data["currency"] = None
    if currency_code:
        data["currency"] = currencies.get(currency_code)
        if data["currency"] is None:
            row.errors.append(_("Unknown currency “%(code)s”.") % {"code": values["currency"]})
    if not row.errors:
        for error in (
            rules.role_error(role=data["role"], account_type=data["type"], is_group=data["is_group"]),
            rules.currency_error(currency_code=currency_code or None, is_group=data["is_group"]),
        ):
            if error:
                row.errors.append(error)
        data["reconcilable"] = data["reconcilable"] and not data["is_group"]
    row.data = data


def parse_choice_or_blank(value: str, choices, *, required: bool) -> str:
    if not value.strip():
        if required:
            raise ValueError(_("missing."))
        return ""
    return rules.parse_choice(value, choices)


def _final_state(plan_rows: list[ImportRow], existing: dict[str, Account]) -> dict[str, dict]:
    """code → what the account looks like after the import (file rows over existing accounts)."""
    state = {
        code: {
            "parent": account.parent.code if account.parent_id and account.parent else "",
            "is_group": account.is_group,
            "role": account.role,
            "is_active": account.is_active,
            "row": None,
        }
        for code, account in existing.items()
    }
    for row in plan_rows:
        current = state.get(row.data["code"], {"is_active": True})
        state[row.data["code"]] = {**current, **{k: row.data[k] for k in ("parent", "is_group", "role")}, "row": row}
    return state


def _check_tree(rows: list[ImportRow], state: dict[str, dict]) -> None:
    for row in rows:
        parent_code = row.data["parent"]
        if parent_code:
            parent = state.get(parent_code)
            if parent is None:
                row.errors.append(_("The parent account %(code)s does not exist.") % {"code": parent_code})
                continue
            if not parent["is_group"]:
                row.errors.append(_("The parent %(code)s is not a summary account.") % {"code": parent_code})
            if not parent["is_active"]:
                row.errors.append(_("The parent %(code)s is deactivated.") % {"code": parent_code})
        seen, code = set(), row.data["code"]
        while code and code in state and code not in seen:
            seen.add(code)
            code = state[code]["parent"]
        if code and code in seen:
            row.errors.append(_("The parent chain loops back to this account."))
    children: dict[str, int] = {}
    for item in state.values():
        if item["parent"]:
            children[item["parent"]] = children.get(item["parent"], 0) + 1
    for row in rows:
        if not row.data["is_group"] and children.get(row.data["code"]):
            row.errors.append(_("The account has sub-accounts, so it must be a summary account."))


def _check_single_roles(state: dict[str, dict]) -> None:
    holders: dict[str, list[str]] = {}
    for code, item in sorted(state.items()):
        if item["role"] in SINGLE_ROLES and item["is_active"]:
            holders.setdefault(item["role"], []).append(code)
    for role, codes in holders.items():
        if len(codes) > 1:
            for code in codes:
                row = state[code]["row"]
                if row is not None:
                    others = ", ".join(c for c in codes if c != code)
                    row.errors.append(f"{rules.single_role_error(role)} ({others})")


FIELDS = ("name", "account_type", "role", "is_group", "reconcilable", "currency", "description")


def _compare(row: ImportRow, account: Account, parent_code: str) -> None:
    data = row.data
    wanted = {
        "name": data["name"],
        "account_type": data["type"],
        "role": data["role"],
        "is_group": data["is_group"],
        "reconcilable": data["reconcilable"],
        "currency": data["currency"].code if data["currency"] else None,
        "description": data["description"],
    }
    current = {field: getattr(account, field) for field in FIELDS if field != "currency"} | {
        "currency": account.currency_id
    }
    if wanted == current and data["parent"] == parent_code:
        row.action = UNCHANGED
        return
    row.action = UPDATE
    if (wanted["account_type"] != account.account_type or wanted["is_group"] != account.is_group) and account.is_used():
        row.errors.append(_("This account is already in use: its type and summary flag can no longer change."))


def accounts_plan(text: str) -> ImportPlan:
    """Read a chart CSV and check every row against the chart as it is; nothing is written."""
    plan = read_csv(text, required=REQUIRED, optional=OPTIONAL, aliases=ALIASES)
    if plan.errors:
        return plan
    plan.columns = list(COLUMNS)
    for row in plan.rows:
        row.values = {name: row.values.get(name, "") for name in COLUMNS}
    currencies = {c.code: c for c in Currency.objects.all()}
    existing = {a.code: a for a in Account.objects.select_related("parent")}
    seen: dict[str, int] = {}
    for row in plan.rows:
        _parse_row(row, currencies)
        code = row.values["code"]
        key = code.casefold()
        if key in seen:
            row.errors.append(_("The code %(code)s is also on line %(line)d.") % {"code": code, "line": seen[key]})
        seen.setdefault(key, row.line)
    rows = [row for row in plan.rows if not row.errors]
    lowered = {code.casefold(): code for code in existing}
    for row in rows:
        clash = lowered.get(row.data["code"].casefold())
        if clash and clash != row.data["code"]:
            row.errors.append(_("An account with the code %(code)s already exists.") % {"code": clash})
    rows = [row for row in rows if not row.errors]
    state = _final_state(rows, existing)
    _check_tree(rows, state)
    _check_single_roles(state)
    for row in rows:
        account = existing.get(row.data["code"])
        if account is None:
            row.action = CREATE
        elif not row.errors:
            _compare(row, account, account.parent.code if account.parent_id else "")
            row.data["account"] = account
    return plan


# --- Applying a valid plan --------------------------------------------------------------------------


def _new_account(data: dict, by) -> Account:
    return Account(
        code=data["code"],
        name=data["name"],
        account_type=data["type"],
        role=data["role"],
        is_group=data["is_group"],
        reconcilable=data["reconcilable"],
        currency=data["currency"],
        description=data["description"],
        created_by=by,
        updated_by=by,
    )


@transaction.atomic
def accounts_import(*, plan: ImportPlan, by, verb: str = "finance.account.imported") -> dict[str, int]:
    """Write a valid plan: new accounts level by level (parents first, in bulk), then updates."""
    if not plan.is_valid:
        raise DomainError(_("The file has errors; nothing was imported."))
    by_code = {a.code: a for a in Account.objects.all()}
    updates = [row for row in plan.rows if row.action == UPDATE]
    # Roles move between accounts: clear the ones that change first, so no two hold a single role at once.
    Account.objects.filter(
        code__in=[r.data["code"] for r in updates if r.data["role"] != r.data["account"].role]
    ).update(role="")
    pending = [row for row in plan.rows if row.action == CREATE]
    while pending:
        level = [row for row in pending if not row.data["parent"] or row.data["parent"] in by_code]
        if not level:
            raise DomainError(_("The parent accounts could not be resolved."))
        accounts = []
        for row in level:
            account = _new_account(row.data, by)
            account.parent = by_code.get(row.data["parent"]) if row.data["parent"] else None
            accounts.append(account)
        for account in bulk_create_with_history(accounts, Account, default_user=by):
            by_code[account.code] = account
        pending = [row for row in pending if row.data["code"] not in by_code]
    changed = []
    now = timezone.now()
    for row in updates:
        account = by_code[row.data["code"]]
        data = row.data
        account.parent = by_code.get(data["parent"]) if data["parent"] else None
        account.name, account.account_type, account.role = data["name"], data["type"], data["role"]
        account.is_group, account.reconcilable, account.currency = (
            data["is_group"],
            data["reconcilable"],
            data["currency"],
        )
        account.description = data["description"]
        account.version += 1
        account.updated_by, account.updated_at = by, now
        changed.append(account)
    if changed:
        bulk_update_with_history(
            changed,
            Account,
            ["parent", *FIELDS, "version", "updated_by", "updated_at"],
            default_user=by,
        )
    counts = plan.counts()
    events.record(verb=verb, actor=by, data=counts)
    return counts


# --- Templates and export ---------------------------------------------------------------------------


def _template(key: str) -> ChartTemplate:
    try:
        return TEMPLATES[key]
    except KeyError:
        raise DomainError(_("Unknown chart of accounts template “%(key)s”.") % {"key": key}, field="chart") from None


@transaction.atomic
def chart_load(*, template: str, by=None) -> int:
    """Load a template into an empty chart (at tenant creation, or later from the chart screen).

    Returns the number of accounts created."""
    chart = _template(template)
    if Account.all_objects.exists():
        raise DomainError(_("The chart of accounts is not empty: import into it instead."), field="chart")
    if chart.accounts is None:
        return 0
    plan = accounts_plan((CHARTS_DIR / chart.accounts).read_text(encoding="utf-8"))
    if not plan.is_valid:
        problems = plan.errors + [f"{row.line}: {'; '.join(row.errors)}" for row in plan.error_rows]
        raise DomainError(_("The template %(key)s is broken: %(problems)s") % {"key": template, "problems": problems})
    counts = accounts_import(plan=plan, by=by, verb="finance.chart.loaded")
    if chart.tax_codes:
        _tax_codes_load(CHARTS_DIR / chart.tax_codes, by=by)
    return counts["create"]


def _tax_codes_load(path: Path, *, by) -> None:
    accounts = {a.code: a for a in Account.objects.all()}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    bulk_create_with_history(
        [
            TaxCode(
                code=row["code"],
                name=row["name"],
                rate=Decimal(row["rate"]),
                tax_type=row["tax_type"],
                account=accounts[row["account"]],
                price_included=row["price_included"] == "1",
                description=row.get("description", ""),
                created_by=by,
                updated_by=by,
            )
            for row in rows
        ],
        TaxCode,
        default_user=by,
    )


def accounts_export_csv(accounts) -> str:
    """The chart in the import format (parents before their sub-accounts when sorted by code)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for account in accounts:
        writer.writerow(
            [
                account.code,
                account.name,
                account.parent.code if account.parent_id else "",
                account.account_type,
                account.role,
                int(account.is_group),
                int(account.reconcilable),
                account.currency_id or "",
                account.description,
            ]
        )
    return buffer.getvalue()

"""The roles every tenant starts with. Roles are groups; their permission matrix
is edited per tenant on the role screen.

A permission named here is granted to the role once, when it first exists in
the tenant (``SeededRolePermission`` remembers it), so a later migration adds
new modules' permissions to the default roles without undoing an
administrator's edits."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ADMINISTRATOR = "Administrator"
MANAGER = "Manager"
ACCOUNTANT = "Accountant"
SALES = "Sales"
PURCHASING = "Purchasing"
WAREHOUSE = "Warehouse"
HR = "HR"

ROLE_LABELS = {
    ADMINISTRATOR: _("Administrator"),
    MANAGER: _("Manager"),
    ACCOUNTANT: _("Accountant"),
    SALES: _("Sales"),
    PURCHASING: _("Purchasing"),
    WAREHOUSE: _("Warehouse"),
    HR: _("HR"),
}

# Permission specs: "app_label.codename", or "app_label.*" for every permission of an app,
# or "app_label.view_*" for every view permission of an app.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    ADMINISTRATOR: ["*"],
    MANAGER: [
        "core.view_*",
        "core.access_all_organizations",
        "accounts.view_user",
        "finance.view_*",
        # A bill whose prices or quantities differ from the order waits for a manager (purchasing settings).
        "finance.approve_vendorbill",
        "partners.*",
        "catalog.*",
        "inventory.view_*",
        "sales.*",
        "purchasing.*",
        "workflow.view_*",
        "reports.*",
    ],
    ACCOUNTANT: [
        "core.view_organization",
        "core.view_businessevent",
        "core.view_currency",
        "core.change_currency",
        "core.view_exchangerate",
        "core.add_exchangerate",
        "core.change_exchangerate",
        "core.delete_exchangerate",
        "finance.*",
        "partners.view_*",
        "reports.*",
        # Accounts payable enters the vendor's bill from the purchase order it bills.
        "purchasing.view_purchaseorder",
    ],
    SALES: [
        "core.view_organization",
        "partners.*",
        "catalog.view_*",
        "sales.*",
        "inventory.view_*",
        "finance.view_customerinvoice",
        "finance.view_receivables",
    ],
    PURCHASING: [
        "core.view_organization",
        "partners.*",
        "catalog.*",
        "purchasing.*",
        "inventory.view_*",
        "finance.view_vendorbill",
        "finance.view_payables",
    ],
    # The warehouse receives goods against purchase orders (and returns them to the vendor).
    WAREHOUSE: ["core.view_organization", "catalog.view_*", "inventory.*", "purchasing.view_purchaseorder"],
    HR: ["core.view_organization", "hr.*"],
}


def label(name: str) -> str:
    return str(ROLE_LABELS.get(name, name))


# Permissions that make no sense to grant inside a tenant: the operator's own
# (tenancy is a shared-only app) and Django's plumbing.
HIDDEN_APPS = frozenset({"tenancy", "contenttypes", "sessions", "guardian", "admin"})
HIDDEN_MODELS = frozenset({"accounts.seededrolepermission", "auth.permission"})


def is_grantable(app_label: str, model: str) -> bool:
    return app_label not in HIDDEN_APPS and f"{app_label}.{model}" not in HIDDEN_MODELS

"""What the base layout needs on every page: the sidebar, the organization switcher."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (label, icon, url name, permission needed — or a tuple of all needed) per module; later modules
# add their entries here.
Entry = tuple[str, str, str, str | tuple[str, ...] | None]
MODULES: list[tuple[str, list[Entry]]] = [
    (
        _("Home"),
        [(_("Dashboard"), "speedometer2", "core:dashboard", None)],
    ),
    (
        _("Master data"),
        [
            (_("Partners"), "people-fill", "partners:partner-list", "partners.view_partner"),
            (_("Products"), "box-seam", "catalog:product-list", "catalog.view_product"),
            (_("Categories"), "diagram-2", "catalog:category-list", "catalog.view_productcategory"),
            (_("Units"), "rulers", "catalog:unit-list", "catalog.view_unitofmeasure"),
            (_("Price lists"), "tags", "catalog:pricelist-list", "catalog.view_pricelist"),
            (_("Payment terms"), "calendar-check", "partners:paymentterm-list", "partners.view_paymentterm"),
        ],
    ),
    (
        _("Inventory"),
        [
            (_("Stock on hand"), "boxes", "inventory:stock-on-hand", "inventory.view_quant"),
            (_("Goods receipts"), "box-arrow-in-down", "inventory:goodsreceipt-list", "inventory.view_goodsreceipt"),
            (_("Goods issues"), "box-arrow-up", "inventory:goodsissue-list", "inventory.view_goodsissue"),
            (_("Transfers"), "arrow-left-right", "inventory:internaltransfer-list", "inventory.view_internaltransfer"),
            (_("Adjustments"), "plus-slash-minus", "inventory:stockadjustment-list", "inventory.view_stockadjustment"),
            (_("Physical counts"), "clipboard-check", "inventory:physicalcount-list", "inventory.view_physicalcount"),
            (_("Scrap"), "trash3", "inventory:scrap-list", "inventory.view_scrap"),
            (_("Replenishment"), "cart-plus", "inventory:replenishment", "inventory.view_reorderrule"),
            (_("Stock movements"), "clock-history", "inventory:movement-history", "inventory.view_stockmove"),
            (_("Valuation"), "cash-stack", "inventory:valuation", "inventory.view_valuationentry"),
            (_("Slow-moving items"), "hourglass-split", "inventory:slow-moving", "inventory.view_productvaluation"),
            (_("Lots and serials"), "upc-scan", "inventory:lot-list", "inventory.view_lot"),
            (_("Reorder rules"), "arrow-repeat", "inventory:reorderrule-list", "inventory.view_reorderrule"),
            (_("Warehouses"), "building", "inventory:warehouse-list", "inventory.view_warehouse"),
            (_("Locations"), "geo-alt", "inventory:location-list", "inventory.view_location"),
        ],
    ),
    (
        _("Sales"),
        [
            (_("Quotations"), "file-earmark-text", "sales:quotation-list", "sales.view_quotation"),
            (_("Sales orders"), "cart-check", "sales:salesorder-list", "sales.view_salesorder"),
            (_("Deliveries"), "truck", "sales:delivery-list", "sales.view_delivery"),
            (_("Sales analysis"), "bar-chart", "sales:analysis", "sales.view_salesorder"),
        ],
    ),
    (
        _("Purchasing"),
        [
            (
                _("Requisitions"),
                "clipboard-plus",
                "purchasing:purchaserequisition-list",
                "purchasing.view_purchaserequisition",
            ),
            (
                _("Requests for quotation"),
                "question-square",
                "purchasing:requestforquotation-list",
                "purchasing.view_requestforquotation",
            ),
            (_("Purchase orders"), "bag-check", "purchasing:purchaseorder-list", "purchasing.view_purchaseorder"),
            (_("Landed costs"), "truck", "purchasing:landedcost-list", "purchasing.view_landedcost"),
            (
                _("Reorder suggestions"),
                "arrow-repeat",
                "purchasing:purchaserequisition-replenish",
                "purchasing.add_purchaserequisition",
            ),
            (
                _("Purchase analysis"),
                "bar-chart",
                "purchasing:analysis",
                ("purchasing.view_purchaseorder", "finance.view_vendorbill"),
            ),
            # The payables screens purchasers work with (for everyone else, accountants too, under
            # Payables only): those who may order.
            (
                _("Vendor ledger"),
                "person-lines-fill",
                "finance:payable-ledger",
                ("purchasing.add_purchaseorder", "finance.view_payables"),
            ),
            (
                _("Aged payables"),
                "hourglass-bottom",
                "finance:payable-aged",
                ("purchasing.add_purchaseorder", "finance.view_payables"),
            ),
            (
                _("Payment runs"),
                "collection",
                "finance:paymentrun-list",
                ("purchasing.add_purchaseorder", "finance.view_paymentrun"),
            ),
            (_("Purchasing settings"), "sliders", "purchasing:settings", "purchasing.change_purchasingsettings"),
        ],
    ),
    (
        _("Finance"),
        [
            (_("Chart of accounts"), "journal-bookmark", "finance:account-list", "finance.view_account"),
            (_("Journal entries"), "journal-text", "finance:journalentry-list", "finance.view_journalentry"),
            (_("Fiscal years"), "calendar3", "finance:fiscalyear-list", "finance.view_fiscalyear"),
            (_("Tax codes"), "percent", "finance:taxcode-list", "finance.view_taxcode"),
            (_("Currencies"), "currency-exchange", "core:currency-list", "core.view_currency"),
            (_("Exchange rates"), "graph-up", "core:exchangerate-list", "core.view_exchangerate"),
        ],
    ),
    (
        _("Receivables"),
        [
            (_("Customer invoices"), "receipt", "finance:customerinvoice-list", "finance.view_customerinvoice"),
            (_("Customer payments"), "cash-coin", "finance:customerpayment-list", "finance.view_payment"),
            (_("Match payments"), "link-45deg", "finance:receivable-matching", "finance.match_openitem"),
            (_("Customer ledger"), "person-lines-fill", "finance:receivable-ledger", "finance.view_receivables"),
            (_("Aged receivables"), "hourglass-split", "finance:receivable-aged", "finance.view_receivables"),
            (_("Dunning list"), "exclamation-diamond", "finance:receivable-dunning", "finance.view_receivables"),
        ],
    ),
    (
        _("Payables"),
        [
            (_("Vendor bills"), "receipt-cutoff", "finance:vendorbill-list", "finance.view_vendorbill"),
            (_("Vendor payments"), "send", "finance:vendorpayment-list", "finance.view_payment"),
            (_("Payment runs"), "collection", "finance:paymentrun-list", "finance.view_paymentrun"),
            (_("Match payments"), "link-45deg", "finance:payable-matching", "finance.match_openitem"),
            (_("Vendor ledger"), "person-lines-fill", "finance:payable-ledger", "finance.view_payables"),
            (_("Aged payables"), "hourglass-bottom", "finance:payable-aged", "finance.view_payables"),
        ],
    ),
    (
        _("Finance reports"),
        [
            (_("Trial balance"), "list-columns", "finance:report-trial-balance", "finance.view_accountbalance"),
            (_("General ledger"), "journal-richtext", "finance:report-general-ledger", "finance.view_journalentry"),
            (_("Journal"), "journals", "finance:report-journal", "finance.view_journalentry"),
            (_("Profit and loss"), "bar-chart-line", "finance:report-profit-and-loss", "finance.view_accountbalance"),
            (_("Balance sheet"), "bank", "finance:report-balance-sheet", "finance.view_accountbalance"),
        ],
    ),
    (
        _("Workflow"),
        [
            (_("Approvals"), "check2-square", "workflow:approval-queue", None),
            (_("Delegations"), "person-up", "workflow:delegation-list", None),
            (_("Approval workflows"), "diagram-2", "workflow:definition-list", "workflow.view_workflowdefinition"),
            (_("Business rules"), "sliders", "workflow:rule-list", "workflow.view_businessrule"),
        ],
    ),
    (
        _("Administration"),
        [
            (_("Organizations"), "diagram-3", "core:organization-list", "core.view_organization"),
            (_("Users"), "people", "accounts:user-list", "accounts.view_user"),
            (_("Roles"), "shield-lock", "accounts:role-list", "auth.view_group"),
            (_("Activity"), "clock-history", "core:event-list", "core.view_businessevent"),
            (_("Custom fields"), "input-cursor-text", "core:customfield-list", "core.view_customfield"),
        ],
    ),
]


OPERATOR_MODULES: list[tuple[str, list[Entry]]] = [
    (_("Operator"), [(_("Tenants"), "buildings", "operator:tenant-list", "tenancy.manage_tenants")]),
]


def _sidebar(request: HttpRequest, modules=MODULES) -> list[dict]:
    user = request.user
    sections = []
    for title, entries in modules:
        items = []
        for label, icon, url_name, permission in entries:
            if permission and not user.has_perms((permission,) if isinstance(permission, str) else permission):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            items.append(
                {
                    "label": label,
                    "icon": icon,
                    "url": url,
                    "active": request.path.startswith(url) if url != "/" else request.path == "/",
                }
            )
        if items:
            sections.append({"title": title, "items": items})
    return sections


def shell(request: HttpRequest) -> dict:
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    is_tenant_site = tenant is not None and tenant.schema_name != "public"
    context = {"tenant": tenant, "is_tenant_site": is_tenant_site}
    if user is not None and user.is_authenticated:
        if is_tenant_site:
            context["sidebar"] = _sidebar(request)
            context["current_organization"] = getattr(request, "organization", None)
        elif tenant is not None:
            context["sidebar"] = _sidebar(request, OPERATOR_MODULES)
    return context

"""URLs of invoices, payments, matching, payment runs and the receivables/payables reports
(added to the ``finance`` namespace by ``erp.finance.urls``)."""

from django.urls import path
from django.views.decorators.http import require_POST

from erp.core.decorators import permission_required
from erp.finance.invoicing.screens import CUSTOMER_INVOICE_SCREENS, VENDOR_BILL_SCREENS
from erp.finance.openitems import views
from erp.finance.openitems.models import Side
from erp.finance.payments import views as payment_views
from erp.finance.payments.screens import CUSTOMER_PAYMENT_SCREENS, VENDOR_PAYMENT_SCREENS

RECEIVABLES = "finance.view_receivables"
PAYABLES = "finance.view_payables"
MATCH = "finance.match_openitem"


def _side_urls(prefix: str, name: str, side: str, permission: str) -> list:
    def bound(view):
        def wrapped(request, *args, **kwargs):
            return view(request, *args, side=side, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return [
        path(f"{prefix}/aged/", permission_required(permission)(bound(views.aged)), name=f"{name}-aged"),
        path(f"{prefix}/ledger/", permission_required(permission)(bound(views.ledger)), name=f"{name}-ledger"),
        path(f"{prefix}/matching/", permission_required(MATCH)(bound(views.matching)), name=f"{name}-matching"),
        path(f"{prefix}/matching/match/", permission_required(MATCH)(bound(views.match)), name=f"{name}-match"),
        path(
            f"{prefix}/matching/auto/", permission_required(MATCH)(bound(views.match_auto)), name=f"{name}-match-auto"
        ),
        path(
            f"{prefix}/matching/<int:pk>/remove/",
            permission_required(MATCH)(bound(views.unmatch)),
            name=f"{name}-unmatch",
        ),
    ]


urlpatterns = [
    *CUSTOMER_INVOICE_SCREENS.urls(),
    *VENDOR_BILL_SCREENS.urls(),
    *CUSTOMER_PAYMENT_SCREENS.urls(),
    *VENDOR_PAYMENT_SCREENS.urls(),
    *_side_urls("receivables", "receivable", Side.RECEIVABLE, RECEIVABLES),
    *_side_urls("payables", "payable", Side.PAYABLE, PAYABLES),
    path("receivables/statement/", permission_required(RECEIVABLES)(views.statement), name="receivable-statement"),
    path(
        "receivables/statement/send/",
        permission_required(RECEIVABLES, "finance.send_customerinvoice")(views.statement_send),
        name="receivable-statement-send",
    ),
    path("receivables/dunning/", permission_required(RECEIVABLES)(views.dunning), name="receivable-dunning"),
    path(
        "receivables/dunning/send/",
        permission_required(RECEIVABLES, "finance.send_customerinvoice")(views.dunning_send),
        name="receivable-dunning-send",
    ),
    path(
        "payment-runs/",
        permission_required("finance.view_paymentrun")(payment_views.paymentrun_list),
        name="paymentrun-list",
    ),
    path(
        "payment-runs/new/",
        permission_required("finance.add_paymentrun")(payment_views.paymentrun_create),
        name="paymentrun-create",
    ),
    path(
        "payment-runs/<int:pk>/",
        permission_required("finance.view_paymentrun")(payment_views.paymentrun_detail),
        name="paymentrun-detail",
    ),
    path(
        "payment-runs/<int:pk>/execute/",
        require_POST(permission_required("finance.execute_paymentrun")(payment_views.paymentrun_execute)),
        name="paymentrun-execute",
    ),
    path(
        "payment-runs/<int:pk>/remittance.pdf",
        permission_required("finance.view_paymentrun")(payment_views.paymentrun_pdf),
        name="paymentrun-pdf",
    ),
]

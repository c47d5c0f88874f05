"""Remittance advice (vendor payments) and payment confirmations as PDF: one page per payment,
several payments (a payment run) in one file."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Prefetch

from erp.core.documents.screens import render_pdf
from erp.core.models import Company
from erp.finance.payments.models import Payment, PaymentLine
from erp.partners.selectors import default_address


def payments_pdf(payments: Sequence[Payment], *, title: str) -> bytes:
    payments = list(
        Payment.objects.filter(pk__in=[payment.pk for payment in payments])
        .select_related("partner", "currency")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=PaymentLine.objects.select_related("customer_invoice", "vendor_bill", "refunded_payment"),
            )
        )
        .order_by("partner__name", "number")
    )
    for payment in payments:
        address = default_address(payment.partner, "billing")
        payment.address_text = "\n".join([*address.lines, address.country]) if address is not None else ""
    context = {"payments": payments, "title": title, "company": Company.objects.select_related("currency").first()}
    return render_pdf("finance/payments/pdf/payment.html", context)

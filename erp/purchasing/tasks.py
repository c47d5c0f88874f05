"""Sending purchase orders by e-mail (huey): the PDF attached, in the vendor's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from erp.core.tasks import tenant_task
from erp.purchasing.models import PurchaseOrder, RFQVendor, SendStatus


@tenant_task(retries=2, retry_delay=60)
def purchase_order_email(*, order_id: int, recipient: str) -> None:
    from erp.core.models import Company
    from erp.finance.invoicing.pdf import language_for
    from erp.purchasing import pdf

    order = PurchaseOrder.objects.select_related("partner", "currency").get(pk=order_id)
    try:
        document = pdf.render(order)
        with translation.override(language_for(order)):
            context = {"order": order, "company": Company.objects.first()}
            subject = render_to_string("purchasing/email/order_subject.txt", context).strip()
            body = render_to_string("purchasing/email/order.txt", context)
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
        message.attach(pdf.filename(order), document, "application/pdf")
        message.send()
    except Exception as error:
        PurchaseOrder.objects.filter(pk=order_id).update(send_status=SendStatus.FAILED, send_error=str(error)[:255])
        raise
    PurchaseOrder.objects.filter(pk=order_id).update(
        send_status=SendStatus.SENT, sent_at=timezone.now(), sent_to=recipient, send_error=""
    )


@tenant_task(retries=2, retry_delay=60)
def rfq_email(*, rfq_vendor_id: int, recipient: str) -> None:
    from types import SimpleNamespace

    from erp.core.models import Company
    from erp.finance.invoicing.pdf import language_for
    from erp.purchasing import pdf

    invited = RFQVendor.objects.select_related("rfq", "partner").get(pk=rfq_vendor_id)
    rfq = invited.rfq
    try:
        document = pdf.render_rfq(rfq, invited)
        addressee = SimpleNamespace(language="", partner=invited.partner, partner_id=invited.partner_id)
        with translation.override(language_for(addressee)):
            context = {"rfq": rfq, "vendor": invited.partner, "company": Company.objects.first()}
            subject = render_to_string("purchasing/email/rfq_subject.txt", context).strip()
            body = render_to_string("purchasing/email/rfq.txt", context)
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
        message.attach(f"{rfq.number.replace('/', '-')}.pdf", document, "application/pdf")
        message.send()
    except Exception as error:
        RFQVendor.objects.filter(pk=rfq_vendor_id).update(send_status=SendStatus.FAILED, send_error=str(error)[:255])
        raise
    RFQVendor.objects.filter(pk=rfq_vendor_id).update(
        send_status=SendStatus.SENT, sent_at=timezone.now(), sent_to=recipient, send_error=""
    )

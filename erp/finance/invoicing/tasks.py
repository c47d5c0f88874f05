"""Sending invoices by e-mail (huey): the PDF attached, in the customer's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from erp.core.tasks import tenant_task
from erp.finance.invoicing.models import CustomerInvoice, SendStatus


@tenant_task(retries=2, retry_delay=60)
def customer_invoice_email(*, invoice_id: int, recipient: str) -> None:
    from erp.core.models import Company
    from erp.finance.invoicing import pdf

    invoice = CustomerInvoice.objects.select_related("partner", "currency").get(pk=invoice_id)
    company = Company.objects.first()
    try:
        document = pdf.invoice_pdf(invoice)
        with translation.override(pdf.language_for(invoice)):
            context = {"invoice": invoice, "company": company}
            subject = render_to_string("finance/invoicing/email/invoice_subject.txt", context).strip()
            body = render_to_string("finance/invoicing/email/invoice.txt", context)
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
        message.attach(pdf.filename(invoice), document, "application/pdf")
        message.send()
    except Exception as error:
        CustomerInvoice.objects.filter(pk=invoice_id).update(send_status=SendStatus.FAILED, send_error=str(error)[:255])
        raise
    CustomerInvoice.objects.filter(pk=invoice_id).update(
        send_status=SendStatus.SENT, sent_at=timezone.now(), sent_to=recipient, send_error=""
    )

"""Sending quotations by e-mail (huey): the PDF attached, in the customer's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from erp.core.tasks import tenant_task
from erp.sales.models import Quotation, SendStatus


@tenant_task(retries=2, retry_delay=60)
def quotation_email(*, quotation_id: int, recipient: str) -> None:
    from erp.core.models import Company
    from erp.finance.invoicing.pdf import language_for
    from erp.sales import pdf

    quotation = Quotation.objects.select_related("partner", "currency", "contact").get(pk=quotation_id)
    try:
        document = pdf.render(quotation)
        with translation.override(language_for(quotation)):
            context = {"quotation": quotation, "company": Company.objects.first()}
            subject = render_to_string("sales/email/quotation_subject.txt", context).strip()
            body = render_to_string("sales/email/quotation.txt", context)
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
        message.attach(pdf.filename(quotation), document, "application/pdf")
        message.send()
    except Exception as error:
        Quotation.objects.filter(pk=quotation_id).update(send_status=SendStatus.FAILED, send_error=str(error)[:255])
        raise
    Quotation.objects.filter(pk=quotation_id).update(
        send_status=SendStatus.SENT, sent_at=timezone.now(), sent_to=recipient, send_error=""
    )

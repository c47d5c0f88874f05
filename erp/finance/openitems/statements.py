"""Customer statements: the postings of a period with the running balance, what is open at its
end and how late, as a PDF in the customer's language, also sent by e-mail (huey); and payment
reminders from the dunning list: the overdue invoices in the e-mail, the statement attached."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from erp.core import events
from erp.core.documents.screens import render_pdf
from erp.core.exceptions import DomainError
from erp.core.models import Company
from erp.core.tasks import current_schema, tenant_task
from erp.finance.openitems import selectors
from erp.finance.openitems.models import Side
from erp.partners.models import Partner
from erp.partners.selectors import default_address

GERMAN_SPEAKING = frozenset({"DE", "AT", "CH", "LI", "LU"})


def language_for(partner: Partner) -> str:
    country = (partner.country or "").upper()
    if country in GERMAN_SPEAKING:
        return "de"
    return "en" if country else settings.LANGUAGE_CODE


def filename(partner: Partner, on: date) -> str:
    return f"statement-{partner.code or partner.pk}-{on.isoformat()}.pdf"


def statement_pdf(
    *, partner: Partner, date_from: date, on: date, organization_ids: Iterable[int] | None = None
) -> bytes:
    organizations = None if organization_ids is None else list(organization_ids)
    with translation.override(language_for(partner)):
        ledger = selectors.partner_ledger(
            partner=partner, side=Side.RECEIVABLE, date_from=date_from, date_to=on, organization_ids=organizations
        )
        items = selectors.open_items_at(side=Side.RECEIVABLE, partner=partner, on=on, organization_ids=organizations)
        aged = selectors.aged_balances(
            side=Side.RECEIVABLE, on=on, organization_ids=organizations, partner_id=partner.pk
        )
        address = default_address(partner, "billing")
        context = {
            "title": _("Statement of account"),
            "partner": partner,
            "address": "\n".join([*address.lines, address.country]) if address is not None else "",
            "ledger": ledger,
            "items": items,
            "aged": aged.rows[0] if aged.rows else None,
            "on": on,
            "company": Company.objects.select_related("currency").first(),
            "LANGUAGE_CODE": translation.get_language(),
        }
        return render_pdf("finance/openitems/pdf/statement.html", context)


def statement_send(
    *, partner: Partner, date_from: date, on: date, by, to: str = "", organization_ids: Iterable[int] | None = None
) -> str:
    """Queue the statement e-mail (the PDF attached) to ``to`` or the customer's address."""
    recipient = _recipient(partner, to)
    events.record(verb="finance.statement.sent", target=partner, actor=by, data={"to": recipient, "on": str(on)})
    transaction.on_commit(
        partial(
            customer_statement_email,
            schema_name=current_schema(),
            partner_id=partner.pk,
            date_from=date_from.isoformat(),
            on=on.isoformat(),
            organization_ids=None if organization_ids is None else list(organization_ids),
            recipient=recipient,
        )
    )
    return recipient


def _recipient(partner: Partner, to: str) -> str:
    """``to``, else the customer's e-mail address, else its main contact's (or any contact's)."""
    recipient = to.strip() or partner.email
    if not recipient:
        contact = partner.contacts.exclude(email="").order_by("-is_primary", "name").first()
        recipient = contact.email if contact else ""
    if not recipient:
        raise DomainError(
            _("%(partner)s has no e-mail address: enter the recipient.") % {"partner": partner.name}, field="to"
        )
    try:
        validate_email(recipient)
    except ValidationError:
        raise DomainError(_("Enter a valid e-mail address."), field="to") from None
    return recipient


@tenant_task(retries=2, retry_delay=60)
def customer_statement_email(
    *, partner_id: int, date_from: str, on: str, recipient: str, organization_ids: list[int] | None = None
) -> None:
    partner = Partner.objects.get(pk=partner_id)
    day = date.fromisoformat(on)
    document = statement_pdf(
        partner=partner, date_from=date.fromisoformat(date_from), on=day, organization_ids=organization_ids
    )
    with translation.override(language_for(partner)):
        context = {"partner": partner, "on": day, "company": Company.objects.first()}
        subject = render_to_string("finance/openitems/email/statement_subject.txt", context).strip()
        body = render_to_string("finance/openitems/email/statement.txt", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    message.attach(filename(partner, day), document, "application/pdf")
    message.send()


# --- payment reminders ------------------------------------------------------------------------------

REMINDER_SENT = "finance.dunning.sent"


def reminder_send(
    *,
    partner: Partner,
    on: date,
    by,
    to: str = "",
    min_days: int = 1,
    organization_ids: Iterable[int] | None = None,
) -> str:
    """Queue a payment reminder for the customer's invoices overdue on ``on`` (the statement of
    the year so far attached) and record it (``finance.dunning.sent``); returns the recipient."""
    organizations = None if organization_ids is None else list(organization_ids)
    groups = selectors.dunning_list(on=on, organization_ids=organizations, min_days=min_days, partner_ids=[partner.pk])
    if not groups:
        raise DomainError(_("%(partner)s has no overdue invoices.") % {"partner": partner.name})
    recipient = _recipient(partner, to)
    group = groups[0]
    events.record(
        verb=REMINDER_SENT,
        target=partner,
        actor=by,
        data={
            "to": recipient,
            "on": on.isoformat(),
            "total": str(group.total),
            "documents": [item.reference for item in group.items],
        },
    )
    transaction.on_commit(
        partial(
            customer_reminder_email,
            schema_name=current_schema(),
            partner_id=partner.pk,
            on=on.isoformat(),
            min_days=min_days,
            organization_ids=organizations,
            recipient=recipient,
        )
    )
    return recipient


def reminders_sent(partner_ids: Iterable[int]) -> dict[int, date]:
    """The date of the last reminder sent to each of these customers (those with one)."""
    from erp.core.models import BusinessEvent

    rows = (
        BusinessEvent.objects.filter(
            verb=REMINDER_SENT,
            aggregate_type=Partner._meta.label_lower,
            aggregate_id__in=[str(pk) for pk in partner_ids],
        )
        .order_by("occurred_at")
        .values_list("aggregate_id", "occurred_at")
    )
    return {int(pk): timezone.localdate(when) for pk, when in rows}


@tenant_task(retries=2, retry_delay=60)
def customer_reminder_email(
    *, partner_id: int, on: str, recipient: str, min_days: int = 1, organization_ids: list[int] | None = None
) -> None:
    partner = Partner.objects.get(pk=partner_id)
    day = date.fromisoformat(on)
    groups = selectors.dunning_list(
        on=day, organization_ids=organization_ids, min_days=min_days, partner_ids=[partner.pk]
    )
    if not groups:
        return  # paid in the meantime
    document = statement_pdf(
        partner=partner, date_from=day.replace(month=1, day=1), on=day, organization_ids=organization_ids
    )
    with translation.override(language_for(partner)):
        context = {"partner": partner, "on": day, "group": groups[0], "company": Company.objects.first()}
        subject = render_to_string("finance/openitems/email/reminder_subject.txt", context).strip()
        body = render_to_string("finance/openitems/email/reminder.txt", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    message.attach(filename(partner, day), document, "application/pdf")
    message.send()

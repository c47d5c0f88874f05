"""Who hears what from the workflow: approvers when something waits for them, the
submitter when the document was approved or rejected, the recipients a rule names,
and a document's creator when someone else completes, cancels, voids or reverses it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.core.access import organization_ids_for
from erp.core.notifications import notify, register_kind

APPROVAL_REQUESTED = "workflow.approval_requested"
DOCUMENT_APPROVED = "workflow.document_approved"
DOCUMENT_REJECTED = "workflow.document_rejected"
RULE_NOTICE = "workflow.rule_notice"
DOCUMENT_EVENT = "documents.changed_by_someone_else"
ANNOUNCED_TRANSITIONS = ("completed", "cancelled", "voided", "reversed")


def register_kinds() -> None:
    register_kind(APPROVAL_REQUESTED, gettext_lazy("A document waits for my approval"), email=True)
    register_kind(DOCUMENT_APPROVED, gettext_lazy("My document was approved"), email=True)
    register_kind(DOCUMENT_REJECTED, gettext_lazy("My document was rejected"), email=True)
    register_kind(RULE_NOTICE, gettext_lazy("A business rule notifies me"), email=False)
    register_kind(
        DOCUMENT_EVENT, gettext_lazy("Someone else completed, cancelled or reversed my document"), email=False
    )


def _amount(instance) -> str:
    return f" ({instance.amount:,.2f} {instance.currency})" if instance.amount is not None else ""


def approval_requested(*, task, instance, approvers) -> None:
    """Tell the approvers of a step (and whoever stands in for them today) that it waits for them."""
    from erp.workflow.models import Delegation

    today = instance.started_at.date() if instance.started_at else None
    delegates = get_user_model().objects.filter(
        pk__in=Delegation.objects.filter(
            user__in=approvers, starts_on__lte=today, ends_on__gte=today, is_active=True
        ).values("delegate")
    )
    recipients = [
        *approvers,
        *(user for user in delegates if instance.organization_id in organization_ids_for(user)),
    ]
    notify(
        recipients=recipients,
        verb=APPROVAL_REQUESTED,
        title=_("Please approve %(kind)s %(document)s%(amount)s")
        % {"kind": instance.document_kind, "document": instance.document_label, "amount": _amount(instance)},
        body=_("Step “%(step)s”, submitted by %(by)s.") % {"step": task.name, "by": instance.started_by or "—"},
        url=reverse("workflow:approval-queue"),
    )


def approval_finished(*, instance, approved: bool, by, comment: str) -> None:
    """Tell the submitter how their document's approval ended."""
    if approved:
        title = _("%(kind)s %(document)s was approved") % {
            "kind": instance.document_kind.capitalize(),
            "document": instance.document_label,
        }
    else:
        title = _("%(kind)s %(document)s was rejected") % {
            "kind": instance.document_kind.capitalize(),
            "document": instance.document_label,
        }
    body = _("By %(by)s.") % {"by": by}
    if comment:
        body = f"{body} {comment}"
    notify(
        recipients=[instance.started_by],
        verb=DOCUMENT_APPROVED if approved else DOCUMENT_REJECTED,
        title=title,
        body=body,
        url=instance.document_url,
    )


def _url(record) -> str:
    return record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""


def _may_see(users, record):
    organization_id = getattr(record, "organization_id", None)
    if organization_id is None:
        return list(users)
    return [user for user in users if organization_id in organization_ids_for(user)]


def rule_notify(*, record, actions, by) -> None:
    """The ``notify`` actions of matched rules (only people who may see the record's organization)."""
    users = get_user_model().objects.filter(is_active=True)
    for action in actions:
        if action.role_id:
            recipients = users.filter(groups__pk=action.role_id)
        else:
            recipients = users.filter(pk=action.user_id)
        notify(
            recipients=_may_see(recipients, record),
            verb=RULE_NOTICE,
            title=action.message,
            body=f"{record._meta.verbose_name} {record}",
            url=_url(record),
        )


def on_document_transition(document, *, verb: str, by, data: dict) -> None:
    creator_id = getattr(document, "created_by_id", None)
    if verb not in ANNOUNCED_TRANSITIONS or creator_id is None or by is None or creator_id == by.pk:
        return
    labels = {
        "completed": _("%(kind)s %(document)s was completed by %(by)s"),
        "cancelled": _("%(kind)s %(document)s was cancelled by %(by)s"),
        "voided": _("%(kind)s %(document)s was voided by %(by)s"),
        "reversed": _("%(kind)s %(document)s was reversed by %(by)s"),
    }
    notify(
        recipients=[document.created_by],
        verb=DOCUMENT_EVENT,
        title=labels[verb] % {"kind": str(document._meta.verbose_name).capitalize(), "document": document, "by": by},
        body=data.get("reason", "") or "",
        url=_url(document),
    )

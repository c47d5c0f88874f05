"""Document transitions. Each one: one transaction, the document row locked,
state and permission checked, effects performed, an event appended.

A second click, or a second request racing the first, waits on the row lock
and then finds the state already changed: it is refused, never performed twice."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from erp.core import events, numbering
from erp.core.documents import hooks
from erp.core.documents.models import Action, ApprovalStatus, Document, Status
from erp.core.documents.registry import effects_for
from erp.core.exceptions import DomainError


class TransitionRefused(DomainError):
    pass


def _lock(document: Document) -> Document:
    return type(document).objects.select_for_update().get(pk=document.pk)


def _not_allowed(action: str) -> str:
    """“You are not allowed to …” worded per action (a verb cannot be slotted into every language)."""
    return {
        "submit": _("You are not allowed to submit %(kind)s."),
        "approve": _("You are not allowed to approve %(kind)s."),
        "reject": _("You are not allowed to reject %(kind)s."),
        "complete": _("You are not allowed to complete %(kind)s."),
        "close": _("You are not allowed to close %(kind)s."),
        "cancel": _("You are not allowed to cancel %(kind)s."),
        "void": _("You are not allowed to void %(kind)s."),
        "reverse": _("You are not allowed to reverse %(kind)s."),
    }[action]


def _require(document: Document, action: str, by, *, label: str) -> None:
    method = getattr(document, action)
    if not can_proceed(method):
        raise TransitionRefused(
            _("%(document)s has the status “%(status)s”: it cannot be %(action)s.")
            % {"document": document, "status": document.get_status_display(), "action": label}
        )
    if not has_transition_perm(method, by):
        raise TransitionRefused(_not_allowed(action) % {"kind": document._meta.verbose_name_plural})


def _save(document: Document, by) -> None:
    document.updated_by = by
    document.version += 1
    document._history_user = by
    document.save()


def _record(document: Document, verb: str, by, **data) -> None:
    events.record(
        verb=f"{document._meta.label_lower}.{verb}",
        target=document,
        actor=by,
        data=data,
        organization=document.organization,
    )
    hooks.transition_done(document, verb=verb, by=by, data=data)


def _check_rules(document: Document, trigger: str, by) -> None:
    """Business rules may block (DomainError); their warnings are kept on ``document.rule_warnings``."""
    warnings = hooks.run_rules(document, trigger=trigger, by=by)
    document.rule_warnings = [*getattr(document, "rule_warnings", []), *warnings]


def _refuse_bypassing_approval(document: Document) -> None:
    if hooks.approval_handler_for(document) is not None:
        raise TransitionRefused(
            _("%(document)s waits for its approval workflow: it is decided step by step from the approvals queue.")
            % {"document": document}
        )


def _allocate_number(document: Document) -> None:
    if not document.number:
        document.number = numbering.next_number(
            series=document.number_series,
            organization=document.organization,
            year=document.document_date.year,
            default_pattern=document.number_pattern,
        )


def _submit(document: Document, *, by) -> Document:
    """Draft → In Review, then Approved unless an approval workflow takes it (row already locked)."""
    _require(document, "submit", by, label=_("submitted"))
    effects = effects_for(document)
    effects.recompute_totals(document)
    effects.check_submit(document)
    _check_rules(document, hooks.BEFORE_SUBMIT, by)
    document.submit()
    _allocate_number(document)
    document.status_reason = ""
    _save(document, by)
    _record(document, "submitted", by)
    if hooks.start_approval(document, by=by):
        document.approval_status = ApprovalStatus.PENDING
        _save(document, by)
    else:
        document.approve()
        document.approval_status = ApprovalStatus.NOT_REQUIRED
        _save(document, by)
        _record(document, "approved", by, automatic=True)
    return document


@transaction.atomic
def document_submit(*, document: Document, by) -> Document:
    return _submit(_lock(document), by=by)


@transaction.atomic
def document_approve(*, document: Document, by, comment: str = "") -> Document:
    """In Review → Approved (called by the approval workflow when its last step passes)."""
    document = _lock(document)
    _require(document, "approve", by, label=_("approved"))
    _refuse_bypassing_approval(document)
    document.approve()
    document.approval_status = ApprovalStatus.APPROVED
    _save(document, by)
    _record(document, "approved", by, comment=comment)
    return document


@transaction.atomic
def document_reject(*, document: Document, by, reason: str) -> Document:
    """In Review → Draft with the reason; the number stays allocated."""
    if not reason.strip():
        raise DomainError(_("Please give a reason for the rejection."), field="reason")
    document = _lock(document)
    _require(document, "reject", by, label=_("rejected"))
    _refuse_bypassing_approval(document)
    document.reject()
    document.approval_status = ApprovalStatus.REJECTED
    document.status_reason = reason.strip()[:255]
    _save(document, by)
    _record(document, "rejected", by, reason=reason.strip())
    return document


@transaction.atomic
def document_complete(*, document: Document, by) -> Document:
    """Complete (post) a document. From Draft it is submitted first; if that starts an
    approval workflow the document stays In Review and is not completed."""
    document = _lock(document)
    if document.status == Status.DRAFT:
        _submit(document, by=by)
        if document.status != Status.APPROVED:
            return document
    _require(document, "complete", by, label=_("completed"))
    effects = effects_for(document)
    effects.recompute_totals(document)
    effects.check_complete(document)
    _check_rules(document, hooks.BEFORE_COMPLETE, by)
    document.complete()
    now = timezone.now()
    document.processed, document.processed_at, document.processed_by = True, now, by
    effects.on_complete(document, by=by)
    _save(document, by)
    _record(document, "completed", by, total=str(document.total_gross))
    return document


@transaction.atomic
def document_close(*, document: Document, by) -> Document:
    document = _lock(document)
    _require(document, "close", by, label=_("closed"))
    document.close()
    _save(document, by)
    _record(document, "closed", by)
    return document


@transaction.atomic
def document_cancel(*, document: Document, by, reason: str = "") -> Document:
    document = _lock(document)
    _require(document, "cancel", by, label=_("cancelled"))
    document.cancel()
    document.status_reason = reason.strip()[:255]
    _save(document, by)
    _record(document, "cancelled", by, reason=reason.strip())
    return document


@transaction.atomic
def document_void(*, document: Document, by, reason: str = "") -> Document:
    """Undo a completed document with its original accounting date (period open, nothing depends on it)."""
    document = _lock(document)
    _require(document, "void", by, label=_("voided"))
    effects = effects_for(document)
    blockers = effects.void_blockers(document)
    if blockers:
        raise TransitionRefused(" ".join(blockers))
    effects.on_void(document, by=by)
    document.void()
    document.status_reason = reason.strip()[:255]
    _save(document, by)
    _record(document, "voided", by, reason=reason.strip())
    return document


@transaction.atomic
def document_reverse(*, document: Document, by, accrual: bool, on_date: date | None = None, reason: str = ""):
    """Reverse-Correct (reversing document on the original date, period open) or
    Reverse-Accrual (reversing document dated ``on_date``, today by default).
    Returns the reversing document."""
    document = _lock(document)
    _require(document, "reverse", by, label=_("reversed"))
    effects = effects_for(document)
    if accrual:
        on_date = on_date or timezone.localdate()
        blockers = effects.reverse_accrual_blockers(document, on_date=on_date)
    else:
        on_date = document.accounting_date
        blockers = effects.reverse_correct_blockers(document)
    if blockers:
        raise TransitionRefused(" ".join(blockers))
    reversal = effects.on_reverse(document, by=by, on_date=on_date)
    document.reverse()
    document.status_reason = reason.strip()[:255]
    _save(document, by)
    _record(
        document,
        "reversed",
        by,
        mode="accrual" if accrual else "correct",
        on=on_date.isoformat(),
        reversal=str(reversal) if reversal is not None else "",
        reason=reason.strip(),
    )
    return reversal


def available_actions(document: Document, user) -> list[str]:
    """The actions this user may take on this document now (for the detail page's buttons)."""
    effects = effects_for(document)
    return [action for action in _possible_actions(document, user, effects) if action not in effects.hidden_actions]


def _possible_actions(document: Document, user, effects) -> list[str]:
    actions: list[str] = []
    status = document.status

    def allowed(method: str) -> bool:
        bound = getattr(document, method)
        return can_proceed(bound) and has_transition_perm(bound, user)

    if status == Status.DRAFT:
        if allowed("submit"):
            actions.append(Action.SUBMIT)
            if user.has_perm(document.permission_for("complete")):
                actions.append(Action.COMPLETE)
    elif status == Status.IN_REVIEW:
        handler = hooks.approval_handler_for(document)
        if handler.can_decide(document, user) if handler is not None else allowed("approve"):
            actions += [Action.APPROVE, Action.REJECT]
    elif status in (Status.APPROVED, Status.IN_PROGRESS):
        if allowed("complete"):
            actions.append(Action.COMPLETE)
    elif status == Status.COMPLETED and allowed("close"):
        actions.append(Action.CLOSE)
    if allowed("cancel"):
        actions.append(Action.CANCEL)
    if allowed("void"):
        if not effects.void_blockers(document):
            actions.append(Action.VOID)
        if not effects.reverse_correct_blockers(document):
            actions.append(Action.REVERSE_CORRECT)
        if not effects.reverse_accrual_blockers(document, on_date=None):
            actions.append(Action.REVERSE_ACCRUAL)
    return actions


def perform(*, document: Document, action: str, by, reason: str = "", on_date: date | None = None):
    """Dispatch a user's action (from the detail page) to its service."""
    if action in effects_for(document).hidden_actions:
        raise DomainError(_("Unknown action."))
    if action == Action.SUBMIT:
        return document_submit(document=document, by=by)
    if action in (Action.APPROVE, Action.REJECT):
        handler = hooks.approval_handler_for(document)
        if handler is not None:  # the workflow records the decision of its current step
            handler.decide(document, by=by, approve=action == Action.APPROVE, comment=reason)
            return document
    if action == Action.APPROVE:
        return document_approve(document=document, by=by, comment=reason)
    if action == Action.REJECT:
        return document_reject(document=document, by=by, reason=reason)
    if action == Action.COMPLETE:
        return document_complete(document=document, by=by)
    if action == Action.CLOSE:
        return document_close(document=document, by=by)
    if action == Action.CANCEL:
        return document_cancel(document=document, by=by, reason=reason)
    if action == Action.VOID:
        return document_void(document=document, by=by, reason=reason)
    if action == Action.REVERSE_CORRECT:
        return document_reverse(document=document, by=by, accrual=False, reason=reason)
    if action == Action.REVERSE_ACCRUAL:
        return document_reverse(document=document, by=by, accrual=True, on_date=on_date, reason=reason)
    raise DomainError(_("Unknown action."))

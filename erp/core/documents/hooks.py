"""Extension points the workflow and business-rule modules plug into.

- approval starters: called when a document is submitted; one that returns True
  has started an approval workflow and the document waits In Review.
- rule checks: called before save/submit/complete with the trigger name; they
  raise DomainError to block, and may return warnings.
- approval handlers: while a handler reports an approval in progress for a
  document, its Approve/Reject go through the handler (the workflow records the
  decision of the current step) and ``document_approve``/``document_reject``
  refuse to bypass it; the workflow calls them once its last step has passed.
- transition listeners: told of every transition after it is recorded (the
  workflow cancels a pending approval when its document is cancelled; document
  events become notifications)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

ApprovalStarter = Callable[..., bool]
RuleCheck = Callable[..., list[str]]
TransitionListener = Callable[..., None]


class ApprovalHandler(Protocol):
    def pending(self, document) -> bool:
        """An approval is in progress for ``document``."""

    def can_decide(self, document, user) -> bool:
        """``user`` may approve or reject the current step now."""

    def decide(self, document, *, by, approve: bool, comment: str) -> None:
        """Record ``by``'s decision on the current step (DomainError when not allowed)."""


_approval_starters: list[ApprovalStarter] = []
_rule_checks: list[RuleCheck] = []
_approval_handlers: list[ApprovalHandler] = []
_transition_listeners: list[TransitionListener] = []

BEFORE_SAVE = "before_save"
BEFORE_SUBMIT = "before_submit"
BEFORE_COMPLETE = "before_complete"


def register_approval_starter(starter: ApprovalStarter) -> ApprovalStarter:
    _approval_starters.append(starter)
    return starter


def register_rule_check(check: RuleCheck) -> RuleCheck:
    _rule_checks.append(check)
    return check


def register_approval_handler(handler: ApprovalHandler) -> ApprovalHandler:
    _approval_handlers.append(handler)
    return handler


def register_transition_listener(listener: TransitionListener) -> TransitionListener:
    _transition_listeners.append(listener)
    return listener


def approval_handler_for(document) -> ApprovalHandler | None:
    """The handler running an approval of ``document``, if any."""
    return next((handler for handler in _approval_handlers if handler.pending(document)), None)


def transition_done(document, *, verb: str, by, data: dict[str, Any]) -> None:
    for listener in _transition_listeners:
        listener(document, verb=verb, by=by, data=data)


def start_approval(document, *, by) -> bool:
    return any(starter(document, by=by) for starter in _approval_starters)


def run_rules(document, *, trigger: str, by) -> list[str]:
    warnings: list[str] = []
    for check in _rule_checks:
        warnings.extend(check(document, trigger=trigger, by=by) or [])
    return warnings


def run_save_rules(record, *, by) -> list[str]:
    """The before-save rules of a master-data record (partner, product…), run by its service once
    the record is written inside the service's transaction: a blocking rule raises ``DomainError``
    and takes the whole save back, fields a rule sets are written, the warnings are returned."""
    names = [field.attname for field in record._meta.concrete_fields]
    before = [getattr(record, name) for name in names]
    warnings = run_rules(record, trigger=BEFORE_SAVE, by=by)
    changed = [name for name, old in zip(names, before, strict=True) if getattr(record, name) != old]
    if changed:
        record.save(update_fields=changed)
    return warnings

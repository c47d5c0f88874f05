"""The workflow plugged into the document base (``erp.core.documents.hooks``):
it starts approvals on submit, decides them from the document page, ends them
when the document is cancelled, and adds the decisions to the timeline."""

from __future__ import annotations

from django.utils.translation import gettext as _

from erp.core.documents.timeline import Entry
from erp.core.exceptions import DomainError
from erp.workflow import selectors, services
from erp.workflow.models import Decision, TaskStatus

approval_start = services.approval_start


class WorkflowApprovals:
    """``hooks.ApprovalHandler``: Approve/Reject on a document waiting for its workflow."""

    def pending(self, document) -> bool:
        return selectors.pending_instance(document) is not None

    def can_decide(self, document, user) -> bool:
        return selectors.decidable_assignment(document, user) is not None

    def decide(self, document, *, by, approve: bool, comment: str) -> None:
        assignment = selectors.decidable_assignment(document, by)
        if assignment is None:
            task = selectors.open_task(document)
            if task is None:
                raise DomainError(_("You are not an approver of the current step."))
            raise DomainError(
                _("You are not an approver of the step “%(step)s”: it is decided by %(approver)s.")
                % {"step": task.name, "approver": task.approver_label}
            )
        services.approval_decide(assignment_id=assignment.pk, by=by, approve=approve, comment=comment)


def on_transition(document, *, verb: str, by, data: dict) -> None:
    if verb == "cancelled":
        services.approval_cancel(document, by=by, reason=data.get("reason", ""))


def timeline_entries(document) -> list[Entry]:
    """Each step's opening and each decision, for the document's timeline (and its PDF)."""
    entries = []
    for task in selectors.history_of(document):
        if task.opened_at:
            entries.append(
                Entry(
                    when=task.opened_at,
                    who="",
                    kind="approval",
                    text=_("%(step)s: waiting for %(approver)s") % {"step": task.name, "approver": task.approver_label},
                )
            )
        for assignment in task.assignments.all():
            if assignment.decision == Decision.NONE:
                continue
            who = str(assignment.decided_by)
            if assignment.on_behalf:
                who = _("%(delegate)s for %(approver)s") % {"delegate": who, "approver": assignment.assignee}
            entries.append(
                Entry(
                    when=assignment.decided_at,
                    who=who,
                    kind="approval",
                    text=f"{task.name}: {Decision(assignment.decision).label}",
                    detail=assignment.comment,
                )
            )
        if task.status == TaskStatus.CANCELLED and task.finished_at:
            entries.append(
                Entry(
                    when=task.finished_at, who="", kind="approval", text=_("%(step)s: cancelled") % {"step": task.name}
                )
            )
    return entries

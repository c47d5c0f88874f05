"""Reads for the workflow screens and the approval hooks."""

from __future__ import annotations

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from erp.core.access import organization_ids_for
from erp.workflow.models import (
    ApprovalAssignment,
    ApprovalTask,
    BusinessRule,
    Decision,
    Delegation,
    InstanceStatus,
    TaskStatus,
    WorkflowDefinition,
    WorkflowInstance,
)


def delegators_of(user, *, on: date | None = None) -> list[int]:
    """Ids of the users whose approvals ``user`` decides today (they delegated to ``user``)."""
    on = on or timezone.localdate()
    return list(
        Delegation.objects.filter(delegate=user, starts_on__lte=on, ends_on__gte=on, is_active=True).values_list(
            "user_id", flat=True
        )
    )


def approval_queue(*, user, on: date | None = None) -> QuerySet[ApprovalAssignment]:
    """What waits for ``user``'s decision: open steps assigned to them or to someone they stand in for,
    on documents of organizations they may access."""
    return (
        ApprovalAssignment.objects.filter(
            decision=Decision.NONE,
            task__status=TaskStatus.OPEN,
            task__workflow_instance__status=InstanceStatus.PENDING,
            task__workflow_instance__organization_id__in=organization_ids_for(user),
            assignee_id__in=[user.pk, *delegators_of(user, on=on)],
        )
        .select_related("task__workflow_instance__organization", "task__workflow_instance__started_by", "assignee")
        .order_by("task__workflow_instance__started_at", "pk")
    )


def pending_instance(document) -> WorkflowInstance | None:
    content_type = ContentType.objects.get_for_model(type(document))
    return (
        WorkflowInstance.objects.filter(content_type=content_type, object_id=document.pk, status=InstanceStatus.PENDING)
        .order_by("-pk")
        .first()
    )


def open_task(document) -> ApprovalTask | None:
    """The step of ``document``'s pending approval that waits for a decision now."""
    instance = pending_instance(document)
    if instance is None:
        return None
    return instance.tasks.filter(status=TaskStatus.OPEN).order_by("position", "pk").first()


def decidable_assignment(document, user) -> ApprovalAssignment | None:
    """The assignment ``user`` would decide on ``document`` now: their own first, else one they stand in for."""
    content_type = ContentType.objects.get_for_model(type(document))
    candidates = list(
        approval_queue(user=user).filter(
            task__workflow_instance__content_type=content_type, task__workflow_instance__object_id=document.pk
        )
    )
    own = [assignment for assignment in candidates if assignment.assignee_id == user.pk]
    return (own or candidates or [None])[0]


def instances_of(document) -> QuerySet[WorkflowInstance]:
    content_type = ContentType.objects.get_for_model(type(document))
    return WorkflowInstance.objects.filter(content_type=content_type, object_id=document.pk).order_by("pk")


def history_of(document) -> list[ApprovalTask]:
    """Every approval step of the document's instances, with approvers and decisions."""
    content_type = ContentType.objects.get_for_model(type(document))
    return list(
        ApprovalTask.objects.filter(
            workflow_instance__content_type=content_type, workflow_instance__object_id=document.pk
        )
        .select_related("workflow_instance")
        .prefetch_related("assignments__assignee", "assignments__decided_by")
        .order_by("workflow_instance_id", "position")
    )


def rule_list() -> QuerySet[BusinessRule]:
    return BusinessRule.objects.all()


def definition_list() -> QuerySet[WorkflowDefinition]:
    return WorkflowDefinition.objects.all()


def delegation_list(*, user, everyone: bool) -> QuerySet[Delegation]:
    delegations = Delegation.objects.select_related("user", "delegate")
    return delegations if everyone else delegations.filter(Q(user=user) | Q(delegate=user))

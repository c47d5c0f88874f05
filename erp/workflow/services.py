"""Writes of the workflow module: business rules, workflow definitions and their
steps, delegations, and the approvals themselves (start on submit, decide, cancel)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.accounts.roles import label as role_label
from erp.core import events
from erp.core.access import organization_ids_for
from erp.core.documents import hooks
from erp.core.documents.services import document_approve, document_reject
from erp.core.exceptions import DomainError
from erp.core.services import soft_delete, versioned_update
from erp.workflow import engine, notifications, requirements, selectors
from erp.workflow.conditions import ConditionError, Values, compile_condition
from erp.workflow.models import (
    ApprovalAssignment,
    ApprovalMode,
    ApprovalTask,
    BusinessRule,
    Decision,
    Delegation,
    InstanceStatus,
    TaskStatus,
    WorkflowDefinition,
    WorkflowInstance,
    WorkflowStep,
)
from erp.workflow.subjects import subject_for, subject_of

RULE_FIELDS = ("name", "description", "subject", "trigger", "conditions", "actions", "priority", "is_active")


class ApprovalRefused(DomainError):
    pass


# --- business rules ---------------------------------------------------------------------------------


def _checked(rule: BusinessRule) -> None:
    """Model validation: unknown fields, operators or actions are refused here."""
    rule.full_clean(exclude=["created_by", "updated_by", "deleted_by"])


@transaction.atomic
def rule_create(*, by, **fields: Any) -> BusinessRule:
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown rule fields: {sorted(unknown)}")
    rule = BusinessRule(**fields, created_by=by, updated_by=by)
    _checked(rule)
    rule._history_user = by
    rule.save()
    events.record(verb="workflow.businessrule.created", target=rule, actor=by)
    return rule


@transaction.atomic
def rule_update(*, rule: BusinessRule, expected_version: int, by, **fields: Any) -> BusinessRule:
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown rule fields: {sorted(unknown)}")
    candidate = BusinessRule(**{**{name: getattr(rule, name) for name in RULE_FIELDS}, **fields})
    _checked(candidate)
    rule = versioned_update(instance=rule, expected_version=expected_version, by=by, fields=fields)
    events.record(verb="workflow.businessrule.updated", target=rule, actor=by)
    return rule


@transaction.atomic
def rule_set_active(*, rule: BusinessRule, is_active: bool, by) -> BusinessRule:
    if is_active:
        _checked(rule)
    rule = versioned_update(instance=rule, expected_version=rule.version, by=by, fields={"is_active": is_active})
    events.record(
        verb="workflow.businessrule.activated" if is_active else "workflow.businessrule.deactivated",
        target=rule,
        actor=by,
    )
    return rule


def rule_delete(*, rule: BusinessRule, by, reason: str) -> BusinessRule:
    return soft_delete(instance=rule, by=by, reason=reason)


# --- workflow definitions and steps ----------------------------------------------------------------


def _document_subject(subject: str):
    found = subject_for(subject)
    if found is None or not found.is_document:
        raise DomainError(_("Please choose a document type."), field="subject")
    return found


def _only_active(subject: str, *, exclude_pk: int | None = None) -> None:
    others = WorkflowDefinition.objects.filter(subject=subject, is_active=True)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise DomainError(
            _("%(other)s is already the active workflow of this document type; deactivate it first.")
            % {"other": others.first()},
            field="is_active",
        )


@transaction.atomic
def definition_create(*, name: str, subject: str, description: str = "", is_active: bool = True, by):
    _document_subject(subject)
    if not name.strip():
        raise DomainError(_("Please enter a name."), field="name")
    if is_active:
        _only_active(subject)
    definition = WorkflowDefinition(
        name=name.strip(),
        subject=subject,
        description=description,
        is_active=is_active,
        created_by=by,
        updated_by=by,
    )
    definition._history_user = by
    definition.save()
    events.record(verb="workflow.workflowdefinition.created", target=definition, actor=by)
    return definition


@transaction.atomic
def definition_update(
    *, definition: WorkflowDefinition, expected_version: int, by, name: str, description: str, is_active: bool
) -> WorkflowDefinition:
    if not name.strip():
        raise DomainError(_("Please enter a name."), field="name")
    if is_active:
        _only_active(definition.subject, exclude_pk=definition.pk)
    definition = versioned_update(
        instance=definition,
        expected_version=expected_version,
        by=by,
        fields={"name": name.strip(), "description": description, "is_active": is_active},
    )
    events.record(verb="workflow.workflowdefinition.updated", target=definition, actor=by)
    return definition


def definition_delete(*, definition: WorkflowDefinition, by, reason: str) -> WorkflowDefinition:
    return soft_delete(instance=definition, by=by, reason=reason)


def _touch(definition: WorkflowDefinition, by, **data: str) -> None:
    """A step changed: the workflow's version moves on (history, event log)."""
    locked = WorkflowDefinition.objects.select_for_update().get(pk=definition.pk)
    locked.version += 1
    locked.updated_by = by
    locked._history_user = by
    locked.save(update_fields=["version", "updated_by", "updated_at"])
    definition.version = locked.version
    events.record(verb="workflow.workflowdefinition.updated", target=locked, actor=by, data=data)


@transaction.atomic
def step_save(
    *,
    definition: WorkflowDefinition,
    step: WorkflowStep | None = None,
    name: str,
    position: int,
    role: Group | None,
    user=None,
    mode: str = ApprovalMode.ANY,
    condition: dict | None = None,
    by,
) -> WorkflowStep:
    """Create or change a step; its condition is checked against the document type's fields."""
    if (role is None) == (user is None):
        raise DomainError(_("Choose either a role or a user as approver."), field="role")
    if not name.strip():
        raise DomainError(_("Please enter a name."), field="name")
    subject = _document_subject(definition.subject)
    try:
        compile_condition(condition or {}, subject.fields())
    except ConditionError as error:
        raise DomainError(error.message, field="condition")
    step = step or WorkflowStep(definition=definition)
    step.name, step.position, step.role, step.user, step.mode = name.strip(), position, role, user, mode
    step.condition = condition or {}
    step._history_user = by
    step.save()
    _touch(definition, by, step=step.name)
    return step


@transaction.atomic
def step_delete(*, step: WorkflowStep, by) -> None:
    definition = step.definition
    step._history_user = by
    name = step.name
    step.delete()
    _touch(definition, by, removed_step=name)


# --- delegations -------------------------------------------------------------------------------------


@transaction.atomic
def delegation_create(*, user, delegate, starts_on: date, ends_on: date, note: str = "", by) -> Delegation:
    if user.pk == delegate.pk:
        raise DomainError(_("Choose someone else as delegate."), field="delegate")
    if not delegate.is_active:
        raise DomainError(_("The delegate's account is deactivated."), field="delegate")
    if ends_on < starts_on:
        raise DomainError(_("The end date must not be before the start date."), field="ends_on")
    delegation = Delegation(
        user=user,
        delegate=delegate,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note.strip(),
        created_by=by,
        updated_by=by,
    )
    delegation._history_user = by
    delegation.save()
    events.record(verb="workflow.delegation.created", target=delegation, actor=by)
    return delegation


def delegation_delete(*, delegation: Delegation, by, reason: str) -> Delegation:
    return soft_delete(instance=delegation, by=by, reason=reason)


# --- approvals -------------------------------------------------------------------------------------------


def _approvers(task: ApprovalTask, document, instance: WorkflowInstance) -> list:
    """Who decides ``task``: the user or the role's members who may approve this document type
    in its organization — never the person who submitted it."""
    if task.user_id:
        candidates = [task.user]
    elif task.role_id:
        candidates = list(task.role.user_set.filter(is_active=True).order_by("pk"))
    else:
        candidates = []
    permission = document.permission_for("approve")
    return [
        user
        for user in candidates
        if user.is_active
        and user.pk != instance.started_by_id
        and user.has_perm(permission)
        and document.organization_id in organization_ids_for(user)
    ]


def _nobody(task: ApprovalTask, document) -> ApprovalRefused:
    return ApprovalRefused(
        _(
            "Nobody can approve the step “%(step)s” (%(approver)s): the approver needs the permission to approve "
            "%(kind)s and access to %(organization)s, and may not approve their own document."
        )
        % {
            "step": task.name,
            "approver": task.approver_label,
            "kind": document._meta.verbose_name_plural,
            "organization": document.organization,
        }
    )


def _open(task: ApprovalTask, document, instance: WorkflowInstance) -> None:
    approvers = _approvers(task, document, instance)
    if not approvers:
        raise _nobody(task, document)
    task.status, task.opened_at = TaskStatus.OPEN, timezone.now()
    task.save(update_fields=["status", "opened_at"])
    ApprovalAssignment.objects.bulk_create(ApprovalAssignment(task=task, assignee=user) for user in approvers)
    notifications.approval_requested(task=task, instance=instance, approvers=approvers)


def _document_url(document) -> str:
    return document.get_absolute_url() if hasattr(document, "get_absolute_url") else ""


def approval_start(document, *, by) -> bool:
    """On submit (inside its transaction): start the approvals that apply to ``document``.

    The steps of the document type's active workflow whose condition holds, then the
    approvals that business rules require, then those other modules require
    (``erp.workflow.requirements``); True when there is at least one (the document
    then waits In Review), False when it may be approved at once."""
    subject = subject_of(document)
    definition = (
        WorkflowDefinition.objects.filter(subject=subject.label, is_active=True)
        .prefetch_related("steps__role", "steps__user")
        .first()
    )
    plan: list[dict[str, Any]] = []
    if definition is not None:
        fields = subject.fields()
        for step in definition.steps.all():
            try:
                applies = compile_condition(step.condition, fields).holds(Values(document))
            except ConditionError:
                applies = True  # a step whose condition no longer fits is kept: approvals fail closed
            if applies:
                approver = str(step.user) if step.user_id else role_label(step.role.name)
                plan.append(
                    {
                        "name": step.name,
                        "step": step,
                        "role": step.role,
                        "user": step.user,
                        "mode": step.mode,
                        "approver_label": approver,
                    }
                )
    planned_roles = {item["role"].pk for item in plan if item["role"] is not None and item["user"] is None}
    for rule, role_id in engine.evaluate(document, hooks.BEFORE_SUBMIT).approvals:
        if role_id in planned_roles:
            continue
        role = Group.objects.get(pk=role_id)
        planned_roles.add(role_id)
        plan.append(
            {
                "name": rule.name,
                "rule_id": rule.pk,
                "role": role,
                "user": None,
                "mode": ApprovalMode.ANY,
                "approver_label": role_label(role.name),
            }
        )
    for requirement in requirements.required(document, by=by):
        plan.append(
            {
                "name": requirement.name[:200],
                "role": requirement.role,
                "user": None,
                "mode": ApprovalMode.ANY,
                "approver_label": role_label(requirement.role.name),
            }
        )
    if not plan:
        return False
    instance = WorkflowInstance.objects.create(
        content_type=ContentType.objects.get_for_model(type(document)),
        object_id=document.pk,
        definition=definition,
        organization=document.organization,
        document_label=str(document)[:255],
        document_kind=str(document._meta.verbose_name)[:100],
        document_url=_document_url(document)[:500],
        amount=getattr(document, "total_gross", None),
        currency=getattr(document, "currency_id", "") or "",
        started_by=by,
    )
    tasks = [
        ApprovalTask.objects.create(workflow_instance=instance, position=position, **item)
        for position, item in enumerate(plan, start=1)
    ]
    for task in tasks[1:]:
        if not _approvers(task, document, instance):
            raise _nobody(task, document)
    _open(tasks[0], document, instance)
    events.record(
        verb=f"{document._meta.label_lower}.approval_started",
        target=document,
        actor=by,
        data={"steps": ", ".join(task.name for task in tasks)},
    )
    return True


def _finish(instance: WorkflowInstance, status: str) -> None:
    now = timezone.now()
    for task in instance.tasks.filter(status__in=[TaskStatus.WAITING, TaskStatus.OPEN]):
        task.status, task.finished_at = TaskStatus.CANCELLED, now
        task.save(update_fields=["status", "finished_at"])
    instance.status, instance.finished_at = status, now
    instance.save(update_fields=["status", "finished_at"])


@transaction.atomic
def approval_decide(*, assignment_id: int, by, approve: bool, comment: str = "") -> WorkflowInstance:
    """``by`` approves or rejects an open step, for themselves or for the absent approver they stand in for.

    The last approval of the last applicable step approves the document; a rejection
    sends it back to Draft with the comment as reason."""
    comment = comment.strip()
    if not approve and not comment:
        raise ApprovalRefused(_("Please give a reason for the rejection."), field="comment")
    found = ApprovalAssignment.objects.select_related("task__workflow_instance").get(pk=assignment_id)
    document_model = found.task.workflow_instance.content_type.model_class()
    # Lock order: document, instance, assignment (as the document services do).
    document = document_model.objects.select_for_update().get(pk=found.task.workflow_instance.object_id)
    instance = WorkflowInstance.objects.select_for_update().get(pk=found.task.workflow_instance_id)
    assignment = ApprovalAssignment.objects.select_for_update().select_related("task").get(pk=assignment_id)
    task = assignment.task
    if instance.status != InstanceStatus.PENDING or task.status != TaskStatus.OPEN or assignment.decision:
        raise ApprovalRefused(_("This approval step has already been decided."))
    if by.pk != assignment.assignee_id and assignment.assignee_id not in selectors.delegators_of(by):
        raise ApprovalRefused(_("You are not an approver of this step."))
    if (
        by.pk == instance.started_by_id
        or not by.has_perm(document.permission_for("approve"))
        or document.organization_id not in organization_ids_for(by)
    ):
        raise ApprovalRefused(_("You may not decide on this document."))
    now = timezone.now()
    assignment.decision = Decision.APPROVED if approve else Decision.REJECTED
    assignment.decided_by, assignment.decided_at, assignment.comment = by, now, comment
    assignment._history_user = by
    assignment.save()
    if not approve:
        task.status, task.finished_at = TaskStatus.REJECTED, now
        task.save(update_fields=["status", "finished_at"])
        _finish(instance, InstanceStatus.REJECTED)
        document_reject(document=document, by=by, reason=comment)
        notifications.approval_finished(instance=instance, approved=False, by=by, comment=comment)
        return instance
    if task.mode == ApprovalMode.ANY or not task.assignments.filter(decision=Decision.NONE).exists():
        task.status, task.finished_at = TaskStatus.APPROVED, now
        task.save(update_fields=["status", "finished_at"])
        following = instance.tasks.filter(status=TaskStatus.WAITING).order_by("position", "pk").first()
        if following is not None:
            _open(following, document, instance)
        else:
            _finish(instance, InstanceStatus.APPROVED)
            document_approve(document=document, by=by, comment=comment)
            notifications.approval_finished(instance=instance, approved=True, by=by, comment=comment)
    return instance


def approval_cancel(document, *, by, reason: str = "") -> None:
    """The document left review another way (cancelled): its pending approval ends."""
    instance = selectors.pending_instance(document)
    if instance is not None:
        _finish(WorkflowInstance.objects.select_for_update().get(pk=instance.pk), InstanceStatus.CANCELLED)

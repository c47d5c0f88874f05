"""Business rules, approval workflows (definitions, steps, running instances with
their tasks and decisions) and delegations while an approver is away."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from erp.core.documents import hooks
from erp.core.models import AuditedModel, Organization


class Trigger(models.TextChoices):
    BEFORE_SAVE = hooks.BEFORE_SAVE, _("Before save")
    BEFORE_SUBMIT = hooks.BEFORE_SUBMIT, _("Before submit")
    BEFORE_COMPLETE = hooks.BEFORE_COMPLETE, _("Before complete")


class ActionType(models.TextChoices):
    BLOCK = "block", _("Block with a message")
    WARN = "warn", _("Add a warning")
    REQUIRE_APPROVAL = "require_approval", _("Require approval by a role")
    SET_FIELD = "set_field", _("Set a field")
    NOTIFY = "notify", _("Notify a role or user")


class BusinessRule(AuditedModel):
    """When ``trigger`` happens to a record of ``subject`` and ``conditions`` hold, do ``actions``.

    Conditions are in the language of ``erp.workflow.conditions``; actions a list of
    ``{"type": …}`` objects (see ``erp.workflow.engine``). Both are checked when the rule is
    saved (``clean``). Lower ``priority`` runs first; ``is_active`` switches the rule on."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    subject = models.CharField(_("applies to"), max_length=100)
    trigger = models.CharField(_("when"), max_length=20, choices=Trigger.choices)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100, help_text=_("Lower numbers run first."))

    class Meta:
        verbose_name = _("business rule")
        verbose_name_plural = _("business rules")
        ordering = ["subject", "trigger", "priority", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(trigger__in=Trigger.values), name="workflow_rule_trigger_valid"),
        ]
        indexes = [models.Index(fields=["subject", "trigger", "priority"], name="workflow_rule_lookup_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workflow:rule-detail", args=[self.pk])

    def clean(self) -> None:
        from erp.workflow import engine

        errors = engine.rule_errors(self)
        if errors:
            raise ValidationError(errors)


class WorkflowDefinition(AuditedModel):
    """The approval workflow of one document type: ordered steps, each with an optional condition."""

    name = models.CharField(_("name"), max_length=200)
    subject = models.CharField(_("document type"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("approval workflow")
        verbose_name_plural = _("approval workflows")
        ordering = ["subject", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=models.Q(is_active=True, deleted_at__isnull=True),
                name="workflow_definition_one_active",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workflow:definition-detail", args=[self.pk])


class ApprovalMode(models.TextChoices):
    ANY = "any", _("Any one approver")
    ALL = "all", _("Every approver")


class WorkflowStep(models.Model):
    definition = models.ForeignKey(
        WorkflowDefinition, verbose_name=_("workflow"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    name = models.CharField(_("name"), max_length=200)
    role = models.ForeignKey(
        Group, verbose_name=_("role"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mode = models.CharField(_("approved by"), max_length=3, choices=ApprovalMode.choices, default=ApprovalMode.ANY)
    condition = models.JSONField(_("only when"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__isnull=False, user__isnull=True)
                | models.Q(role__isnull=True, user__isnull=False),
                name="workflow_step_role_or_user",
            ),
            models.CheckConstraint(condition=models.Q(mode__in=ApprovalMode.values), name="workflow_step_mode_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def approver(self) -> str:
        return str(self.user) if self.user_id else str(self.role)


class InstanceStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class WorkflowInstance(models.Model):
    """One run of the approvals of one submitted document."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    document = GenericForeignKey("content_type", "object_id")
    definition = models.ForeignKey(
        WorkflowDefinition,
        verbose_name=_("workflow"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instances",
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    # What the approver sees in the queue, fixed when the document was submitted.
    document_label = models.CharField(_("document"), max_length=255)
    document_kind = models.CharField(_("document type"), max_length=100)
    document_url = models.CharField(_("link"), max_length=500, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=4, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=InstanceStatus.choices, default=InstanceStatus.PENDING
    )
    started_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(status="pending"),
                name="workflow_instance_one_pending",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=InstanceStatus.values), name="workflow_instance_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="workflow_instance_document_idx")]

    def __str__(self) -> str:
        return f"{self.document_kind} {self.document_label}"


class TaskStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for an earlier step")
    OPEN = "open", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class ApprovalTask(models.Model):
    """One applicable step of an instance (from the workflow, or required by a business rule)."""

    workflow_instance = models.ForeignKey(WorkflowInstance, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("step"), max_length=200)
    step = models.ForeignKey(WorkflowStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rule = models.ForeignKey(BusinessRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    role = models.ForeignKey(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approver_label = models.CharField(_("approver"), max_length=200)
    mode = models.CharField(_("approved by"), max_length=3, choices=ApprovalMode.choices, default=ApprovalMode.ANY)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.WAITING)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=TaskStatus.values), name="workflow_task_status_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Decision(models.TextChoices):
    NONE = "", _("Not decided")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ApprovalAssignment(models.Model):
    """An approver of a task and, once given, their decision (possibly by a delegate)."""

    task = models.ForeignKey(ApprovalTask, on_delete=models.CASCADE, related_name="assignments")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approver"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default="", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approver")
        verbose_name_plural = _("approvers")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "assignee"], name="workflow_assignment_unique"),
            models.CheckConstraint(
                condition=models.Q(decision__in=Decision.values), name="workflow_assignment_decision_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(decision="", decided_at__isnull=True)
                | (~models.Q(decision="") & models.Q(decided_at__isnull=False, decided_by__isnull=False)),
                name="workflow_assignment_decided",
            ),
        ]
        indexes = [
            models.Index(fields=["assignee"], condition=models.Q(decision=""), name="workflow_assignment_open_idx")
        ]

    def __str__(self) -> str:
        return f"{self.task}: {self.assignee}"

    @property
    def on_behalf(self) -> bool:
        return self.decided_by_id is not None and self.decided_by_id != self.assignee_id


class Delegation(AuditedModel):
    """While ``user`` is away (``starts_on`` to ``ends_on``), ``delegate`` decides their approvals."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approver away"), on_delete=models.PROTECT, related_name="+"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("delegate"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="workflow_delegation_dates"
            ),
            models.CheckConstraint(condition=~models.Q(user=models.F("delegate")), name="workflow_delegation_not_self"),
        ]
        indexes = [models.Index(fields=["delegate", "starts_on", "ends_on"], name="workflow_delegation_active_idx")]

    def __str__(self) -> str:
        return f"{self.user} → {self.delegate} ({self.starts_on} – {self.ends_on})"

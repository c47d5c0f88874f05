"""The document base every business document shares: number, dates, currency,
totals, approval and posting flags, and one state machine.

Draft → In Review → Approved → In Progress → Completed → Closed, with
Cancelled before completion, and Voided / Reversed after it. The transition
methods here change the state only; ``erp.core.documents.services`` runs each
one in a transaction with its effects (numbering, posting, event log).

A concrete document adds its own fields (partner through
``erp.partners.models.PartnerMixin``, lines in a child model) and registers
its effects with ``erp.core.documents.registry``."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from erp.core.models import AuditedModel, Currency, Organization, OrganizationScopedQuerySet, custom_fields_index

MONEY = {"max_digits": 18, "decimal_places": 4, "default": Decimal("0")}
QUANTITY = {"max_digits": 18, "decimal_places": 6}
RATE = {"max_digits": 18, "decimal_places": 8}


class StatusField(FSMField):
    """django-fsm-2's state field, written into migrations as the plain ``CharField`` it is in
    the database. Each ``FSMField`` connects a ``class_prepared`` receiver whenever its model
    class is built, and a migration rebuilds the related models for every operation: with every
    document type (and its history) carrying one, the receivers piled up to minutes per schema
    migration. The migration state needs no transitions, so it gets no ``FSMField``."""

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("protected", None)
        return name, "django.db.models.CharField", args, kwargs


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    VOIDED = "voided", _("Voided")
    REVERSED = "reversed", _("Reversed")


OPEN_STATES = (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED, Status.IN_PROGRESS)
DONE_STATES = (Status.COMPLETED, Status.CLOSED)
FINAL_STATES = (Status.CANCELLED, Status.VOIDED, Status.REVERSED)


class ApprovalStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Not required")
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Action(models.TextChoices):
    """What a user can do to a document; each is one service and one POST URL."""

    SUBMIT = "submit", _("Submit")
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    START = "start", _("Start")
    COMPLETE = "complete", _("Complete")
    CLOSE = "close", _("Close")
    CANCEL = "cancel", _("Cancel")
    VOID = "void", _("Void")
    REVERSE_CORRECT = "reverse_correct", _("Reverse (original date)")
    REVERSE_ACCRUAL = "reverse_accrual", _("Reverse (on a date)")


def document_permissions(model: str, verbose_name: str) -> list[tuple[str, str]]:
    """Meta.permissions of a document model (``model`` is its lower-case class name):
    one permission per action besides Django's add/change/delete/view."""
    return [
        (f"submit_{model}", f"Can submit {verbose_name}"),
        (f"approve_{model}", f"Can approve {verbose_name}"),
        (f"complete_{model}", f"Can complete {verbose_name}"),
        (f"close_{model}", f"Can close {verbose_name}"),
        (f"cancel_{model}", f"Can cancel {verbose_name}"),
        (f"void_{model}", f"Can void or reverse {verbose_name}"),
    ]


def _may(action: str):
    """django-fsm permission callable: the user needs ``<app>.<action>_<model>``."""

    def check(instance: Document, user) -> bool:
        return user.has_perm(instance.permission_for(action))

    check.__name__ = f"may_{action}"
    return check


class DocumentQuerySet(OrganizationScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATES)

    def done(self):
        return self.filter(status__in=DONE_STATES)


class Document(FSMModelMixin, AuditedModel):
    """Abstract base of every business document."""

    # Overridden per document type. Numbers run per (series, organization, year), so the
    # pattern names the organization: two organizations' first documents must differ.
    number_series: str = "document"
    number_pattern: str = "{org}-{year}-{seq:05d}"

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("number"), max_length=40, blank=True)
    status = StatusField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, protected=True)
    document_date = models.DateField(_("document date"))
    accounting_date = models.DateField(_("accounting date"))
    currency = models.ForeignKey(Currency, verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+")
    exchange_rate = models.DecimalField(_("exchange rate"), default=Decimal("1"), **RATE)
    total_net = models.DecimalField(_("net total"), **MONEY)
    total_tax = models.DecimalField(_("tax total"), **MONEY)
    total_gross = models.DecimalField(_("gross total"), **MONEY)
    total_net_company = models.DecimalField(_("net total (company currency)"), **MONEY)
    total_tax_company = models.DecimalField(_("tax total (company currency)"), **MONEY)
    total_gross_company = models.DecimalField(_("gross total (company currency)"), **MONEY)
    approval_status = models.CharField(
        _("approval"), max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.NOT_REQUIRED
    )
    posted = models.BooleanField(_("posted"), default=False)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    processed = models.BooleanField(_("processed"), default=False)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("processed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reversal_of = models.ForeignKey(
        "self",
        verbose_name=_("reversal of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
    )
    status_reason = models.CharField(_("reason"), max_length=255, blank=True)
    external_reference = models.CharField(_("external reference"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-document_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~models.Q(number=""), name="%(app_label)s_%(class)s_number_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "document_date"], name="%(app_label)s_%(class)s_st"),
            # Custom-field filters are containment queries (custom_fields @> {...}): see erp.core.customfields.
            custom_fields_index("%(app_label)s_%(class)s_cf"),
        ]

    def __str__(self) -> str:
        draft = _("draft")  # outside the f-string, where makemessages finds it
        return self.number or f"{self._meta.verbose_name} ({draft} #{self.pk})"

    # --- helpers ---------------------------------------------------------------------
    @property
    def kind(self) -> str:
        """The document type's name, e.g. “journal entry” (templates cannot read _meta)."""
        return str(self._meta.verbose_name)

    @property
    def is_editable(self) -> bool:
        return self.status == Status.DRAFT

    def permission_for(self, action: str) -> str:
        return f"{self._meta.app_label}.{action}_{self._meta.model_name}"

    # --- the state machine (state changes only; effects live in services) ------------
    @transition(field=status, source=Status.DRAFT, target=Status.IN_REVIEW, permission=_may("submit"))
    def submit(self) -> None:
        pass

    @transition(field=status, source=Status.IN_REVIEW, target=Status.APPROVED, permission=_may("approve"))
    def approve(self) -> None:
        pass

    @transition(field=status, source=Status.IN_REVIEW, target=Status.DRAFT, permission=_may("approve"))
    def reject(self) -> None:
        pass

    @transition(field=status, source=Status.APPROVED, target=Status.IN_PROGRESS, permission=_may("complete"))
    def start(self) -> None:
        pass

    @transition(
        field=status,
        source=[Status.APPROVED, Status.IN_PROGRESS],
        target=Status.COMPLETED,
        permission=_may("complete"),
    )
    def complete(self) -> None:
        pass

    @transition(field=status, source=Status.COMPLETED, target=Status.CLOSED, permission=_may("close"))
    def close(self) -> None:
        pass

    @transition(field=status, source=list(OPEN_STATES), target=Status.CANCELLED, permission=_may("cancel"))
    def cancel(self) -> None:
        pass

    @transition(field=status, source=list(DONE_STATES), target=Status.VOIDED, permission=_may("void"))
    def void(self) -> None:
        pass

    @transition(field=status, source=list(DONE_STATES), target=Status.REVERSED, permission=_may("void"))
    def reverse(self) -> None:
        pass


class DocumentLine(models.Model):
    """Abstract commercial line: quantity × price − discount, with tax. Amounts are
    computed by ``erp.core.documents.totals`` and stored."""

    position = models.PositiveIntegerField(_("position"), default=0)
    description = models.CharField(_("description"), max_length=255, blank=True)
    quantity = models.DecimalField(_("quantity"), default=Decimal("1"), **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=6, default=Decimal("0"))
    discount_percent = models.DecimalField(_("discount %"), max_digits=7, decimal_places=4, default=Decimal("0"))
    line_net = models.DecimalField(_("net"), **MONEY)
    line_tax = models.DecimalField(_("tax"), **MONEY)
    line_gross = models.DecimalField(_("gross"), **MONEY)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

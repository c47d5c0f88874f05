"""Building blocks every module stands on: audited base model, organizations,
the business event log, number sequences, the company profile and currencies."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class LiveQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


class LiveManager(models.Manager.from_queryset(LiveQuerySet)):
    """The default manager: soft-deleted rows are hidden."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class AuditedModel(models.Model):
    """Who created and changed a row and when; soft delete; optimistic locking;
    custom fields; full history (simple-history)."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    deletion_reason = models.CharField(_("reason for deletion"), max_length=255, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)

    history = HistoricalRecords(inherit=True)

    objects = LiveManager()
    all_objects = models.Manager()  # noqa: DJ012 (the default manager must come first)

    class Meta:
        abstract = True
        base_manager_name = "all_objects"


def custom_fields_index(name: str) -> GinIndex:
    """The index that keeps custom-field list filters fast: put it in ``Meta.indexes`` of every
    model that offers custom fields (documents get it from ``Document``), e.g.
    ``indexes = [custom_fields_index("partners_partner_cf")]`` (names: at most 30 characters).

    The filters ask ``custom_fields @> {"code": value}``, which ``jsonb_path_ops`` answers."""
    return GinIndex(fields=["custom_fields"], opclasses=["jsonb_path_ops"], name=name)


class OrganizationQuerySet(LiveQuerySet):
    def active(self) -> OrganizationQuerySet:
        return self.filter(is_active=True)

    def for_user(self, user) -> OrganizationQuerySet:
        from erp.core.access import organization_ids_for

        return self.filter(pk__in=organization_ids_for(user))


class Organization(AuditedModel):
    """A business unit. Organizations form a tree; access to one grants its descendants."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    objects = LiveManager.from_queryset(OrganizationQuerySet)()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        permissions = [
            ("access_organization", _("Can work in the organization")),
            ("access_all_organizations", _("Can work in every organization")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(deleted_at__isnull=True), name="core_organization_code_unique"
            ),
            models.CheckConstraint(condition=~models.Q(parent=models.F("pk")), name="core_organization_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:organization-detail", args=[self.pk])


class OrganizationScopedQuerySet(LiveQuerySet):
    """Every business record carries an organization; views read through `.for_user()`."""

    def for_user(self, user):
        from erp.core.access import organization_ids_for

        return self.filter(organization_id__in=organization_ids_for(user))


class BusinessEvent(models.Model):
    """Append-only log of what happened; the database refuses UPDATE and DELETE."""

    occurred_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    verb = models.CharField(_("event"), max_length=100, db_index=True)
    aggregate_type = models.CharField(_("record type"), max_length=100)
    aggregate_id = models.CharField(_("record id"), max_length=64)
    aggregate_repr = models.CharField(_("record"), max_length=255, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    correlation_id = models.UUIDField(_("correlation id"), default=uuid.uuid4)

    class Meta:
        verbose_name = _("business event")
        verbose_name_plural = _("business events")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["aggregate_type", "aggregate_id"], name="core_event_aggregate_idx")]

    def __str__(self) -> str:
        return f"{self.verb} {self.aggregate_repr}"


class NumberSequence(models.Model):
    """Gapless numbering per (series, organization, year); allocated under a row lock."""

    series = models.CharField(_("series"), max_length=50)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField(_("year"), null=True, blank=True)
    pattern = models.CharField(_("pattern"), max_length=100, default="{seq:05d}")
    next_value = models.PositiveBigIntegerField(_("next number"), default=1)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "organization", "year"], nulls_distinct=False, name="core_numbersequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.organization or ''} {self.year or ''}".strip()


class Currency(models.Model):
    """ISO 4217 currencies, seeded; `decimal_places` is the currency's own rounding."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    decimal_places = models.PositiveSmallIntegerField(_("decimal places"), default=2)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ExchangeRate(models.Model):
    """A daily rate: one unit of ``from_currency`` is worth ``rate`` units of ``to_currency`` on ``date``.

    Lookups (latest rate on or before a day, the inverse pair) live in ``erp.core.currency``."""

    RATE_DIGITS = 24
    RATE_PLACES = 12

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered")
        IMPORT = "import", _("Imported")

    from_currency = models.ForeignKey(
        Currency, verbose_name=_("from currency"), on_delete=models.PROTECT, related_name="+"
    )
    to_currency = models.ForeignKey(Currency, verbose_name=_("to currency"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    rate = models.DecimalField(_("rate"), max_digits=RATE_DIGITS, decimal_places=RATE_PLACES)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-date", "from_currency", "to_currency"]
        constraints = [
            models.UniqueConstraint(fields=["from_currency", "to_currency", "date"], name="core_exchangerate_unique"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="core_exchangerate_rate_positive"),
            models.CheckConstraint(
                condition=~models.Q(from_currency=models.F("to_currency")), name="core_exchangerate_two_currencies"
            ),
        ]
        indexes = [models.Index(fields=["to_currency", "from_currency", "-date"], name="core_exchangerate_inverse_idx")]

    def __str__(self) -> str:
        return f"{self.from_currency_id}/{self.to_currency_id} {self.date}: {self.rate.normalize():f}"


class Company(models.Model):
    """The tenant's own company profile: one row per schema, used on letterheads."""

    name = models.CharField(_("company name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, blank=True)
    currency = models.ForeignKey(Currency, verbose_name=_("company currency"), on_delete=models.PROTECT)
    tax_id = models.CharField(_("tax id"), max_length=50, blank=True)
    address = models.TextField(_("address"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("company")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="core_company_single_row")]

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    verb = models.CharField(_("kind"), max_length=100)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="core_notification_unread_idx"
            )
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """Whether a user receives one kind of notification by e-mail too (in-app they always arrive).

    Without a row the kind's default applies (``erp.core.notifications``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=100)
    email = models.BooleanField(_("by e-mail"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="core_notificationpref_unique")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind}"


def attachment_path(instance: Attachment, filename: str) -> str:
    from erp.core.files import tenant_path

    return tenant_path("attachments", filename)


class Attachment(models.Model):
    """A file attached to any record (a partner, a product, a document). Stored under the
    tenant's folder and served only through the record's attachment view, which checks that the
    user may view the record it is attached to (``erp.core.attachments``)."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("record type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("record id"), max_length=64)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    description = models.CharField(_("description"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_attachment_target_idx")]

    def __str__(self) -> str:
        return self.original_name


# Custom field definitions live in their own module (erp.core.customfields); the app's models are all here.
from erp.core.customfields.models import CustomField  # noqa: E402

__all__ = [
    "Attachment",
    "AuditedModel",
    "BusinessEvent",
    "Company",
    "Currency",
    "CustomField",
    "ExchangeRate",
    "LiveManager",
    "LiveQuerySet",
    "Notification",
    "NotificationPreference",
    "NumberSequence",
    "Organization",
    "OrganizationScopedQuerySet",
    "custom_fields_index",
]

"""Custom field definitions: extra fields a tenant administrator adds to partners,
products and documents. The values live in each record's ``custom_fields`` JSON
under the definition's ``code``; a removed definition is soft-deleted, so stored
values (and their history) stay readable under their label."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from erp.core.models import AuditedModel, LiveManager, LiveQuerySet

CODE_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Whole number")
    DECIMAL = "decimal", _("Decimal")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes/no")
    CHOICE = "choice", _("Choice")
    LOOKUP = "lookup", _("Link to a record")


class CustomFieldQuerySet(LiveQuerySet):
    def for_model(self, model: type[models.Model] | str) -> CustomFieldQuerySet:
        label = model if isinstance(model, str) else model._meta.label_lower
        return self.filter(model=label)


class CustomField(AuditedModel):
    model = models.CharField(_("record type"), max_length=100, help_text=_("The kind of record the field belongs to."))
    code = models.CharField(
        _("code"),
        max_length=40,
        validators=[
            RegexValidator(
                CODE_PATTERN, _("Lower-case letters, digits and underscores, starting with a letter, e.g. cost_center.")
            )
        ],
        help_text=_("The key the value is stored and exported under; it cannot be changed later."),
    )
    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(_("type"), max_length=10, choices=FieldType.choices)
    required = models.BooleanField(_("required"), default=False)
    default = models.JSONField(_("default"), null=True, blank=True)
    help_text = models.CharField(_("help text"), max_length=255, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    lookup_model = models.CharField(_("linked record type"), max_length=100, blank=True)
    min_value = models.DecimalField(_("minimum"), max_digits=24, decimal_places=6, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=24, decimal_places=6, null=True, blank=True)
    max_length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    show_in_list = models.BooleanField(_("column in lists"), default=False)
    show_in_filter = models.BooleanField(_("filter in lists"), default=True)

    objects = LiveManager.from_queryset(CustomFieldQuerySet)()

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["model", "position", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "code"],
                condition=models.Q(deleted_at__isnull=True),
                name="core_customfield_code_unique",
            ),
            models.CheckConstraint(condition=models.Q(code__regex=CODE_PATTERN), name="core_customfield_code_valid"),
            models.CheckConstraint(
                condition=models.Q(field_type__in=FieldType.values), name="core_customfield_type_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(field_type=FieldType.LOOKUP) | ~models.Q(lookup_model=""),
                name="core_customfield_lookup_target",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("core:customfield-update", args=[self.pk])

    @property
    def key(self) -> str:
        """The form field and filter name of this field."""
        return f"cf_{self.code}"

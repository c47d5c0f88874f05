"""What rules and approval steps can be written for (subjects) and the fields their
conditions may name.

The subjects are the models that offer custom fields (``erp.core.customfields.registry``):
every document type, plus registered master data such as business partners. Their
fields are read from the model: decimals, whole numbers, dates, text, yes/no and
choices, one level into linked records (``partner.credit_limit``,
``organization.code``), and the tenant's custom fields (``custom.<code>``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from erp.core.customfields import registry
from erp.core.customfields.models import FieldType
from erp.core.documents import hooks
from erp.workflow.conditions import BOOLEAN, CHOICE, DATE, DECIMAL, INTEGER, TEXT, FieldSpec

# Bookkeeping columns never named by rules.
HIDDEN = frozenset(
    {
        "id",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "deleted_at",
        "deleted_by",
        "deletion_reason",
        "version",
        "custom_fields",
        "posted_by",
        "processed_by",
        "reversal_of",
    }
)
# Fields a rule may read but never set: state, numbering, computed totals, posting flags.
NOT_SETTABLE = frozenset(
    {
        "status",
        "number",
        "code",
        "approval_status",
        "posted",
        "posted_at",
        "processed",
        "processed_at",
        "status_reason",
        "exchange_rate",
        "is_active",
        "organization",
        "currency",
        "partner",
    }
)
CUSTOM_PREFIX = "custom."

TRIGGER_LABELS = {
    hooks.BEFORE_SAVE: _("before save"),
    hooks.BEFORE_SUBMIT: _("before submit"),
    hooks.BEFORE_COMPLETE: _("before complete"),
}


def _type_of(field: models.Field) -> str | None:
    if isinstance(field, models.CharField | models.TextField) and field.choices:
        return CHOICE
    if isinstance(field, models.DecimalField):
        return DECIMAL
    if isinstance(field, models.BooleanField):
        return BOOLEAN
    if isinstance(field, models.DateTimeField):
        return None
    if isinstance(field, models.DateField):
        return DATE
    if isinstance(field, models.AutoField):
        return None
    if isinstance(field, models.IntegerField):
        return INTEGER
    if isinstance(field, models.CharField | models.TextField):
        return TEXT
    return None


def _choices(field: models.Field) -> tuple[tuple[str, str], ...]:
    return tuple((str(key), str(label)) for key, label in field.flatchoices) if field.choices else ()


def _read_related(link: str, name: str):
    def read(record: Any) -> Any:
        related = getattr(record, link, None)
        return getattr(related, name, None) if related is not None else None

    return read


def _simple_fields(model: type[models.Model]):
    for field in model._meta.get_fields():
        if not getattr(field, "concrete", False) or field.is_relation or field.name in HIDDEN:
            continue
        type_ = _type_of(field)
        if type_ is not None:
            yield field, type_


def _model_fields(model: type[models.Model]) -> dict[str, FieldSpec]:
    specs: dict[str, FieldSpec] = {}
    for field, type_ in _simple_fields(model):
        settable = field.editable and field.name not in NOT_SETTABLE and not field.name.startswith("total_")
        specs[field.name] = FieldSpec(
            field.name,
            capfirst(field.verbose_name),
            type_,
            read=attrgetter(field.attname),
            choices=_choices(field),
            settable=settable,
        )
    for link in model._meta.get_fields():
        if not (link.many_to_one and link.concrete) or link.name in HIDDEN:
            continue
        target = link.related_model
        if target is model or target._meta.label == settings.AUTH_USER_MODEL:
            continue
        link_label = capfirst(link.verbose_name)
        if not isinstance(target._meta.pk, models.AutoField):  # e.g. a currency: its key is its code
            specs[link.name] = FieldSpec(link.name, link_label, TEXT, read=attrgetter(link.attname))
        for field, type_ in _simple_fields(target):
            path = f"{link.name}.{field.name}"
            specs[path] = FieldSpec(
                path,
                format_lazy("{} → {}", link_label, field.verbose_name),
                type_,
                read=_read_related(link.name, field.attname),
                choices=_choices(field),
            )
    return specs


@dataclass(frozen=True)
class Subject:
    label: str  # "finance.journalentry"
    model: type[models.Model]
    is_document: bool

    @property
    def name(self) -> str:
        return capfirst(str(self.model._meta.verbose_name))

    @property
    def triggers(self) -> list[str]:
        if self.is_document:
            return [hooks.BEFORE_SAVE, hooks.BEFORE_SUBMIT, hooks.BEFORE_COMPLETE]
        return [hooks.BEFORE_SAVE]

    def fields(self) -> dict[str, FieldSpec]:
        """The fields conditions may name: the model's own (fixed) and the tenant's custom fields."""
        return {**_static_fields(self.model), **custom_field_specs(self.model)}


@cache
def _static_fields(model: type[models.Model]) -> dict[str, FieldSpec]:
    return _model_fields(model)


CUSTOM_TYPES = {
    FieldType.TEXT: TEXT,
    FieldType.NUMBER: INTEGER,
    FieldType.DECIMAL: DECIMAL,
    FieldType.DATE: DATE,
    FieldType.BOOLEAN: BOOLEAN,
    FieldType.CHOICE: CHOICE,
}


def _read_custom(code: str):
    def read(record: Any) -> Any:
        return (getattr(record, "custom_fields", None) or {}).get(code)

    return read


def custom_field_specs(model: type[models.Model]) -> dict[str, FieldSpec]:
    """The tenant's custom fields of ``model`` (links to records are not compared by rules)."""
    from erp.core.customfields.values import definitions_for

    specs = {}
    for definition in definitions_for(model):
        type_ = CUSTOM_TYPES.get(definition.field_type)
        if type_ is None:
            continue
        path = f"{CUSTOM_PREFIX}{definition.code}"
        specs[path] = FieldSpec(
            path,
            definition.label,
            type_,
            read=_read_custom(definition.code),
            choices=tuple((choice, choice) for choice in definition.choices),
            settable=True,
        )
    return specs


def subjects() -> dict[str, Subject]:
    return {
        model._meta.label_lower: Subject(model._meta.label_lower, model, registry.is_document(model))
        for model in registry.extensible_models()
    }


def subject_for(label: str) -> Subject | None:
    model = registry.model_for(label)
    return Subject(label, model, registry.is_document(model)) if model is not None else None


def subject_of(record: models.Model) -> Subject:
    model = type(record)
    return Subject(model._meta.label_lower, model, registry.is_document(model))


def subject_choices(*, documents_only: bool = False) -> list[tuple[str, str]]:
    return [(label, subject.name) for label, subject in subjects().items() if subject.is_document or not documents_only]

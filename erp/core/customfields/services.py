"""Writes on custom field definitions. A field's record type, code and type never
change (stored values depend on them); removing a field soft-deletes its
definition and leaves every stored value in place."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from erp.core import events
from erp.core.customfields import registry, values
from erp.core.customfields.models import CustomField, FieldType
from erp.core.exceptions import DomainError
from erp.core.services import soft_delete, versioned_update

OPTIONS = (
    "label",
    "required",
    "default",
    "help_text",
    "choices",
    "lookup_model",
    "min_value",
    "max_value",
    "max_length",
    "position",
    "show_in_list",
    "show_in_filter",
)
CHANGEABLE = tuple(name for name in OPTIONS if name != "lookup_model")


def _clean_choices(field_type: str, choices: Any) -> list[str]:
    if field_type != FieldType.CHOICE:
        return []
    cleaned: list[str] = []
    for choice in choices or []:
        text = str(choice).strip()
        if text and text not in cleaned:
            cleaned.append(text)
    if not cleaned:
        raise DomainError(_("Enter at least one choice."), field="choices")
    return cleaned


def _check(definition: CustomField) -> None:
    """Everything about a definition that must hold before it is saved (raises DomainError)."""
    if not definition.label.strip():
        raise DomainError(_("Please enter a label."), field="label")
    definition.label = definition.label.strip()
    definition.choices = _clean_choices(definition.field_type, definition.choices)
    numeric = definition.field_type in (FieldType.NUMBER, FieldType.DECIMAL)
    if not numeric:
        definition.min_value = definition.max_value = None
    if definition.field_type != FieldType.TEXT:
        definition.max_length = None
    low, high = definition.min_value, definition.max_value
    if low is not None and high is not None and Decimal(low) > Decimal(high):
        raise DomainError(_("The minimum must not be greater than the maximum."), field="min_value")
    if definition.field_type == FieldType.LOOKUP:
        if definition.lookup_model not in {model._meta.label_lower for model in registry.lookup_targets()}:
            raise DomainError(_("Choose the kind of record the field links to."), field="lookup_model")
        definition.default = None
    else:
        definition.lookup_model = ""
    if definition.default not in (None, ""):
        try:
            parsed = values.parse(definition, definition.default)
            values.validate(definition, parsed)
        except ValidationError as error:
            raise DomainError(" ".join(error.messages), field="default")
        definition.default = values.to_json(definition, parsed)
    else:
        definition.default = None


@transaction.atomic
def customfield_create(*, model: str, code: str, field_type: str, by, **options: Any) -> CustomField:
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise TypeError(f"unknown custom field options: {sorted(unknown)}")
    if registry.model_for(model) is None:
        raise DomainError(_("Custom fields cannot be added to this kind of record."), field="model")
    if field_type not in FieldType.values:
        raise DomainError(_("Choose a type."), field="field_type")
    code = code.strip().lower()
    definition = CustomField(model=model, code=code, field_type=field_type, created_by=by, updated_by=by, **options)
    try:
        definition.full_clean(
            exclude=["created_by", "updated_by", "deleted_by", *[name for name in OPTIONS if name != "label"]],
            validate_constraints=False,
        )
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(" ".join(messages), field=field)
    if CustomField.objects.filter(model=model, code=code).exists():
        raise DomainError(
            _("This record type already has a field with the code %(code)s.") % {"code": code}, field="code"
        )
    _check(definition)
    definition._history_user = by
    definition.save()
    events.record(verb="core.customfield.created", target=definition, actor=by, data={"model": model, "code": code})
    return definition


@transaction.atomic
def customfield_update(*, definition: CustomField, expected_version: int, by, **changes: Any) -> CustomField:
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise TypeError(f"these custom field options cannot be changed: {sorted(unknown)}")
    candidate = CustomField(**{name: getattr(definition, name) for name in ("model", "code", "field_type", *OPTIONS)})
    for name, value in changes.items():
        setattr(candidate, name, value)
    _check(candidate)
    fields = {name: getattr(candidate, name) for name in changes}
    definition = versioned_update(instance=definition, expected_version=expected_version, by=by, fields=fields)
    events.record(verb="core.customfield.updated", target=definition, actor=by)
    return definition


def customfield_remove(*, definition: CustomField, by, reason: str) -> CustomField:
    """Remove a field from forms, lists and filters; values already stored stay readable."""
    return soft_delete(instance=definition, by=by, reason=reason)

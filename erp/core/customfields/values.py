"""Reading, checking and showing custom field values.

How each type is stored in ``custom_fields`` (JSON, never floats for money):

    text     "…"                 number   42
    decimal  "1250.50"           date     "2026-03-31"
    boolean  true / false        choice   "one of the choices"
    lookup   {"id": 17, "label": "ACME (P00017)"}   (the label keeps history readable)

An empty value is not stored at all."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from erp.core.customfields.models import CustomField, FieldType


def definitions_for(model: type[models.Model] | str, *, include_removed: bool = False) -> list[CustomField]:
    """The model's custom fields in form order (removed ones too when asked, for history)."""
    manager = CustomField.all_objects if include_removed else CustomField.objects
    label = model if isinstance(model, str) else model._meta.label_lower
    return list(manager.filter(model=label).order_by("position", "label", "pk"))


def lookup_model(definition: CustomField) -> type[models.Model] | None:
    try:
        return apps.get_model(definition.lookup_model)
    except (LookupError, ValueError):
        return None


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def yes_no(value: Any) -> bool | None:
    """A yes/no answer written as a bool or as true/false, yes/no, 1/0 (None: not an answer)."""
    if isinstance(value, bool):
        return value
    return {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(
        str(value).strip().lower()
    )


def to_python(definition: CustomField, raw: Any) -> Any:
    """The stored JSON value as a Python value (Decimal, date, int, …); None when empty or unreadable."""
    if _is_empty(raw):
        return None
    kind = definition.field_type
    try:
        if kind == FieldType.DECIMAL:
            return Decimal(str(raw))
        if kind == FieldType.NUMBER:
            return int(raw)
        if kind == FieldType.DATE:
            return date.fromisoformat(str(raw))
        if kind == FieldType.BOOLEAN:
            return bool(raw)
        if kind == FieldType.LOOKUP:
            return int(raw["id"]) if isinstance(raw, dict) else int(raw)
    except (InvalidOperation, ValueError, TypeError, KeyError):
        return None
    return str(raw)


def to_json(definition: CustomField, value: Any) -> Any:
    """A checked Python value as it is stored (None: do not store)."""
    if _is_empty(value):
        return None
    kind = definition.field_type
    if kind == FieldType.DECIMAL:
        return format(Decimal(value), "f")
    if kind == FieldType.NUMBER:
        return int(value)
    if kind == FieldType.DATE:
        return value.isoformat()
    if kind == FieldType.BOOLEAN:
        return bool(value)
    if kind == FieldType.LOOKUP:
        return {"id": value.pk, "label": str(value)[:200]}
    return str(value)


def display(definition: CustomField, raw: Any) -> str:
    """The stored value as text for pages, lists, exports and PDFs."""
    if _is_empty(raw):
        return ""
    kind = definition.field_type
    if kind == FieldType.BOOLEAN:
        return _("Yes") if raw else _("No")
    if kind == FieldType.LOOKUP:
        return str(raw.get("label") or f"#{raw.get('id')}") if isinstance(raw, dict) else f"#{raw}"
    if kind == FieldType.DATE:
        value = to_python(definition, raw)
        return value.isoformat() if value else str(raw)
    return str(raw)


def validate(definition: CustomField, value: Any) -> None:
    """Check a Python value against the definition's rules (raises ValidationError)."""
    if _is_empty(value):
        if definition.required:
            raise ValidationError(_("%(field)s is required.") % {"field": definition.label}, code="required")
        return
    kind = definition.field_type
    if kind in (FieldType.NUMBER, FieldType.DECIMAL):
        if definition.min_value is not None and value < definition.min_value:
            raise ValidationError(
                _("%(field)s must be at least %(min)s.")
                % {"field": definition.label, "min": _plain(definition.min_value)}
            )
        if definition.max_value is not None and value > definition.max_value:
            raise ValidationError(
                _("%(field)s must be at most %(max)s.")
                % {"field": definition.label, "max": _plain(definition.max_value)}
            )
    if kind == FieldType.TEXT and definition.max_length and len(value) > definition.max_length:
        raise ValidationError(
            _("%(field)s may have at most %(max)d characters.")
            % {"field": definition.label, "max": definition.max_length}
        )
    if kind == FieldType.CHOICE and value not in definition.choices:
        raise ValidationError(
            _("%(value)s is not a choice of %(field)s.") % {"value": value, "field": definition.label}
        )


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def parse(definition: CustomField, value: Any) -> Any:
    """A value from outside a form (a service call, an import) as a Python value of the type."""
    if _is_empty(value):
        return None
    kind = definition.field_type
    wrong = ValidationError(
        _("“%(value)s” is not a valid value for %(field)s.") % {"value": value, "field": definition.label}
    )
    try:
        if kind == FieldType.DECIMAL:
            if isinstance(value, bool | float):
                raise wrong
            number = Decimal(str(value))
            if not number.is_finite():
                raise wrong
            return number
        if kind == FieldType.NUMBER:
            if isinstance(value, bool) or (isinstance(value, str) and not value.strip().lstrip("-").isdigit()):
                raise wrong
            if isinstance(value, float | Decimal) and value != int(value):
                raise wrong
            return int(value)
        if kind == FieldType.DATE:
            return value if isinstance(value, date) else date.fromisoformat(str(value))
        if kind == FieldType.BOOLEAN:
            answer = yes_no(value)
            if answer is None:
                raise wrong
            return answer
        if kind == FieldType.LOOKUP:
            target = lookup_model(definition)
            pk = value.get("id") if isinstance(value, dict) else getattr(value, "pk", value)
            if target is None:
                raise wrong
            return target._default_manager.get(pk=pk)
    except (InvalidOperation, ValueError, TypeError, LookupError):
        raise wrong
    except models.ObjectDoesNotExist:
        raise wrong
    if isinstance(value, dict | list):
        raise wrong
    return str(value)


def clean_values(model: type[models.Model] | str, values: dict[str, Any], *, stored: dict | None = None) -> dict:
    """Check ``values`` (code → value) against the model's definitions and merge them into ``stored``.

    Unknown codes are refused; codes of removed fields already in ``stored`` are kept untouched,
    so their values stay readable. Raises ValidationError with one message per field."""
    definitions = {definition.code: definition for definition in definitions_for(model)}
    unknown = set(values) - set(definitions)
    errors: dict[str, list[str]] = {}
    if unknown:
        errors["custom_fields"] = [_("Unknown custom field(s): %(codes)s.") % {"codes": ", ".join(sorted(unknown))}]
    result = dict(stored or {})
    for code, definition in definitions.items():
        if code not in values and code in result:
            continue
        try:
            value = parse(definition, values.get(code, definition.default))
            validate(definition, value)
        except ValidationError as error:
            errors[definition.key] = error.messages
            continue
        stored_value = to_json(definition, value)
        if stored_value is None:
            result.pop(code, None)
        else:
            result[code] = stored_value
    if errors:
        raise ValidationError(errors)
    return result


def rows(record: models.Model, *, include_removed: bool = True) -> list[dict[str, Any]]:
    """Label and shown value of each custom field of ``record`` (for detail pages and PDFs)."""
    stored = record.custom_fields or {}
    result = []
    for definition in definitions_for(type(record), include_removed=include_removed):
        removed = definition.deleted_at is not None
        if removed and _is_empty(stored.get(definition.code)):
            continue
        result.append(
            {
                "label": definition.label,
                "value": display(definition, stored.get(definition.code)),
                "removed": removed,
                "code": definition.code,
            }
        )
    return result

"""Custom fields in forms: one mixin, e.g. ``class PartnerForm(CustomFieldsFormMixin, forms.ModelForm)``.

The form gets one field per active definition (named ``cf_<code>``), filled from
the instance's ``custom_fields`` (or the default on a new record), checked by
type and by the definition's rules. A ModelForm writes the result into
``instance.custom_fields``; any form exposes it as ``cleaned_custom_fields``
(codes of removed fields keep their stored values)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from erp.core.customfields import registry, values
from erp.core.customfields.models import CODE_PATTERN, CustomField, FieldType

YES_NO = [("", "—"), ("true", _("Yes")), ("false", _("No"))]


def _bounds(definition: CustomField) -> dict[str, Any]:
    bounds = {}
    if definition.min_value is not None:
        bounds["min_value"] = definition.min_value
    if definition.max_value is not None:
        bounds["max_value"] = definition.max_value
    return bounds


def form_field(definition: CustomField) -> forms.Field:
    """The Django form field of a definition (labels, help text, type and rules)."""
    common = {"label": definition.label, "help_text": definition.help_text, "required": definition.required}
    kind = definition.field_type
    if kind == FieldType.NUMBER:
        field = forms.IntegerField(**common, **_bounds(definition))
    elif kind == FieldType.DECIMAL:
        field = forms.DecimalField(**common, max_digits=24, decimal_places=6, **_bounds(definition))
    elif kind == FieldType.DATE:
        field = forms.DateField(**common, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    elif kind == FieldType.BOOLEAN:
        if definition.required:
            # "Required" for a yes/no field means: an answer must be given (yes or no).
            field = forms.TypedChoiceField(
                **common, choices=YES_NO, coerce=lambda value: value == "true", empty_value=None
            )
        else:
            field = forms.BooleanField(**{**common, "required": False})
    elif kind == FieldType.CHOICE:
        field = forms.ChoiceField(**common, choices=[("", "—"), *[(choice, choice) for choice in definition.choices]])
    elif kind == FieldType.LOOKUP:
        target = values.lookup_model(definition)
        queryset = target._default_manager.all() if target is not None else CustomField.objects.none()
        field = forms.ModelChoiceField(**common, queryset=queryset)
    else:
        field = forms.CharField(**common, max_length=definition.max_length or None)
    field.custom_field = definition
    return field


def _initial(definition: CustomField, raw: Any) -> Any:
    value = values.to_python(definition, raw)
    if definition.field_type == FieldType.BOOLEAN and definition.required and value is not None:
        return "true" if value else "false"
    return value


class CustomFieldsFormMixin:
    """Adds the custom fields of ``custom_fields_model`` (default: ``Meta.model``) to a form.

    A plain ``forms.Form`` passes the stored values as ``custom_values=record.custom_fields``."""

    custom_fields_model = None

    def __init__(self, *args, custom_values: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model = self.custom_fields_model or self._meta.model
        instance = getattr(self, "instance", None)
        self._stored_custom_values = dict(
            custom_values if custom_values is not None else (getattr(instance, "custom_fields", None) or {})
        )
        if custom_values is None:
            is_new = instance is None or instance.pk is None
        else:
            is_new = not custom_values
        self.custom_field_definitions = values.definitions_for(model)
        for definition in self.custom_field_definitions:
            self.fields[definition.key] = form_field(definition)
            raw = definition.default if is_new else self._stored_custom_values.get(definition.code)
            self.initial.setdefault(definition.key, _initial(definition, raw))
        self.cleaned_custom_fields: dict = dict(self._stored_custom_values)

    @property
    def custom_field_names(self) -> list[str]:
        return [definition.key for definition in self.custom_field_definitions]

    def _collect_custom_fields(self) -> None:
        result = dict(self._stored_custom_values)
        for definition in self.custom_field_definitions:
            if definition.key not in self.cleaned_data:
                continue
            value = self.cleaned_data[definition.key]
            try:
                values.validate(definition, value)
            except ValidationError as error:
                self.add_error(definition.key, error)
                continue
            stored = values.to_json(definition, value)
            if stored is None:
                result.pop(definition.code, None)
            else:
                result[definition.code] = stored
        self.cleaned_custom_fields = result

    def _post_clean(self) -> None:
        self._collect_custom_fields()
        instance = getattr(self, "instance", None)
        if instance is not None and hasattr(instance, "custom_fields"):
            instance.custom_fields = self.cleaned_custom_fields
        super()._post_clean()


# --- the administrator's form for a definition -------------------------------------------------------


def _model_choices(models_) -> list[tuple[str, str]]:
    return [(model._meta.label_lower, capfirst(str(model._meta.verbose_name))) for model in models_]


def _default_text(definition: CustomField) -> str:
    if definition.default is None:
        return ""
    if definition.field_type == FieldType.BOOLEAN:
        return "yes" if definition.default else "no"
    return str(definition.default)


class CustomFieldDefinitionForm(forms.Form):
    model = forms.ChoiceField(label=_("Record type"))
    label = forms.CharField(label=_("Label"), max_length=100)
    code = forms.RegexField(
        label=_("Code"),
        regex=CODE_PATTERN,
        max_length=40,
        help_text=_("Lower-case letters, digits and underscores, e.g. cost_center. It cannot be changed later."),
        error_messages={"invalid": _("Lower-case letters, digits and underscores, starting with a letter.")},
    )
    field_type = forms.ChoiceField(label=_("Type"), choices=FieldType.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    default = forms.CharField(
        label=_("Default"),
        required=False,
        max_length=255,
        help_text=_("Dates as 2026-12-31, yes/no as yes or no, decimals with a point."),
    )
    help_text = forms.CharField(label=_("Help text"), required=False, max_length=255)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a choice field: one choice per line."),
    )
    lookup_model = forms.ChoiceField(label=_("Links to"), required=False)
    min_value = forms.DecimalField(label=_("Minimum"), required=False, max_digits=24, decimal_places=6)
    max_value = forms.DecimalField(label=_("Maximum"), required=False, max_digits=24, decimal_places=6)
    max_length = forms.IntegerField(label=_("Maximum length"), required=False, min_value=1, max_value=10000)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, initial=100)
    show_in_list = forms.BooleanField(label=_("Column in lists"), required=False)
    show_in_filter = forms.BooleanField(label=_("Filter in lists"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, instance: CustomField | None = None, **kwargs) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{
                        name: getattr(instance, name)
                        for name in (
                            "model",
                            "label",
                            "code",
                            "field_type",
                            "required",
                            "help_text",
                            "lookup_model",
                            "min_value",
                            "max_value",
                            "max_length",
                            "position",
                            "show_in_list",
                            "show_in_filter",
                            "version",
                        )
                    },
                    "default": _default_text(instance),
                    "choices": "\n".join(instance.choices),
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "—"), *_model_choices(registry.extensible_models())]
        self.fields["lookup_model"].choices = [("", "—"), *_model_choices(registry.lookup_targets())]
        if instance is not None:
            for name in ("model", "code", "field_type", "lookup_model"):
                self.fields[name].disabled = True

    def options(self) -> dict[str, Any]:
        """The cleaned options as the services take them."""
        from erp.core.customfields.services import OPTIONS

        data = self.cleaned_data
        options = {name: data[name] for name in OPTIONS if name not in ("default", "choices", "lookup_model")}
        options["default"] = data["default"].strip() or None
        options["choices"] = [line.strip() for line in data["choices"].splitlines() if line.strip()]
        return options

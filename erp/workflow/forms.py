"""Forms of the workflow screens. Conditions and actions are written with rows, not
JSON: the condition builder has groups of comparison rows (all/any within a group,
all/any between groups), the action list one row per action. Rows and groups are
added and removed by re-rendering the form on the server (buttons named ``_op``),
with htmx or without."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.accounts.roles import label as role_label
from erp.workflow.conditions import (
    LIST_VALUE,
    NO_VALUE,
    OPERATORS,
    PAIR_VALUE,
    TYPES,
    ConditionError,
    FieldSpec,
    coerce_literal,
    compile_comparison,
    to_json,
)
from erp.workflow.engine import compile_action
from erp.workflow.models import ActionType, ApprovalMode, BusinessRule, Trigger, WorkflowDefinition
from erp.workflow.subjects import Subject, subject_choices, subject_for

MATCH_CHOICES = [("all", gettext_lazy("all")), ("any", gettext_lazy("any"))]
LIST_SEPARATORS = re.compile(r"[;,\n]")


class RoleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Group) -> str:
        return role_label(obj.name)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj} <{obj.email}>" if str(obj) != obj.email else obj.email


def roles():
    return Group.objects.order_by("name")


def active_users():
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "email")


def field_choices(
    fields: dict[str, FieldSpec], *, settable_only: bool = False, empty: str = "—"
) -> list[tuple[str, str]]:
    specs = [spec for spec in fields.values() if spec.settable or not settable_only]
    specs.sort(key=lambda spec: str(spec.label).casefold())
    return [("", empty), *[(spec.path, f"{spec.label} ({TYPES[spec.type]})") for spec in specs]]


def _rebuilt(data: QueryDict, prefix: str, *, add: bool = False, delete: int | None = None) -> QueryDict:
    """The posted data of a formset with one empty form more, or one form marked deleted."""
    data = data.copy()
    total = int(data.get(f"{prefix}-TOTAL_FORMS", "0") or 0)
    if add:
        data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    if delete is not None:
        data[f"{prefix}-{delete}-DELETE"] = "on"
    return data


def _compact(form: forms.Form, placeholders: dict[str, str] | None = None) -> None:
    """Row forms render their inputs without labels: small Bootstrap inputs named by aria-label,
    text inputs with a placeholder."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.CheckboxInput):
            continue
        css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
        widget.attrs.update({"class": css, "aria-label": str(field.label)})
        if placeholders and name in placeholders:
            widget.attrs["placeholder"] = placeholders[name]


def _op_index(op: str, name: str) -> int | None:
    match = re.fullmatch(rf"{name}-(\d+)", op)
    return int(match.group(1)) if match else None


# --- the condition builder -----------------------------------------------------------------------------


class ConditionGroupForm(forms.Form):
    match = forms.ChoiceField(label=gettext_lazy("Holds when"), choices=MATCH_CHOICES, initial="all")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _compact(self)


class ConditionRowForm(forms.Form):
    group = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)
    field = forms.ChoiceField(label=gettext_lazy("Field"), required=False)
    op = forms.ChoiceField(
        label=gettext_lazy("Operator"),
        required=False,
        choices=[("", "—"), *[(op.name, op.label) for op in OPERATORS.values()]],
    )
    value = forms.CharField(
        label=gettext_lazy("Value"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Several values: separated by commas."),
    )
    value_to = forms.CharField(label=gettext_lazy("and"), required=False, max_length=100)
    other = forms.ChoiceField(label=gettext_lazy("or compare with field"), required=False)

    def __init__(self, *args, fields: dict[str, FieldSpec], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = field_choices(fields, empty=_("— field —"))
        self.fields["other"].choices = field_choices(fields, empty=_("— or another field —"))
        self.fields["op"].choices = [("", _("— operator —")), *self.fields["op"].choices[1:]]
        _compact(self, {"value": _("value (list: a, b, c)"), "value_to": _("and (between)")})

    @property
    def is_blank(self) -> bool:
        return not self.cleaned_data.get("field") and not self.cleaned_data.get("op")


ConditionGroupFormSet = forms.formset_factory(ConditionGroupForm, extra=0, can_delete=True)
ConditionRowFormSet = forms.formset_factory(ConditionRowForm, extra=0, can_delete=True)


def _is_leaf(node: Any) -> bool:
    return isinstance(node, dict) and "field" in node


def _group_key(node: dict) -> str | None:
    return next((key for key in ("all", "any") if key in node), None)


def decompose(condition: dict | None) -> tuple[str, list[tuple[str, list[dict]]]]:
    """A stored condition as (match between groups, [(match within group, [comparisons])])."""
    if not condition:
        return "all", [("all", [])]
    if _is_leaf(condition):
        return "all", [("all", [condition])]
    key = _group_key(condition)
    children = condition.get(key, []) if key else []
    if all(_is_leaf(child) for child in children):
        return "all", [(key or "all", list(children))]
    groups = []
    for child in children:
        if _is_leaf(child):
            groups.append(("all", [child]))
            continue
        inner = _group_key(child)
        if inner is None or not all(_is_leaf(grandchild) for grandchild in child[inner]):
            raise ValueError("nested deeper than groups of comparisons")
        groups.append((inner, list(child[inner])))
    return key, groups


def _row_initial(node: dict, group: int) -> dict[str, Any]:
    value = node.get("value")
    initial = {"group": group, "field": node.get("field", ""), "op": node.get("op", "")}
    if isinstance(value, dict):
        initial["other"] = value.get("field", "")
    elif isinstance(value, list) and OPERATORS.get(node.get("op")) and OPERATORS[node["op"]].arity == PAIR_VALUE:
        initial["value"], initial["value_to"] = (str(item) for item in [*value, "", ""][:2])
    elif isinstance(value, list):
        initial["value"] = ", ".join(str(item) for item in value)
    elif value is not None:
        initial["value"] = str(value)
    return initial


class ConditionBuilder:
    """Groups of comparison rows for one condition, bound to the fields of a subject."""

    def __init__(
        self,
        *,
        fields: dict[str, FieldSpec],
        data: QueryDict | None = None,
        initial: dict | None = None,
        prefix: str = "cond",
        op: str = "",
        blank_row: bool = False,
    ) -> None:
        self.fields_available = fields
        self.prefix = prefix
        self.group_prefix, self.row_prefix = f"{prefix}-group", f"{prefix}-row"
        self.condition: dict = {}
        self.structure_error = ""
        if data is None:
            top, groups = "all", [("all", [])]
            try:
                top, groups = decompose(initial)
            except ValueError:
                self.structure_error = _("This condition is nested deeper than the form shows; saving replaces it.")
            rows = [_row_initial(node, index) for index, (_match, nodes) in enumerate(groups) for node in nodes]
            if blank_row and not rows:
                rows = [{"group": 0}]
            self.top = ConditionGroupForm(prefix=f"{prefix}-top", initial={"match": top})
            self.groups = ConditionGroupFormSet(
                prefix=self.group_prefix, initial=[{"match": match} for match, _nodes in groups]
            )
            self.rows = ConditionRowFormSet(prefix=self.row_prefix, initial=rows, form_kwargs={"fields": fields})
            return
        group_index = _op_index(op, f"{prefix}-add-row")
        data = _rebuilt(
            data, self.group_prefix, add=op == f"{prefix}-add-group", delete=_op_index(op, f"{prefix}-remove-group")
        )
        data = _rebuilt(
            data, self.row_prefix, add=group_index is not None, delete=_op_index(op, f"{prefix}-remove-row")
        )
        if group_index is not None:
            data[f"{self.row_prefix}-{int(data[f'{self.row_prefix}-TOTAL_FORMS']) - 1}-group"] = str(group_index)
        if op == f"{prefix}-add-group":
            new_group = int(data[f"{self.group_prefix}-TOTAL_FORMS"]) - 1
            data[f"{self.group_prefix}-{new_group}-match"] = "all"
            data[f"{self.row_prefix}-TOTAL_FORMS"] = str(int(data.get(f"{self.row_prefix}-TOTAL_FORMS", "0")) + 1)
            data[f"{self.row_prefix}-{int(data[f'{self.row_prefix}-TOTAL_FORMS']) - 1}-group"] = str(new_group)
        self.top = ConditionGroupForm(data, prefix=f"{prefix}-top")
        self.groups = ConditionGroupFormSet(data, prefix=self.group_prefix)
        self.rows = ConditionRowFormSet(data, prefix=self.row_prefix, form_kwargs={"fields": fields})

    def hidden_forms(self) -> list[forms.Form]:
        """Removed groups and rows: still posted (hidden), so the formsets keep their numbering."""
        removed_groups = {index for index, group in enumerate(self.groups.forms) if self._deleted(group)}
        hidden: list[forms.Form] = [self.groups.forms[index] for index in sorted(removed_groups)]
        visible = range(len(self.groups.forms))
        hidden += [
            row
            for row in self.rows.forms
            if self._deleted(row) or self._group_of(row) in removed_groups or self._group_of(row) not in visible
        ]
        return hidden

    def layout(self) -> list[dict[str, Any]]:
        """Each group with its rows, for the template (deleted ones left out)."""
        groups = []
        for index, group in enumerate(self.groups.forms):
            if self._deleted(group):
                continue
            rows = [
                {"index": position, "form": row}
                for position, row in enumerate(self.rows.forms)
                if self._group_of(row) == index and not self._deleted(row)
            ]
            groups.append({"index": index, "form": group, "rows": rows})
        return groups

    @staticmethod
    def _deleted(form: forms.Form) -> bool:
        if form.is_bound:
            return form.data.get(form.add_prefix("DELETE")) in ("on", "true", "True", "1")
        return False

    @staticmethod
    def _group_of(row: forms.Form) -> int:
        raw = row.data.get(row.add_prefix("group")) if row.is_bound else row.initial.get("group", 0)
        try:
            return int(raw)
        except (TypeError, ValueError):
            return 0

    def is_valid(self) -> bool:
        valid = self.top.is_valid() & self.groups.is_valid() & self.rows.is_valid()
        if not valid:
            return False
        groups: dict[int, list[dict]] = {}
        deleted_groups = {index for index, group in enumerate(self.groups.forms) if group.cleaned_data.get("DELETE")}
        for row in self.rows.forms:
            data = row.cleaned_data
            out_of_range = data.get("group", 0) >= len(self.groups.forms)
            if not data or data.get("DELETE") or data["group"] in deleted_groups or out_of_range or row.is_blank:
                continue
            node = self._row_node(row)
            if node is not None:
                groups.setdefault(data["group"], []).append(node)
        if any(row.errors for row in self.rows.forms):
            return False
        matches = [group.cleaned_data.get("match", "all") for group in self.groups.forms]
        parts = [{matches[index]: rows} for index, rows in sorted(groups.items())]
        if not parts:
            self.condition = {}
        elif len(parts) == 1:
            self.condition = parts[0]
        else:
            self.condition = {self.top.cleaned_data.get("match", "all"): parts}
        return True

    def _row_node(self, row: ConditionRowForm) -> dict | None:
        data = row.cleaned_data
        if not data.get("field"):
            row.add_error("field", _("Choose a field (or remove the row)."))
            return None
        if not data.get("op"):
            row.add_error("op", _("Choose an operator."))
            return None
        op = OPERATORS[data["op"]]
        node: dict[str, Any] = {"field": data["field"], "op": data["op"]}
        value = data.get("value", "").strip()
        if op.arity != NO_VALUE and data.get("other"):
            node["value"] = {"field": data["other"]}
        elif op.arity == LIST_VALUE:
            node["value"] = [item.strip() for item in LIST_SEPARATORS.split(value) if item.strip()]
        elif op.arity == PAIR_VALUE:
            node["value"] = [value, data.get("value_to", "").strip()]
        elif op.arity != NO_VALUE:
            node["value"] = value
        try:
            compiled = compile_comparison(node, self.fields_available)
        except ConditionError as error:
            row.add_error(None, error.message)
            return None
        if compiled.other is None and op.arity != NO_VALUE:
            node["value"] = to_json(list(compiled.value) if isinstance(compiled.value, tuple) else compiled.value)
        return node


# --- actions ---------------------------------------------------------------------------------------------


class ActionRowForm(forms.Form):
    type = forms.ChoiceField(label=gettext_lazy("Action"), required=False, choices=[("", "—"), *ActionType.choices])
    message = forms.CharField(label=gettext_lazy("Message"), required=False, max_length=500)
    role = RoleChoiceField(label=gettext_lazy("Role"), required=False, queryset=Group.objects.none())
    user = UserChoiceField(label=gettext_lazy("User"), required=False, queryset=get_user_model().objects.none())
    field = forms.ChoiceField(label=gettext_lazy("Field to set"), required=False)
    value = forms.CharField(label=gettext_lazy("New value"), required=False, max_length=500)

    def __init__(self, *args, fields: dict[str, FieldSpec], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles()
        self.fields["role"].empty_label = _("— role —")
        self.fields["user"].queryset = active_users()
        self.fields["user"].empty_label = _("— user —")
        self.fields["field"].choices = field_choices(fields, settable_only=True, empty=_("— field to set —"))
        self.fields["type"].choices = [("", _("— action —")), *ActionType.choices]
        _compact(self, {"message": _("message"), "value": _("new value")})

    def action(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        kind = data.get("type")
        if not kind:
            return None
        if kind in (ActionType.BLOCK, ActionType.WARN):
            return {"type": kind, "message": data.get("message", "")}
        if kind == ActionType.REQUIRE_APPROVAL:
            return {"type": kind, "role": data["role"].pk if data.get("role") else None}
        if kind == ActionType.SET_FIELD:
            return {"type": kind, "field": data.get("field", ""), "value": data.get("value", "")}
        action: dict[str, Any] = {"type": kind, "message": data.get("message", "")}
        if data.get("role"):
            action["role"] = data["role"].pk
        if data.get("user"):
            action["user"] = data["user"].pk
        return action


ActionRowFormSet = forms.formset_factory(ActionRowForm, extra=0, can_delete=True)


def _action_initial(action: dict) -> dict[str, Any]:
    return {key: action.get(key) for key in ("type", "message", "role", "user", "field", "value") if key in action}


# --- business rules ----------------------------------------------------------------------------------------


class RuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    subject = forms.ChoiceField(label=gettext_lazy("Applies to"))
    trigger = forms.ChoiceField(label=gettext_lazy("When"), choices=Trigger.choices)
    priority = forms.IntegerField(
        label=gettext_lazy("Priority"),
        min_value=0,
        max_value=32767,
        initial=100,
        help_text=gettext_lazy("Lower numbers run first."),
    )
    is_active = forms.BooleanField(
        label=gettext_lazy("Active"),
        required=False,
        help_text=gettext_lazy("Leave it off until you have tried the rule on an existing record."),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [("", "—"), *subject_choices()]
        if editing:
            self.fields["subject"].disabled = True


class RuleEditor:
    """The rule form, its condition builder and its action rows, validated together."""

    def __init__(self, *, data: QueryDict | None = None, rule: BusinessRule | None = None) -> None:
        self.rule = rule
        editing = rule is not None and rule.pk is not None
        op = data.get("_op", "") if data is not None else ""
        initial = None
        if rule is not None:
            initial = {name: getattr(rule, name) for name in ("name", "subject", "trigger", "priority", "is_active")}
            initial["description"] = rule.description
        self.form = (
            RuleForm(data, initial=initial, editing=editing)
            if data is not None
            else RuleForm(initial=initial, editing=editing)
        )
        subject_label = rule.subject if editing else (data.get("subject") if data is not None else "")
        self.subject: Subject | None = subject_for(subject_label) if subject_label else None
        fields = self.subject.fields() if self.subject else {}
        self.conditions = ConditionBuilder(
            fields=fields, data=data, initial=rule.conditions if rule else None, op=op, blank_row=True
        )
        actions_prefix = "action"
        if data is None:
            actions = [_action_initial(action) for action in (rule.actions if rule else [])] or [{}]
            self.actions = ActionRowFormSet(prefix=actions_prefix, initial=actions, form_kwargs={"fields": fields})
        else:
            data = _rebuilt(data, actions_prefix, add=op == "add-action", delete=_op_index(op, "remove-action"))
            self.actions = ActionRowFormSet(data, prefix=actions_prefix, form_kwargs={"fields": fields})
        self.rebuilding = bool(op)

    def is_valid(self) -> bool:
        if self.rebuilding:
            return False
        valid = self.form.is_valid()
        if valid and self.subject is None:
            self.form.add_error("subject", _("Please choose what the rule applies to."))
            valid = False
        if self.subject is not None and self.form.is_valid():
            trigger = self.form.cleaned_data["trigger"]
            if trigger not in self.subject.triggers:
                self.form.add_error("trigger", _("%(subject)s has no such moment.") % {"subject": self.subject.name})
                valid = False
        valid = self.conditions.is_valid() and valid
        valid = self._actions_valid() and valid
        return valid

    def _actions_valid(self) -> bool:
        if not self.actions.is_valid():
            return False
        self.action_list = []
        fields = self.subject.fields() if self.subject else {}
        trigger = self.form.cleaned_data.get("trigger") if self.form.is_valid() else None
        for row in self.actions.forms:
            if row.cleaned_data.get("DELETE"):
                continue
            action = row.action()
            if action is None:
                continue
            if self.subject is not None and trigger:
                try:
                    compile_action(action, subject=self.subject, trigger=trigger, fields=fields)
                except ConditionError as error:
                    row.add_error(None, error.message)
                    continue
            if action.get("type") == ActionType.SET_FIELD and action.get("field") in fields:
                action["value"] = to_json(coerce_literal(action["value"], fields[action["field"]]))
            self.action_list.append(action)
        if not any(row.errors for row in self.actions.forms) and not self.action_list:
            self.actions._non_form_errors = self.actions.error_class([_("Add at least one action.")])
            return False
        return not any(row.errors for row in self.actions.forms)

    def values(self) -> dict[str, Any]:
        data = self.form.cleaned_data
        values = {
            "name": data["name"].strip(),
            "trigger": data["trigger"],
            "priority": data["priority"],
            "is_active": data["is_active"],
            "description": data["description"],
            "conditions": self.conditions.condition,
            "actions": self.action_list,
        }
        if not (self.rule and self.rule.pk):
            values["subject"] = self.subject.label
        return values


class RuleTestForm(forms.Form):
    record = forms.ChoiceField(label=gettext_lazy("Record"), required=False)
    number = forms.CharField(
        label=gettext_lazy("or its number / code"),
        required=False,
        max_length=100,
    )

    def __init__(self, *args, records: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record"].choices = [("", "—"), *records]


class RuleDeleteForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=255)


# --- workflows --------------------------------------------------------------------------------------------


class DefinitionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    subject = forms.ChoiceField(label=gettext_lazy("Document type"))
    is_active = forms.BooleanField(
        label=gettext_lazy("Active"),
        required=False,
        initial=True,
        help_text=gettext_lazy("One workflow per document type is active at a time."),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, instance: WorkflowDefinition | None = None, **kwargs) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "subject": instance.subject,
                    "is_active": instance.is_active,
                    "description": instance.description,
                    "version": instance.version,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [("", "—"), *subject_choices(documents_only=True)]
        if instance is not None:
            self.fields["subject"].disabled = True


class StepForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    position = forms.IntegerField(label=gettext_lazy("Position"), min_value=1, max_value=999, initial=1)
    role = RoleChoiceField(label=gettext_lazy("Role"), required=False, queryset=Group.objects.none())
    user = UserChoiceField(label=gettext_lazy("or user"), required=False, queryset=get_user_model().objects.none())
    mode = forms.ChoiceField(label=gettext_lazy("Approved by"), choices=ApprovalMode.choices, initial=ApprovalMode.ANY)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles()
        self.fields["user"].queryset = active_users()

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("role")) == bool(data.get("user")):
            self.add_error("role", _("Choose either a role or a user as approver."))
        return data


class StepEditor:
    def __init__(self, *, definition: WorkflowDefinition, data: QueryDict | None = None, step=None) -> None:
        subject = subject_for(definition.subject)
        fields = subject.fields() if subject else {}
        op = data.get("_op", "") if data is not None else ""
        initial = {"position": (definition.steps.count() + 1)}
        if step is not None:
            initial = {
                "name": step.name,
                "position": step.position,
                "role": step.role_id,
                "user": step.user_id,
                "mode": step.mode,
            }
        self.form = StepForm(data, initial=initial) if data is not None else StepForm(initial=initial)
        self.conditions = ConditionBuilder(
            fields=fields, data=data, initial=step.condition if step else None, op=op, prefix="cond"
        )
        self.rebuilding = bool(op)

    def is_valid(self) -> bool:
        if self.rebuilding:
            return False
        return self.form.is_valid() & self.conditions.is_valid()


# --- delegations ------------------------------------------------------------------------------------------


class DelegationForm(forms.Form):
    user = UserChoiceField(label=gettext_lazy("Approver away"), queryset=get_user_model().objects.none())
    delegate = UserChoiceField(label=gettext_lazy("Delegate"), queryset=get_user_model().objects.none())
    starts_on = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=255)

    def __init__(self, *args, user, for_anyone: bool, **kwargs) -> None:
        kwargs.setdefault("initial", {"user": user.pk, "starts_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = active_users() if for_anyone else active_users().filter(pk=user.pk)
        self.fields["delegate"].queryset = active_users()
        if not for_anyone:
            self.fields["user"].disabled = True

    def clean(self) -> dict:
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end date must not be before the start date."))
        return data


class DecisionForm(forms.Form):
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000)
    decision = forms.ChoiceField(choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))])

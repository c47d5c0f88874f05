"""Business rules at work: checking a rule when it is saved, compiling it once,
evaluating the active rules of a record on a trigger and carrying out their actions.

Actions (a rule's ``actions`` list)::

    {"type": "block", "message": "…"}                   refuse the operation with the message
    {"type": "warn", "message": "…"}                    let it pass, show the message
    {"type": "require_approval", "role": <role id>}     (before submit, documents) someone of the role must approve
    {"type": "set_field", "field": "notes", "value": "…"}  set a field (or ``custom.<code>``) before it is saved
    {"type": "notify", "role": <id> | "user": <id>, "message": "…"}  an in-app notification (and e-mail)

A message may name fields of the record in braces, e.g. ``"Exposure {credit_exposure} exceeds
the credit limit {credit_limit}"``: each is replaced by the record's value as the reader
writes numbers and dates; an unknown field is refused when the rule is saved.

Compiled rules are kept per process, keyed by schema, rule and version, so a
check costs one query (the active rules of the subject and trigger) plus the
comparisons."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, models
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from erp.core.documents import hooks
from erp.core.exceptions import DomainError
from erp.workflow.conditions import (
    ALWAYS,
    INTEGER,
    ConditionError,
    FieldSpec,
    Node,
    TraceLine,
    Values,
    _display,
    coerce_literal,
    compile_condition,
    to_json,
)
from erp.workflow.models import ActionType, BusinessRule
from erp.workflow.subjects import CUSTOM_PREFIX, Subject, subject_for, subject_of

MAX_MESSAGE = 500
# ``{credit_limit}``, ``{partner.name}``, ``{custom.region}`` in a message: the record's value.
PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.]*)\}")


def _reader_text(value: Any, spec: FieldSpec) -> str:
    """A field's value inside a message, as the reader writes it (1,234.50; 31.03.2026)."""
    if isinstance(value, Decimal):
        exponent = value.normalize().as_tuple().exponent
        places = max(2, min(6, -exponent if isinstance(exponent, int) else 2))
        return number_format(value, places, force_grouping=True)
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return _display(value, spec)


@dataclass(frozen=True)
class CompiledAction:
    type: str
    message: str = ""
    role_id: int | None = None
    user_id: int | None = None
    field: FieldSpec | None = None
    value: Any = None
    placeholders: tuple[FieldSpec, ...] = ()

    def text(self, values: Values) -> str:
        """The message with each ``{field}`` replaced by the record's value."""
        if not self.placeholders:
            return self.message
        specs = {spec.path: spec for spec in self.placeholders}

        def fill(match: re.Match[str]) -> str:
            spec = specs.get(match.group(1))
            return _reader_text(values.get(spec), spec) if spec is not None else match.group(0)

        return PLACEHOLDER.sub(fill, self.message)

    def describe(self) -> str:
        if self.type in (ActionType.BLOCK, ActionType.WARN):
            return f"{ActionType(self.type).label}: {self.message}"
        if self.type == ActionType.REQUIRE_APPROVAL:
            return _("Approval required by %(role)s") % {"role": _role_name(self.role_id)}
        if self.type == ActionType.SET_FIELD:
            return _("Set %(field)s to %(value)s") % {"field": self.field.label, "value": to_json(self.value)}
        recipient = (
            _role_name(self.role_id) if self.role_id else str(get_user_model().objects.filter(pk=self.user_id).first())
        )
        return _("Notify %(recipient)s: %(message)s") % {"recipient": recipient, "message": self.message}


def _role_name(role_id: int | None) -> str:
    from erp.accounts.roles import label

    group = Group.objects.filter(pk=role_id).first()
    return label(group.name) if group else "?"


@dataclass(frozen=True)
class CompiledRule:
    pk: int
    name: str
    priority: int
    condition: Node
    actions: tuple[CompiledAction, ...]


# --- checking and compiling -----------------------------------------------------------------------


def _message(action: dict) -> str:
    message = action.get("message")
    if not isinstance(message, str) or not message.strip():
        raise ConditionError(_("Please enter a message."))
    if len(message) > MAX_MESSAGE:
        raise ConditionError(_("The message may have at most %(max)d characters.") % {"max": MAX_MESSAGE})
    return message.strip()


def _placeholders(message: str, fields: dict[str, FieldSpec]) -> tuple[FieldSpec, ...]:
    """The fields a message names in braces; ConditionError for one the record does not have."""
    specs = []
    for path in dict.fromkeys(PLACEHOLDER.findall(message)):
        spec = fields.get(path)
        if spec is None:
            raise ConditionError(_("The message names the unknown field “%(field)s”.") % {"field": path})
        specs.append(spec)
    return tuple(specs)


def _id(value: Any, model: type[models.Model], missing: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ConditionError(missing)
    if not model._default_manager.filter(pk=int(value)).exists():
        raise ConditionError(missing)
    return int(value)


def compile_action(action: Any, *, subject: Subject, trigger: str, fields: dict[str, FieldSpec]) -> CompiledAction:
    """Check one action of a rule for ``subject`` on ``trigger``; raises ConditionError."""
    if not isinstance(action, dict) or action.get("type") not in ActionType.values:
        raise ConditionError(
            _("Unknown action “%(type)s”.") % {"type": action.get("type") if isinstance(action, dict) else action}
        )
    kind = action["type"]
    allowed = {"type", "message", "role", "user", "field", "value"}
    if set(action) - allowed:
        raise ConditionError(
            _("Unknown key(s) in an action: %(keys)s.") % {"keys": ", ".join(sorted(set(action) - allowed))}
        )
    if kind in (ActionType.BLOCK, ActionType.WARN):
        message = _message(action)
        return CompiledAction(kind, message=message, placeholders=_placeholders(message, fields))
    if kind == ActionType.REQUIRE_APPROVAL:
        if not subject.is_document or trigger != hooks.BEFORE_SUBMIT:
            raise ConditionError(_("Approval can only be required on documents, before submit."))
        return CompiledAction(kind, role_id=_id(action.get("role"), Group, _("Please choose an existing role.")))
    if kind == ActionType.SET_FIELD:
        spec = fields.get(action.get("field")) if isinstance(action.get("field"), str) else None
        if spec is None:
            raise ConditionError(_("Unknown field “%(field)s”.") % {"field": action.get("field")})
        if not spec.settable:
            raise ConditionError(_("%(field)s cannot be set by a rule.") % {"field": spec.label})
        return CompiledAction(kind, field=spec, value=coerce_literal(action.get("value"), spec))
    # notify
    has_role, has_user = action.get("role") not in (None, ""), action.get("user") not in (None, "")
    if has_role == has_user:
        raise ConditionError(_("Notify either a role or a user."))
    message = _message(action)
    placeholders = _placeholders(message, fields)
    if has_role:
        return CompiledAction(
            kind,
            message=message,
            role_id=_id(action["role"], Group, _("Please choose an existing role.")),
            placeholders=placeholders,
        )
    user_id = _id(action["user"], get_user_model(), _("Please choose an existing user."))
    return CompiledAction(kind, message=message, user_id=user_id, placeholders=placeholders)


def rule_errors(rule: BusinessRule) -> dict[str, list[str]]:
    """Why ``rule`` cannot be saved, by field (empty when it can)."""
    subject = subject_for(rule.subject)
    if subject is None:
        return {"subject": [_("Unknown record type “%(subject)s”.") % {"subject": rule.subject}]}
    errors: dict[str, list[str]] = {}
    if rule.trigger not in subject.triggers:
        errors["trigger"] = [_("%(subject)s has no such moment.") % {"subject": subject.name}]
    fields = subject.fields()
    try:
        compile_condition(rule.conditions, fields)
    except ConditionError as error:
        errors["conditions"] = [error.message]
    if not isinstance(rule.actions, list) or not rule.actions:
        errors["actions"] = [_("Add at least one action.")]
    else:
        for action in rule.actions:
            try:
                compile_action(action, subject=subject, trigger=rule.trigger, fields=fields)
            except ConditionError as error:
                errors.setdefault("actions", []).append(error.message)
    return errors


_compiled: dict[tuple[str, int, int], CompiledRule] = {}


def compiled(rule: BusinessRule, fields: dict[str, FieldSpec] | None = None) -> CompiledRule:
    """The rule, compiled (once per version and process)."""
    key = (connection.schema_name, rule.pk, rule.version)
    found = _compiled.get(key)
    if found is None:
        subject = subject_for(rule.subject)
        fields = fields if fields is not None else subject.fields()
        found = CompiledRule(
            pk=rule.pk,
            name=rule.name,
            priority=rule.priority,
            condition=compile_condition(rule.conditions, fields),
            actions=tuple(
                compile_action(action, subject=subject, trigger=rule.trigger, fields=fields) for action in rule.actions
            ),
        )
        if rule.pk is not None:
            if len(_compiled) > 5000:
                _compiled.clear()
            _compiled[key] = found
    return found


# --- evaluating -----------------------------------------------------------------------------------


def _broken(rule: BusinessRule) -> CompiledRule:
    """A rule that no longer compiles (e.g. its custom field was removed) fails closed: it blocks."""
    message = _("The rule “%(rule)s” no longer fits its record type; please correct it.") % {"rule": rule.name}
    return CompiledRule(rule.pk, rule.name, rule.priority, ALWAYS, (CompiledAction(ActionType.BLOCK, message),))


def compiled_rules(record: models.Model, trigger: str) -> list[CompiledRule]:
    """The active rules of ``record``'s type for ``trigger``, compiled, by priority.

    One small query (ids and versions); rules not yet compiled in this process are read and
    compiled once."""
    schema = connection.schema_name
    keys = list(
        BusinessRule.objects.filter(subject=record._meta.label_lower, trigger=trigger, is_active=True)
        .order_by("priority", "pk")
        .values_list("pk", "version")
    )
    missing = [pk for pk, version in keys if (schema, pk, version) not in _compiled]
    if missing:
        fields = subject_of(record).fields()
        for rule in BusinessRule.objects.filter(pk__in=missing):
            try:
                compiled(rule, fields)
            except ConditionError:
                _compiled[(schema, rule.pk, rule.version)] = _broken(rule)
    return [_compiled[(schema, pk, version)] for pk, version in keys if (schema, pk, version) in _compiled]


@dataclass
class Outcome:
    """What the active rules decided for one record and trigger."""

    matched: list[CompiledRule] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    settings: list[CompiledAction] = field(default_factory=list)
    approvals: list[tuple[CompiledRule, int]] = field(default_factory=list)
    notifications: list[CompiledAction] = field(default_factory=list)


def outcome_of(record: models.Model, rules: list[CompiledRule]) -> Outcome:
    """Which of the compiled ``rules`` hold for ``record``, and what they ask for (nothing is changed)."""
    outcome = Outcome()
    values = Values(record)
    for rule in rules:
        if not rule.condition.holds(values):
            continue
        outcome.matched.append(rule)
        for action in rule.actions:
            if action.type == ActionType.BLOCK:
                outcome.blocks.append(action.text(values))
            elif action.type == ActionType.WARN:
                outcome.warnings.append(action.text(values))
            elif action.type == ActionType.SET_FIELD:
                outcome.settings.append(action)
            elif action.type == ActionType.REQUIRE_APPROVAL:
                outcome.approvals.append((rule, action.role_id))
            else:
                outcome.notifications.append(replace(action, message=action.text(values)))
    return outcome


def evaluate(record: models.Model, trigger: str) -> Outcome:
    """Evaluate the active rules of ``record``'s type for ``trigger`` (nothing is changed)."""
    return outcome_of(record, compiled_rules(record, trigger))


def set_field(record: models.Model, action: CompiledAction) -> None:
    spec, value = action.field, action.value
    if spec.path.startswith(CUSTOM_PREFIX):
        stored = int(value) if spec.type == INTEGER else to_json(value)
        record.custom_fields = {**(record.custom_fields or {}), spec.path[len(CUSTOM_PREFIX) :]: stored}
        return
    setattr(record, spec.path, int(value) if spec.type == INTEGER else value)


def rule_check(record: models.Model, *, trigger: str, by) -> list[str]:
    """The hook the document services call: block, set fields, notify; returns the warnings."""
    outcome = evaluate(record, trigger)
    if outcome.blocks:
        raise DomainError(" ".join(outcome.blocks))
    for action in outcome.settings:
        set_field(record, action)
    if outcome.notifications:
        from erp.workflow import notifications

        # Created inside the operation's transaction: a later refusal takes them back too.
        notifications.rule_notify(record=record, actions=outcome.notifications, by=by)
    return outcome.warnings


# --- testing a rule on a record -------------------------------------------------------------------


@dataclass
class RuleTest:
    matched: bool
    lines: list[TraceLine]
    consequences: list[str]


def explain_rule(rule: BusinessRule, record: models.Model) -> RuleTest:
    """Explain ``rule`` on ``record`` (active or not): which conditions hold and what would happen."""
    subject = subject_of(record)
    fields = subject.fields()
    condition = compile_condition(rule.conditions, fields)
    lines: list[TraceLine] = []
    matched = condition.explain(Values(record), lines)
    actions = [compile_action(action, subject=subject, trigger=rule.trigger, fields=fields) for action in rule.actions]
    consequences = [action.describe() for action in actions] if matched else []
    return RuleTest(matched=matched, lines=lines, consequences=consequences)

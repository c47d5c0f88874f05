"""The condition language of business rules and approval steps, and its interpreter.

A condition is JSON, nested to any depth up to ``MAX_DEPTH``::

    {"all": [node, ...]}       every node holds (an empty list always holds)
    {"any": [node, ...]}       at least one node holds
    {"field": "total_gross", "op": "gt", "value": "10000"}
    {"field": "total_gross", "op": "gt", "value": {"field": "partner.credit_limit"}}
    {"field": "notes", "op": "is_empty"}

Fields come from the subject, the model a rule is written for (see
``erp.workflow.subjects``); each field has a type and the operator must fit it.
``compile_condition`` checks a condition once — unknown field, unknown operator,
an operator that does not fit the field's type, a value that is not of the
field's type — and turns it into a tree of small Python objects. Evaluating
that tree reads the record's attributes and compares; nothing is ever passed
to ``eval`` and no text is parsed at evaluation time.

Decimals and dates travel as strings in JSON (``"10000.00"``, ``"2026-03-31"``),
so money never becomes a float."""

from __future__ import annotations

import operator
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.core.customfields.values import yes_no

MAX_DEPTH = 5
MAX_NODES = 200

DECIMAL = "decimal"
INTEGER = "integer"
DATE = "date"
TEXT = "text"
BOOLEAN = "boolean"
CHOICE = "choice"
TYPES = {
    DECIMAL: gettext_lazy("decimal"),
    INTEGER: gettext_lazy("number"),
    DATE: gettext_lazy("date"),
    TEXT: gettext_lazy("text"),
    BOOLEAN: gettext_lazy("yes/no"),
    CHOICE: gettext_lazy("choice"),
}
NUMERIC = frozenset({DECIMAL, INTEGER})
ORDERED = NUMERIC | {DATE}
ALL_TYPES = frozenset(TYPES)
# Which types may be compared with each other (a field against another field).
FAMILY = {DECIMAL: "number", INTEGER: "number", DATE: "date", TEXT: "text", CHOICE: "text", BOOLEAN: "boolean"}


class ConditionError(ValueError):
    """The condition cannot be used; ``where`` locates the offending node (indexes from the root)."""

    def __init__(self, message: str, where: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return self.message


# --- fields --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One field a condition may name: its path (``partner.credit_limit``), label, type and reader."""

    path: str
    label: Any  # text, or lazily translated text
    type: str
    read: Callable[[Any], Any] = field(compare=False, repr=False)
    choices: tuple[tuple[str, str], ...] = ()
    settable: bool = False

    def choice_label(self, value: Any) -> str:
        return next((str(label) for key, label in self.choices if key == value), str(value))


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def normalize(value: Any, type_: str) -> Any:
    """A record's value as the interpreter compares it (None when it cannot be read as the type)."""
    if _is_empty(value):
        return None
    try:
        if type_ in NUMERIC:
            if isinstance(value, bool):
                return None
            if isinstance(value, float):
                value = str(value)
            number = Decimal(value) if not isinstance(value, Decimal) else value
            return number if number.is_finite() else None
        if type_ == DATE:
            if isinstance(value, datetime):
                return value.date()
            if isinstance(value, date):
                return value
            return date.fromisoformat(str(value))
        if type_ == BOOLEAN:
            return yes_no(value)
        return str(value)
    except (InvalidOperation, ValueError, TypeError):
        return None


def coerce_literal(value: Any, spec: FieldSpec) -> Any:
    """A value written in a condition, checked against the field's type (raises ConditionError)."""
    type_ = spec.type
    problem = _("“%(value)s” is not a valid %(type)s for %(field)s.") % {
        "value": value,
        "type": TYPES[type_],
        "field": spec.label,
    }
    if isinstance(value, dict | list) or value is None:
        raise ConditionError(problem)
    if type_ in NUMERIC:
        if isinstance(value, bool):
            raise ConditionError(problem)
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ConditionError(problem)
        if not number.is_finite() or (type_ == INTEGER and number != number.to_integral_value()):
            raise ConditionError(problem)
        return number
    if type_ == DATE:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise ConditionError(problem)
    if type_ == BOOLEAN:
        answer = yes_no(value)
        if answer is None:
            raise ConditionError(problem)
        return answer
    text = str(value)
    if type_ == CHOICE:
        # The key or its label (any case) names a choice; the key is kept.
        text = next(
            (key for key, label in spec.choices if text.casefold() in (key.casefold(), str(label).casefold())), text
        )
    if type_ == CHOICE and text not in {key for key, _label in spec.choices}:
        raise ConditionError(
            _("“%(value)s” is not one of the choices of %(field)s (%(choices)s).")
            % {"value": text, "field": spec.label, "choices": ", ".join(key for key, _label in spec.choices)}
        )
    return text


def to_json(value: Any) -> Any:
    """A coerced literal as it is stored in JSON (decimals and dates as strings)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


# --- operators -----------------------------------------------------------------------------------

NO_VALUE = "none"
ONE_VALUE = "one"
LIST_VALUE = "list"
PAIR_VALUE = "pair"


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _equal(left: Any, right: Any) -> bool:
    return left is not None and right is not None and _fold(left) == _fold(right)


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def test(left: Any, right: Any) -> bool:
        return left is not None and right is not None and compare(left, right)

    return test


def _text(test: Callable[[str, str], bool]) -> Callable[[Any, Any], bool]:
    def run(left: Any, right: Any) -> bool:
        return left is not None and right is not None and test(str(left).casefold(), str(right).casefold())

    return run


@dataclass(frozen=True)
class Operator:
    name: str
    label: Any
    types: frozenset[str]
    arity: str
    test: Callable[[Any, Any], bool]


def _between(left: Any, bounds: Any) -> bool:
    low, high = bounds
    return left is not None and low <= left <= high


def _member(left: Any, values: Any) -> bool:
    return left is not None and _fold(left) in {_fold(value) for value in values}


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator("eq", gettext_lazy("equals"), ALL_TYPES - {BOOLEAN}, ONE_VALUE, _equal),
        Operator("ne", gettext_lazy("does not equal"), ALL_TYPES - {BOOLEAN}, ONE_VALUE, lambda a, b: not _equal(a, b)),
        Operator("gt", gettext_lazy("is greater than / after"), ORDERED, ONE_VALUE, _ordered(operator.gt)),
        Operator("gte", gettext_lazy("is at least / on or after"), ORDERED, ONE_VALUE, _ordered(operator.ge)),
        Operator("lt", gettext_lazy("is less than / before"), ORDERED, ONE_VALUE, _ordered(operator.lt)),
        Operator("lte", gettext_lazy("is at most / on or before"), ORDERED, ONE_VALUE, _ordered(operator.le)),
        Operator("between", gettext_lazy("is between"), ORDERED, PAIR_VALUE, _between),
        Operator("contains", gettext_lazy("contains"), frozenset({TEXT}), ONE_VALUE, _text(lambda a, b: b in a)),
        Operator(
            "not_contains",
            gettext_lazy("does not contain"),
            frozenset({TEXT}),
            ONE_VALUE,
            lambda a, b: a is None or b is None or str(b).casefold() not in str(a).casefold(),
        ),
        Operator("starts_with", gettext_lazy("starts with"), frozenset({TEXT}), ONE_VALUE, _text(str.startswith)),
        Operator("ends_with", gettext_lazy("ends with"), frozenset({TEXT}), ONE_VALUE, _text(str.endswith)),
        Operator("in", gettext_lazy("is one of"), ALL_TYPES - {BOOLEAN}, LIST_VALUE, _member),
        Operator(
            "not_in", gettext_lazy("is none of"), ALL_TYPES - {BOOLEAN}, LIST_VALUE, lambda a, b: not _member(a, b)
        ),
        Operator("is_empty", gettext_lazy("is empty"), ALL_TYPES, NO_VALUE, lambda a, _b: a is None),
        Operator("is_not_empty", gettext_lazy("is not empty"), ALL_TYPES, NO_VALUE, lambda a, _b: a is not None),
        Operator("is_true", gettext_lazy("is yes"), frozenset({BOOLEAN}), NO_VALUE, lambda a, _b: a is True),
        Operator("is_false", gettext_lazy("is no"), frozenset({BOOLEAN}), NO_VALUE, lambda a, _b: a is False),
    )
}


def operators_for(type_: str) -> list[Operator]:
    return [op for op in OPERATORS.values() if type_ in op.types]


# --- the compiled tree -----------------------------------------------------------------------------


class Values:
    """Reads a record's fields once each, normalized to the field's type."""

    __slots__ = ("_cache", "record")

    def __init__(self, record: Any) -> None:
        self.record = record
        self._cache: dict[str, Any] = {}

    def get(self, spec: FieldSpec) -> Any:
        try:
            return self._cache[spec.path]
        except KeyError:
            value = self._cache[spec.path] = normalize(spec.read(self.record), spec.type)
            return value


@dataclass(frozen=True)
class TraceLine:
    """One line of an explanation: what was compared and whether it held."""

    depth: int
    text: str
    actual: str
    matched: bool
    is_group: bool = False


def _display(value: Any, spec: FieldSpec | None = None) -> str:
    if value is None:
        return _("(empty)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list | tuple):
        return ", ".join(_display(item, spec) for item in value)
    if spec is not None and spec.type == CHOICE:
        return spec.choice_label(value)
    return str(value)


class Node(ABC):
    """A compiled condition: a group or a comparison."""

    @abstractmethod
    def holds(self, values: Values) -> bool: ...

    @abstractmethod
    def explain(self, values: Values, lines: list[TraceLine], depth: int = 0) -> bool:
        """Like ``holds``, but evaluates every part and appends what it found to ``lines``."""

    @abstractmethod
    def describe(self) -> str: ...

    @abstractmethod
    def fields(self) -> Iterable[FieldSpec]: ...


@dataclass(frozen=True)
class Group(Node):
    mode: str  # "all" or "any"
    children: tuple[Node, ...]

    def holds(self, values: Values) -> bool:
        if self.mode == "all":
            return all(child.holds(values) for child in self.children)
        return any(child.holds(values) for child in self.children)

    def explain(self, values: Values, lines: list[TraceLine], depth: int = 0) -> bool:
        position = len(lines)
        results = [child.explain(values, lines, depth + 1) for child in self.children]
        matched = all(results) if self.mode == "all" else any(results)
        text = _("All of these hold") if self.mode == "all" else _("At least one of these holds")
        if not self.children:
            text = _("Always")
        lines.insert(position, TraceLine(depth, text, "", matched, is_group=True))
        return matched

    def describe(self) -> str:
        if not self.children:
            return _("always")
        joiner = _(" and ") if self.mode == "all" else _(" or ")
        parts = [child.describe() for child in self.children]
        parts = [
            f"({part})" if isinstance(child, Group) and len(child.children) > 1 else part
            for part, child in zip(parts, self.children, strict=True)
        ]
        return joiner.join(parts)

    def fields(self) -> Iterable[FieldSpec]:
        for child in self.children:
            yield from child.fields()


@dataclass(frozen=True)
class Comparison(Node):
    spec: FieldSpec
    op: Operator
    value: Any = None  # a coerced literal, a (low, high) pair, a frozenset/tuple of literals
    other: FieldSpec | None = None  # compare against another field of the record

    def _right(self, values: Values) -> Any:
        return values.get(self.other) if self.other is not None else self.value

    def holds(self, values: Values) -> bool:
        return self.op.test(values.get(self.spec), self._right(values))

    def explain(self, values: Values, lines: list[TraceLine], depth: int = 0) -> bool:
        left, right = values.get(self.spec), self._right(values)
        matched = self.op.test(left, right)
        actual = _display(left, self.spec)
        if self.other is not None:
            actual = f"{actual} / {self.other.label}: {_display(right, self.other)}"
        lines.append(TraceLine(depth, self.describe(), actual, matched))
        return matched

    def describe(self) -> str:
        if self.op.arity == NO_VALUE:
            return f"{self.spec.label} {self.op.label}"
        if self.other is not None:
            return f"{self.spec.label} {self.op.label} {self.other.label}"
        if self.op.arity == PAIR_VALUE:
            low, high = self.value
            return _("%(field)s is between %(low)s and %(high)s") % {
                "field": self.spec.label,
                "low": _display(low, self.spec),
                "high": _display(high, self.spec),
            }
        return f"{self.spec.label} {self.op.label} {_display(self.value, self.spec)}"

    def fields(self) -> Iterable[FieldSpec]:
        yield self.spec
        if self.other is not None:
            yield self.other


ALWAYS = Group("all", ())


# --- compiling -----------------------------------------------------------------------------------


def compile_condition(condition: Any, fields: dict[str, FieldSpec]) -> Node:
    """Check ``condition`` against the subject's ``fields`` and compile it; raises ConditionError.

    An empty condition (``None``, ``{}``) always holds."""
    if condition in (None, {}):
        return ALWAYS
    counter = [0]
    return _compile(condition, fields, where=(), depth=0, counter=counter)


def _compile(node: Any, fields: dict[str, FieldSpec], *, where: tuple[int, ...], depth: int, counter: list[int]):
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise ConditionError(_("The condition is too long (at most %(max)d parts).") % {"max": MAX_NODES}, where)
    if not isinstance(node, dict):
        raise ConditionError(_("Each part of a condition must be an object."), where)
    groups = [key for key in ("all", "any") if key in node]
    if groups:
        if len(node) != 1:
            raise ConditionError(_("A group has exactly one key, “all” or “any”."), where)
        if depth >= MAX_DEPTH:
            raise ConditionError(_("Groups may be nested at most %(max)d deep.") % {"max": MAX_DEPTH}, where)
        children = node[groups[0]]
        if not isinstance(children, list):
            raise ConditionError(_("“%(key)s” must hold a list of conditions.") % {"key": groups[0]}, where)
        return Group(
            groups[0],
            tuple(
                _compile(child, fields, where=(*where, index), depth=depth + 1, counter=counter)
                for index, child in enumerate(children)
            ),
        )
    return compile_comparison(node, fields, where=where)


def compile_comparison(node: dict, fields: dict[str, FieldSpec], *, where: tuple[int, ...] = ()) -> Comparison:
    unknown_keys = set(node) - {"field", "op", "value"}
    if unknown_keys:
        raise ConditionError(
            _("Unknown key(s) in a condition: %(keys)s.") % {"keys": ", ".join(sorted(map(str, unknown_keys)))}, where
        )
    path, op_name = node.get("field"), node.get("op")
    spec = fields.get(path) if isinstance(path, str) else None
    if spec is None:
        raise ConditionError(_("Unknown field “%(field)s”.") % {"field": path}, where)
    op = OPERATORS.get(op_name) if isinstance(op_name, str) else None
    if op is None:
        raise ConditionError(_("Unknown operator “%(op)s”.") % {"op": op_name}, where)
    if spec.type not in op.types:
        raise ConditionError(
            _("“%(op)s” cannot be used with %(field)s (a %(type)s field).")
            % {"op": op.label, "field": spec.label, "type": TYPES[spec.type]},
            where,
        )
    value = node.get("value")
    try:
        if op.arity == NO_VALUE:
            if value not in (None, "", []):
                raise ConditionError(_("“%(op)s” takes no value.") % {"op": op.label})
            return Comparison(spec, op)
        if isinstance(value, dict):
            return Comparison(spec, op, other=_other_field(value, spec, op, fields))
        if op.arity == LIST_VALUE:
            if not isinstance(value, list) or not value:
                raise ConditionError(_("“%(op)s” needs a list of values.") % {"op": op.label})
            return Comparison(spec, op, tuple(coerce_literal(item, spec) for item in value))
        if op.arity == PAIR_VALUE:
            if not isinstance(value, list) or len(value) != 2:
                raise ConditionError(_("“%(op)s” needs two values, from and to.") % {"op": op.label})
            low, high = (coerce_literal(item, spec) for item in value)
            if low > high:
                raise ConditionError(_("The first value must not be greater than the second."))
            return Comparison(spec, op, (low, high))
        if value in (None, ""):
            raise ConditionError(_("Please enter a value for “%(field)s”.") % {"field": spec.label})
        return Comparison(spec, op, coerce_literal(value, spec))
    except ConditionError as error:
        raise ConditionError(error.message, where)


def _other_field(value: dict, spec: FieldSpec, op: Operator, fields: dict[str, FieldSpec]) -> FieldSpec:
    if set(value) != {"field"}:
        raise ConditionError(_('A value that names a field is written {"field": "…"}.'))
    if op.arity != ONE_VALUE:
        raise ConditionError(_("“%(op)s” compares with values, not with another field.") % {"op": op.label})
    other = fields.get(value["field"]) if isinstance(value["field"], str) else None
    if other is None:
        raise ConditionError(_("Unknown field “%(field)s”.") % {"field": value["field"]})
    if FAMILY[other.type] != FAMILY[spec.type]:
        raise ConditionError(
            _("%(field)s cannot be compared with %(other)s (%(type)s and %(other_type)s).")
            % {"field": spec.label, "other": other.label, "type": TYPES[spec.type], "other_type": TYPES[other.type]}
        )
    return other


def evaluate(node: Node, record: Any) -> bool:
    return node.holds(Values(record))


def explain(node: Node, record: Any) -> tuple[bool, list[TraceLine]]:
    lines: list[TraceLine] = []
    matched = node.explain(Values(record), lines)
    return matched, lines

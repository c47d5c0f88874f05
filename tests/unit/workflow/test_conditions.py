from datetime import date
from decimal import Decimal as D
from operator import attrgetter
from types import SimpleNamespace

import pytest

from erp.workflow.conditions import (
    BOOLEAN,
    CHOICE,
    DATE,
    DECIMAL,
    INTEGER,
    TEXT,
    ConditionError,
    FieldSpec,
    compile_condition,
    evaluate,
    explain,
    to_json,
)


def _spec(path, type_, **kwargs):
    return FieldSpec(
        path, path.replace("_", " ").capitalize(), type_, read=attrgetter(path.replace(".", "_")), **kwargs
    )


FIELDS = {
    spec.path: spec
    for spec in (
        _spec("total_gross", DECIMAL),
        _spec("partner.credit_limit", DECIMAL),
        _spec("lines", INTEGER),
        _spec("document_date", DATE),
        _spec("notes", TEXT),
        _spec("posted", BOOLEAN),
        _spec("status", CHOICE, choices=(("draft", "Draft"), ("approved", "Approved"))),
    )
}


def record(**values):
    defaults = {
        "total_gross": D("15000.00"),
        "partner_credit_limit": D("10000.00"),
        "lines": 3,
        "document_date": date(2026, 3, 31),
        "notes": "Urgent: ship by Friday",
        "posted": False,
        "status": "draft",
    }
    return SimpleNamespace(**{**defaults, **values})


def holds(condition, **values) -> bool:
    return evaluate(compile_condition(condition, FIELDS), record(**values))


class TestComparisons:
    @pytest.mark.parametrize(
        ("op", "value", "expected"),
        [
            ("gt", "10000", True),
            ("gt", "15000", False),
            ("gte", "15000.00", True),
            ("lt", "15000.01", True),
            ("lte", "14999.99", False),
            ("eq", "15000", True),
            ("ne", "15000", False),
            ("between", ["10000", "20000"], True),
            ("in", ["100", "15000"], True),
            ("not_in", ["100", "15000"], False),
        ],
    )
    def test_compare_decimals_exactly(self, op, value, expected):
        assert holds({"field": "total_gross", "op": op, "value": value}) is expected

    def test_compare_a_field_with_another_field(self):
        over_limit = {"field": "total_gross", "op": "gt", "value": {"field": "partner.credit_limit"}}

        assert holds(over_limit) is True
        assert holds(over_limit, partner_credit_limit=D("20000")) is False

    def test_compare_dates_written_as_iso_text(self):
        assert holds({"field": "document_date", "op": "lt", "value": "2026-04-01"}) is True
        assert holds({"field": "document_date", "op": "between", "value": ["2026-01-01", "2026-03-30"]}) is False

    def test_compare_text_without_regard_to_case(self):
        assert holds({"field": "notes", "op": "contains", "value": "URGENT"}) is True
        assert holds({"field": "notes", "op": "starts_with", "value": "urgent"}) is True
        assert holds({"field": "notes", "op": "ends_with", "value": "monday"}) is False
        assert holds({"field": "notes", "op": "not_contains", "value": "urgent"}) is False
        assert holds({"field": "notes", "op": "eq", "value": "urgent: SHIP by friday"}) is True

    def test_membership_of_choices(self):
        assert holds({"field": "status", "op": "in", "value": ["draft", "approved"]}) is True
        assert holds({"field": "status", "op": "not_in", "value": ["approved"]}) is True

    def test_empty_and_yes_no(self):
        assert holds({"field": "notes", "op": "is_empty"}, notes="") is True
        assert holds({"field": "notes", "op": "is_not_empty"}) is True
        assert holds({"field": "posted", "op": "is_false"}) is True
        assert holds({"field": "posted", "op": "is_true"}) is False

    def test_an_empty_value_never_compares_greater_or_smaller(self):
        assert holds({"field": "total_gross", "op": "gt", "value": "0"}, total_gross=None) is False
        assert holds({"field": "total_gross", "op": "lte", "value": "0"}, total_gross=None) is False
        assert holds({"field": "total_gross", "op": "ne", "value": "0"}, total_gross=None) is True


class TestGroups:
    def test_all_needs_every_part_and_any_one_of_them(self):
        big = {"field": "total_gross", "op": "gt", "value": "10000"}
        posted = {"field": "posted", "op": "is_true"}

        assert holds({"all": [big, posted]}) is False
        assert holds({"any": [big, posted]}) is True

    def test_groups_nest(self):
        condition = {
            "any": [
                {"all": [{"field": "lines", "op": "gt", "value": 5}, {"field": "posted", "op": "is_true"}]},
                {"all": [{"field": "status", "op": "eq", "value": "draft"}, {"field": "notes", "op": "is_not_empty"}]},
            ]
        }

        assert holds(condition) is True
        assert holds(condition, notes="") is False

    def test_an_empty_condition_always_holds(self):
        assert holds({}) is True
        assert holds({"all": []}) is True


class TestRefusedConditions:
    @pytest.mark.parametrize(
        ("condition", "message"),
        [
            ({"field": "colour", "op": "eq", "value": "red"}, "Unknown field “colour”"),
            ({"field": "total_gross", "op": "approx", "value": "1"}, "Unknown operator “approx”"),
            ({"field": "notes", "op": "gt", "value": "a"}, "cannot be used with Notes"),
            ({"field": "total_gross", "op": "gt", "value": "ten"}, "not a valid decimal"),
            ({"field": "total_gross", "op": "gt", "value": 1.5e400}, "not a valid decimal"),
            ({"field": "lines", "op": "eq", "value": "2.5"}, "not a valid number"),
            ({"field": "document_date", "op": "gt", "value": "31.03.2026"}, "not a valid date"),
            ({"field": "status", "op": "eq", "value": "lost"}, "not one of the choices"),
            ({"field": "total_gross", "op": "in", "value": "1"}, "needs a list"),
            ({"field": "total_gross", "op": "between", "value": ["9", "1"]}, "must not be greater"),
            ({"field": "total_gross", "op": "gt"}, "Please enter a value"),
            ({"field": "notes", "op": "is_empty", "value": "x"}, "takes no value"),
            ({"field": "total_gross", "op": "gt", "value": {"field": "notes"}}, "cannot be compared"),
            ({"field": "total_gross", "op": "gt", "value": "1", "extra": 1}, "Unknown key"),
            ({"all": {"field": "notes"}}, "must hold a list"),
            ({"all": [], "any": []}, "exactly one key"),
            (["field"], "must be an object"),
        ],
    )
    def test_names_the_problem(self, condition, message):
        with pytest.raises(ConditionError) as refused:
            compile_condition(condition, FIELDS)

        assert message in refused.value.message

    def test_locates_the_offending_part(self):
        condition = {"all": [{"field": "notes", "op": "is_empty"}, {"any": [{"field": "nope", "op": "eq"}]}]}

        with pytest.raises(ConditionError) as refused:
            compile_condition(condition, FIELDS)

        assert refused.value.where == (1, 0)

    def test_refuses_deep_nesting(self):
        condition = {"field": "posted", "op": "is_true"}
        for _level in range(7):
            condition = {"all": [condition]}

        with pytest.raises(ConditionError, match="nested at most"):
            compile_condition(condition, FIELDS)

    def test_never_evaluates_text_as_code(self):
        sneaky = {"field": "__import__('os').system('true')", "op": "eq", "value": "1"}

        with pytest.raises(ConditionError, match="Unknown field"):
            compile_condition(sneaky, FIELDS)


class TestExplain:
    def test_lists_every_comparison_with_the_value_found(self):
        condition = {
            "all": [
                {"field": "total_gross", "op": "gt", "value": "20000"},
                {"field": "notes", "op": "contains", "value": "urgent"},
            ]
        }

        matched, lines = explain(compile_condition(condition, FIELDS), record())

        assert matched is False
        assert [(line.depth, line.matched) for line in lines] == [(0, False), (1, False), (1, True)]
        assert lines[1].text == "Total gross is greater than / after 20000"
        assert lines[1].actual == "15000.00"


class TestToJson:
    def test_keeps_money_and_dates_as_text(self):
        assert to_json(D("10000.00")) == "10000"
        assert to_json(D("10.50")) == "10.50"
        assert to_json(date(2026, 1, 2)) == "2026-01-02"
        assert to_json([D("1"), date(2026, 1, 2)]) == ["1", "2026-01-02"]

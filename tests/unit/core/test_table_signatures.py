"""django-tables2's signature lookup per cell, kept per function (erp.core.listing)."""

from django_tables2 import utils


class Row:
    def render(self, value, record):
        return value


def catch_all(**kwargs):
    return kwargs


class Unhashable:
    __hash__ = None

    def __call__(self, value):
        return value


class TestCellSignatures:
    def test_is_installed_and_answers_like_inspect(self):
        assert utils.signature.erp_cached
        assert utils.signature(Row().render) == (("value", "record"), None)
        assert utils.signature(Row.render) == (("self", "value", "record"), None)
        assert utils.signature(catch_all) == ((), "kwargs")

    def test_keeps_the_answer_for_the_methods_of_every_instance(self):
        assert utils.signature(Row().render) is utils.signature(Row().render)

    def test_an_unhashable_callable_is_inspected_every_time(self):
        assert utils.signature(Unhashable()) == (("value",), None)
        assert utils.call_with_appropriate(Unhashable(), {"value": 7, "record": None}) == 7

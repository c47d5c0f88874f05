"""Reading import files: separators, headers, numbers, dates and yes/no as spreadsheets write them."""

from datetime import date
from decimal import Decimal

import pytest

from erp.core.imports import ImportPlan, ImportRow, decode, parse_bool, parse_date, parse_decimal, read_csv


class TestReadCsv:
    def test_reads_comma_separated_rows_keyed_by_column(self):
        plan = read_csv("date,rate\n2025-01-02,1.5\n", required=("date", "rate"))

        assert plan.errors == []
        assert [(row.line, row.values) for row in plan.rows] == [(2, {"date": "2025-01-02", "rate": "1.5"})]

    def test_reads_semicolons_with_decimal_commas_and_odd_headers(self):
        text = "Date;From Currency;Rate\n31.01.2025;eur;1,0389\n"

        plan = read_csv(text, required=("date", "from_currency", "rate"))

        assert plan.rows[0].values == {"date": "31.01.2025", "from_currency": "eur", "rate": "1,0389"}

    def test_maps_header_aliases_and_adds_missing_optional_columns_empty(self):
        plan = read_csv(
            "from,to\nEUR,USD\n",
            required=("from_currency", "to_currency"),
            optional=("note",),
            aliases={"from": "from_currency", "to": "to_currency"},
        )

        assert plan.rows[0].values == {"from_currency": "EUR", "to_currency": "USD", "note": ""}

    def test_reports_missing_columns_as_a_file_error(self):
        plan = read_csv("date,value\n2025-01-01,1\n", required=("date", "rate"))

        assert plan.rows == []
        assert "rate" in plan.errors[0]

    def test_skips_blank_lines_and_keeps_the_line_numbers_of_the_file(self):
        plan = read_csv("a,b\n1,2\n\n3,4\n", required=("a", "b"))

        assert [row.line for row in plan.rows] == [2, 4]

    def test_flags_a_row_with_more_values_than_columns(self):
        plan = read_csv("a,b\n1,2,3\n", required=("a", "b"))

        assert plan.rows[0].errors

    @pytest.mark.parametrize("text", ["", "a,b\n"])
    def test_an_empty_file_or_one_without_rows_is_an_error(self, text):
        plan = read_csv(text, required=("a", "b"))

        assert plan.errors
        assert not plan.is_valid

    def test_refuses_a_column_given_twice(self):
        plan = read_csv("a,A\n1,2\n", required=("a",))

        assert plan.errors


class TestDecode:
    def test_strips_the_utf8_byte_order_mark(self):
        assert decode("\ufeffcode,name\n".encode()) == "code,name\n"

    def test_falls_back_to_windows_1252(self):
        assert decode("Bürobedarf".encode("cp1252")) == "Bürobedarf"


class TestParsing:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [("1.0834", "1.0834"), ("1,0834", "1.0834"), ("1,234.5", "1234.5"), ("1.234,5", "1234.5"), (" 7 ", "7")],
    )
    def test_reads_numbers_with_either_decimal_mark(self, text, expected):
        assert parse_decimal(text) == Decimal(expected)

    @pytest.mark.parametrize("text", ["", "abc", "1,2,3", "NaN", "Infinity"])
    def test_refuses_what_is_not_a_number(self, text):
        with pytest.raises(ValueError):
            parse_decimal(text)

    @pytest.mark.parametrize("text", ["2025-01-31", "31.01.2025", "31/01/2025"])
    def test_reads_iso_and_european_dates(self, text):
        assert parse_date(text) == date(2025, 1, 31)

    def test_refuses_an_impossible_date(self):
        with pytest.raises(ValueError):
            parse_date("2025-02-30")

    @pytest.mark.parametrize(("text", "expected"), [("1", True), ("Yes", True), ("x", True), ("", False), ("0", False)])
    def test_reads_yes_and_no(self, text, expected):
        assert parse_bool(text) is expected

    def test_refuses_a_word_that_is_neither(self):
        with pytest.raises(ValueError):
            parse_bool("maybe")


class TestImportPlan:
    def test_is_valid_only_with_rows_and_no_errors(self):
        good = ImportRow(line=2, values={}, action="create")
        bad = ImportRow(line=3, values={}, errors=["wrong"])

        assert ImportPlan(columns=[], rows=[good]).is_valid
        assert not ImportPlan(columns=[], rows=[good, bad]).is_valid
        assert not ImportPlan(columns=[], rows=[]).is_valid
        assert not ImportPlan(columns=[], rows=[good], errors=["file"]).is_valid

    def test_previews_every_error_row_first(self):
        rows = [ImportRow(line=n, values={}, action="create") for n in range(2, 300)]
        rows[250].errors.append("wrong")

        preview = ImportPlan(columns=[], rows=rows).preview_rows()

        assert preview[0].line == 252
        assert len(preview) == 200

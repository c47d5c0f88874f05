"""Number patterns: validation and rendering (no database)."""

import pytest

from erp.core.exceptions import DomainError
from erp.core.numbering import render, validate_pattern


class TestValidatePattern:
    @pytest.mark.parametrize("pattern", ["{seq}", "INV-{year}-{seq:05d}", "{org}/{seq:03d}", "SO{seq:09d}"])
    def test_accepts_the_documented_placeholders(self, pattern):
        validate_pattern(pattern)

    @pytest.mark.parametrize(
        "pattern",
        ["INV-{year}", "{sequence}", "{seq:5d}", "{seq!r}", "{seq.__class__}", "{0}", "{seq}{", "}{seq}", "{seq:010d}"],
    )
    def test_refuses_anything_else(self, pattern):
        with pytest.raises(DomainError):
            validate_pattern(pattern)

    def test_requires_the_sequence(self):
        with pytest.raises(DomainError, match=r"must contain \{seq\}"):
            validate_pattern("INV-{year}-{org}")


class TestRender:
    def test_fills_year_organization_and_padded_sequence(self):
        assert render("INV-{org}-{year}-{seq:05d}", seq=42, year=2025, org="HQ") == "INV-HQ-2025-00042"

    def test_leaves_the_year_empty_when_the_series_has_none(self):
        assert render("{year}{seq:03d}", seq=7, year=None) == "007"

    def test_does_not_cut_a_sequence_longer_than_its_width(self):
        assert render("{seq:02d}", seq=12345, year=None) == "12345"

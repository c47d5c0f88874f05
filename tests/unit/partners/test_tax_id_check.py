"""Tax ids checked with python-stdnum per country, stored in compact form (no database)."""

import pytest

from erp.partners.taxid import InvalidTaxId, module_for, tax_id_normalise


class TestEuVatNumbers:
    def test_a_valid_german_vat_number_is_kept_compact(self):
        assert tax_id_normalise("DE 136 695 976", country="DE") == "DE136695976"

    def test_the_prefix_decides_whatever_the_partners_country(self):
        assert tax_id_normalise("ATU13585627", country="DE") == "ATU13585627"

    def test_a_wrong_check_digit_is_refused_for_the_tax_id_field(self):
        with pytest.raises(InvalidTaxId, match="not a valid EU VAT number") as refused:
            tax_id_normalise("DE136695977", country="DE")

        assert refused.value.field == "tax_id"

    def test_the_country_prefix_is_added_for_an_eu_country(self):
        assert tax_id_normalise("136695976", country="DE") == "DE136695976"

    def test_greece_uses_the_prefix_el(self):
        assert tax_id_normalise("094259216", country="GR") == "EL094259216"


class TestOtherCountries:
    def test_a_us_employer_number_is_checked_with_the_tin_module(self):
        assert tax_id_normalise("12-3456789", country="US") == "123456789"

    def test_a_malformed_us_number_names_the_expected_format(self):
        with pytest.raises(InvalidTaxId, match=r"U\.S\. Taxpayer Identification Number"):
            tax_id_normalise("abc", country="US")

    def test_a_swiss_uid_is_checked(self):
        assert tax_id_normalise("CHE-116.281.710 MWST", country="CH") == "CHE116281710MWST"

    def test_a_country_without_a_format_keeps_the_number_as_typed(self):
        assert tax_id_normalise("  AB 12   34 ", country="XK") == "AB 12 34"

    def test_without_a_country_only_eu_numbers_are_checked(self):
        assert tax_id_normalise("whatever 1", country="") == "whatever 1"

    def test_an_empty_tax_id_stays_empty(self):
        assert tax_id_normalise("  ", country="DE") == ""

    def test_module_lookup_ignores_nonsense_countries(self):
        assert module_for("D") is None and module_for("12") is None and module_for("de") is not None

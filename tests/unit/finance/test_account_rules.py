"""The rules an account satisfies, checked without a database."""

import pytest

from erp.finance import rules
from erp.finance.models import AccountRole, AccountType


class TestCode:
    @pytest.mark.parametrize("code", ["1000", "0", "A-100", "4400.1", "X_9"])
    def test_accepts_account_numbers(self, code):
        assert rules.code_error(code) is None

    @pytest.mark.parametrize("code", ["", " 1000", "10 00", "-100", "1" * 21, "1000/1"])
    def test_refuses_blanks_symbols_and_long_codes(self, code):
        assert rules.code_error(code)


class TestRole:
    def test_fits_a_receivable_on_an_asset(self):
        assert rules.role_error(role=AccountRole.RECEIVABLE, account_type=AccountType.ASSET, is_group=False) is None

    def test_refuses_a_receivable_on_a_liability(self):
        error = rules.role_error(role=AccountRole.RECEIVABLE, account_type=AccountType.LIABILITY, is_group=False)

        assert "Asset" in error

    def test_refuses_any_role_on_a_summary_account(self):
        assert rules.role_error(role=AccountRole.BANK, account_type=AccountType.ASSET, is_group=True)

    def test_every_role_names_the_types_it_fits(self):
        from erp.finance.models import ROLE_TYPES

        assert set(ROLE_TYPES) == {role for role in AccountRole.values if role}


class TestChoices:
    @pytest.mark.parametrize("text", ["asset", "Asset", " ASSET "])
    def test_reads_a_type_by_value_or_label(self, text):
        assert rules.parse_choice(text, AccountType) == "asset"

    def test_reads_a_role_by_its_label(self):
        assert rules.parse_choice("Cost of goods sold", AccountRole) == "cost_of_goods_sold"

    def test_refuses_an_unknown_word(self):
        with pytest.raises(ValueError, match="asset"):
            rules.parse_choice("assets", AccountType)

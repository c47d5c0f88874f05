"""Tax codes: the account they post to, the rate range, (de)activation."""

from decimal import Decimal

import pytest

from erp.core.exceptions import DomainError
from erp.core.models import BusinessEvent
from erp.finance import services
from erp.finance.models import Account, AccountType, TaxType
from tests.factories.finance import account, group, tax_code

pytestmark = pytest.mark.django_db


class TestTaxCodeCreate:
    def test_creates_a_tax_code_with_history_and_an_event(self, admin_user):
        output_tax = Account.objects.get(code="2240")

        created = services.tax_code_create(
            code="VAT19",
            name="VAT 19 %",
            rate=Decimal("19"),
            tax_type=TaxType.SALES,
            account=output_tax,
            price_included=True,
            by=admin_user,
        )

        assert (str(created), created.account, created.price_included) == ("VAT19 (19 %)", output_tax, True)
        assert created.history.get().history_user == admin_user
        assert BusinessEvent.objects.filter(verb="finance.taxcode.created").exists()

    @pytest.mark.parametrize("rate", ["-1", "100.01"])
    def test_refuses_a_rate_outside_0_to_100_percent(self, rate):
        with pytest.raises(DomainError) as refused:
            tax_code(rate=Decimal(rate))

        assert refused.value.field == "rate"

    def test_refuses_a_summary_or_deactivated_account(self):
        inactive = account(account_type=AccountType.LIABILITY)
        services.account_set_active(account=inactive, is_active=False, by=None)

        for target in (group(), inactive):
            with pytest.raises(DomainError) as refused:
                tax_code(account=target)
            assert refused.value.field == "account"

    def test_refuses_a_duplicate_code(self):
        tax_code(code="VAT7")

        with pytest.raises(DomainError) as refused:
            tax_code(code="vat7")

        assert refused.value.field == "code"


class TestTaxCodeUpdateAndActivation:
    def test_changes_the_rate(self, admin_user):
        target = tax_code()

        saved = services.tax_code_update(
            tax_code=target,
            expected_version=1,
            code=target.code,
            name=target.name,
            rate=Decimal("7"),
            tax_type=TaxType.PURCHASE,
            account=target.account,
            by=admin_user,
        )

        assert (saved.rate, saved.tax_type, saved.version) == (Decimal("7"), "purchase", 2)

    def test_deactivates_and_reactivates(self, admin_user):
        target = tax_code()

        services.tax_code_set_active(tax_code=target, is_active=False, by=admin_user)
        target.refresh_from_db()
        assert not target.is_active
        services.tax_code_set_active(tax_code=target, is_active=True, by=admin_user)

        target.refresh_from_db()
        assert target.is_active

    def test_does_not_reactivate_a_code_whose_account_is_deactivated(self):
        target = tax_code()
        services.tax_code_set_active(tax_code=target, is_active=False, by=None)
        services.account_set_active(account=target.account, is_active=False, by=None)

        with pytest.raises(DomainError, match="deactivated"):
            services.tax_code_set_active(tax_code=target, is_active=True, by=None)

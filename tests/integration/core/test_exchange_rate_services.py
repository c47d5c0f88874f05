"""Entering, changing and deleting exchange rates; activating currencies."""

from datetime import date
from decimal import Decimal

import pytest

from erp.core import currency
from erp.core.exceptions import DomainError
from erp.core.models import BusinessEvent, Currency, ExchangeRate

pytestmark = pytest.mark.django_db


def eur_usd(admin_user, value="1.0834", day=date(2025, 1, 2)):
    return currency.exchange_rate_create(
        from_currency=Currency.objects.get(code="EUR"),
        to_currency=Currency.objects.get(code="USD"),
        on_date=day,
        value=Decimal(value),
        by=admin_user,
    )


class TestExchangeRateCreate:
    def test_saves_the_rate_with_who_entered_it_and_an_event(self, admin_user):
        saved = eur_usd(admin_user)

        assert (saved.rate, saved.created_by, saved.source) == (Decimal("1.0834"), admin_user, "manual")
        assert saved.history.get().history_user == admin_user
        assert BusinessEvent.objects.filter(verb="core.exchangerate.created", aggregate_id=str(saved.pk)).exists()

    def test_refuses_a_second_rate_for_the_same_pair_and_day(self, admin_user):
        eur_usd(admin_user)

        with pytest.raises(DomainError) as refused:
            eur_usd(admin_user, value="1.1")

        assert refused.value.field == "date"
        assert ExchangeRate.objects.count() == 1

    @pytest.mark.parametrize("value", ["0", "-1.2", "0.0000000000001", "1000000000000"])
    def test_refuses_a_rate_out_of_range(self, admin_user, value):
        with pytest.raises(DomainError) as refused:
            eur_usd(admin_user, value=value)

        assert refused.value.field == "rate"

    def test_refuses_a_pair_of_one_currency(self, admin_user):
        eur = Currency.objects.get(code="EUR")

        with pytest.raises(DomainError, match="two different"):
            currency.exchange_rate_create(
                from_currency=eur, to_currency=eur, on_date=date(2025, 1, 2), value=Decimal(1), by=admin_user
            )

    def test_refuses_a_deactivated_currency(self, admin_user):
        Currency.objects.filter(code="USD").update(is_active=False)

        with pytest.raises(DomainError) as refused:
            eur_usd(admin_user)

        assert refused.value.field == "to_currency"

    def test_rounds_to_twelve_places(self, admin_user):
        saved = eur_usd(admin_user, value="1.12345678901249")

        saved.refresh_from_db()
        assert saved.rate == Decimal("1.123456789012")


class TestExchangeRateUpdateAndDelete:
    def test_changes_the_rate_and_records_what_it_was(self, admin_user):
        saved = eur_usd(admin_user)

        currency.exchange_rate_update(exchange_rate=saved, value=Decimal("1.09"), by=admin_user)

        saved.refresh_from_db()
        assert saved.rate == Decimal("1.09")
        event = BusinessEvent.objects.get(verb="core.exchangerate.updated")
        assert event.data == {"before": "1.083400000000", "rate": "1.090000000000"}
        assert saved.history.count() == 2

    def test_deletes_a_rate_and_keeps_its_history(self, admin_user):
        saved = eur_usd(admin_user)

        currency.exchange_rate_delete(exchange_rate=saved, by=admin_user)

        assert not ExchangeRate.objects.exists()
        assert ExchangeRate.history.filter(history_type="-").count() == 1


class TestCurrencySetActive:
    def test_deactivates_and_reactivates_a_currency(self, admin_user):
        usd = Currency.objects.get(code="USD")

        currency.currency_set_active(currency=usd, is_active=False, by=admin_user)
        assert not Currency.objects.get(code="USD").is_active
        currency.currency_set_active(currency=usd, is_active=True, by=admin_user)

        assert Currency.objects.get(code="USD").is_active
        assert BusinessEvent.objects.filter(verb="core.currency.deactivated").exists()

    def test_keeps_the_company_currency_active(self, admin_user):
        with pytest.raises(DomainError, match="company currency"):
            currency.currency_set_active(currency=Currency.objects.get(code="EUR"), is_active=False, by=admin_user)

        assert Currency.objects.get(code="EUR").is_active

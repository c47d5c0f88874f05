"""Currencies (list, activate/deactivate) and exchange rates (list, create, edit, delete, import)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from erp.core.models import Currency, ExchangeRate
from tests.factories.isolation import record_of_other_tenant

LIST_BUDGET, DETAIL_BUDGET = 15, 25


@pytest.fixture
def accountant_client(client_for, user_with_role):
    return client_for(user_with_role("Accountant"))


@pytest.fixture
def manager_client(client_for, user_with_role):
    return client_for(user_with_role("Manager"))


@pytest.fixture
def sales_client(client_for, user_with_role):
    return client_for(user_with_role("Sales"))


def rate(source="EUR", target="USD", day=date(2025, 1, 2), value="1.0834") -> ExchangeRate:
    return ExchangeRate.objects.create(from_currency_id=source, to_currency_id=target, date=day, rate=Decimal(value))


class TestCurrencyList:
    def test_lists_currencies_with_their_places(self, accountant_client, django_assert_max_num_queries):
        with django_assert_max_num_queries(LIST_BUDGET):
            response = accountant_client.get(reverse("core:currency-list"), {"q": "yen"})

        content = response.content.decode()
        assert response.status_code == 200
        assert "JPY" in content and "EUR" not in content

    def test_marks_the_company_currency_instead_of_offering_to_deactivate_it(self, accountant_client):
        response = accountant_client.get(reverse("core:currency-list"), {"q": "EUR"})

        content = response.content.decode()
        assert "company currency" in content
        assert reverse("core:currency-set-active", args=["EUR"]) not in content

    def test_a_manager_sees_the_list_without_buttons(self, manager_client):
        response = manager_client.get(reverse("core:currency-list"))

        assert response.status_code == 200
        assert "/active/" not in response.content.decode()

    def test_is_refused_without_the_right(self, sales_client):
        assert sales_client.get(reverse("core:currency-list")).status_code == 403


class TestCurrencySetActive:
    def test_deactivates_and_returns_to_the_filtered_list(self, accountant_client):
        back = reverse("core:currency-list") + "?q=USD"

        response = accountant_client.post(
            reverse("core:currency-set-active", args=["USD"]), {"is_active": "0", "next": back}
        )

        assert response["Location"] == back
        assert not Currency.objects.get(code="USD").is_active

    def test_refuses_the_company_currency(self, accountant_client):
        response = accountant_client.post(
            reverse("core:currency-set-active", args=["EUR"]), {"is_active": "0"}, follow=True
        )

        assert "EUR is the company currency" in response.content.decode()
        assert Currency.objects.get(code="EUR").is_active

    def test_does_not_follow_a_link_to_another_site(self, accountant_client):
        response = accountant_client.post(
            reverse("core:currency-set-active", args=["USD"]), {"is_active": "0", "next": "//evil.example.com/"}
        )

        assert response["Location"] == reverse("core:currency-list")

    def test_needs_the_change_right_and_a_post(self, manager_client, accountant_client):
        assert manager_client.post(reverse("core:currency-set-active", args=["USD"])).status_code == 403
        assert accountant_client.get(reverse("core:currency-set-active", args=["USD"])).status_code == 405
        assert accountant_client.post(reverse("core:currency-set-active", args=["QQQ"])).status_code == 404


class TestExchangeRateList:
    def test_lists_rates_filtered_by_currency_and_dates(self, accountant_client, django_assert_max_num_queries):
        for day in range(1, 31):
            rate(day=date(2025, 1, day), value=f"1.{day:02d}")
        rate(target="CHF", value="0.94")

        with django_assert_max_num_queries(LIST_BUDGET):
            response = accountant_client.get(
                reverse("core:exchangerate-list"),
                {"currency": "USD", "date_after": "2025-01-10", "date_before": "2025-01-11"},
            )

        content = response.content.decode()
        assert response.status_code == 200
        assert "1.1" in content and "1.11" in content
        assert "CHF" not in content.split('id="list-table"')[1]
        assert len(response.context["table"].rows) == 2

    def test_exports_the_rates_as_csv(self, accountant_client):
        rate()

        response = accountant_client.get(reverse("core:exchangerate-list"), {"_export": "csv"})

        assert "1.0834" in response.content.decode()

    def test_a_manager_sees_rates_but_cannot_add(self, manager_client):
        response = manager_client.get(reverse("core:exchangerate-list"))

        assert response.status_code == 200
        assert reverse("core:exchangerate-create") not in response.content.decode()
        assert manager_client.get(reverse("core:exchangerate-create")).status_code == 403

    def test_is_refused_without_the_right(self, sales_client):
        assert sales_client.get(reverse("core:exchangerate-list")).status_code == 403


class TestExchangeRateCreateEditDelete:
    def test_enters_a_rate(self, accountant_client):
        response = accountant_client.post(
            reverse("core:exchangerate-create"),
            {"from_currency": "EUR", "to_currency": "USD", "date": "2025-01-02", "rate": "1,0834".replace(",", ".")},
        )

        assert response["Location"] == reverse("core:exchangerate-list")
        assert ExchangeRate.objects.get().rate == Decimal("1.0834")

    def test_shows_a_duplicate_day_next_to_the_date(self, accountant_client):
        rate()

        response = accountant_client.post(
            reverse("core:exchangerate-create"),
            {"from_currency": "EUR", "to_currency": "USD", "date": "2025-01-02", "rate": "1.1"},
        )

        assert "already exists" in str(response.context["form"].errors["date"])

    def test_edits_only_the_rate(self, accountant_client, django_assert_max_num_queries):
        saved = rate()
        url = reverse("core:exchangerate-update", args=[saved.pk])
        with django_assert_max_num_queries(DETAIL_BUDGET):
            assert accountant_client.get(url).status_code == 200

        accountant_client.post(url, {"from_currency": "GBP", "to_currency": "USD", "date": "2030-01-01", "rate": "1.2"})

        saved.refresh_from_db()
        assert (saved.from_currency_id, saved.date, saved.rate) == ("EUR", date(2025, 1, 2), Decimal("1.2"))

    def test_deletes_a_rate(self, accountant_client):
        saved = rate()

        accountant_client.post(reverse("core:exchangerate-delete", args=[saved.pk]))

        assert not ExchangeRate.objects.exists()

    def test_cannot_reach_another_tenants_rate(self, accountant_client, other_tenant):
        foreign = record_of_other_tenant(other_tenant, lambda: rate(day=date(2031, 1, 1)))

        assert accountant_client.get(reverse("core:exchangerate-update", args=[foreign.pk])).status_code == 404
        assert accountant_client.post(reverse("core:exchangerate-delete", args=[foreign.pk])).status_code == 404


class TestExchangeRateImport:
    FILE = "date;from;to;rate\n02.01.2025;EUR;USD;1,0389\n02.01.2025;EUR;CHF;0,9432\n"

    def test_previews_the_rows_without_saving(self, accountant_client):
        upload = SimpleUploadedFile("rates.csv", self.FILE.encode("cp1252"), content_type="text/csv")

        response = accountant_client.post(reverse("core:exchangerate-import"), {"file": upload})

        content = response.content.decode()
        assert 'id="import-confirm"' in content
        assert response.context["counts"] == {"create": 2, "update": 0, "unchanged": 0, "invalid": 0}
        assert not ExchangeRate.objects.exists()

    def test_lists_the_errors_and_offers_no_import(self, accountant_client):
        upload = SimpleUploadedFile(
            "rates.csv", (self.FILE + "02.01.2025;EUR;ZZZ;1\n").encode(), content_type="text/csv"
        )

        response = accountant_client.post(reverse("core:exchangerate-import"), {"file": upload})

        content = response.content.decode()
        assert "Unknown currency “ZZZ”" in content
        assert 'id="import-confirm"' not in content

    def test_imports_the_confirmed_file(self, accountant_client):
        response = accountant_client.post(reverse("core:exchangerate-import"), {"payload": self.FILE, "confirm": "1"})

        assert response["Location"] == reverse("core:exchangerate-list")
        assert ExchangeRate.objects.count() == 2

    def test_checks_the_file_again_when_confirmed(self, accountant_client):
        bad = self.FILE + "02.01.2025;EUR;USD;2\n"

        response = accountant_client.post(reverse("core:exchangerate-import"), {"payload": bad, "confirm": "1"})

        assert response.status_code == 200
        assert not ExchangeRate.objects.exists()

    def test_is_refused_without_the_rights(self, manager_client):
        assert manager_client.get(reverse("core:exchangerate-import")).status_code == 403

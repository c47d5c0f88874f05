"""Importing exchange rates from CSV: every row checked, all or nothing."""

from datetime import date
from decimal import Decimal

import pytest

from erp.core.exceptions import DomainError
from erp.core.models import BusinessEvent, ExchangeRate
from erp.core.rate_import import exchange_rates_import, exchange_rates_plan

pytestmark = pytest.mark.django_db


class TestPlan:
    def test_marks_new_changed_and_unchanged_rows(self):
        ExchangeRate.objects.create(
            from_currency_id="EUR", to_currency_id="USD", date=date(2025, 1, 2), rate=Decimal("1.03")
        )
        ExchangeRate.objects.create(
            from_currency_id="EUR", to_currency_id="CHF", date=date(2025, 1, 2), rate=Decimal("0.94")
        )
        text = (
            "date,from_currency,to_currency,rate\n"
            "2025-01-02,EUR,USD,1.05\n2025-01-02,EUR,CHF,0.94\n2025-01-02,EUR,GBP,0.83\n"
        )

        plan = exchange_rates_plan(text)

        assert plan.is_valid
        assert [row.action for row in plan.rows] == ["update", "unchanged", "create"]

    def test_reports_every_bad_row_with_its_reason(self):
        text = (
            "date;from;to;rate\n"
            "2025-01-02;EUR;USD;1,05\n"
            "2025-13-02;EUR;USD;1.05\n"
            "2025-01-02;EUR;ABC;1.05\n"
            "2025-01-02;EUR;GBP;abc\n"
            "2025-01-02;EUR;EUR;1\n"
            "2025-01-02;EUR;USD;1.06\n"
        )

        plan = exchange_rates_plan(text)

        assert not plan.is_valid
        errors = {row.line: " ".join(row.errors) for row in plan.rows}
        assert errors[2] == ""
        assert "not a date" in errors[3]
        assert "Unknown currency “ABC”" in errors[4]
        assert "not a number" in errors[5]
        assert "two different" in errors[6]
        assert "Same pair and date as line 2" in errors[7]
        assert plan.counts()["invalid"] == 5

    def test_reports_a_missing_column_for_the_whole_file(self):
        plan = exchange_rates_plan("date,from_currency,rate\n2025-01-02,EUR,1\n")

        assert "to_currency" in plan.errors[0]


class TestImport:
    def test_writes_new_and_changed_rates_with_history_and_one_event(self, admin_user):
        ExchangeRate.objects.create(
            from_currency_id="EUR", to_currency_id="USD", date=date(2025, 1, 2), rate=Decimal("1.03")
        )
        plan = exchange_rates_plan(
            "date,from_currency,to_currency,rate\n2025-01-02,EUR,USD,1.05\n02.01.2025,EUR,GBP,0.83\n"
        )

        counts = exchange_rates_import(plan=plan, by=admin_user)

        assert counts == {"create": 1, "update": 1, "unchanged": 0, "invalid": 0}
        rates = dict(ExchangeRate.objects.values_list("to_currency_id", "rate"))
        assert rates == {"USD": Decimal("1.05"), "GBP": Decimal("0.83")}
        assert set(ExchangeRate.objects.values_list("source", flat=True)) == {"import"}
        assert ExchangeRate.history.filter(history_user=admin_user).count() == 2
        assert BusinessEvent.objects.get(verb="core.exchangerate.imported").data["create"] == 1

    def test_writes_nothing_from_a_file_with_one_bad_row(self, admin_user):
        plan = exchange_rates_plan(
            "date,from_currency,to_currency,rate\n2025-01-02,EUR,USD,1.05\n2025-01-02,EUR,USD,x\n"
        )

        with pytest.raises(DomainError):
            exchange_rates_import(plan=plan, by=admin_user)

        assert not ExchangeRate.objects.exists()

"""Due dates, discount dates and installment amounts of payment terms (pure, no database)."""

from datetime import date
from decimal import Decimal

from erp.partners.terms import InstallmentRule, TermRule, due_date, final_due_date, month_end, schedule

D = Decimal


class TestDueDate:
    def test_adds_the_net_days(self):
        assert due_date(date(2025, 1, 15), days=30) == date(2025, 2, 14)

    def test_due_immediately_is_the_invoice_date(self):
        assert due_date(date(2025, 1, 15), days=0) == date(2025, 1, 15)

    def test_end_of_month_goes_to_the_last_day_of_the_month_the_days_reach(self):
        assert due_date(date(2025, 1, 15), days=30, end_of_month=True) == date(2025, 2, 28)

    def test_end_of_month_in_a_leap_year(self):
        assert due_date(date(2024, 1, 31), days=29, end_of_month=True) == date(2024, 2, 29)

    def test_end_of_month_with_no_days_is_the_end_of_the_invoice_month(self):
        assert due_date(date(2025, 12, 3), days=0, end_of_month=True) == date(2025, 12, 31)

    def test_crosses_the_year(self):
        assert due_date(date(2025, 12, 20), days=14) == date(2026, 1, 3)

    def test_month_end_of_april(self):
        assert month_end(date(2025, 4, 2)) == date(2025, 4, 30)


class TestScheduleWithoutInstallments:
    def test_one_installment_for_the_whole_amount(self):
        (only,) = schedule(TermRule(net_days=30), invoice_date=date(2025, 3, 1), amount=D("100.00"))

        assert (only.due_date, only.percent, only.amount) == (date(2025, 3, 31), D(100), D("100.00"))
        assert only.discount_date is None and only.discount_amount is None

    def test_early_payment_discount_date_and_amount(self):
        rule = TermRule(net_days=30, discount_percent=D("2"), discount_days=10)

        (only,) = schedule(rule, invoice_date=date(2025, 3, 1), amount=D("1190.00"))

        assert only.discount_date == date(2025, 3, 11)
        assert only.discount_amount == D("23.80")
        assert only.amount_with_discount == D("1166.20")

    def test_discount_rounds_half_up_to_the_places(self):
        rule = TermRule(net_days=30, discount_percent=D("3"), discount_days=8)

        (only,) = schedule(rule, invoice_date=date(2025, 3, 1), amount=D("0.50"))

        assert only.discount_amount == D("0.02")  # 0.015 → 0.02

    def test_dates_without_an_amount(self):
        (only,) = schedule(TermRule(net_days=14), invoice_date=date(2025, 3, 1))

        assert only.due_date == date(2025, 3, 15) and only.amount is None


class TestScheduleWithInstallments:
    def test_splits_into_installments_with_their_own_days(self):
        rule = TermRule(installments=(InstallmentRule(D(30), 0), InstallmentRule(D(70), 60)))

        first, second = schedule(rule, invoice_date=date(2025, 1, 10), amount=D("1000.00"))

        assert (first.due_date, first.amount) == (date(2025, 1, 10), D("300.00"))
        assert (second.due_date, second.amount) == (date(2025, 3, 11), D("700.00"))

    def test_the_last_installment_takes_the_rounding_remainder(self):
        third = D("33.3333")
        rule = TermRule(
            installments=(InstallmentRule(third, 30), InstallmentRule(third, 60), InstallmentRule(D("33.3334"), 90))
        )

        parts = schedule(rule, invoice_date=date(2025, 1, 1), amount=D("100.00"))

        assert [p.amount for p in parts] == [D("33.33"), D("33.33"), D("33.34")]
        assert sum(p.amount for p in parts) == D("100.00")

    def test_installments_come_in_due_date_order(self):
        rule = TermRule(installments=(InstallmentRule(D(50), 60), InstallmentRule(D(50), 30)))

        parts = schedule(rule, invoice_date=date(2025, 1, 1), amount=D("10.01"))

        assert [p.due_date for p in parts] == [date(2025, 1, 31), date(2025, 3, 2)]
        assert [p.amount for p in parts] == [D("5.01"), D("5.00")]

    def test_an_installment_may_be_due_at_the_end_of_its_month(self):
        rule = TermRule(installments=(InstallmentRule(D(50), 0), InstallmentRule(D(50), 30, end_of_month=True)))

        _first, second = schedule(rule, invoice_date=date(2025, 1, 20))

        assert second.due_date == date(2025, 2, 28)

    def test_every_installment_gets_the_discount_until_the_same_date(self):
        rule = TermRule(
            discount_percent=D("2"),
            discount_days=10,
            installments=(InstallmentRule(D(50), 30), InstallmentRule(D(50), 60)),
        )

        parts = schedule(rule, invoice_date=date(2025, 1, 1), amount=D("200.00"))

        assert [p.discount_date for p in parts] == [date(2025, 1, 11)] * 2
        assert [p.discount_amount for p in parts] == [D("2.00"), D("2.00")]

    def test_a_credit_note_splits_its_negative_amount(self):
        rule = TermRule(installments=(InstallmentRule(D(50), 0), InstallmentRule(D(50), 30)))

        parts = schedule(rule, invoice_date=date(2025, 1, 1), amount=D("-99.99"))

        assert [p.amount for p in parts] == [D("-50.00"), D("-49.99")]

    def test_zero_decimal_currencies_round_to_whole_units(self):
        rule = TermRule(installments=(InstallmentRule(D(50), 0), InstallmentRule(D(50), 30)))

        parts = schedule(rule, invoice_date=date(2025, 1, 1), amount=D("1001"), places=0)

        assert [p.amount for p in parts] == [D("501"), D("500")]

    def test_final_due_date_is_the_last_installments(self):
        rule = TermRule(installments=(InstallmentRule(D(50), 10), InstallmentRule(D(50), 45)))

        assert final_due_date(rule, invoice_date=date(2025, 1, 1)) == date(2025, 2, 15)

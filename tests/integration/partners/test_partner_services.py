"""Partner services: creation rules, duplicate detection, addresses, accounts from the chart, payment terms."""

from datetime import date
from decimal import Decimal

import pytest

from erp.core.exceptions import DomainError
from erp.core.formsets import ChildRow
from erp.core.models import BusinessEvent
from erp.finance.models import Account, AccountRole
from erp.partners import selectors, services
from erp.partners.services import InstallmentData, PossibleDuplicate
from tests.factories.partners import partner, payment_term

pytestmark = pytest.mark.django_db

D = Decimal


class TestPartnerCreate:
    def test_numbers_partners_from_the_partner_sequence(self):
        first, second = partner(), partner()

        assert first.code.startswith("P") and second.code > first.code

    def test_records_an_event(self):
        made = partner()

        assert BusinessEvent.objects.filter(verb="partners.partner.created", aggregate_id=str(made.pk)).exists()

    def test_refuses_a_code_in_use(self):
        partner(code="C-1")

        with pytest.raises(DomainError, match="already exists"):
            partner(code="c-1")

    def test_refuses_a_negative_credit_limit(self):
        with pytest.raises(DomainError) as refused:
            partner(credit_limit=D("-1"))

        assert refused.value.field == "credit_limit"

    def test_refuses_an_expense_account_as_receivable(self):
        expense = Account.objects.postable().filter(account_type="expense").first()

        with pytest.raises(DomainError) as refused:
            partner(receivable_account=expense)

        assert refused.value.field == "receivable_account"

    def test_the_first_address_of_a_type_becomes_its_default(self):
        made = partner(
            addresses=[
                ChildRow(values={"address_type": "shipping", "street": "A 1", "city": "X", "country": "DE"}),
                ChildRow(values={"address_type": "shipping", "street": "B 2", "city": "Y", "country": "DE"}),
            ]
        )

        assert selectors.default_address(made, "shipping").street == "A 1"

    def test_two_main_contacts_are_refused(self):
        with pytest.raises(DomainError, match="main contact"):
            partner(contacts=[ChildRow(values={"name": n, "is_primary": True}) for n in ("A", "B")])


class TestDuplicateDetection:
    def test_the_same_name_with_another_legal_form_is_a_possible_duplicate(self):
        existing = partner(name="Müller & Söhne GmbH")

        with pytest.raises(PossibleDuplicate) as warned:
            services.partner_create(name="Mueller und Soehne KG", is_customer=True, allow_duplicate=False)

        assert warned.value.matches == [existing]

    def test_the_same_tax_id_is_a_possible_duplicate_whatever_the_name(self):
        existing = partner(name="Alpha", tax_id="DE136695976", country="DE")

        matches = selectors.similar_partners(name="Completely different", tax_id="DE136695976")

        assert matches == [existing] and matches[0].same_tax_id

    def test_a_typo_is_still_similar(self):
        existing = partner(name="Schmidt Maschinenbau")

        assert selectors.similar_partners(name="Schmitt Maschinenbau") == [existing]

    def test_a_different_company_is_not_a_duplicate(self):
        partner(name="Schmidt Maschinenbau")

        assert selectors.similar_partners(name="Becker Logistik") == []

    def test_a_confirmed_duplicate_is_created(self):
        partner(name="Twin Ltd")

        made = services.partner_create(name="Twin Limited", is_customer=True, allow_duplicate=True)

        assert made.pk


class TestAccountsFromTheChart:
    def test_a_partner_without_accounts_uses_the_charts_receivable_and_payable(self):
        made = partner()

        accounts = selectors.partner_accounts(made)

        assert accounts["receivable"].role == AccountRole.RECEIVABLE
        assert accounts["payable"].role == AccountRole.PAYABLE

    def test_its_own_account_wins(self):
        own = Account.objects.for_role(AccountRole.RECEIVABLE).order_by("-code").first()
        made = partner(receivable_account=own)

        assert selectors.partner_accounts(made)["receivable"] == own


class TestPaymentTerms:
    def test_creates_a_term_with_installments_and_computes_its_schedule(self):
        term = payment_term(installments=[("40", 0), ("60", 30)])

        parts = term.schedule(invoice_date=date(2025, 1, 1), amount=D("100"))

        assert [(p.due_date, p.amount) for p in parts] == [
            (date(2025, 1, 1), D("40.00")),
            (date(2025, 1, 31), D("60.00")),
        ]

    def test_installments_must_add_up_to_100_percent(self):
        with pytest.raises(DomainError, match="add up to 90") as refused:
            payment_term(installments=[("40", 0), ("50", 30)])

        assert refused.value.field == "installments"

    def test_a_discount_needs_its_days(self):
        with pytest.raises(DomainError) as refused:
            payment_term(net_days=30, discount_percent=D("2"))

        assert refused.value.field == "discount_days"

    def test_the_discount_period_cannot_outlast_the_term(self):
        with pytest.raises(DomainError, match="ends after the payment is due"):
            payment_term(net_days=10, discount_percent=D("2"), discount_days=14)

    def test_update_replaces_the_installments(self):
        term = payment_term(installments=[("50", 0), ("50", 30)])

        services.payment_term_update(
            term=term,
            expected_version=term.version,
            by=None,
            code=term.code,
            name=term.name,
            net_days=0,
            end_of_month=False,
            discount_percent=D("0"),
            discount_days=0,
            installments=[InstallmentData(percent=D("100"), days=45)],
        )

        assert list(term.lines.values_list("percent", "days")) == [(D("100"), 45)]

    def test_a_deactivated_term_cannot_be_given_to_a_partner(self):
        term = payment_term()
        term = services.payment_term_set_active(term=term, is_active=False, by=None)

        with pytest.raises(DomainError) as refused:
            partner(payment_term=term)

        assert refused.value.field == "payment_term"

    def test_seeded_terms_are_there(self):
        from erp.partners.models import PaymentTerm

        assert {"NOW", "N14", "N30", "N30EOM", "2-10-N30"} <= set(PaymentTerm.objects.values_list("code", flat=True))

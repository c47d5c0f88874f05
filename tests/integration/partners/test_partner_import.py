"""Partner import: every row checked in the preview (tax ids, names, roles, lookups, numbers,
duplicates), then all or nothing."""

from decimal import Decimal

import pytest

from erp.core.exceptions import DomainError
from erp.core.imports import CREATE, UNCHANGED, UPDATE
from erp.partners.imports import partners_import, partners_plan
from erp.partners.models import Address, Partner, PartnerCategory
from tests.factories.partners import category, partner, payment_term

pytestmark = pytest.mark.django_db

HEADER = "code,name,roles,country,tax_id,credit_limit,currency,payment_term,categories,street,postal_code,city"


def csv(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def errors_by_line(plan) -> dict[int, list[str]]:
    return {row.line: row.errors for row in plan.rows if row.errors}


class TestPlan:
    def test_a_valid_file_plans_creations_and_writes_nothing(self):
        payment_term(code="T45", name="45 days", net_days=45)

        plan = partners_plan(
            csv(
                "C-100,Muster GmbH,customer,DE,DE136695976,5000,EUR,T45,Wholesale;Key account,Hauptstr. 1,10115,Berlin",
                ",Lieferant AG,vendor,DE,,,,,,,,",
            )
        )

        assert plan.is_valid, errors_by_line(plan)
        assert [row.action for row in plan.rows] == [CREATE, CREATE]
        assert plan.rows[0].data["credit_limit"] == Decimal("5000")
        assert plan.rows[1].data["is_vendor"] and not plan.rows[1].data["is_customer"]
        assert not Partner.objects.exists() and not PartnerCategory.objects.exists()

    def test_every_bad_row_gets_its_own_errors_with_its_line(self):
        plan = partners_plan(
            csv(
                "A-1,Good One,customer,DE,,,,,,,,",
                "A-2,Bad Vat,customer,DE,DE136695977,,,,,,,",
                "A-3,,customer,DE,,,,,,,,",
                "A-4,Bad Limit,customer,DE,,lots,,,,,,",
                "A-5,Bad Lookups,boss,DEU,,,XXX,N99,,,,",
                "A-6,Half Address,customer,DE,,,,,,Hauptstr. 1,,",
                "A-7,Negative,customer,DE,,-5,,,,,,",
            )
        )

        errors = errors_by_line(plan)
        assert not plan.is_valid
        assert set(errors) == {3, 4, 5, 6, 7, 8}
        assert "not a valid EU VAT number" in errors[3][0]
        assert errors[4] == ["The name is missing."]
        assert "“lots” is not a number." in errors[5]
        joined = " ".join(errors[6])
        assert "two-letter country code" in joined and "Unknown role(s): boss" in joined
        assert "Unknown or inactive currency XXX" in joined and "Unknown payment term N99" in joined
        assert errors[7] == ["An address needs a street and a city."]
        assert errors[8] == ["The credit limit cannot be negative."]
        assert plan.counts() == {"create": 1, "update": 0, "unchanged": 0, "invalid": 6}

    def test_a_missing_name_column_is_a_file_error(self):
        plan = partners_plan("code,country\nA-1,DE\n")

        assert not plan.is_valid and "Missing column(s): name" in plan.errors[0]

    def test_an_existing_code_updates_and_an_identical_row_is_unchanged(self):
        partner(code="C-1", name="Same Name", country="DE")
        partner(code="C-2", name="Old Name", country="DE")

        plan = partners_plan(csv("c-1,Same Name,customer,DE,,,,,,,,", "C-2,New Name,customer,DE,,,,,,,,"))

        assert [row.action for row in plan.rows] == [UNCHANGED, UPDATE]

    def test_a_tax_id_of_another_partner_or_twice_in_the_file_is_an_error(self):
        partner(code="C-1", name="Holder", country="DE", tax_id="DE136695976")

        plan = partners_plan(
            csv(
                ",Someone Else,customer,DE,DE136695976,,,,,,,",
                ",First Row,customer,DE,DE129273398,,,,,,,",
                ",Second Row,customer,DE,DE129273398,,,,,,,",
                "C-9,Code Twice,customer,DE,,,,,,,,",
                "c-9,Code Again,customer,DE,,,,,,,,",
            )
        )

        errors = errors_by_line(plan)
        assert "already has the tax id DE136695976" in errors[2][0]
        assert "also on line 3" in errors[4][0]
        assert "The code C-9 is also on line 5" in errors[6][0]


class TestDuplicates:
    def test_a_new_row_like_an_existing_partner_is_flagged_with_that_partner(self):
        existing = partner(name="Muster Handel AG")

        plan = partners_plan(csv(",Muster Handel GmbH,customer,DE,,,,,,,,"))

        assert not plan.is_valid
        (error,) = plan.rows[0].errors
        assert existing.code in error and "Muster Handel AG" in error and "allow_duplicate" in error

    def test_a_row_updating_that_partner_by_its_code_is_not_a_duplicate(self):
        existing = partner(name="Muster Handel AG")

        plan = partners_plan(csv(f"{existing.code},Muster Handel GmbH,customer,DE,,,,,,,,"))

        assert plan.is_valid and plan.rows[0].action == UPDATE

    def test_two_similar_new_rows_in_the_same_file_are_flagged(self):
        plan = partners_plan(csv(",Müller & Söhne GmbH,customer,DE,,,,,,,,", ",Mueller und Soehne,customer,DE,,,,,,,,"))

        errors = errors_by_line(plan)
        assert set(errors) == {3}
        assert "line 2" in errors[3][0] and "allow_duplicate" in errors[3][0]

    def test_allow_duplicate_creates_a_similar_partner_after_all(self):
        partner(name="Muster Handel AG")
        header = "name,allow_duplicate"

        plan = partners_plan(csv("Muster Handel GmbH,yes", "Muster Handel KG,ja", header=header))

        assert plan.is_valid, errors_by_line(plan)
        partners_import(plan=plan, by=None)
        assert Partner.objects.filter(name__startswith="Muster Handel").count() == 3

    def test_allow_duplicate_must_be_yes_or_no(self):
        plan = partners_plan(csv("Unique Name Ltd,perhaps", header="name,allow_duplicate"))

        assert "“perhaps” is not yes or no." in plan.rows[0].errors

    def test_different_names_are_not_flagged(self):
        partner(name="Alpha Logistics")

        plan = partners_plan(csv(",Beta Retail,customer,DE,,,,,,,,", ",Gamma Foods,customer,DE,,,,,,,,"))

        assert plan.is_valid, errors_by_line(plan)


class TestImport:
    def test_creates_partners_with_categories_terms_and_billing_address(self):
        term = payment_term(code="T45", name="45 days", net_days=45)
        category("Wholesale")

        plan = partners_plan(
            csv(
                "C-100,Muster GmbH,customer,DE,DE136695976,5000,EUR,t45,Wholesale;Key account,Hauptstr. 1,10115,Berlin",
                ",Lieferant AG,vendor;customer,DE,,,,,key ACCOUNT,,,",
            )
        )
        counts = partners_import(plan=plan, by=None)

        assert counts == {CREATE: 2, UPDATE: 0}
        made = Partner.objects.get(code="C-100")
        assert (made.tax_id, made.credit_limit, made.payment_term, made.currency_id) == (
            "DE136695976",
            Decimal("5000"),
            term,
            "EUR",
        )
        assert sorted(made.categories.values_list("name", flat=True)) == ["Key account", "Wholesale"]
        billing = Address.objects.get(partner=made)
        assert (billing.street, billing.postal_code, billing.city, billing.is_default) == (
            "Hauptstr. 1",
            "10115",
            "Berlin",
            True,
        )
        other = Partner.objects.get(name="Lieferant AG")
        assert other.is_vendor and other.is_customer and other.code.startswith("P")
        assert list(other.categories.values_list("name", flat=True)) == ["Key account"]
        assert PartnerCategory.objects.count() == 2

    def test_updates_an_existing_partner_and_keeps_its_categories(self):
        made = partner(code="C-1", name="Old Name", country="DE")
        made.categories.add(category("Existing"))

        partners_import(plan=partners_plan(csv("C-1,New Name,customer,DE,,100,,,Added,Ring 2,50667,Köln")), by=None)

        made.refresh_from_db()
        assert made.name == "New Name" and made.credit_limit == Decimal("100") and made.version == 2
        assert sorted(made.categories.values_list("name", flat=True)) == ["Added", "Existing"]
        assert made.addresses.get().city == "Köln"

    def test_a_plan_with_one_bad_row_imports_nothing(self):
        plan = partners_plan(csv(",Good Partner,customer,DE,,,,,New cat,,,", ",,customer,DE,,,,,,,,"))

        with pytest.raises(DomainError, match="nothing was imported"):
            partners_import(plan=plan, by=None)

        assert not Partner.objects.exists() and not PartnerCategory.objects.exists()

    def test_a_failure_half_way_rolls_back_the_rows_before_it(self):
        partner(code="C-2", name="Taken")
        plan = partners_plan(csv("C-1,First Partner,customer,DE,,,,,Cat,,,", "C-3,Second Partner,customer,DE,,,,,,,,"))
        assert plan.is_valid
        # Someone takes the second code between preview and import.
        partner(code="C-3", name="Meanwhile")

        with pytest.raises(DomainError, match="Line 3: A partner with the code C-3 already exists"):
            partners_import(plan=plan, by=None)

        assert not Partner.objects.filter(code="C-1").exists()
        assert not PartnerCategory.objects.filter(name="Cat").exists()


class TestSizes:
    def test_values_the_database_would_refuse_are_row_errors(self):
        long_name = "N" * 201

        plan = partners_plan(
            csv(
                f",{long_name},customer,DE,,,,,,,,",
                ",Big Limit,customer,DE,,12345678901234567,,,,,,",
                ",Fine Limit,customer,DE,,1234567890123456.78,,,,,,",
                ",Precise Limit,customer,DE,,10.001,,,,,,",
                f",Long City,customer,DE,,,,,,Street 1,,{'C' * 101}",
            )
        )

        errors = errors_by_line(plan)
        assert set(errors) == {2, 3, 5, 6}
        assert errors[2] == ["name: at most 200 characters, not 201."]
        assert "too large" in errors[3][0] and "too many decimal places" in errors[5][0]
        assert errors[6] == ["city: at most 100 characters, not 101."]

    def test_a_bad_e_mail_address_is_a_row_error(self):
        plan = partners_plan(csv("Mail Partner,not-an-address", header="name,email"))

        assert plan.rows[0].errors == ["“not-an-address” is not an e-mail address."]

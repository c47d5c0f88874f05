"""Payment term and partner category screens: list, detail, create, edit, (de)activate;
refusals for users who may only look or not at all; bad input shown on the form, nothing saved."""

from decimal import Decimal

import pytest
from django.urls import reverse

from erp.partners.models import PartnerCategory, PaymentTerm
from tests.factories.partners import category, partner, payment_term

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales_client(client_for, user_with_role):
    return client_for(user_with_role("Sales"))


@pytest.fixture
def accountant_client(client_for, user_with_role):
    """May look at partner master data, not change it."""
    return client_for(user_with_role("Accountant"))


@pytest.fixture
def warehouse_client(client_for, user_with_role):
    """Has no partner rights at all."""
    return client_for(user_with_role("Warehouse"))


def installments(*rows: tuple[str, str], initial: int = 0) -> dict:
    data = {
        "installments-TOTAL_FORMS": str(len(rows)),
        "installments-INITIAL_FORMS": str(initial),
        "installments-MIN_NUM_FORMS": "0",
        "installments-MAX_NUM_FORMS": "1000",
    }
    for index, (percent, days) in enumerate(rows):
        data[f"installments-{index}-percent"] = percent
        data[f"installments-{index}-days"] = days
    return data


def term_form(*rows: tuple[str, str], **changes) -> dict:
    data = {
        "code": "2-10-N45",
        "name": "2 % in 10 days, net 45",
        "net_days": "45",
        "discount_percent": "2",
        "discount_days": "10",
        "description": "",
        **installments(*rows),
    }
    data.update(changes)
    return data


class TestPaymentTermScreens:
    def test_the_list_shows_terms_and_offers_new_to_a_user_who_may_add(self, sales_client):
        payment_term(code="T60", name="Sixty days", net_days=60)

        response = sales_client.get(reverse("partners:paymentterm-list"))

        content = response.content.decode()
        assert response.status_code == 200
        assert "T60" in content and "Sixty days" in content
        assert reverse("partners:paymentterm-create") in content

    def test_the_list_can_be_searched_and_exported(self, sales_client):
        payment_term(code="T60", name="Sixty days", net_days=60)
        payment_term(code="T90", name="Ninety days", net_days=90)

        found = sales_client.get(reverse("partners:paymentterm-list"), {"q": "Ninety"}).content.decode()
        export = sales_client.get(reverse("partners:paymentterm-list"), {"q": "Sixty", "_export": "csv"})

        assert "T90" in found and "Sixty days" not in found
        assert export["Content-Type"].startswith("text/csv") and "T60" in export.content.decode()

    def test_the_detail_shows_the_installments_and_an_example_schedule(self, sales_client):
        term = payment_term(code="HALF", name="Half now, half later", installments=[("50", 0), ("50", 30)])
        partner(name="Uses Half", payment_term=term)

        response = sales_client.get(reverse("partners:paymentterm-detail", args=[term.pk]))

        content = response.content.decode()
        assert response.status_code == 200
        assert "HALF" in content and "Half now, half later" in content
        assert [line.percent for line in response.context["lines"]] == [Decimal("50"), Decimal("50")]
        assert [part.amount for part in response.context["example"]] == [Decimal("500.00"), Decimal("500.00")]
        assert response.context["customer_count"] == 1

    def test_creates_a_term_with_installments(self, sales_client):
        response = sales_client.post(
            reverse("partners:paymentterm-create"), term_form(("30", "10"), ("70", "45"), code="x-30-70")
        )

        term = PaymentTerm.objects.get(code="X-30-70")
        assert response.status_code == 302 and response["Location"] == term.get_absolute_url()
        assert list(term.lines.values_list("percent", "days")) == [(Decimal("30"), 10), (Decimal("70"), 45)]
        assert term.discount_percent == Decimal("2")

    @pytest.mark.parametrize(
        ("changes", "rows", "field", "message"),
        [
            ({"code": "N30"}, (), "code", "already exists"),
            ({"discount_percent": "150"}, (), "discount_percent", "between 0 and 100"),
            ({"discount_days": "60"}, (), "discount_days", "ends after the payment is due"),
            ({"net_days": "soon"}, (), "net_days", "Enter a whole number"),
            ({}, (("30", "10"), ("30", "45")), None, "add up to 60 %"),
        ],
    )
    def test_bad_input_is_shown_on_the_form_and_nothing_is_saved(self, sales_client, changes, rows, field, message):
        before = PaymentTerm.objects.count()

        response = sales_client.post(reverse("partners:paymentterm-create"), term_form(*rows, **changes))

        assert response.status_code == 200
        errors = response.context["form"].errors
        assert message in str(errors[field] if field else errors["__all__"])
        assert message in response.content.decode()
        assert PaymentTerm.objects.count() == before

    def test_edits_a_term_and_replaces_its_installments(self, sales_client):
        term = payment_term(code="EDIT", name="Edit me", installments=[("100", 30)])

        response = sales_client.post(
            reverse("partners:paymentterm-update", args=[term.pk]),
            term_form(("40", "0"), ("60", "60"), code="EDIT", name="Edited", version=term.version),
        )

        assert response.status_code == 302
        term.refresh_from_db()
        assert term.name == "Edited" and term.version == 2
        assert list(term.lines.values_list("percent", flat=True)) == [Decimal("40"), Decimal("60")]

    def test_edit_refuses_a_stale_version(self, sales_client):
        term = payment_term(code="STALE", name="Stale")

        response = sales_client.post(
            reverse("partners:paymentterm-update", args=[term.pk]),
            term_form(code="STALE", name="Changed", discount_percent="0", discount_days="0", version=0),
        )

        assert response.status_code == 200 and "Someone else changed" in response.content.decode()
        term.refresh_from_db()
        assert term.name == "Stale"

    def test_the_edit_form_shows_the_current_values(self, sales_client):
        term = payment_term(code="SHOWN", name="Shown term", net_days=21)

        response = sales_client.get(reverse("partners:paymentterm-update", args=[term.pk]))

        assert response.status_code == 200
        assert response.context["form"].initial["net_days"] == 21 and "Shown term" in response.content.decode()

    def test_deactivates_and_reactivates(self, sales_client):
        term = payment_term(code="OFF")
        url = reverse("partners:paymentterm-set-active", args=[term.pk])

        assert sales_client.post(url, {"is_active": "0"}).status_code == 302
        term.refresh_from_db()
        assert not term.is_active
        sales_client.post(url, {"is_active": "1"})
        term.refresh_from_db()
        assert term.is_active
        assert sales_client.get(url).status_code == 405

    def test_a_user_who_may_only_look_sees_but_cannot_change(self, accountant_client):
        term = payment_term(code="LOOK")

        assert accountant_client.get(reverse("partners:paymentterm-list")).status_code == 200
        assert accountant_client.get(term.get_absolute_url()).status_code == 200
        assert accountant_client.get(reverse("partners:paymentterm-create")).status_code == 403
        assert accountant_client.post(reverse("partners:paymentterm-create"), term_form()).status_code == 403
        edit = accountant_client.post(
            reverse("partners:paymentterm-update", args=[term.pk]), term_form(code="LOOK", name="Hijacked")
        )
        deactivate = accountant_client.post(
            reverse("partners:paymentterm-set-active", args=[term.pk]), {"is_active": "0"}
        )
        assert edit.status_code == 403 and deactivate.status_code == 403
        term.refresh_from_db()
        assert term.name != "Hijacked" and term.is_active
        assert not PaymentTerm.objects.filter(code="2-10-N45").exists()

    def test_a_user_without_partner_rights_is_refused(self, warehouse_client):
        term = payment_term(code="NOPE")

        assert warehouse_client.get(reverse("partners:paymentterm-list")).status_code == 403
        assert warehouse_client.get(term.get_absolute_url()).status_code == 403

    def test_an_unknown_term_is_not_found(self, sales_client):
        assert sales_client.get(reverse("partners:paymentterm-detail", args=[999999])).status_code == 404
        assert sales_client.get(reverse("partners:paymentterm-update", args=[999999])).status_code == 404


class TestPartnerCategoryScreens:
    def test_the_list_shows_categories_with_their_partner_count(self, sales_client):
        wholesale = category("Wholesale")
        partner(name="In Wholesale").categories.add(wholesale)
        category("Retail")

        response = sales_client.get(reverse("partners:partnercategory-list"))

        content = response.content.decode()
        assert response.status_code == 200
        assert "Wholesale" in content and "Retail" in content
        assert reverse("partners:partnercategory-create") in content
        counts = {row.name: row.partner_count for row in response.context["table"].data}
        assert counts == {"Wholesale": 1, "Retail": 0}

    def test_creates_a_category(self, sales_client):
        response = sales_client.post(reverse("partners:partnercategory-create"), {"name": "  Key   account "})

        assert response.status_code == 302 and response["Location"] == reverse("partners:partnercategory-list")
        assert PartnerCategory.objects.get().name == "Key account"

    @pytest.mark.parametrize(("name", "message"), [("", "This field is required"), ("wholesale", "already exists")])
    def test_a_missing_or_taken_name_is_shown_on_the_form(self, sales_client, name, message):
        category("Wholesale")

        response = sales_client.post(reverse("partners:partnercategory-create"), {"name": name})

        assert response.status_code == 200
        assert message in str(response.context["form"].errors["name"])
        assert PartnerCategory.objects.count() == 1

    def test_renames_and_deactivates_a_category(self, sales_client):
        made = category("Old name")

        edit_page = sales_client.get(reverse("partners:partnercategory-update", args=[made.pk]))
        response = sales_client.post(
            reverse("partners:partnercategory-update", args=[made.pk]), {"name": "New name", "is_active": ""}
        )

        assert "Old name" in edit_page.content.decode()
        assert response.status_code == 302
        made.refresh_from_db()
        assert made.name == "New name" and not made.is_active

    def test_renaming_to_a_taken_name_is_refused(self, sales_client):
        category("Taken")
        made = category("Mine")

        response = sales_client.post(
            reverse("partners:partnercategory-update", args=[made.pk]), {"name": "TAKEN", "is_active": "on"}
        )

        assert response.status_code == 200 and "already exists" in response.content.decode()
        made.refresh_from_db()
        assert made.name == "Mine"

    def test_a_user_who_may_only_look_sees_but_cannot_change(self, accountant_client):
        made = category("Look only")

        assert accountant_client.get(reverse("partners:partnercategory-list")).status_code == 200
        assert accountant_client.post(reverse("partners:partnercategory-create"), {"name": "X"}).status_code == 403
        refused = accountant_client.post(
            reverse("partners:partnercategory-update", args=[made.pk]), {"name": "Hijacked", "is_active": "on"}
        )
        assert refused.status_code == 403
        assert list(PartnerCategory.objects.values_list("name", flat=True)) == ["Look only"]

    def test_a_user_without_partner_rights_is_refused(self, warehouse_client):
        assert warehouse_client.get(reverse("partners:partnercategory-list")).status_code == 403

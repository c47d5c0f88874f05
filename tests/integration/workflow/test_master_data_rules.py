"""Before-save rules on master data: partners and products are checked when their services save them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from erp.catalog import services as catalog
from erp.core.exceptions import DomainError
from erp.partners.models import Partner
from erp.workflow import services
from erp.workflow.models import Trigger
from tests.factories.catalog import product, unit
from tests.factories.partners import partner

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_seeded_rules")]


def rule(subject: str, *, conditions: dict, actions: list[dict]):
    return services.rule_create(
        name="Master data check",
        subject=subject,
        trigger=Trigger.BEFORE_SAVE,
        conditions={"all": [conditions]},
        actions=actions,
        by=None,
    )


class TestPartners:
    def test_a_blocking_rule_refuses_the_partner_and_saves_nothing(self):
        rule(
            "partners.partner",
            conditions={"field": "credit_limit", "op": "gt", "value": "100000"},
            actions=[{"type": "block", "message": "Credit limits above 100,000 need the CFO."}],
        )
        before = Partner.objects.count()

        with pytest.raises(DomainError, match="need the CFO"):
            partner(name="Big Spender AG", credit_limit=Decimal("250000"))

        assert Partner.objects.count() == before
        assert partner(name="Small Shop", credit_limit=Decimal("5000")).pk

    def test_an_update_is_checked_too_and_a_set_field_is_written(self):
        rule(
            "partners.partner",
            conditions={"field": "credit_limit", "op": "gt", "value": "10000"},
            actions=[
                {"type": "set_field", "field": "notes", "value": "Large credit line"},
                {"type": "warn", "message": "Check the customer's rating."},
            ],
        )
        made = partner(name="Growing GmbH", credit_limit=Decimal("1000"))
        assert made.rule_warnings == [] and made.notes == ""

        from erp.partners import services as partners

        updated = partners.partner_update(
            partner=made, expected_version=made.version, by=None, credit_limit=Decimal("20000")
        )

        assert updated.rule_warnings == ["Check the customer's rating."]
        updated.refresh_from_db()
        assert updated.notes == "Large credit line"

    def test_the_screen_shows_the_block_on_the_form(self, admin_client):
        rule(
            "partners.partner",
            conditions={"field": "credit_limit", "op": "gt", "value": "100000"},
            actions=[{"type": "block", "message": "Credit limits above 100,000 need the CFO."}],
        )
        data = {
            "name": "Big Spender AG",
            "is_customer": "on",
            "country": "DE",
            "credit_limit": "250000",
            "addresses-TOTAL_FORMS": "0",
            "addresses-INITIAL_FORMS": "0",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        }

        response = admin_client.post(reverse("partners:partner-create"), data)

        assert response.status_code == 200
        assert "Credit limits above 100,000 need the CFO." in response.content.decode()
        assert not Partner.objects.filter(name="Big Spender AG").exists()


class TestProducts:
    def test_a_blocking_rule_refuses_a_product_change(self):
        rule(
            "catalog.product",
            conditions={"field": "sales_price", "op": "lt", "value": "1"},
            actions=[{"type": "block", "message": "Nothing sells below 1.00."}],
        )
        made = product(sales_price=Decimal("5"))

        with pytest.raises(DomainError, match=r"below 1\.00"):
            catalog.product_update(
                product=made,
                expected_version=made.version,
                by=None,
                sku=made.sku,
                name=made.name,
                base_uom=unit("pc"),
                sales_price=Decimal("0.50"),
            )

        made.refresh_from_db()
        assert made.sales_price == Decimal("5")

"""Product category, unit of measure and price list screens: list, detail, create, edit,
(de)activate; refusals for users who may only look or not at all; bad input shown on the form,
nothing saved."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from erp.catalog.models import PriceList, PriceListItem, ProductCategory, UnitOfMeasure
from tests.factories.catalog import category, price_item, price_list, product, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def purchasing_client(client_for, user_with_role):
    """May change the catalog."""
    return client_for(user_with_role("Purchasing"))


@pytest.fixture
def warehouse_client(client_for, user_with_role):
    """May look at the catalog, not change it."""
    return client_for(user_with_role("Warehouse"))


@pytest.fixture
def hr_client(client_for, user_with_role):
    """Has no catalog rights at all."""
    return client_for(user_with_role("HR"))


# --- product categories -----------------------------------------------------------------------


def category_form(**changes) -> dict:
    data = {"name": "Power tools", "parent": "", "valuation_method": ""}
    data.update(changes)
    return data


class TestProductCategoryScreens:
    def test_the_list_shows_categories_with_parents_and_counts(self, purchasing_client):
        tools = category(name="Tools")
        power = category(name="Power tools", parent=tools)
        product(sku="DRILL", category=power)

        response = purchasing_client.get(reverse("catalog:category-list"))

        content = response.content.decode()
        assert response.status_code == 200
        assert "Tools" in content and "Power tools" in content
        assert reverse("catalog:category-create") in content
        counts = {row.name: row.product_count for row in response.context["table"].data}
        assert counts["Power tools"] == 1 and counts["Tools"] == 0

    def test_the_detail_shows_the_path_children_and_products(self, purchasing_client):
        tools = category(name="Tools")
        power = category(name="Power tools", parent=tools)
        category(name="Drills", parent=power)
        product(sku="DRILL-18V", name="Cordless drill", category=power)

        response = purchasing_client.get(reverse("catalog:category-detail", args=[power.pk]))

        content = response.content.decode()
        assert response.status_code == 200
        assert "Tools / Power tools" in content and "Drills" in content and "DRILL-18V" in content
        assert response.context["product_count"] == 1

    def test_creates_a_sub_category_offered_from_its_parent(self, purchasing_client):
        tools = category(name="Tools")

        form_page = purchasing_client.get(reverse("catalog:category-create"), {"parent": tools.pk})
        response = purchasing_client.post(
            reverse("catalog:category-create"), category_form(parent=tools.pk, valuation_method="average")
        )

        assert form_page.context["form"].initial["parent"] == str(tools.pk)
        made = ProductCategory.objects.get(name="Power tools")
        assert response.status_code == 302 and response["Location"] == made.get_absolute_url()
        assert made.parent == tools and made.valuation_method == "average"

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"name": ""}, "name", "This field is required"),
            ({"name": "power TOOLS"}, "name", "This level already has a category"),
            ({"valuation_method": "lifo"}, "valuation_method", "Select a valid choice"),
            ({"parent": "999999"}, "parent", "Select a valid choice"),
        ],
    )
    def test_bad_input_is_shown_on_the_form_and_nothing_is_saved(self, purchasing_client, changes, field, message):
        category(name="Power tools")

        response = purchasing_client.post(reverse("catalog:category-create"), category_form(**changes))

        assert response.status_code == 200
        assert message in str(response.context["form"].errors[field])
        assert ProductCategory.objects.count() == 1

    def test_edits_and_refuses_to_move_a_category_below_its_child(self, purchasing_client):
        tools = category(name="Tools")
        power = category(name="Power tools", parent=tools)
        url = reverse("catalog:category-update", args=[tools.pk])

        refused = purchasing_client.post(url, category_form(name="Tools", parent=power.pk, version=tools.version))
        renamed = purchasing_client.post(url, category_form(name="All tools", version=tools.version))

        assert refused.status_code == 200
        assert "cannot be moved below itself" in str(refused.context["form"].errors["parent"])
        assert renamed.status_code == 302
        tools.refresh_from_db()
        assert tools.name == "All tools" and tools.parent is None and tools.version == 2

    def test_deactivating_a_parent_of_active_children_is_refused_with_a_message(self, purchasing_client):
        tools = category(name="Tools")
        power = category(name="Power tools", parent=tools)

        response = purchasing_client.post(
            reverse("catalog:category-set-active", args=[tools.pk]), {"is_active": "0"}, follow=True
        )

        assert "Deactivate its active sub-categories first." in response.content.decode()
        tools.refresh_from_db()
        assert tools.is_active
        purchasing_client.post(reverse("catalog:category-set-active", args=[power.pk]), {"is_active": "0"})
        purchasing_client.post(reverse("catalog:category-set-active", args=[tools.pk]), {"is_active": "0"})
        tools.refresh_from_db()
        assert not tools.is_active

    def test_a_user_who_may_only_look_sees_but_cannot_change(self, warehouse_client):
        tools = category(name="Tools")

        assert warehouse_client.get(reverse("catalog:category-list")).status_code == 200
        assert warehouse_client.get(tools.get_absolute_url()).status_code == 200
        assert warehouse_client.get(reverse("catalog:category-create")).status_code == 403
        assert warehouse_client.post(reverse("catalog:category-create"), category_form()).status_code == 403
        edit = warehouse_client.post(reverse("catalog:category-update", args=[tools.pk]), category_form(name="X"))
        off = warehouse_client.post(reverse("catalog:category-set-active", args=[tools.pk]), {"is_active": "0"})
        assert edit.status_code == 403 and off.status_code == 403
        tools.refresh_from_db()
        assert tools.name == "Tools" and tools.is_active and ProductCategory.objects.count() == 1

    def test_a_user_without_catalog_rights_is_refused(self, hr_client):
        tools = category(name="Tools")

        assert hr_client.get(reverse("catalog:category-list")).status_code == 403
        assert hr_client.get(tools.get_absolute_url()).status_code == 403


# --- units of measure -------------------------------------------------------------------------


def unit_form(**changes) -> dict:
    data = {"code": "crate", "name": "Crate", "category": "packaging", "ratio": "", "decimal_places": "0"}
    data.update(changes)
    return data


class TestUnitScreens:
    def test_the_list_shows_the_seeded_units(self, purchasing_client):
        response = purchasing_client.get(reverse("catalog:unit-list"), {"per_page": "100"})

        content = response.content.decode()
        assert response.status_code == 200
        assert "Kilogram" in content and "Pallet" in content
        assert reverse("catalog:unit-create") in content

    def test_creates_a_packaging_unit_and_a_measured_one(self, purchasing_client):
        crate = purchasing_client.post(reverse("catalog:unit-create"), unit_form())
        ounce = purchasing_client.post(
            reverse("catalog:unit-create"),
            unit_form(code="oz", name="Ounce", category="weight", ratio="0.028349523125", decimal_places="2"),
        )

        assert crate.status_code == 302 and ounce.status_code == 302
        assert crate["Location"] == reverse("catalog:unit-list")
        assert UnitOfMeasure.objects.get(code="crate").ratio is None
        assert UnitOfMeasure.objects.get(code="oz").ratio == Decimal("0.028349523125")

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"code": "KG"}, "code", "already exists"),
            ({"ratio": "12"}, "ratio", "A packaging unit has no ratio"),
            ({"category": "weight", "ratio": ""}, "ratio", "greater than zero"),
            ({"category": "weight", "ratio": "-1"}, "ratio", "greater than zero"),
            ({"category": "weight", "ratio": "heavy"}, "ratio", "Enter a number"),
            ({"decimal_places": "9"}, "decimal_places", "Between 0 and 6"),
            ({"category": "colour"}, "category", "Select a valid choice"),
        ],
    )
    def test_bad_input_is_shown_on_the_form_and_nothing_is_saved(self, purchasing_client, changes, field, message):
        before = UnitOfMeasure.objects.count()

        response = purchasing_client.post(reverse("catalog:unit-create"), unit_form(**changes))

        assert response.status_code == 200
        assert message in str(response.context["form"].errors[field])
        assert UnitOfMeasure.objects.count() == before

    def test_renames_a_unit_shown_with_its_current_values(self, purchasing_client):
        made = UnitOfMeasure.objects.create(code="crate", name="Crate", category="packaging")
        url = reverse("catalog:unit-update", args=[made.pk])

        page = purchasing_client.get(url)
        response = purchasing_client.post(url, unit_form(name="Wooden crate", version=made.version))

        assert page.status_code == 200 and "Crate" in page.content.decode()
        assert response.status_code == 302
        made.refresh_from_db()
        assert made.name == "Wooden crate"

    def test_the_ratio_of_a_unit_in_use_stays(self, purchasing_client):
        gram = unit("g")
        product(base_uom=gram)
        url = reverse("catalog:unit-update", args=[gram.pk])

        page = purchasing_client.get(url)
        response = purchasing_client.post(
            url, unit_form(code="g", name="Gram", category="weight", ratio="0.002", version=gram.version)
        )

        assert page.context["in_use"] is True
        assert "The unit is in use" in str(response.context["form"].errors["ratio"])
        gram.refresh_from_db()
        assert gram.ratio == Decimal("0.001")

    def test_deactivates_and_reactivates(self, purchasing_client):
        pallet = unit("pallet")
        url = reverse("catalog:unit-set-active", args=[pallet.pk])

        purchasing_client.post(url, {"is_active": "0"})
        pallet.refresh_from_db()
        assert not pallet.is_active
        purchasing_client.post(url, {"is_active": "1"})
        pallet.refresh_from_db()
        assert pallet.is_active

    def test_a_user_who_may_only_look_sees_but_cannot_change(self, warehouse_client):
        pallet = unit("pallet")

        assert warehouse_client.get(reverse("catalog:unit-list")).status_code == 200
        assert warehouse_client.get(reverse("catalog:unit-create")).status_code == 403
        assert warehouse_client.post(reverse("catalog:unit-create"), unit_form()).status_code == 403
        assert warehouse_client.get(reverse("catalog:unit-update", args=[pallet.pk])).status_code == 403
        off = warehouse_client.post(reverse("catalog:unit-set-active", args=[pallet.pk]), {"is_active": "0"})
        assert off.status_code == 403
        pallet.refresh_from_db()
        assert pallet.is_active and not UnitOfMeasure.objects.filter(code="crate").exists()

    def test_a_user_without_catalog_rights_is_refused(self, hr_client):
        assert hr_client.get(reverse("catalog:unit-list")).status_code == 403


# --- price lists ------------------------------------------------------------------------------


def items(*rows: dict, initial: int = 0) -> dict:
    data = {
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": str(initial),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"items-{index}-{key}": value for key, value in row.items()})
    return data


def pricelist_form(*rows: dict, **changes) -> dict:
    data = {"code": "wholesale", "name": "Wholesale", "currency": "EUR", "notes": "", **items(*rows)}
    data.update(changes)
    return data


class TestPriceListScreens:
    def test_the_list_shows_price_lists_with_their_item_count(self, purchasing_client):
        made = price_list(code="RETAIL", name="Retail prices")
        price_item(made, product(), "9.99")

        response = purchasing_client.get(reverse("catalog:pricelist-list"))

        content = response.content.decode()
        assert response.status_code == 200 and "RETAIL" in content and "Retail prices" in content
        assert reverse("catalog:pricelist-create") in content
        assert [row.item_count for row in response.context["table"].data] == [1]

    def test_the_detail_lists_prices_and_answers_a_price_check(self, purchasing_client):
        made = price_list(code="TIERS")
        bolt = product(sku="BOLT", name="Bolt")
        price_item(made, bolt, "1.00")
        price_item(made, bolt, "0.80", min_quantity=Decimal("100"))
        url = reverse("catalog:pricelist-detail", args=[made.pk])

        page = purchasing_client.get(url)
        check = purchasing_client.get(url, {"product": bolt.pk, "quantity": "150", "on": "2025-03-01"})

        assert page.status_code == 200 and "BOLT" in page.content.decode()
        assert len(page.context["items"]) == 2
        assert check.status_code == 200 and check.context["quote"].amount == Decimal("0.80")

    def test_a_bad_price_check_is_a_form_error(self, purchasing_client):
        made = price_list(code="CHECK")
        bolt = product(sku="BOLT")
        price_item(made, bolt, "1.00")

        response = purchasing_client.get(
            reverse("catalog:pricelist-detail", args=[made.pk]), {"product": bolt.pk, "quantity": "-1", "on": "x"}
        )

        errors = response.context["check"].errors
        assert response.status_code == 200 and "quantity" in errors and "on" in errors
        assert response.context["quote"] is None

    def test_creates_a_price_list_with_prices(self, purchasing_client):
        bolt, nut = product(sku="BOLT"), product(sku="NUT")

        response = purchasing_client.post(
            reverse("catalog:pricelist-create"),
            pricelist_form(
                {"product": bolt.pk, "min_quantity": "0", "price": "1.10"},
                {"product": nut.pk, "min_quantity": "50", "price": "0.20", "valid_from": "2025-01-01"},
            ),
        )

        made = PriceList.objects.get(code="WHOLESALE")
        assert response.status_code == 302 and response["Location"] == made.get_absolute_url()
        assert sorted(made.items.values_list("product__sku", "price", "valid_from")) == [
            ("BOLT", Decimal("1.10"), None),
            ("NUT", Decimal("0.20"), date(2025, 1, 1)),
        ]

    @pytest.mark.parametrize(
        ("changes", "rows", "field", "message"),
        [
            ({"code": ""}, (), "code", "This field is required"),
            ({"currency": "XXX"}, (), "currency", "Select a valid choice"),
            ({"code": "TAKEN"}, (), "code", "already exists"),
            ({}, ({"price": "-1"},), None, "zero or more"),
            ({}, ({"valid_from": "2025-02-01", "valid_to": "2025-01-01"},), None, "ends before it starts"),
            ({}, ({"min_quantity": "10"}, {"min_quantity": "10.0"}), None, "has two prices from the quantity 10"),
        ],
    )
    def test_bad_input_is_shown_on_the_form_and_nothing_is_saved(
        self, purchasing_client, changes, rows, field, message
    ):
        price_list(code="TAKEN")
        bolt = product(sku="BOLT")
        lines = [{"product": bolt.pk, "min_quantity": "0", "price": "1", **row} for row in rows]

        response = purchasing_client.post(reverse("catalog:pricelist-create"), pricelist_form(*lines, **changes))

        assert response.status_code == 200
        errors = response.context["form"].errors
        assert message in str(errors[field] if field else errors["__all__"])
        assert message in response.content.decode()
        assert PriceList.objects.count() == 1 and not PriceListItem.objects.exists()

    def test_a_bad_price_row_is_shown_on_its_row(self, purchasing_client):
        bolt = product(sku="BOLT")

        response = purchasing_client.post(
            reverse("catalog:pricelist-create"), pricelist_form({"product": bolt.pk, "price": "cheap"})
        )

        assert response.status_code == 200
        assert "price" in response.context["formsets"][0][0].forms[0].errors
        assert not PriceList.objects.exists()

    def test_edits_the_prices_of_a_list(self, purchasing_client):
        made = price_list(code="EDIT", name="Edit me")
        bolt = product(sku="BOLT")
        item = price_item(made, bolt, "1.00")
        url = reverse("catalog:pricelist-update", args=[made.pk])

        page = purchasing_client.get(url)
        response = purchasing_client.post(
            url,
            pricelist_form(
                {"id": item.pk, "product": bolt.pk, "min_quantity": "0", "price": "1.25"},
                code="EDIT",
                name="Edited",
                version=made.version,
                **{"items-INITIAL_FORMS": "1"},
            ),
        )

        assert page.status_code == 200 and "Edit me" in page.content.decode()
        assert response.status_code == 302
        made.refresh_from_db()
        item.refresh_from_db()
        assert made.name == "Edited" and item.price == Decimal("1.25")

    def test_deactivates_and_reactivates(self, purchasing_client):
        made = price_list(code="OFF")
        url = reverse("catalog:pricelist-set-active", args=[made.pk])

        purchasing_client.post(url, {"is_active": "0"})
        made.refresh_from_db()
        assert not made.is_active
        purchasing_client.post(url, {"is_active": "1"})
        made.refresh_from_db()
        assert made.is_active

    def test_a_user_who_may_only_look_sees_but_cannot_change(self, warehouse_client):
        made = price_list(code="LOOK")

        assert warehouse_client.get(reverse("catalog:pricelist-list")).status_code == 200
        assert warehouse_client.get(made.get_absolute_url()).status_code == 200
        assert warehouse_client.get(reverse("catalog:pricelist-create")).status_code == 403
        assert warehouse_client.post(reverse("catalog:pricelist-create"), pricelist_form()).status_code == 403
        edit = warehouse_client.post(reverse("catalog:pricelist-update", args=[made.pk]), pricelist_form(code="LOOK"))
        off = warehouse_client.post(reverse("catalog:pricelist-set-active", args=[made.pk]), {"is_active": "0"})
        assert edit.status_code == 403 and off.status_code == 403
        made.refresh_from_db()
        assert made.is_active and made.name != "Wholesale" and PriceList.objects.count() == 1

    def test_a_user_without_catalog_rights_is_refused(self, hr_client):
        made = price_list(code="NOPE")

        assert hr_client.get(reverse("catalog:pricelist-list")).status_code == 403
        assert hr_client.get(made.get_absolute_url()).status_code == 403

"""Product import: every row checked in the preview (SKU, units, categories, numbers, taxes,
barcodes), then all or nothing."""

from decimal import Decimal

import pytest

from erp.catalog.imports import products_import, products_plan
from erp.catalog.models import Product
from erp.core.exceptions import DomainError
from erp.core.imports import CREATE, UNCHANGED, UPDATE
from erp.finance.models import TaxType
from tests.factories.catalog import category, product, unit
from tests.factories.finance import tax_code

pytestmark = pytest.mark.django_db

HEADER = "sku,name,type,category,barcode,base_unit,purchase_unit,purchase_factor,sales_price,tracking,sales_tax"


def csv(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def errors_by_line(plan) -> dict[int, list[str]]:
    return {row.line: row.errors for row in plan.rows if row.errors}


class TestPlan:
    def test_a_valid_file_plans_creations_and_writes_nothing(self):
        category(name="Hardware")
        tax_code(code="VS19", tax_type=TaxType.SALES)

        plan = products_plan(
            csv(
                'SCR-4x40,Wood screw 4x40,stockable,Hardware,4006381333931,pc,box,200,"0,05",none,vs19',
                "SRV-1,Assembly hour,service,,,h,,,45.50,,",
            )
        )

        assert plan.is_valid, errors_by_line(plan)
        assert [row.action for row in plan.rows] == [CREATE, CREATE]
        assert plan.rows[0].data["sales_price"] == Decimal("0.05")
        assert not Product.objects.exists()

    def test_every_bad_row_gets_its_own_errors_with_its_line(self):
        plan = products_plan(
            csv(
                "OK-1,Fine,stockable,,,pc,,,1,none,",
                ",No Sku,stockable,,,pc,,,1,none,",
                "NO-NAME,,stockable,,,pc,,,1,none,",
                "UNIT-1,Bad unit,stockable,,,parsec,,,1,none,",
                "CAT-1,Bad category,stockable,Nowhere,,pc,,,1,none,",
                "NUM-1,Bad number,stockable,,,pc,,,cheap,none,",
                "NEG-1,Negative,stockable,,,pc,,,-1,none,",
                "EAN-1,Bad barcode,stockable,,4006381333932,pc,,,1,none,",
                "TYP-1,Bad type and tax,gadget,,,pc,,,1,maybe,NOTAX",
                "BOX-1,Box without size,stockable,,,pc,box,,1,none,",
                "SRV-2,Tracked service,service,,,pc,,,1,lot,",
            )
        )

        errors = errors_by_line(plan)
        assert set(errors) == set(range(3, 13))
        assert errors[3] == ["The SKU is missing."]
        assert errors[4] == ["The name is missing."]
        assert errors[5] == ["Unknown unit parsec."]
        assert "Unknown or ambiguous category “Nowhere”" in errors[6][0]
        assert errors[7] == ["“cheap” is not a number."]
        assert errors[8] == ["“-1” cannot be negative."]
        assert "check digit of the barcode" in errors[9][0]
        joined = " ".join(errors[10])
        assert "Unknown type “gadget”" in joined and "Unknown tracking “maybe”" in joined
        assert "tax code NOTAX" in joined
        assert "Say how many pc one box holds (column purchase_factor)." in errors[11]
        assert errors[12] == ["Only stockable products are tracked by lot or serial number."]
        assert plan.counts()["create"] == 1 and plan.counts()["invalid"] == 10

    def test_a_gross_weight_below_the_net_weight_is_an_error_in_the_preview(self):
        plan = products_plan(csv("W-1,Heavy,2,1", header="sku,name,net_weight,gross_weight"))

        assert plan.rows[0].errors == ["The gross weight cannot be less than the net weight."]

    def test_a_purchase_tax_code_is_not_taken_as_a_sales_tax(self):
        tax_code(code="VP19", tax_type=TaxType.PURCHASE)

        plan = products_plan(csv("T-1,Taxed,VP19", header="sku,name,sales_tax"))

        assert "Unknown sales tax code VP19." in plan.rows[0].errors

    def test_a_name_shared_by_two_categories_needs_its_path(self):
        tools, garden = category(name="Tools"), category(name="Garden")
        category(name="Spare parts", parent=tools)
        wanted = category(name="Spare parts", parent=garden)

        plan = products_plan(
            csv("A-1,By name,Spare parts", "A-2,By path,Garden / Spare parts", header="sku,name,category")
        )

        assert "ambiguous" in plan.rows[0].errors[0]
        assert not plan.rows[1].errors and plan.rows[1].data["category_id"] == wanted.pk

    def test_skus_and_barcodes_twice_in_the_file_or_taken_are_errors(self):
        product(sku="HAS-EAN", barcode="4006381333931")

        plan = products_plan(
            csv(
                "N-1,One,4006381333931",
                "N-2,Two,96385074",
                "N-3,Three,96385074",
                "n-2,Two again,",
                header="sku,name,barcode",
            )
        )

        errors = errors_by_line(plan)
        assert "already has the barcode 4006381333931" in errors[2][0]
        assert "The barcode 96385074 is also on line 3." in errors[4]
        assert "The SKU n-2 is also on line 3." in errors[5]

    def test_an_existing_sku_updates_and_an_identical_row_is_unchanged(self):
        product(sku="SAME", name="Same", sales_price=Decimal("2"))
        product(sku="CHANGED", name="Old", sales_price=Decimal("2"))

        plan = products_plan(csv("same,Same,2", "CHANGED,New,2", header="sku,name,sales_price"))

        assert [row.action for row in plan.rows] == [UNCHANGED, UPDATE]


class TestImport:
    def test_creates_products_with_category_taxes_and_package_units(self):
        hardware = category(name="Hardware")
        sales_tax = tax_code(code="VS19", tax_type=TaxType.SALES)

        counts = products_import(
            plan=products_plan(csv("SCR-4x40,Wood screw,stockable,Hardware,4006381333931,pc,box,200,0.05,lot,VS19")),
            by=None,
        )

        assert counts == {CREATE: 1, UPDATE: 0}
        made = Product.objects.get(sku="SCR-4x40")
        assert (made.category, made.sales_tax, made.base_uom, made.purchase_uom) == (
            hardware,
            sales_tax,
            unit("pc"),
            unit("box"),
        )
        assert (made.sales_price, made.tracking, made.barcode) == (Decimal("0.05"), "lot", "4006381333931")
        assert made.conversions.get().factor == Decimal("200")

    def test_updates_a_product_and_keeps_its_other_conversions(self):
        made = product(sku="BOLT", name="Bolt", conversions={"box": "50", "pack": "10"})

        products_import(
            plan=products_plan(
                csv("bolt,Bolt M8,stockable,,,pc,box,100,1.20,none,", header=HEADER),
            ),
            by=None,
        )

        made.refresh_from_db()
        assert (made.name, made.sales_price, made.version) == ("Bolt M8", Decimal("1.20"), 2)
        assert made.conversions.get(uom=unit("box")).factor == Decimal("100")
        assert made.conversions.get(uom=unit("pack")).factor == Decimal("10")

    def test_a_plan_with_one_bad_row_imports_nothing(self):
        plan = products_plan(csv("OK-1,Fine,,,,pc,,,1,,", "BAD-1,Bad,,,,parsec,,,1,,"))

        with pytest.raises(DomainError, match="nothing was imported"):
            products_import(plan=plan, by=None)

        assert not Product.objects.exists()

    def test_a_failure_half_way_rolls_back_the_rows_before_it_and_names_the_line(self):
        plan = products_plan(csv("FIRST,First,,,,pc,,,1,,", "SECOND,Second,,,,pc,,,1,,"))
        assert plan.is_valid
        product(sku="second")  # taken between preview and import

        with pytest.raises(DomainError, match="Line 3: A product with the SKU SECOND already exists"):
            products_import(plan=plan, by=None)

        assert not Product.objects.filter(sku="FIRST").exists()


class TestSizes:
    def test_values_the_database_would_refuse_are_row_errors(self):
        plan = products_plan(
            csv(
                f"{'S' * 51},Long SKU,",
                "BIG,Big price,1234567890123",
                "FINE,Fine price,123456789012.123456",
                "PRECISE,Precise price,0.1234567",
                header="sku,name,sales_price",
            )
        )

        errors = errors_by_line(plan)
        assert set(errors) == {2, 3, 5}
        assert errors[2] == ["sku: at most 50 characters, not 51."]
        assert "sales_price: “1234567890123” is too large" in errors[3][0]
        assert "sales_price: “0.1234567”" in errors[5][0]

    def test_a_huge_number_is_not_imported_half_way(self):
        plan = products_plan(csv("OK,Fine,1", "HUGE,Huge,99999999999999999999", header="sku,name,sales_price"))

        with pytest.raises(DomainError, match="nothing was imported"):
            products_import(plan=plan, by=None)

        assert not Product.objects.exists()

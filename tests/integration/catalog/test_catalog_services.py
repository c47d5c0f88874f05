"""Catalog services: products (SKU, barcode, units, tracking, taxes, accounts), units, categories,
price lists; accounts and valuation inherited from categories and the chart."""

from datetime import date
from decimal import Decimal

import pytest

from erp.catalog import selectors, services
from erp.catalog.models import Product, UnitConversion, ValuationMethod
from erp.core.exceptions import DomainError
from erp.core.formsets import ChildRow
from erp.finance.models import Account, AccountRole, AccountType
from tests.factories.catalog import category, product, unit
from tests.factories.finance import account, tax_code
from tests.factories.partners import partner, vendor

pytestmark = pytest.mark.django_db

D = Decimal


def create(**fields) -> Product:
    fields.setdefault("sku", "NEW-1")
    fields.setdefault("name", "New product")
    fields.setdefault("base_uom", unit("pc"))
    return services.product_create(by=None, **fields)


def conversion(code: str, factor: str) -> ChildRow:
    return ChildRow(values={"uom": unit(code), "factor": D(factor)})


class TestBarcode:
    def test_a_valid_ean13_is_kept(self):
        assert create(barcode="4006381333931").barcode == "4006381333931"

    def test_spaces_are_removed(self):
        assert services.barcode_normalise("4 006381 333931") == "4006381333931"

    def test_a_wrong_ean13_check_digit_is_refused(self):
        with pytest.raises(DomainError, match="check digit") as refused:
            create(barcode="4006381333932")

        assert refused.value.field == "barcode"

    def test_an_ean8_and_a_upc_are_checked_too(self):
        assert services.barcode_normalise("96385074") == "96385074"
        with pytest.raises(DomainError):
            services.barcode_normalise("036000291453")  # UPC-A with a wrong check digit

    def test_a_code_that_does_not_look_like_an_ean_is_not_checked(self):
        assert create(barcode="ABC-123").barcode == "ABC-123"

    def test_two_products_cannot_share_a_barcode(self):
        create(barcode="4006381333931")

        with pytest.raises(DomainError, match="Another product"):
            create(sku="NEW-2", barcode="4006381333931")


class TestProductRules:
    def test_the_sku_is_unique_ignoring_case(self):
        create(sku="abc")

        with pytest.raises(DomainError, match="already exists"):
            create(sku="ABC")

    def test_buying_in_boxes_needs_the_boxes_size(self):
        with pytest.raises(DomainError) as refused:
            create(purchase_uom=unit("box"))

        assert refused.value.field == "purchase_uom"

    def test_buying_in_boxes_with_their_size_is_accepted(self):
        made = create(purchase_uom=unit("box"), conversions=[conversion("box", "12")])

        assert made.purchase_unit.code == "box" and made.conversions.get().factor == D("12")

    def test_selling_grams_of_a_product_kept_in_kilograms_needs_no_conversion(self):
        made = create(base_uom=unit("kg"), sales_uom=unit("g"))

        assert made.sales_unit.code == "g"

    def test_the_base_unit_needs_no_conversion(self):
        with pytest.raises(DomainError, match="base unit needs no conversion"):
            create(conversions=[conversion("pc", "1")])

    def test_a_unit_converts_only_once(self):
        with pytest.raises(DomainError, match="only once"):
            create(conversions=[conversion("box", "12"), conversion("box", "24")])

    def test_a_zero_factor_is_refused(self):
        with pytest.raises(DomainError, match="greater than zero"):
            create(conversions=[conversion("box", "0")])

    def test_only_stockable_products_are_tracked(self):
        with pytest.raises(DomainError) as refused:
            create(product_type="consumable", tracking="lot")

        assert refused.value.field == "tracking"

    def test_the_sales_tax_must_be_a_sales_tax(self):
        purchase = tax_code(tax_type="purchase", account=account(account_type=AccountType.ASSET))

        with pytest.raises(DomainError) as refused:
            create(sales_tax=purchase)

        assert refused.value.field == "sales_tax"

    def test_the_income_account_must_be_an_income_account(self):
        with pytest.raises(DomainError) as refused:
            create(income_account=account(account_type=AccountType.ASSET))

        assert refused.value.field == "income_account"

    def test_gross_weight_is_at_least_the_net_weight(self):
        with pytest.raises(DomainError) as refused:
            create(net_weight=D("2"), gross_weight=D("1"))

        assert refused.value.field == "gross_weight"

    def test_a_vendor_price_needs_a_vendor(self):
        customer = partner()
        offer = ChildRow(values={"partner": customer, "price": D("1"), "currency_id": "EUR", "min_quantity": D("0")})

        with pytest.raises(DomainError, match="not a vendor"):
            create(vendor_prices=[offer])

    def test_update_keeps_conversions_it_is_not_given(self):
        made = create(purchase_uom=unit("box"), conversions=[conversion("box", "12")])

        services.product_update(
            product=made,
            expected_version=made.version,
            by=None,
            sku=made.sku,
            name="Renamed",
            base_uom=made.base_uom,
            purchase_uom=unit("box"),
        )

        assert UnitConversion.objects.filter(product=made).count() == 1

    def test_a_stale_version_is_refused(self):
        made = create()

        with pytest.raises(DomainError, match="Someone else changed"):
            services.product_update(
                product=made, expected_version=0, by=None, sku="NEW-1", name="X", base_uom=unit("pc")
            )


class TestInheritedAccountsAndValuation:
    def test_a_product_takes_the_accounts_of_its_category_chain_then_the_charts(self):
        income = account(account_type=AccountType.INCOME)
        top = category(income_account=income, valuation_method=ValuationMethod.AVERAGE)
        leaf = category(parent=top)
        made = product(category=leaf)

        accounts = selectors.product_accounts(made)

        assert accounts.income == income
        assert accounts.inventory == Account.objects.for_role(AccountRole.INVENTORY).order_by("code").first()
        assert selectors.valuation_method_for(made) == ValuationMethod.AVERAGE

    def test_the_nearest_category_wins_and_the_product_overrides_it(self):
        top_income, leaf_income, own = (account(account_type=AccountType.INCOME) for _n in range(3))
        top = category(income_account=top_income, valuation_method=ValuationMethod.AVERAGE)
        leaf = category(parent=top, income_account=leaf_income, valuation_method=ValuationMethod.FIFO)

        assert selectors.product_accounts(product(category=leaf)).income == leaf_income
        assert selectors.product_accounts(product(category=leaf, income_account=own)).income == own
        assert selectors.valuation_method_for(product(category=leaf)) == ValuationMethod.FIFO
        assert selectors.valuation_method_for(product(category=leaf, valuation_method="average")) == "average"

    def test_without_category_valuation_is_fifo(self):
        assert selectors.valuation_method_for(product()) == ValuationMethod.FIFO

    def test_resolving_accounts_takes_two_queries(self, django_assert_max_num_queries):
        made = product(category=category(parent=category()))

        with django_assert_max_num_queries(2):
            selectors.product_accounts(made)


class TestUnitsAndCategories:
    def test_a_packaging_unit_has_no_ratio(self):
        with pytest.raises(DomainError) as refused:
            services.unit_create(code="crate", name="Crate", category="packaging", ratio=D("10"), by=None)

        assert refused.value.field == "ratio"

    def test_a_unit_in_use_keeps_its_ratio(self):
        ounce = services.unit_create(code="oz", name="Ounce", category="weight", ratio=D("0.0283495"), by=None)
        product(base_uom=ounce)

        with pytest.raises(DomainError, match="in use"):
            services.unit_update(
                unit=ounce,
                expected_version=ounce.version,
                code="oz",
                name="Ounce",
                category="weight",
                ratio=D("0.03"),
                decimal_places=2,
                by=None,
            )

    def test_a_unit_in_use_may_be_renamed(self):
        ounce = services.unit_create(code="oz", name="Ounce", category="weight", ratio=D("0.0283495"), by=None)
        product(base_uom=ounce)

        renamed = services.unit_update(
            unit=ounce,
            expected_version=ounce.version,
            code="oz",
            name="Ounce (avoirdupois)",
            category="weight",
            ratio=D("0.0283495"),
            decimal_places=0,
            by=None,
        )

        assert renamed.name == "Ounce (avoirdupois)"

    def test_a_category_cannot_move_below_its_child(self):
        top = category(name="Top")
        child = category(name="Child", parent=top)

        with pytest.raises(DomainError) as refused:
            services.category_update(category=top, expected_version=top.version, by=None, name="Top", parent=child)

        assert refused.value.field == "parent"

    def test_sibling_names_are_unique(self):
        top = services.category_create(name="Tools", by=None)
        services.category_create(name="Drills", parent=top, by=None)

        with pytest.raises(DomainError, match="already has"):
            services.category_create(name="drills", parent=top, by=None)

    def test_a_category_with_active_children_stays_active(self):
        top = category()
        category(parent=top)

        with pytest.raises(DomainError, match="sub-categories"):
            services.category_set_active(category=top, is_active=False, by=None)


class TestPriceLists:
    def item(self, product_, price, **values) -> ChildRow:
        return ChildRow(values={"product": product_, "price": D(price), "min_quantity": D("0"), **values})

    def test_creates_a_list_with_its_prices(self):
        made = product()
        from erp.core.models import Currency

        prices = services.price_list_create(
            code="retail",
            name="Retail",
            currency=Currency.objects.get(code="EUR"),
            items=[self.item(made, "9.90")],
            by=None,
        )

        assert prices.code == "RETAIL" and prices.items.get().price == D("9.90")

    def test_two_prices_for_the_same_quantity_and_overlapping_days_are_refused(self):
        made = product()
        from erp.core.models import Currency

        with pytest.raises(DomainError, match="two prices"):
            services.price_list_create(
                code="X",
                name="X",
                currency=Currency.objects.get(code="EUR"),
                items=[
                    self.item(made, "1", valid_from=date(2025, 1, 1), valid_to=date(2025, 6, 30)),
                    self.item(made, "2", valid_from=date(2025, 6, 1)),
                ],
                by=None,
            )

    def test_consecutive_periods_are_fine(self):
        made = product()
        from erp.core.models import Currency

        prices = services.price_list_create(
            code="X",
            name="X",
            currency=Currency.objects.get(code="EUR"),
            items=[
                self.item(made, "1", valid_from=date(2025, 1, 1), valid_to=date(2025, 5, 31)),
                self.item(made, "2", valid_from=date(2025, 6, 1)),
            ],
            by=None,
        )

        assert prices.items.count() == 2

    def test_a_price_ending_before_it_starts_is_refused(self):
        made = product()
        from erp.core.models import Currency

        with pytest.raises(DomainError, match="ends before"):
            services.price_list_create(
                code="X",
                name="X",
                currency=Currency.objects.get(code="EUR"),
                items=[self.item(made, "1", valid_from=date(2025, 2, 1), valid_to=date(2025, 1, 1))],
                by=None,
            )


class TestVendorPrices:
    def test_offers_valid_on_a_day_cheapest_first(self):
        made = product()
        cheap, fast = vendor(name="Cheap"), vendor(name="Fast")
        from tests.factories.catalog import vendor_price

        vendor_price(partner=cheap, product=made, price="1.00", lead_time_days=20)
        vendor_price(partner=fast, product=made, price="1.20", lead_time_days=2)
        vendor_price(partner=fast, product=made, price="0.50", valid_to=date(2024, 12, 31))

        offers = selectors.vendor_prices_for(made, on=date(2025, 3, 1))

        assert [(o.partner.name, o.price) for o in offers] == [("Cheap", D("1.00")), ("Fast", D("1.20"))]

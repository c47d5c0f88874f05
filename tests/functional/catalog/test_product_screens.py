"""Product screens: list with thumbnails and filters, detail, create/edit with units and vendor
prices, (de)activate, images served through a permission check."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from erp.catalog.models import Product, ProductImage, UnitConversion, VendorPrice
from erp.core.models import BusinessEvent
from tests.factories.catalog import category, product, unit
from tests.factories.isolation import record_of_other_tenant
from tests.factories.partners import vendor

LIST_BUDGET, DETAIL_BUDGET = 15, 25


@pytest.fixture
def purchasing_client(client_for, user_with_role):
    return client_for(user_with_role("Purchasing"))


@pytest.fixture
def warehouse_client(client_for, user_with_role):
    return client_for(user_with_role("Warehouse"))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def png(size=(300, 200), color=(200, 30, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def rows(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def form(**changes) -> dict:
    data = {
        "sku": "SCR-4x40",
        "name": "Wood screw 4x40",
        "product_type": "stockable",
        "base_uom": unit("pc").pk,
        "can_be_sold": "on",
        "can_be_purchased": "on",
        "sales_price": "0.05",
        "tracking": "none",
        **rows("conversions"),
        **rows("vendor_prices"),
    }
    data.update(changes)
    return data


class TestProductList:
    def test_lists_products_with_thumbnails_within_the_budget(
        self, warehouse_client, media, django_assert_max_num_queries
    ):
        from erp.catalog import services

        hardware = category(name="Hardware")
        for number in range(30):
            made = product(sku=f"P-{number:03d}", name=f"Bolt {number}", category=hardware)
            if number < 5:
                services.product_image_add(product=made, upload=png(), by=None)

        with django_assert_max_num_queries(LIST_BUDGET):
            response = warehouse_client.get(reverse("catalog:product-list"))

        content = response.content.decode()
        assert response.status_code == 200
        assert "P-000" in content and "Hardware" in content
        assert "size=thumbnail" in content

    def test_filters_by_type_category_with_its_children_and_text(self, warehouse_client):
        tools = category(name="Tools")
        drills = category(name="Drills", parent=tools)
        product(sku="DR-1", name="Drill", category=drills)
        product(sku="SV-1", name="Installation", product_type="service")

        by_category = warehouse_client.get(reverse("catalog:product-list"), {"category": tools.pk}).content.decode()
        by_type = warehouse_client.get(reverse("catalog:product-list"), {"product_type": "service"}).content.decode()
        by_text = warehouse_client.get(reverse("catalog:product-list"), {"q": "drill"}).content.decode()

        assert "DR-1" in by_category and "SV-1" not in by_category
        assert "SV-1" in by_type and "DR-1" not in by_type
        assert "DR-1" in by_text and "SV-1" not in by_text

    def test_finds_a_product_by_its_package_barcode(self, warehouse_client):
        made = product(sku="PKG-1", conversions={"box": "12"})
        UnitConversion.objects.filter(product=made).update(barcode="4006381333931")

        content = warehouse_client.get(reverse("catalog:product-list"), {"q": "4006381333931"}).content.decode()

        assert "PKG-1" in content

    def test_exports_csv_without_the_thumbnail_column(self, warehouse_client):
        product(sku="EXP-1", name="Exported", sales_price=Decimal("12.5"))

        response = warehouse_client.get(reverse("catalog:product-list"), {"q": "EXP", "_export": "csv"})

        content = response.content.decode()
        assert "EXP-1" in content and "12.5" in content
        assert "thumbnail" not in content

    def test_is_refused_without_catalog_rights(self, client_for, user_with_role):
        assert client_for(user_with_role("HR")).get(reverse("catalog:product-list")).status_code == 403


class TestProductDetail:
    def test_shows_units_accounts_vendor_prices_and_images_within_the_budget(
        self, warehouse_client, media, django_assert_max_num_queries
    ):
        from erp.catalog import services

        made = product(sku="DET-1", conversions={"box": "12", "pallet": "480"})
        supplier = vendor(name="Screw Supplier")
        VendorPrice.objects.create(
            partner=supplier, product=made, uom=unit("box"), price=Decimal("4.20"), currency_id="EUR", lead_time_days=7
        )
        services.product_image_add(product=made, upload=png(), by=None)

        with django_assert_max_num_queries(DETAIL_BUDGET):
            response = warehouse_client.get(made.get_absolute_url())

        content = response.content.decode()
        assert response.status_code == 200
        assert "1 box" in content and "Screw Supplier" in content and "4.2" in content
        assert reverse("catalog:product-image", args=[made.pk, made.images.get().pk]) in content
        assert 'id="timeline"' in content

    def test_another_tenants_product_is_not_found(self, warehouse_client, other_tenant):
        foreign = record_of_other_tenant(other_tenant, lambda: product(sku="FOREIGN"))

        assert warehouse_client.get(reverse("catalog:product-detail", args=[foreign.pk])).status_code == 404

    def test_a_warehouse_user_may_look_but_not_edit(self, warehouse_client):
        made = product()

        assert warehouse_client.get(reverse("catalog:product-update", args=[made.pk])).status_code == 403
        assert warehouse_client.get(reverse("catalog:product-create")).status_code == 403


class TestProductCreate:
    def test_creates_a_product_bought_in_boxes_with_a_vendor_price(self, purchasing_client):
        supplier = vendor(name="Box Vendor")
        data = form(
            purchase_uom=unit("box").pk,
            **rows("conversions", total=1),
            **{"conversions-0-uom": unit("box").pk, "conversions-0-factor": "200"},
            **rows("vendor_prices", total=1),
            **{
                "vendor_prices-0-partner": supplier.pk,
                "vendor_prices-0-price": "7.50",
                "vendor_prices-0-currency": "EUR",
                "vendor_prices-0-min_quantity": "1",
                "vendor_prices-0-lead_time_days": "5",
                "vendor_prices-0-vendor_product_code": "V-123",
            },
        )

        response = purchasing_client.post(reverse("catalog:product-create"), data)

        created = Product.objects.get(sku="SCR-4x40")
        assert response["Location"] == created.get_absolute_url()
        assert created.conversions.get().factor == Decimal("200")
        offer = created.vendor_prices.get()
        assert (offer.partner, offer.uom.code, offer.price, offer.lead_time_days) == (
            supplier,
            "box",
            Decimal("7.50"),
            5,
        )

    def test_a_purchase_unit_without_a_conversion_is_refused_next_to_the_field(self, purchasing_client):
        response = purchasing_client.post(reverse("catalog:product-create"), form(purchase_uom=unit("box").pk))

        assert "does not convert" in str(response.context["form"].errors["purchase_uom"])
        assert not Product.objects.filter(sku="SCR-4x40").exists()

    def test_a_wrong_ean_check_digit_is_shown_next_to_the_barcode(self, purchasing_client):
        response = purchasing_client.post(reverse("catalog:product-create"), form(barcode="4006381333932"))

        assert "check digit" in str(response.context["form"].errors["barcode"])
        assert not Product.objects.exists() or not Product.objects.filter(sku="SCR-4x40").exists()

    def test_a_duplicate_sku_is_refused(self, purchasing_client):
        product(sku="SCR-4x40")

        response = purchasing_client.post(reverse("catalog:product-create"), form(sku="scr-4x40"))

        assert "already exists" in str(response.context["form"].errors["sku"])

    def test_a_service_cannot_be_tracked_by_serial_number(self, purchasing_client):
        response = purchasing_client.post(
            reverse("catalog:product-create"), form(product_type="service", tracking="serial")
        )

        assert "stockable" in str(response.context["form"].errors["tracking"])

    def test_an_invalid_vendor_row_shows_its_error_and_saves_nothing(self, purchasing_client):
        data = form(
            **rows("vendor_prices", total=1), **{"vendor_prices-0-price": "abc", "vendor_prices-0-currency": "EUR"}
        )

        response = purchasing_client.post(reverse("catalog:product-create"), data)

        assert response.status_code == 200
        assert response.context["vendor_set"].forms[0].errors
        assert not Product.objects.filter(sku="SCR-4x40").exists()


class TestProductEdit:
    def test_changes_the_price_and_removes_a_unit(self, purchasing_client):
        made = product(sku="ED-1", conversions={"box": "10"})
        conversion = made.conversions.get()
        data = form(
            sku="ED-1",
            name="Edited",
            sales_price="9.99",
            version=made.version,
            **rows("conversions", total=1, initial=1),
            **{
                "conversions-0-id": conversion.pk,
                "conversions-0-uom": unit("box").pk,
                "conversions-0-factor": "10",
                "conversions-0-DELETE": "on",
            },
        )

        response = purchasing_client.post(reverse("catalog:product-update", args=[made.pk]), data)

        assert response.status_code == 302
        made.refresh_from_db()
        assert (made.name, made.sales_price, made.version) == ("Edited", Decimal("9.99"), 2)
        assert not made.conversions.exists()

    def test_the_update_event_records_the_price_before_the_edit(self, purchasing_client):
        made = product(sku="EV-1", sales_price=Decimal("1.50"))

        purchasing_client.post(
            reverse("catalog:product-update", args=[made.pk]),
            form(sku="EV-1", sales_price="2.00", version=made.version),
        )

        event = BusinessEvent.objects.get(verb="catalog.product.updated", aggregate_id=str(made.pk))
        assert event.data == {"before": {"sales_price": "1.500000"}}

    def test_deactivates(self, purchasing_client):
        made = product()

        purchasing_client.post(reverse("catalog:product-set-active", args=[made.pk]), {"is_active": "0"})

        made.refresh_from_db()
        assert not made.is_active


class TestProductImages:
    def test_uploads_a_picture_with_a_thumbnail_stored_for_the_tenant(self, purchasing_client, media):
        made = product()

        purchasing_client.post(reverse("catalog:product-image-upload", args=[made.pk]), {"image": png()})

        image = ProductImage.objects.get()
        assert image.image.name.startswith("testco/catalog/products/")
        assert image.thumbnail.name.startswith("testco/catalog/thumbnails/")
        with Image.open(image.thumbnail.path) as thumb:
            assert max(thumb.size) <= 160

    def test_serves_the_image_only_with_permission(self, purchasing_client, client_for, user_with_role, media):
        made = product()
        purchasing_client.post(reverse("catalog:product-image-upload", args=[made.pk]), {"image": png()})
        url = reverse("catalog:product-image", args=[made.pk, ProductImage.objects.get().pk])

        shown = purchasing_client.get(url)
        refused = client_for(user_with_role("HR")).get(url)

        assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
        assert refused.status_code == 403

    def test_refuses_a_file_that_is_not_an_image(self, purchasing_client, media):
        made = product()
        fake = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png")

        purchasing_client.post(reverse("catalog:product-image-upload", args=[made.pk]), {"image": fake})

        assert not ProductImage.objects.exists()

    def test_removes_an_image(self, purchasing_client, media):
        made = product()
        purchasing_client.post(reverse("catalog:product-image-upload", args=[made.pk]), {"image": png()})
        image = ProductImage.objects.get()

        purchasing_client.post(reverse("catalog:product-image-delete", args=[made.pk, image.pk]))

        assert not ProductImage.objects.exists()

    def test_an_image_of_another_product_is_not_found_through_this_one(self, purchasing_client, media):
        made, other = product(), product()
        purchasing_client.post(reverse("catalog:product-image-upload", args=[other.pk]), {"image": png()})
        image = ProductImage.objects.get()

        assert purchasing_client.get(reverse("catalog:product-image", args=[made.pk, image.pk])).status_code == 404

"""The product import screen: CSV or Excel upload → preview with every row's errors →
confirm → all rows written, or none; and the product list's Excel export."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from erp.catalog.models import Product
from tests.factories.catalog import category, product

pytestmark = pytest.mark.django_db

URL = reverse("catalog:product-import")
HEADER = ["sku", "name", "type", "category", "base_unit", "purchase_unit", "purchase_factor", "sales_price"]
GOOD = ["SCR-4x40", "Wood screw 4x40", "stockable", "Hardware", "pc", "box", "200", "0.05"]
BAD_UNIT = ["BAD-U", "Bad unit", "stockable", "", "parsec", "", "", "1"]
BAD_CATEGORY = ["BAD-C", "Bad category", "stockable", "Nowhere", "pc", "", "", "1"]
BAD_NUMBER = ["BAD-N", "Bad number", "stockable", "", "pc", "", "", "cheap"]
NO_NAME = ["NO-NAME", "", "stockable", "", "pc", "", "", "1"]


@pytest.fixture
def purchasing_client(client_for, user_with_role):
    return client_for(user_with_role("Purchasing"))


@pytest.fixture
def hardware():
    return category(name="Hardware")


def csv_file(*rows: list[str]) -> SimpleUploadedFile:
    text = "\n".join(",".join(row) for row in (HEADER, *rows)) + "\n"
    return SimpleUploadedFile("products.csv", text.encode("cp1252"), content_type="text/csv")


def xlsx_file(*rows: list) -> SimpleUploadedFile:
    book = Workbook()
    for row in (HEADER, *rows):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("products.xlsx", buffer.getvalue())


def preview(client, upload):
    return client.post(URL, {"file": upload, "preview": "1"})


def errors_by_line(response) -> dict[int, list[str]]:
    return {row.line: row.errors for row in response.context["plan"].rows if row.errors}


class TestPreview:
    def test_a_valid_file_is_shown_with_an_import_button_and_nothing_is_saved(self, purchasing_client, hardware):
        response = preview(purchasing_client, csv_file(GOOD))

        content = response.content.decode()
        assert response.status_code == 200
        assert response.context["counts"]["create"] == 1
        assert "Wood screw 4x40" in content and 'id="import-confirm"' in content
        assert not Product.objects.exists()

    def test_bad_rows_are_listed_with_their_errors_and_no_import_button(self, purchasing_client, hardware):
        response = preview(purchasing_client, csv_file(GOOD, BAD_UNIT, BAD_CATEGORY, BAD_NUMBER, NO_NAME))

        errors = errors_by_line(response)
        content = response.content.decode()
        assert errors == {
            3: ["Unknown unit parsec."],
            4: ["Unknown or ambiguous category “Nowhere”: give its path."],
            5: ["“cheap” is not a number."],
            6: ["The name is missing."],
        }
        assert "Unknown unit parsec." in content and "“cheap” is not a number." in content
        assert 'id="import-confirm"' not in content

    def test_a_windows_1252_file_keeps_its_accents(self, purchasing_client):
        response = preview(purchasing_client, csv_file(["CAFÉ-1", "Café crème", "consumable", "", "pc", "", "", "3"]))

        assert response.context["plan"].rows[0].values["name"] == "Café crème"

    def test_an_excel_workbook_is_previewed_like_a_csv_file(self, purchasing_client, hardware):
        numbers = ["NUM-1", "Numbers", "stockable", "Hardware", "pc", "box", 12, 4.2]

        response = preview(purchasing_client, xlsx_file(GOOD, numbers, BAD_UNIT))

        plan = response.context["plan"]
        assert not plan.errors and [row.action for row in plan.rows[:2]] == ["create", "create"]
        assert plan.rows[1].data["sales_price"] == Decimal("4.2")
        assert plan.rows[1].values["purchase_factor"] == "12"
        assert plan.rows[2].errors == ["Unknown unit parsec."]

    @pytest.mark.parametrize(
        ("upload", "message"),
        [
            (
                SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01"),
                "Missing column(s): sku, name",
            ),
            (SimpleUploadedFile("broken.xlsx", b"PK\x03\x04not really a workbook"), "not a readable Excel workbook"),
            (SimpleUploadedFile("semicolons.csv", b"sku;name\n"), "The file has a header but no rows."),
        ],
    )
    def test_a_file_that_is_not_a_product_list_gives_a_clear_message(self, purchasing_client, upload, message):
        response = preview(purchasing_client, upload)

        assert response.status_code == 200 and message in response.content.decode()
        assert not Product.objects.exists()


class TestConfirm:
    def test_confirming_a_valid_file_imports_every_row(self, purchasing_client, hardware):
        text = preview(purchasing_client, csv_file(GOOD)).context["form"].initial["payload"]

        response = purchasing_client.post(URL, {"payload": text, "confirm": "1"})

        assert response.status_code == 302 and response["Location"] == reverse("catalog:product-list")
        made = Product.objects.get(sku="SCR-4x40")
        assert made.category == hardware and made.conversions.get().factor == Decimal("200")

    def test_confirming_a_file_with_a_bad_row_imports_nothing(self, purchasing_client, hardware):
        text = "\n".join(",".join(row) for row in (HEADER, GOOD, BAD_NUMBER))

        response = purchasing_client.post(URL, {"payload": text, "confirm": "1"})

        assert response.status_code == 200 and "“cheap” is not a number." in response.content.decode()
        assert not Product.objects.exists()

    def test_a_sku_created_since_the_preview_is_updated_by_the_re_checked_plan(self, purchasing_client, hardware):
        second = ["SECOND", "Second", "stockable", "", "pc", "", "", "1"]
        text = "\n".join(",".join(row) for row in (HEADER, GOOD, second))
        # The re-check inside the transaction sees the taken SKU as an update of that product.
        product(sku="SECOND", name="Meanwhile")

        response = purchasing_client.post(URL, {"payload": text, "confirm": "1"})

        assert response.status_code == 302
        assert Product.objects.get(sku="SECOND").name == "Second"


class TestPermissions:
    def test_a_user_without_the_add_right_is_refused(self, client_for, user_with_role):
        warehouse = client_for(user_with_role("Warehouse"))

        assert warehouse.get(URL).status_code == 403
        assert warehouse.post(URL, {"file": csv_file(GOOD), "confirm": "1"}).status_code == 403
        assert not Product.objects.exists()

    def test_the_list_offers_the_import_only_to_users_who_may_add(self, purchasing_client, client_for, user_with_role):
        warehouse = client_for(user_with_role("Warehouse"))

        assert URL in purchasing_client.get(reverse("catalog:product-list")).content.decode()
        assert URL not in warehouse.get(reverse("catalog:product-list")).content.decode()


class TestExport:
    def test_exports_the_filtered_products_to_excel(self, client_for, user_with_role, hardware):
        product(sku="EXP-1", name="Exported bolt", category=hardware, sales_price=Decimal("1.25"))
        product(sku="OTHER-1", name="Not matching")
        warehouse = client_for(user_with_role("Warehouse"))

        response = warehouse.get(reverse("catalog:product-list"), {"q": "Exported", "_export": "xlsx"})

        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "products" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        cells = [str(cell) for row in rows[1:] for cell in row if cell is not None]
        assert len(rows) == 2 and "EXP-1" in cells and "Exported bolt" in cells
        assert "OTHER-1" not in cells

    def test_the_export_is_refused_without_the_right_to_see_products(self, client_for, user_with_role):
        response = client_for(user_with_role("HR")).get(reverse("catalog:product-list"), {"_export": "xlsx"})

        assert response.status_code == 403

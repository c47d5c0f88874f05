"""The partner import screen: CSV or Excel upload → preview with every row's errors →
confirm → all rows written, or none."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from erp.partners.models import Partner, PartnerCategory
from tests.factories.partners import partner

pytestmark = pytest.mark.django_db

URL = reverse("partners:partner-import")
HEADER = ["code", "name", "roles", "country", "tax_id", "credit_limit", "categories", "street", "postal_code", "city"]
GOOD = ["C-100", "Muster GmbH", "customer", "DE", "DE136695976", "5000", "Wholesale", "Hauptstr. 1", "10115", "Berlin"]
BAD_VAT = ["C-101", "Falsch AG", "customer", "DE", "DE136695977", "", "", "", "", ""]
NO_NAME = ["C-102", "", "vendor", "DE", "", "", "", "", "", ""]
BAD_NUMBER = ["C-103", "Zahl KG", "customer", "DE", "", "viel", "", "", "", ""]


@pytest.fixture
def sales_client(client_for, user_with_role):
    return client_for(user_with_role("Sales"))


def csv_file(*rows: list[str], name: str = "partners.csv") -> SimpleUploadedFile:
    text = "\n".join(",".join(row) for row in (HEADER, *rows)) + "\n"
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def xlsx_file(*rows: list) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in (HEADER, *rows):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(
        "partners.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def preview(client, upload):
    return client.post(URL, {"file": upload, "preview": "1"})


def errors_by_line(response) -> dict[int, list[str]]:
    return {row.line: row.errors for row in response.context["plan"].rows if row.errors}


class TestPreview:
    def test_the_empty_screen_explains_the_columns(self, sales_client):
        response = sales_client.get(URL)

        content = response.content.decode()
        assert response.status_code == 200
        assert "allow_duplicate" in content and "Muster GmbH" in content  # column help and example
        assert 'id="import-preview"' not in content

    def test_a_valid_csv_is_shown_with_an_import_button_and_nothing_is_saved(self, sales_client):
        response = preview(sales_client, csv_file(GOOD))

        content = response.content.decode()
        assert response.status_code == 200
        assert response.context["counts"] == {"create": 1, "update": 0, "unchanged": 0, "invalid": 0}
        assert "Muster GmbH" in content and 'id="import-confirm"' in content
        assert not Partner.objects.exists()

    def test_bad_rows_are_listed_with_their_errors_and_no_import_button(self, sales_client):
        response = preview(sales_client, csv_file(GOOD, BAD_VAT, NO_NAME, BAD_NUMBER))

        content = response.content.decode()
        errors = errors_by_line(response)
        assert set(errors) == {3, 4, 5}
        assert "not a valid EU VAT number" in errors[3][0]
        assert errors[4] == ["The name is missing."]
        assert "“viel” is not a number." in errors[5]
        assert "The name is missing." in content and "DE136695977" in content
        assert 'id="import-confirm"' not in content
        assert response.context["counts"]["invalid"] == 3 and response.context["counts"]["create"] == 1

    def test_an_excel_workbook_is_previewed_like_a_csv_file(self, sales_client):
        numbers = ["C-200", "Zahlen GmbH", "customer", "DE", "", 2500.0, "", "Ring 1", 50667, "Köln"]

        response = preview(sales_client, xlsx_file(GOOD, numbers, BAD_VAT))

        plan = response.context["plan"]
        assert response.status_code == 200 and not plan.errors
        assert [row.action for row in plan.rows[:2]] == ["create", "create"]
        assert plan.rows[1].values["credit_limit"] == "2500" and plan.rows[1].values["postal_code"] == "50667"
        assert "not a valid EU VAT number" in plan.rows[2].errors[0]

    def test_a_similar_existing_partner_is_flagged_on_its_row(self, sales_client):
        existing = partner(name="Muster AG")

        response = preview(sales_client, csv_file(GOOD))

        (error,) = errors_by_line(response)[2]
        assert existing.code in error and "allow_duplicate" in error
        assert 'id="import-confirm"' not in response.content.decode()

    @pytest.mark.parametrize(
        ("upload", "message"),
        [
            (
                SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01"),
                "Missing column(s): name",
            ),
            (SimpleUploadedFile("empty.csv", b""), "Choose a CSV or Excel file"),
            (SimpleUploadedFile("broken.xlsx", b"PK\x03\x04garbage"), "not a readable Excel workbook"),
            (SimpleUploadedFile("header.csv", b"code,name\n"), "The file has a header but no rows."),
        ],
    )
    def test_a_file_that_is_not_a_partner_list_gives_a_clear_message(self, sales_client, upload, message):
        response = preview(sales_client, upload)

        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Partner.objects.exists()

    def test_without_a_file_the_form_asks_for_one(self, sales_client):
        response = sales_client.post(URL, {"preview": "1"})

        assert response.status_code == 200 and "Choose a CSV or Excel file" in response.content.decode()


class TestConfirm:
    def test_confirming_a_valid_file_imports_every_row(self, sales_client):
        text = preview(sales_client, csv_file(GOOD)).context["form"].initial["payload"]

        response = sales_client.post(URL, {"payload": text, "confirm": "1"})

        assert response.status_code == 302 and response["Location"] == reverse("partners:partner-list")
        made = Partner.objects.get(code="C-100")
        assert made.tax_id == "DE136695976" and made.addresses.get().city == "Berlin"
        assert list(made.categories.values_list("name", flat=True)) == ["Wholesale"]

    def test_confirming_a_file_with_a_bad_row_imports_nothing(self, sales_client):
        text = "\n".join(",".join(row) for row in (HEADER, GOOD, BAD_VAT))

        response = sales_client.post(URL, {"payload": text, "confirm": "1"})

        assert response.status_code == 200
        assert "not a valid EU VAT number" in response.content.decode()
        assert not Partner.objects.exists() and not PartnerCategory.objects.exists()

    def test_a_value_too_long_for_the_database_is_a_row_error_not_a_failure(self, sales_client):
        too_long = ["C-400", "N" * 201, "customer", "DE", "", "", "", "", "", ""]
        text = "\n".join(",".join(row) for row in (HEADER, GOOD, too_long))

        response = sales_client.post(URL, {"payload": text, "confirm": "1"})

        assert response.status_code == 200
        assert "name: at most 200 characters, not 201." in response.content.decode()
        assert not Partner.objects.exists()

    def test_a_row_that_became_invalid_since_the_preview_stops_the_whole_import(self, sales_client):
        second = ["C-300", "Zweiter Partner", "vendor", "DE", "", "", "Neu", "", "", ""]
        text = preview(sales_client, csv_file(GOOD, second)).context["form"].initial["payload"]
        partner(name="Anderer Name", tax_id="DE136695976", country="DE")  # meanwhile

        response = sales_client.post(URL, {"payload": text, "confirm": "1"})

        assert response.status_code == 200
        assert "already has the tax id" in response.content.decode()
        assert not Partner.objects.filter(code__in=["C-100", "C-300"]).exists()
        assert not PartnerCategory.objects.exists()


class TestPermissions:
    def test_a_user_who_may_only_look_is_refused(self, client_for, user_with_role):
        accountant = client_for(user_with_role("Accountant"))

        assert accountant.get(URL).status_code == 403
        response = accountant.post(URL, {"file": csv_file(GOOD), "confirm": "1"})
        assert response.status_code == 403 and not Partner.objects.exists()

    def test_the_list_offers_the_import_only_to_users_who_may_add(self, sales_client, client_for, user_with_role):
        accountant = client_for(user_with_role("Accountant"))

        assert URL in sales_client.get(reverse("partners:partner-list")).content.decode()
        assert URL not in accountant.get(reverse("partners:partner-list")).content.decode()

"""Business partner screens: list, detail, create/edit with addresses and contacts, duplicates,
(de)activate, attachments."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from erp.core.models import Attachment, BusinessEvent
from erp.partners.models import Address, Contact, Partner
from tests.factories.isolation import record_of_other_tenant
from tests.factories.partners import category, partner, payment_term

LIST_BUDGET, DETAIL_BUDGET = 15, 25


@pytest.fixture
def sales_client(client_for, user_with_role):
    return client_for(user_with_role("Sales"))


@pytest.fixture
def accountant_client(client_for, user_with_role):
    return client_for(user_with_role("Accountant"))


def management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def form(**changes) -> dict:
    data = {
        "name": "Muster Handel GmbH",
        "is_customer": "on",
        "country": "DE",
        "tax_id": "DE136695976",
        "credit_limit": "5000",
        **management("addresses"),
        **management("contacts"),
    }
    data.update(changes)
    return data


def address(index: int, **values) -> dict:
    row = {
        "address_type": "billing",
        "street": "Hauptstr. 1",
        "postal_code": "10115",
        "city": "Berlin",
        "country": "DE",
    }
    row.update(values)
    return {f"addresses-{index}-{key}": value for key, value in row.items()}


def contact(index: int, **values) -> dict:
    row = {"name": "Erika Muster", "role": "Purchasing", "email": "erika@example.com"}
    row.update(values)
    return {f"contacts-{index}-{key}": value for key, value in row.items()}


class TestPartnerList:
    def test_lists_partners_with_roles_and_categories_within_the_budget(
        self, sales_client, django_assert_max_num_queries
    ):
        wholesale = category("Wholesale")
        for number in range(30):
            made = partner(name=f"Customer {number:02d}", is_vendor=number % 2 == 0)
            made.categories.add(wholesale)

        with django_assert_max_num_queries(LIST_BUDGET):
            response = sales_client.get(reverse("partners:partner-list"))

        content = response.content.decode()
        assert response.status_code == 200
        assert "Customer 00" in content and "Wholesale" in content and "Vendor" in content

    def test_filters_by_role_category_country_and_text(self, sales_client):
        vip = category("VIP")
        partner(name="Alpha Supplies", is_vendor=True, country="FR")
        beta = partner(name="Beta Retail", country="DE")
        beta.categories.add(vip)

        by_role = sales_client.get(reverse("partners:partner-list"), {"role": "is_vendor"}).content.decode()
        by_category = sales_client.get(reverse("partners:partner-list"), {"category": vip.pk}).content.decode()
        by_country = sales_client.get(reverse("partners:partner-list"), {"country": "FR"}).content.decode()
        by_text = sales_client.get(reverse("partners:partner-list"), {"q": "beta"}).content.decode()

        assert "Alpha Supplies" in by_role and "Beta Retail" not in by_role
        assert "Beta Retail" in by_category and "Alpha Supplies" not in by_category
        assert "Alpha Supplies" in by_country and "Beta Retail" not in by_country
        assert "Beta Retail" in by_text and "Alpha Supplies" not in by_text

    def test_filters_inactive_partners(self, sales_client):
        gone = partner(name="Gone Ltd")
        gone.is_active = False
        gone.save()
        partner(name="Here Ltd")

        content = sales_client.get(reverse("partners:partner-list"), {"is_active": "false"}).content.decode()

        assert "Gone Ltd" in content and "Here Ltd" not in content

    def test_htmx_gets_only_the_table(self, sales_client):
        partner(name="Table Only")

        response = sales_client.get(reverse("partners:partner-list"), {"q": "Table"}, HTTP_HX_REQUEST="true")

        assert "Table Only" in response.content.decode()
        assert "<html" not in response.content.decode()

    def test_exports_the_filtered_list(self, sales_client):
        partner(name="Exported One", tax_id="DE136695976", country="DE")

        response = sales_client.get(reverse("partners:partner-list"), {"q": "Exported", "_export": "csv"})

        assert response["Content-Type"].startswith("text/csv")
        assert "Exported One" in response.content.decode() and "DE136695976" in response.content.decode()

    def test_exports_excel(self, sales_client):
        partner(name="Exported Two")

        response = sales_client.get(reverse("partners:partner-list"), {"_export": "xlsx"})

        assert response["Content-Type"].startswith("application/vnd.openxmlformats")

    def test_is_refused_without_partner_rights(self, client_for, user_with_role):
        assert client_for(user_with_role("Warehouse")).get(reverse("partners:partner-list")).status_code == 403


class TestPartnerDetail:
    def test_shows_addresses_contacts_terms_and_accounts_within_the_budget(
        self, sales_client, django_assert_max_num_queries
    ):
        term = payment_term(code="N45", name="45 days", net_days=45)
        made = partner(name="Detail GmbH", payment_term=term, tax_id="DE136695976", country="DE")
        Address.objects.create(partner=made, street="Ring 5", city="Köln", country="DE", is_default=True)
        Contact.objects.create(partner=made, name="Max Kontakt", role="Buyer")

        with django_assert_max_num_queries(DETAIL_BUDGET):
            response = sales_client.get(made.get_absolute_url())

        content = response.content.decode()
        assert response.status_code == 200
        assert "Ring 5" in content and "Max Kontakt" in content and "N45" in content
        assert "from the chart" in content  # receivable account from the chart's role
        assert 'id="timeline"' in content and 'id="attachments"' in content

    def test_another_tenants_partner_is_not_found(self, sales_client, other_tenant):
        foreign = record_of_other_tenant(other_tenant, lambda: partner(name="Foreign"))

        assert sales_client.get(reverse("partners:partner-detail", args=[foreign.pk])).status_code == 404
        assert sales_client.get(reverse("partners:partner-update", args=[foreign.pk])).status_code == 404

    def test_is_refused_without_partner_rights(self, client_for, user_with_role):
        made = partner()

        assert client_for(user_with_role("Warehouse")).get(made.get_absolute_url()).status_code == 403


class TestPartnerCreate:
    def test_creates_a_partner_with_addresses_and_contacts(self, sales_client):
        data = form(
            **management("addresses", total=2),
            **address(0),
            **address(1, address_type="shipping", street="Lager 9", city="Potsdam"),
            **management("contacts", total=1),
            **contact(0, is_primary="on"),
        )

        response = sales_client.post(reverse("partners:partner-create"), data)

        created = Partner.objects.get(name="Muster Handel GmbH")
        assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
        assert created.code.startswith("P") and created.tax_id == "DE136695976"
        assert created.credit_limit == Decimal("5000")
        assert sorted(created.addresses.values_list("address_type", "is_default")) == [
            ("billing", True),
            ("shipping", True),
        ]
        assert created.contacts.get().is_primary

    def test_normalises_a_vat_number_without_its_prefix(self, sales_client):
        sales_client.post(reverse("partners:partner-create"), form(tax_id="136 695 976"))

        assert Partner.objects.get(name="Muster Handel GmbH").tax_id == "DE136695976"

    def test_a_wrong_check_digit_is_shown_next_to_the_tax_id_and_nothing_is_saved(self, sales_client):
        response = sales_client.post(
            reverse("partners:partner-create"),
            form(tax_id="DE136695977", **management("contacts", total=1), **contact(0)),
        )

        assert response.status_code == 200
        assert "not a valid EU VAT number" in str(response.context["form"].errors["tax_id"])
        assert not Partner.objects.filter(name="Muster Handel GmbH").exists()
        assert not Contact.objects.filter(name="Erika Muster").exists()

    def test_requires_a_name_and_a_role(self, sales_client):
        response = sales_client.post(reverse("partners:partner-create"), form(name="", is_customer=""))

        errors = response.context["form"].errors
        assert "name" in errors and "is_customer" in errors
        assert not Partner.objects.exists() or not Partner.objects.filter(name="").exists()

    def test_an_invalid_address_row_shows_its_error_and_saves_nothing(self, sales_client):
        data = form(**management("addresses", total=1), **address(0, city=""))

        response = sales_client.post(reverse("partners:partner-create"), data)

        assert response.status_code == 200
        assert response.context["address_set"].forms[0].errors["city"]
        assert not Partner.objects.filter(name="Muster Handel GmbH").exists()

    def test_two_default_billing_addresses_are_refused(self, sales_client):
        data = form(
            **management("addresses", total=2),
            **address(0, is_default="on"),
            **address(1, is_default="on", street="Zweite 2"),
        )

        response = sales_client.post(reverse("partners:partner-create"), data)

        assert "Only one billing address" in response.content.decode()
        assert not Partner.objects.filter(name="Muster Handel GmbH").exists()

    def test_warns_about_a_similar_partner_and_creates_after_confirmation(self, sales_client):
        existing = partner(name="Muster Handel AG")

        warned = sales_client.post(reverse("partners:partner-create"), form(tax_id=""))

        assert warned.status_code == 200
        assert existing.get_absolute_url() in warned.content.decode()
        assert Partner.objects.filter(name="Muster Handel GmbH").count() == 0

        confirmed = sales_client.post(reverse("partners:partner-create"), form(tax_id="", confirm_duplicate="1"))

        assert confirmed.status_code == 302
        assert Partner.objects.filter(name="Muster Handel GmbH").count() == 1

    def test_warns_about_the_same_tax_id_under_another_name(self, sales_client):
        existing = partner(name="Completely Different", tax_id="DE136695976", country="DE")

        warned = sales_client.post(reverse("partners:partner-create"), form())

        content = warned.content.decode()
        assert existing.get_absolute_url() in content and "same tax id" in content

    def test_under_htmx_an_invalid_form_comes_back_as_the_form_partial(self, sales_client):
        response = sales_client.post(reverse("partners:partner-create"), form(name=""), HTTP_HX_REQUEST="true")

        assert response.status_code == 200
        assert 'id="erp-form"' in response.content.decode() and "<html" not in response.content.decode()

    def test_adding_a_row_without_script_re_renders_and_saves_nothing(self, sales_client):
        response = sales_client.post(reverse("partners:partner-create"), form(_op="add:contacts"))

        assert response.status_code == 200
        assert len(response.context["contact_set"].forms) == 1
        assert not Partner.objects.filter(name="Muster Handel GmbH").exists()

    def test_the_form_offers_an_empty_row_template_for_each_formset(self, sales_client):
        content = sales_client.get(reverse("partners:partner-create")).content.decode()

        assert 'id="addresses-empty"' in content and 'id="contacts-empty"' in content

    def test_an_accountant_may_only_look(self, accountant_client):
        assert accountant_client.get(reverse("partners:partner-list")).status_code == 200
        assert accountant_client.get(reverse("partners:partner-create")).status_code == 403


class TestPartnerEdit:
    def test_edits_fields_moves_the_default_address_and_removes_a_contact(self, sales_client):
        made = partner(name="Edit Me")
        first = Address.objects.create(partner=made, street="Old 1", city="A", country="DE", is_default=True)
        second = Address.objects.create(partner=made, street="New 2", city="B", country="DE")
        gone = Contact.objects.create(partner=made, name="Leaving")
        data = form(
            name="Edited",
            tax_id="",
            version=made.version,
            **management("addresses", total=2, initial=2),
            **address(0, id=first.pk, street="Old 1", city="A"),
            **address(1, id=second.pk, street="New 2", city="B", is_default="on"),
            **management("contacts", total=1, initial=1),
            **contact(0, id=gone.pk, name="Leaving", DELETE="on"),
        )

        response = sales_client.post(reverse("partners:partner-update", args=[made.pk]), data)

        assert response.status_code == 302
        made.refresh_from_db()
        assert made.name == "Edited" and made.version == 2
        assert list(made.addresses.filter(is_default=True).values_list("street", flat=True)) == ["New 2"]
        assert not made.contacts.exists()

    def test_the_update_event_records_the_name_before_the_edit(self, sales_client):
        made = partner(name="Before Edit")

        sales_client.post(
            reverse("partners:partner-update", args=[made.pk]), form(name="After Edit", tax_id="", version=1)
        )

        event = BusinessEvent.objects.get(verb="partners.partner.updated", aggregate_id=str(made.pk))
        assert event.data == {"before": {"name": "Before Edit", "credit_limit": "0.00"}}

    def test_refuses_a_stale_version(self, sales_client):
        made = partner(name="Stale")

        response = sales_client.post(reverse("partners:partner-update", args=[made.pk]), form(name="X", version=0))

        assert "Someone else changed" in response.content.decode()
        made.refresh_from_db()
        assert made.name == "Stale"

    def test_cannot_change_the_address_of_another_partner(self, sales_client):
        made, other = partner(), partner()
        foreign = Address.objects.create(partner=other, street="Theirs", city="X", country="DE")
        data = form(
            version=made.version,
            **management("addresses", total=1, initial=1),
            **address(0, id=foreign.pk, street="Hijacked"),
        )

        sales_client.post(reverse("partners:partner-update", args=[made.pk]), data)

        foreign.refresh_from_db()
        assert (foreign.partner_id, foreign.street) == (other.pk, "Theirs")


class TestPartnerDeactivate:
    def test_deactivates_and_reactivates(self, sales_client):
        made = partner()

        sales_client.post(reverse("partners:partner-set-active", args=[made.pk]), {"is_active": "0"})
        made.refresh_from_db()
        assert not made.is_active

        sales_client.post(reverse("partners:partner-set-active", args=[made.pk]), {"is_active": "1"})
        made.refresh_from_db()
        assert made.is_active

    def test_is_refused_to_a_user_who_may_only_look(self, accountant_client):
        made = partner()

        response = accountant_client.post(reverse("partners:partner-set-active", args=[made.pk]), {"is_active": "0"})

        assert response.status_code == 403
        made.refresh_from_db()
        assert made.is_active


class TestPartnerAttachments:
    def test_uploads_lists_downloads_and_removes_a_file(self, sales_client, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        made = partner()
        upload = SimpleUploadedFile("contract.pdf", b"%PDF-1.4 test", content_type="application/pdf")

        sales_client.post(reverse("partners:partner-attachment-upload", args=[made.pk]), {"file": upload})

        attachment = Attachment.objects.get()
        assert attachment.file.name.startswith("testco/attachments/")
        assert "contract.pdf" in sales_client.get(made.get_absolute_url()).content.decode()
        download = sales_client.get(reverse("partners:partner-attachment-download", args=[made.pk, attachment.pk]))
        assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
        assert "attachment" in download["Content-Disposition"]

        sales_client.post(reverse("partners:partner-attachment-delete", args=[made.pk, attachment.pk]))

        assert not Attachment.objects.exists()

    def test_a_user_who_may_only_look_can_download_but_not_upload(self, accountant_client, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        made = partner()
        upload = SimpleUploadedFile("x.txt", b"x")

        response = accountant_client.post(
            reverse("partners:partner-attachment-upload", args=[made.pk]), {"file": upload}
        )

        assert response.status_code == 403 and not Attachment.objects.exists()

    def test_an_attachment_of_another_partner_is_not_found_through_this_one(self, sales_client, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        made, other = partner(), partner()
        sales_client.post(
            reverse("partners:partner-attachment-upload", args=[other.pk]),
            {"file": SimpleUploadedFile("secret.txt", b"secret")},
        )
        attachment = Attachment.objects.get()

        response = sales_client.get(reverse("partners:partner-attachment-download", args=[made.pk, attachment.pk]))

        assert response.status_code == 404

    def test_programs_are_refused(self, sales_client, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        made = partner()

        sales_client.post(
            reverse("partners:partner-attachment-upload", args=[made.pk]),
            {"file": SimpleUploadedFile("run.exe", b"MZ")},
        )

        assert not Attachment.objects.exists()

"""Custom fields: the administrator's screens, and a field of each type through a document's
form, list filter, list column, export, detail page and history."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from erp.core.customfields import services
from erp.core.customfields.models import CustomField, FieldType
from erp.finance.journal.models import JournalEntry
from erp.partners.services import partner_create
from tests.factories.ledger import chart, fiscal_years

pytestmark = pytest.mark.django_db

JOURNAL_ENTRY = "finance.journalentry"


@pytest.fixture
def stranger(client_for, user_with_role):
    return client_for(user_with_role("Sales"))


def definition(code: str, field_type: str, **options) -> CustomField:
    return services.customfield_create(
        model=options.pop("model", JOURNAL_ENTRY),
        code=code,
        field_type=field_type,
        label=options.pop("label", code.replace("_", " ").capitalize()),
        by=None,
        **options,
    )


def definition_form(**fields) -> dict:
    data = {
        "model": JOURNAL_ENTRY,
        "label": "Cost centre",
        "code": "cost_centre",
        "field_type": FieldType.TEXT,
        "required": "",
        "default": "",
        "help_text": "",
        "choices": "",
        "lookup_model": "",
        "min_value": "",
        "max_value": "",
        "max_length": "",
        "position": "100",
        "show_in_list": "",
        "show_in_filter": "on",
        "version": "",
    }
    data.update(fields)
    return data


class TestDefinitionScreens:
    def test_lists_the_fields_in_a_few_queries(self, admin_client, django_assert_max_num_queries):
        for number in range(5):
            definition(f"field_{number}", FieldType.TEXT)

        with django_assert_max_num_queries(15):
            response = admin_client.get(reverse("core:customfield-list"))

        assert len(response.context["table"].rows) == 5
        assert "Journal entry" in response.content.decode()

    def test_adds_a_choice_field(self, admin_client):
        data = definition_form(label="Region", code="region", field_type=FieldType.CHOICE, choices="North\nSouth\n")

        response = admin_client.post(reverse("core:customfield-create"), data)

        field = CustomField.objects.get()
        assert response.status_code == 302
        assert (field.model, field.code, field.choices) == (JOURNAL_ENTRY, "region", ["North", "South"])

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"code": "Cost Centre"}, "Lower-case letters, digits and underscores"),
            ({"field_type": FieldType.CHOICE}, "Enter at least one choice."),
            ({"field_type": FieldType.LOOKUP}, "Choose the kind of record the field links to."),
            ({"field_type": FieldType.NUMBER, "min_value": "10", "max_value": "1"}, "must not be greater"),
            ({"field_type": FieldType.DATE, "default": "31.12.2026"}, "is not a valid value"),
        ],
    )
    def test_refuses_a_definition_that_cannot_work(self, admin_client, changes, message):
        response = admin_client.post(reverse("core:customfield-create"), definition_form(**changes))

        assert message in response.content.decode()
        assert not CustomField.objects.exists()

    def test_refuses_a_second_field_with_the_same_code(self, admin_client):
        definition("cost_centre", FieldType.TEXT)

        response = admin_client.post(reverse("core:customfield-create"), definition_form())

        assert "already has a field with the code cost_centre" in response.content.decode()

    def test_edits_a_field_but_not_its_code_or_type(self, admin_client):
        field = definition("cost_centre", FieldType.TEXT)
        data = definition_form(label="Cost center", code="other", field_type=FieldType.DATE, version=field.version)

        admin_client.post(reverse("core:customfield-update", args=[field.pk]), data)

        field.refresh_from_db()
        assert (field.label, field.code, field.field_type) == ("Cost center", "cost_centre", FieldType.TEXT)

    def test_refuses_a_user_without_the_permission(self, stranger):
        field = definition("cost_centre", FieldType.TEXT)

        assert stranger.get(reverse("core:customfield-list")).status_code == 403
        assert stranger.get(reverse("core:customfield-create")).status_code == 403
        assert stranger.get(reverse("core:customfield-update", args=[field.pk])).status_code == 403
        assert stranger.post(reverse("core:customfield-delete", args=[field.pk])).status_code == 403

    def test_another_tenants_field_is_not_found(self, other_admin_client):
        field = definition("cost_centre", FieldType.TEXT)

        assert other_admin_client.get(reverse("core:customfield-update", args=[field.pk])).status_code == 404
        assert other_admin_client.post(reverse("core:customfield-delete", args=[field.pk])).status_code == 404


@pytest.fixture
def books(admin_user):
    return chart(), fiscal_years(1, by=admin_user)


def entry_form(books, organization, **custom) -> dict:
    accounts, years = books
    data = {
        "organization": organization.pk,
        "accounting_date": years[0].start_date.replace(month=2, day=1).isoformat(),
        "description": "With custom fields",
        "currency": "EUR",
        "exchange_rate": "",
        "external_reference": "",
        "notes": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, (account, debit, credit) in enumerate([(accounts.rent, "100", ""), (accounts.bank, "", "100")]):
        data.update(
            {
                f"lines-{index}-account": account.pk,
                f"lines-{index}-description": "",
                f"lines-{index}-partner": "",
                f"lines-{index}-organization": "",
                f"lines-{index}-analytic_tag": "",
                f"lines-{index}-debit": debit,
                f"lines-{index}-credit": credit,
            }
        )
    data.update({f"cf_{code}": value for code, value in custom.items()})
    return data


def _acme():
    return partner_create(name="ACME", code="ACME1")


def _globex():
    return partner_create(name="Globex", code="GLOBEX1")


# type, definition options, form value, stored JSON, matching filter, other filter, shown/exported text
ROUND_TRIPS = [
    (FieldType.TEXT, {}, "Berlin office", "Berlin office", "berlin", "paris", "Berlin office"),
    (FieldType.NUMBER, {}, "42", 42, {"_min": "40"}, {"_min": "43"}, "42"),
    (FieldType.DECIMAL, {}, "1250.50", "1250.50", {"_max": "1300"}, {"_max": "1000"}, "1250.50"),
    (FieldType.DATE, {}, "2026-05-01", "2026-05-01", {"_min": "2026-04-01"}, {"_min": "2026-06-01"}, "2026-05-01"),
    (FieldType.BOOLEAN, {}, "on", True, "true", "false", "Yes"),
    (FieldType.CHOICE, {"choices": ["A", "B"]}, "B", "B", "B", "A", "B"),
    (FieldType.LOOKUP, {"lookup_model": "partners.partner"}, _acme, None, _acme, _globex, "ACME (ACME1)"),
]


class TestEveryTypeRoundTrips:
    @pytest.mark.parametrize(
        ("field_type", "options", "entered", "stored", "matching", "other", "shown"),
        ROUND_TRIPS,
        ids=[row[0] for row in ROUND_TRIPS],
    )
    def test_through_form_filter_column_export_and_detail(
        self, admin_client, books, root_organization, field_type, options, entered, stored, matching, other, shown
    ):
        definition("extra", field_type, label="Extra", show_in_list=True, **options)
        other_partner = other() if callable(other) else None
        value = entered() if callable(entered) else entered
        if field_type == FieldType.LOOKUP:
            stored = {"id": value.pk, "label": str(value)}
            matching, other = value, other_partner
        form_value = value.pk if hasattr(value, "pk") else value

        created = admin_client.post(
            reverse("finance:journalentry-create"), entry_form(books, root_organization, extra=form_value)
        )
        admin_client.post(reverse("finance:journalentry-create"), entry_form(books, root_organization))

        assert created.status_code == 302, created.content.decode()[:2000]
        entry = JournalEntry.objects.order_by("pk").first()
        assert entry.custom_fields == {"extra": stored}

        def filtered(spec) -> list[int]:
            if isinstance(spec, dict):
                params = {f"cf_extra{suffix}": bound for suffix, bound in spec.items()}
            else:
                params = {"cf_extra": spec.pk if hasattr(spec, "pk") else spec}
            response = admin_client.get(reverse("finance:journalentry-list"), params)
            assert response.status_code == 200
            return [row.record.pk for row in response.context["table"].rows]

        assert filtered(matching) == [entry.pk]
        assert entry.pk not in filtered(other)

        listing = admin_client.get(reverse("finance:journalentry-list"))
        columns = {column.name: column.header for column in listing.context["table"].columns}
        assert columns["cf_extra"] == "Extra"
        exported = admin_client.get(reverse("finance:journalentry-list"), {"_export": "csv"})
        rows = list(csv.reader(io.StringIO(exported.content.decode())))
        column = rows[0].index("Extra")
        assert shown in [row[column] for row in rows[1:]]

        detail = admin_client.get(entry.get_absolute_url())
        assert shown in detail.content.decode()
        edit = admin_client.get(reverse("finance:journalentry-update", args=[entry.pk]))
        assert edit.context["form"].initial["cf_extra"] not in (None, "")


class TestFormRules:
    def test_a_required_field_without_a_value_is_refused_next_to_the_field(
        self, admin_client, books, root_organization
    ):
        definition("cost_centre", FieldType.TEXT, label="Cost centre", required=True)

        response = admin_client.post(reverse("finance:journalentry-create"), entry_form(books, root_organization))

        assert response.status_code == 200
        assert response.context["form"].errors["cf_cost_centre"] == ["This field is required."]
        assert not JournalEntry.objects.exists()

    def test_limits_are_checked(self, admin_client, books, root_organization):
        definition("hours", FieldType.NUMBER, min_value=1, max_value=8)

        response = admin_client.post(
            reverse("finance:journalentry-create"), entry_form(books, root_organization, hours="9")
        )

        assert "Ensure this value is less than or equal to 8" in response.content.decode()

    def test_a_new_record_starts_with_the_default(self, admin_client):
        definition("region", FieldType.CHOICE, choices=["North", "South"], default="South")

        response = admin_client.get(reverse("finance:journalentry-create"))

        assert response.context["form"].initial["cf_region"] == "South"


class TestRemovedFields:
    def test_values_stay_readable_after_the_field_is_removed(self, admin_client, books, root_organization):
        field = definition("cost_centre", FieldType.TEXT, label="Cost centre")
        admin_client.post(
            reverse("finance:journalentry-create"), entry_form(books, root_organization, cost_centre="CC-7")
        )
        entry = JournalEntry.objects.get()

        admin_client.post(reverse("core:customfield-delete", args=[field.pk]), {"reason": "Not needed"})
        detail = admin_client.get(entry.get_absolute_url())
        form = admin_client.get(reverse("finance:journalentry-update", args=[entry.pk]))

        content = detail.content.decode()
        assert "CC-7" in content and "removed field" in content
        assert "cf_cost_centre" not in form.context["form"].fields
        assert entry.history.first().custom_fields == {"cost_centre": "CC-7"}
        entry.refresh_from_db()
        assert entry.custom_fields == {"cost_centre": "CC-7"}

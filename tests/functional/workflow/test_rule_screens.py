"""The business rule screens: list, write with the condition builder, read, try on a record, switch, delete."""

from __future__ import annotations

import pytest
from django.urls import reverse

from erp.workflow import services
from erp.workflow.models import BusinessRule, Trigger
from tests.factories.ledger import chart, fiscal_years
from tests.factories.workflow import JOURNAL_ENTRY, above, entry_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_seeded_rules")]


def formset(prefix: str, rows: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def rule_form(*, rows=None, groups=None, actions=None, top="all", **fields) -> dict:
    data = {
        "name": "Large entries",
        "subject": JOURNAL_ENTRY,
        "trigger": Trigger.BEFORE_COMPLETE,
        "priority": "10",
        "description": "",
        "cond-top-match": top,
    }
    data.update(fields)
    data.update(formset("cond-group", groups or [{"match": "all"}]))
    data.update(
        formset(
            "cond-row",
            rows if rows is not None else [{"group": "0", "field": "total_gross", "op": "gt", "value": "5000"}],
        )
    )
    data.update(formset("action", actions or [{"type": "block", "message": "Too large"}]))
    return data


def a_rule(**fields) -> BusinessRule:
    return services.rule_create(
        name=fields.pop("name", "Large entries"),
        subject=JOURNAL_ENTRY,
        trigger=fields.pop("trigger", Trigger.BEFORE_COMPLETE),
        conditions=fields.pop("conditions", above("5000")),
        actions=fields.pop("actions", [{"type": "block", "message": "Too large"}]),
        by=None,
        **fields,
    )


@pytest.fixture
def stranger(client_for, user_with_role):
    return client_for(user_with_role("Sales"))


class TestRuleList:
    def test_lists_the_rules_with_their_record_type(self, admin_client, django_assert_max_num_queries):
        for number in range(5):
            a_rule(name=f"Rule {number}")

        with django_assert_max_num_queries(15):
            response = admin_client.get(reverse("workflow:rule-list"))

        assert response.status_code == 200
        assert [row.record.name for row in response.context["table"].rows] == [f"Rule {n}" for n in range(5)]
        assert "Journal entry" in response.content.decode()

    def test_filters_by_activation(self, admin_client):
        a_rule(name="On")
        a_rule(name="Off", is_active=False)

        response = admin_client.get(reverse("workflow:rule-list"), {"is_active": "false"}, HTTP_HX_REQUEST="true")

        assert [row.record.name for row in response.context["table"].rows] == ["Off"]
        assert "<html" not in response.content.decode()

    def test_refuses_a_user_without_the_permission(self, stranger):
        assert stranger.get(reverse("workflow:rule-list")).status_code == 403


class TestRuleCreate:
    def test_shows_the_builder_with_one_empty_condition_and_one_action(self, admin_client):
        response = admin_client.get(reverse("workflow:rule-create"))

        content = response.content.decode()
        assert response.status_code == 200
        assert 'id="cond-builder"' in content and 'name="cond-row-0-field"' in content
        assert 'name="action-0-type"' in content
        assert 'name="cond-row-1-field"' not in content

    def test_saves_a_rule_written_with_rows(self, admin_client):
        data = rule_form(
            rows=[
                {"group": "0", "field": "total_gross", "op": "gt", "value": "5000"},
                {"group": "0", "field": "notes", "op": "contains", "value": "urgent"},
                {
                    "group": "1",
                    "field": "document_date",
                    "op": "between",
                    "value": "2026-01-01",
                    "value_to": "2026-03-31",
                },
            ],
            groups=[{"match": "all"}, {"match": "any"}],
            top="any",
            actions=[
                {"type": "block", "message": "Too large"},
                {"type": "set_field", "field": "notes", "value": "checked"},
            ],
        )

        response = admin_client.post(reverse("workflow:rule-create"), data)

        rule = BusinessRule.objects.get()
        assert response.status_code == 302 and response["Location"] == rule.get_absolute_url()
        assert rule.conditions == {
            "any": [
                {
                    "all": [
                        {"field": "total_gross", "op": "gt", "value": "5000"},
                        {"field": "notes", "op": "contains", "value": "urgent"},
                    ]
                },
                {"any": [{"field": "document_date", "op": "between", "value": ["2026-01-01", "2026-03-31"]}]},
            ]
        }
        assert rule.actions == [
            {"type": "block", "message": "Too large"},
            {"type": "set_field", "field": "notes", "value": "checked"},
        ]
        assert rule.is_active is False

    def test_compares_with_another_field(self, admin_client):
        data = rule_form(rows=[{"group": "0", "field": "total_gross", "op": "gt", "other": "total_net"}])

        admin_client.post(reverse("workflow:rule-create"), data)

        assert BusinessRule.objects.get().conditions == {
            "all": [{"field": "total_gross", "op": "gt", "value": {"field": "total_net"}}]
        }

    def test_a_rule_naming_an_unknown_field_is_refused_with_a_message_on_the_row(self, admin_client):
        data = rule_form(rows=[{"group": "0", "field": "gross_totl", "op": "gt", "value": "1"}])

        response = admin_client.post(reverse("workflow:rule-create"), data, HTTP_HX_REQUEST="true")

        content = response.content.decode()
        assert response.status_code == 200
        assert "Select a valid choice. gross_totl is not one of the available choices." in content
        assert content.lstrip().startswith("<form")
        assert not BusinessRule.objects.exists()

    def test_a_value_of_the_wrong_type_is_refused_on_its_row(self, admin_client):
        data = rule_form(rows=[{"group": "0", "field": "total_gross", "op": "gt", "value": "lots"}])

        response = admin_client.post(reverse("workflow:rule-create"), data)

        assert "“lots” is not a valid decimal for Gross total." in response.content.decode()
        assert not BusinessRule.objects.exists()

    def test_an_operator_that_does_not_fit_the_field_is_refused(self, admin_client):
        data = rule_form(rows=[{"group": "0", "field": "notes", "op": "gt", "value": "a"}])

        response = admin_client.post(reverse("workflow:rule-create"), data)

        assert "cannot be used with Notes" in response.content.decode()

    def test_an_action_without_its_message_is_refused(self, admin_client):
        response = admin_client.post(reverse("workflow:rule-create"), rule_form(actions=[{"type": "block"}]))

        assert "Please enter a message." in response.content.decode()
        assert not BusinessRule.objects.exists()

    def test_adds_and_removes_rows_and_groups_without_saving(self, admin_client):
        url = reverse("workflow:rule-create")

        added = admin_client.post(url, {**rule_form(), "_op": "cond-add-row-0"}, HTTP_HX_REQUEST="true")
        grouped = admin_client.post(url, {**rule_form(), "_op": "cond-add-group"}, HTTP_HX_REQUEST="true")
        removed = admin_client.post(url, {**rule_form(), "_op": "cond-remove-row-0"}, HTTP_HX_REQUEST="true")
        action = admin_client.post(url, {**rule_form(), "_op": "add-action"}, HTTP_HX_REQUEST="true")

        assert 'name="cond-row-1-field"' in added.content.decode()
        assert 'id="cond-group-1"' in grouped.content.decode()
        assert 'name="cond-row-1-group" value="1"' in grouped.content.decode()
        assert "No conditions: it always holds." in removed.content.decode()
        assert 'name="action-1-type"' in action.content.decode()
        assert not BusinessRule.objects.exists()

    def test_the_fields_follow_the_chosen_record_type(self, admin_client):
        data = {**rule_form(subject="partners.partner", rows=[]), "_op": "refresh"}

        response = admin_client.post(reverse("workflow:rule-create"), data, HTTP_HX_REQUEST="true")

        content = response.content.decode()
        assert 'value="credit_limit"' in content
        assert 'value="total_gross"' not in content

    def test_refuses_a_user_without_the_permission(self, stranger):
        assert stranger.get(reverse("workflow:rule-create")).status_code == 403
        assert stranger.post(reverse("workflow:rule-create"), rule_form()).status_code == 403
        assert not BusinessRule.objects.exists()


class TestRuleDetailAndEdit:
    def test_describes_the_rule_in_words(self, admin_client, django_assert_max_num_queries):
        rule = a_rule(conditions={"any": [above("5000"), {"field": "notes", "op": "is_empty"}]})

        with django_assert_max_num_queries(25):
            response = admin_client.get(rule.get_absolute_url())

        content = response.content.decode()
        assert "Gross total is greater than / after 5000 or Notes is empty" in content
        assert "Block with a message: Too large" in content

    def test_an_edit_shows_the_stored_condition_in_the_builder_and_saves_changes(self, admin_client):
        rule = a_rule(conditions={"any": [above("5000"), {"all": [{"field": "notes", "op": "is_empty"}]}]})
        url = reverse("workflow:rule-update", args=[rule.pk])

        shown = admin_client.get(url)
        data = rule_form(
            rows=[{"group": "0", "field": "total_gross", "op": "gte", "value": "7500"}],
            version=str(rule.version),
        )
        saved = admin_client.post(url, data)

        assert 'value="5000"' in shown.content.decode() and 'id="cond-group-1"' in shown.content.decode()
        assert saved.status_code == 302
        rule.refresh_from_db()
        assert rule.conditions == {"all": [{"field": "total_gross", "op": "gte", "value": "7500"}]}
        assert rule.subject == JOURNAL_ENTRY

    def test_a_stale_edit_is_refused(self, admin_client):
        rule = a_rule()
        data = rule_form(version=str(rule.version - 1 if rule.version > 1 else 99))

        response = admin_client.post(reverse("workflow:rule-update", args=[rule.pk]), data)

        assert "Someone else changed this record" in response.content.decode()

    def test_another_tenants_rule_is_not_found(self, other_admin_client):
        rule = a_rule()

        for name in ("rule-detail", "rule-update", "rule-test"):
            assert other_admin_client.get(reverse(f"workflow:{name}", args=[rule.pk])).status_code == 404
        assert other_admin_client.post(reverse("workflow:rule-set-active", args=[rule.pk])).status_code == 404
        assert (
            other_admin_client.post(reverse("workflow:rule-delete", args=[rule.pk]), {"reason": "x"}).status_code == 404
        )

    def test_refuses_a_user_without_the_permission(self, stranger):
        rule = a_rule()

        assert stranger.get(rule.get_absolute_url()).status_code == 403
        assert stranger.get(reverse("workflow:rule-update", args=[rule.pk])).status_code == 403


class TestRuleTry:
    @pytest.fixture
    def entry(self, admin_user, root_organization):
        accounts, years = chart(), fiscal_years(1, by=admin_user)
        return entry_of(
            "6000", accounts=accounts, organization=root_organization, on=years[0].start_date, by=admin_user
        )

    def test_shows_which_conditions_hold_and_what_would_happen(
        self, admin_client, entry, django_assert_max_num_queries
    ):
        rule = a_rule(is_active=False, conditions={"all": [above("5000"), {"field": "notes", "op": "is_not_empty"}]})

        with django_assert_max_num_queries(25):
            response = admin_client.get(reverse("workflow:rule-test", args=[rule.pk]), {"record": entry.pk})

        content = response.content.decode()
        assert response.context["result"].matched is False
        assert [line.matched for line in response.context["result"].lines] == [False, True, False]
        assert "6000.0000" in content
        assert "It would do nothing for this record." in content

    def test_finds_the_record_by_its_number_and_lists_the_consequences(self, admin_client, entry, admin_user):
        from erp.core.documents.services import document_submit

        entry = document_submit(document=entry, by=admin_user)
        rule = a_rule(is_active=False)

        response = admin_client.get(reverse("workflow:rule-test", args=[rule.pk]), {"number": entry.number})

        assert response.context["record"] == entry
        assert "Block with a message: Too large" in response.content.decode()

    def test_an_unknown_number_is_told(self, admin_client):
        rule = a_rule()

        response = admin_client.get(reverse("workflow:rule-test", args=[rule.pk]), {"number": "JE-1999-00001"})

        assert "No such record (that you may see)." in response.content.decode()


class TestRuleSwitchAndDelete:
    def test_switches_a_rule_on_and_off(self, admin_client):
        rule = a_rule(is_active=False)
        url = reverse("workflow:rule-set-active", args=[rule.pk])

        admin_client.post(url, {"is_active": "1"})
        rule.refresh_from_db()
        assert rule.is_active

        admin_client.post(url, {"is_active": "0"})
        rule.refresh_from_db()
        assert not rule.is_active

    def test_deletes_with_a_reason_and_keeps_the_history(self, admin_client):
        rule = a_rule()

        response = admin_client.post(reverse("workflow:rule-delete", args=[rule.pk]), {"reason": "Obsolete"})

        assert response.status_code == 302
        assert not BusinessRule.objects.filter(pk=rule.pk).exists()
        assert BusinessRule.all_objects.get(pk=rule.pk).deletion_reason == "Obsolete"

    def test_refuses_a_user_without_the_permission(self, stranger):
        rule = a_rule()

        assert stranger.post(reverse("workflow:rule-set-active", args=[rule.pk]), {"is_active": "0"}).status_code == 403
        assert stranger.post(reverse("workflow:rule-delete", args=[rule.pk]), {"reason": "x"}).status_code == 403
        rule.refresh_from_db()
        assert rule.is_active

"""Business rules on journal entries: saved only when they make sense, evaluated on their trigger."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from erp.core.documents import hooks
from erp.core.documents import services as documents
from erp.core.documents.models import Status
from erp.core.exceptions import DomainError
from erp.core.models import Notification
from erp.workflow import engine, selectors, services
from erp.workflow.models import BusinessRule, Trigger
from tests.factories.workflow import JOURNAL_ENTRY, above, role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_seeded_rules")]


@pytest.fixture
def accountant(user_with_role):
    return user_with_role("Accountant")


@pytest.fixture
def entry_author(accountant):
    return accountant


def rule(*, trigger=Trigger.BEFORE_COMPLETE, conditions=None, actions=None, by=None, **fields):
    return services.rule_create(
        name=fields.pop("name", "Rule"),
        subject=fields.pop("subject", JOURNAL_ENTRY),
        trigger=trigger,
        conditions=conditions if conditions is not None else {},
        actions=actions if actions is not None else [{"type": "block", "message": "Blocked"}],
        by=by,
        **fields,
    )


class TestSavingRules:
    def test_a_rule_naming_an_unknown_field_is_refused(self):
        with pytest.raises(ValidationError) as refused:
            rule(conditions={"all": [{"field": "gross_totl", "op": "gt", "value": "1"}]})

        assert refused.value.message_dict["conditions"] == ["Unknown field “gross_totl”."]
        assert not BusinessRule.objects.exists()

    def test_a_rule_with_an_unknown_operator_is_refused(self):
        with pytest.raises(ValidationError, match="Unknown operator"):
            rule(conditions={"field": "total_gross", "op": "≈", "value": "1"})

    @pytest.mark.parametrize(
        ("actions", "message"),
        [
            ([], "Add at least one action."),
            ([{"type": "explode"}], "Unknown action “explode”."),
            ([{"type": "block", "message": " "}], "Please enter a message."),
            ([{"type": "set_field", "field": "status", "value": "approved"}], "cannot be set by a rule"),
            ([{"type": "set_field", "field": "notes", "value": "x", "extra": 1}], "Unknown key(s) in an action"),
            ([{"type": "notify", "message": "Hi"}], "Notify either a role or a user."),
            ([{"type": "notify", "role": 999999, "message": "Hi"}], "Please choose an existing role."),
            ([{"type": "require_approval", "role": 1}], "only be required on documents, before submit"),
        ],
    )
    def test_actions_are_checked(self, actions, message):
        with pytest.raises(ValidationError) as refused:
            rule(actions=actions)

        assert message in " ".join(refused.value.message_dict["actions"])

    def test_a_record_type_without_the_trigger_is_refused(self):
        with pytest.raises(ValidationError) as refused:
            rule(subject="partners.partner", trigger=Trigger.BEFORE_COMPLETE)

        assert "trigger" in refused.value.message_dict

    def test_an_update_is_checked_like_a_new_rule(self, admin_user):
        saved = rule(conditions=above("100"), by=admin_user)

        with pytest.raises(ValidationError, match="Unknown field"):
            services.rule_update(
                rule=saved, expected_version=saved.version, by=admin_user, conditions={"field": "x", "op": "eq"}
            )

        saved.refresh_from_db()
        assert saved.conditions == above("100")

    def test_history_keeps_every_version(self, admin_user):
        saved = rule(conditions=above("100"), by=admin_user)

        services.rule_update(rule=saved, expected_version=saved.version, by=admin_user, conditions=above("200"))

        assert [h.conditions for h in saved.history.order_by("history_date")] == [above("100"), above("200")]


class TestCreditLimitRule:
    """Block completion when the gross total is above the limit (on the journal entry amount)."""

    @pytest.fixture
    def limit(self, admin_user):
        return rule(
            name="Credit limit",
            trigger=Trigger.BEFORE_COMPLETE,
            conditions={"field": "total_gross", "op": "gt", "value": "5000"},
            actions=[{"type": "block", "message": "Above the credit limit of 5,000."}],
            by=admin_user,
        )

    def test_blocks_completion_above_the_limit(self, limit, make_entry, accountant):
        entry = make_entry("5000.01")

        with pytest.raises(DomainError, match=r"Above the credit limit of 5,000\."):
            documents.document_complete(document=entry, by=accountant)

        entry.refresh_from_db()
        assert entry.status == Status.DRAFT and not entry.posted

    def test_lets_an_entry_at_the_limit_through(self, limit, make_entry, accountant):
        entry = documents.document_complete(document=make_entry("5000"), by=accountant)

        assert entry.status == Status.COMPLETED

    def test_an_inactive_rule_does_nothing(self, limit, make_entry, accountant, admin_user):
        services.rule_set_active(rule=limit, is_active=False, by=admin_user)

        entry = documents.document_complete(document=make_entry("9000"), by=accountant)

        assert entry.status == Status.COMPLETED

    def test_a_changed_rule_is_evaluated_in_its_new_version(self, limit, make_entry, accountant, admin_user):
        engine.evaluate(make_entry("1"), Trigger.BEFORE_COMPLETE)  # compiled and cached
        services.rule_update(rule=limit, expected_version=limit.version, by=admin_user, conditions=above("10000"))

        entry = documents.document_complete(document=make_entry("9000"), by=accountant)

        assert entry.status == Status.COMPLETED


class TestActions:
    def test_warnings_let_the_operation_pass(self, make_entry, accountant):
        rule(trigger=Trigger.BEFORE_SUBMIT, actions=[{"type": "warn", "message": "Check the receipt."}])

        entry = documents.document_submit(document=make_entry("10"), by=accountant)

        assert entry.status == Status.APPROVED
        assert entry.rule_warnings == ["Check the receipt."]

    def test_set_field_changes_the_record_before_it_is_saved(self, make_entry, accountant):
        rule(
            trigger=Trigger.BEFORE_SUBMIT,
            conditions=above("1000"),
            actions=[{"type": "set_field", "field": "notes", "value": "Large entry"}],
        )

        big = documents.document_submit(document=make_entry("1500"), by=accountant)
        small = documents.document_submit(document=make_entry("500"), by=accountant)

        big.refresh_from_db()
        small.refresh_from_db()
        assert (big.notes, small.notes) == ("Large entry", "")

    def test_notify_reaches_the_role_members_who_may_see_the_organization(self, make_entry, accountant, user_with_role):
        from tests.factories.core import OrganizationFactory

        controller = user_with_role("Manager")
        role("Auditor")
        auditor_elsewhere = user_with_role("Auditor", organizations=[OrganizationFactory()])
        auditor_here = user_with_role("Auditor")
        rule(
            trigger=Trigger.BEFORE_SUBMIT,
            actions=[
                {"type": "notify", "role": role("Auditor").pk, "message": "An entry was submitted"},
                {"type": "notify", "user": controller.pk, "message": "Have a look"},
            ],
        )

        documents.document_submit(document=make_entry("10"), by=accountant)

        assert set(Notification.objects.filter(verb="workflow.rule_notice").values_list("recipient", "title")) == {
            (auditor_here.pk, "An entry was submitted"),
            (controller.pk, "Have a look"),
        }
        assert not Notification.objects.filter(recipient=auditor_elsewhere).exists()

    def test_a_blocked_operation_sends_no_notification(self, make_entry, accountant, user_with_role):
        controller = user_with_role("Manager")
        rule(
            trigger=Trigger.BEFORE_SUBMIT,
            priority=1,
            actions=[{"type": "notify", "user": controller.pk, "message": "Submitted"}],
        )
        rule(trigger=Trigger.BEFORE_SUBMIT, priority=2, actions=[{"type": "block", "message": "No"}])

        with pytest.raises(DomainError):
            documents.document_submit(document=make_entry("10"), by=accountant)

        assert not Notification.objects.filter(recipient=controller).exists()

    def test_require_approval_starts_an_approval_by_the_role(self, make_entry, accountant, user_with_role):
        director = role("Director", "finance.approve_journalentry", "finance.view_journalentry")
        boss = user_with_role("Director")
        rule(
            name="Large entries need the director",
            trigger=Trigger.BEFORE_SUBMIT,
            conditions=above("50000"),
            actions=[{"type": "require_approval", "role": director.pk}],
        )

        large = documents.document_submit(document=make_entry("60000"), by=accountant)
        small = documents.document_submit(document=make_entry("100"), by=accountant)

        assert (large.status, small.status) == (Status.IN_REVIEW, Status.APPROVED)
        [assignment] = selectors.approval_queue(user=boss)
        assert assignment.task.name == "Large entries need the director"

    def test_rules_run_by_priority_and_all_blocks_are_told(self, make_entry, accountant):
        rule(name="second", priority=20, actions=[{"type": "block", "message": "Second."}])
        rule(name="first", priority=10, actions=[{"type": "block", "message": "First."}])

        with pytest.raises(DomainError) as refused:
            documents.document_complete(document=make_entry("10"), by=accountant)

        assert refused.value.message == "First. Second."


class TestExplain:
    def test_shows_which_conditions_hold_and_what_would_happen(self, make_entry):
        draft = rule(
            conditions={"any": [above("100000"), {"field": "total_gross", "op": "between", "value": ["1", "500"]}]},
            actions=[{"type": "block", "message": "Stop"}],
            is_active=False,
        )

        result = engine.explain_rule(draft, make_entry("250"))

        assert result.matched is True
        assert [(line.depth, line.matched) for line in result.lines] == [(0, True), (1, False), (1, True)]
        assert result.consequences == ["Block with a message: Stop"]


class TestMasterData:
    def test_rules_apply_to_registered_master_data_before_save(self, admin_user):
        from erp.partners.models import Partner

        rule(
            subject="partners.partner",
            trigger=Trigger.BEFORE_SAVE,
            conditions={"field": "credit_limit", "op": "gt", "value": "100000"},
            actions=[{"type": "block", "message": "Credit limits above 100,000 need the board."}],
        )
        partner = Partner(code="P1", name="ACME", credit_limit="250000")

        with pytest.raises(DomainError, match="need the board"):
            hooks.run_rules(partner, trigger=hooks.BEFORE_SAVE, by=admin_user)

        partner.credit_limit = 5000
        assert hooks.run_rules(partner, trigger=hooks.BEFORE_SAVE, by=admin_user) == []

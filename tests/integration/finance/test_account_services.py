"""Creating, changing, deactivating and deleting accounts: the chart's rules hold."""

import pytest

from erp.core.exceptions import ConcurrentModification, DomainError
from erp.core.models import BusinessEvent, Currency
from erp.finance import services
from erp.finance.models import Account, AccountRole, AccountType
from tests.factories.finance import account, group, tax_code

pytestmark = pytest.mark.django_db


def refusal(call, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as refused:
        call(**kwargs)
    return refused.value


def update(target: Account, **changes) -> Account:
    fields = {
        "code": target.code,
        "name": target.name,
        "parent": target.parent,
        "account_type": target.account_type,
        "role": target.role,
        "is_group": target.is_group,
        "reconcilable": target.reconcilable,
        "currency": target.currency,
        "description": target.description,
    }
    return services.account_update(account=target, expected_version=target.version, **{**fields, **changes})


class TestAccountCreate:
    def test_creates_an_account_below_a_summary_account_with_history_and_event(self, admin_user):
        parent = group(code="T9", by=admin_user)

        created = services.account_create(
            code="T9100",
            name=" Petty cash ",
            parent=parent,
            account_type=AccountType.ASSET,
            role=AccountRole.CASH,
            by=admin_user,
        )

        assert (created.name, created.parent, created.created_by) == ("Petty cash", parent, admin_user)
        assert created.is_postable
        assert created.history.get().history_user == admin_user
        assert BusinessEvent.objects.filter(verb="finance.account.created", aggregate_id=str(created.pk)).exists()

    def test_refuses_a_code_that_exists_in_any_case(self):
        account(code="T100A")

        error = refusal(account, code="t100a")

        assert error.field == "code"

    def test_refuses_a_parent_that_is_not_a_summary_account(self):
        postable = account()

        assert refusal(account, parent=postable).field == "parent"

    def test_refuses_a_role_that_does_not_fit_the_type(self):
        error = refusal(account, account_type=AccountType.INCOME, role=AccountRole.RECEIVABLE)

        assert error.field == "role"

    def test_refuses_a_role_or_currency_on_a_summary_account(self):
        assert refusal(group, role=AccountRole.BANK).field == "role"
        assert refusal(group, currency=Currency.objects.get(code="USD")).field == "currency"

    def test_allows_only_one_active_retained_earnings_account(self):
        assert Account.objects.for_role(AccountRole.RETAINED_EARNINGS).count() == 1

        error = refusal(account, account_type=AccountType.EQUITY, role=AccountRole.RETAINED_EARNINGS)

        assert error.field == "role"
        assert "only one" in error.message

    def test_allows_many_bank_accounts(self):
        account(role=AccountRole.BANK)
        account(role=AccountRole.BANK, currency=Currency.objects.get(code="USD"))

        assert Account.objects.for_role(AccountRole.BANK).count() >= 4

    def test_a_summary_account_is_never_reconciled(self):
        assert not group(reconcilable=True).reconcilable


class TestAccountUpdate:
    def test_renames_and_moves_an_account(self, admin_user):
        target, new_parent = account(), group()

        saved = update(target, name="Renamed", parent=new_parent, by=admin_user)

        assert (saved.name, saved.parent, saved.version) == ("Renamed", new_parent, 2)
        assert BusinessEvent.objects.get(verb="finance.account.updated").data["before"]["name"] == target.name

    def test_refuses_to_move_an_account_below_its_own_sub_account(self):
        top = group()
        middle = group(parent=top)

        assert refusal(update, target=top, parent=middle).field == "parent"

    def test_keeps_a_summary_account_with_sub_accounts_a_summary_account(self):
        top = group()
        account(parent=top)

        assert refusal(update, target=top, is_group=False).field == "is_group"

    def test_freezes_type_and_summary_flag_once_the_account_is_used(self):
        target = account(account_type=AccountType.LIABILITY)
        tax_code(account=target)

        assert refusal(update, target=target, account_type=AccountType.ASSET).field == "account_type"
        assert refusal(update, target=target, is_group=True).field == "is_group"
        assert update(target, name="Still renamable").name == "Still renamable"

    def test_refuses_a_stale_version(self):
        target = account()
        update(target, name="First")

        with pytest.raises(ConcurrentModification):
            services.account_update(
                account=target, expected_version=1, code=target.code, name="Second", account_type=target.account_type
            )

    def test_keeps_its_own_single_role_when_saved_again(self):
        retained = Account.objects.for_role(AccountRole.RETAINED_EARNINGS).get()

        assert update(retained, name="Retained earnings (kept)").role == AccountRole.RETAINED_EARNINGS


class TestAccountSetActive:
    def test_deactivates_an_account_that_stays_readable(self, admin_user):
        target = account()

        services.account_set_active(account=target, is_active=False, by=admin_user)

        target.refresh_from_db()
        assert not target.is_active and not target.is_postable
        assert Account.objects.filter(pk=target.pk).exists()

    def test_deactivates_sub_accounts_first(self):
        top = group()
        account(parent=top)

        assert "sub-accounts" in refusal(services.account_set_active, account=top, is_active=False, by=None).message

    def test_reactivates_the_parent_first(self):
        top = group()
        child = account(parent=top)
        services.account_set_active(account=child, is_active=False, by=None)
        services.account_set_active(account=top, is_active=False, by=None)

        error = refusal(services.account_set_active, account=child, is_active=True, by=None)

        assert "parent" in error.message

    def test_refuses_to_reactivate_a_second_holder_of_a_single_role(self):
        retained = Account.objects.for_role(AccountRole.RETAINED_EARNINGS).get()
        services.account_set_active(account=retained, is_active=False, by=None)
        account(account_type=AccountType.EQUITY, role=AccountRole.RETAINED_EARNINGS)

        error = refusal(services.account_set_active, account=retained, is_active=True, by=None)

        assert "only one" in error.message


class TestAccountDelete:
    def test_soft_deletes_an_unused_account_and_frees_its_code(self, admin_user):
        target = account(code="T777")

        services.account_delete(account=target, by=admin_user, reason="Typo")

        assert not Account.objects.filter(pk=target.pk).exists()
        assert Account.all_objects.get(pk=target.pk).deletion_reason == "Typo"
        assert account(code="T777").pk != target.pk

    def test_refuses_an_account_in_use_and_says_by_what(self):
        target = account(account_type=AccountType.LIABILITY)
        tax_code(account=target)

        error = refusal(services.account_delete, account=target, by=None, reason="x")

        assert "(1 tax code)" in error.message
        assert target.is_used()
        assert [str(item) for item in target.usage()] == ["1 tax code"]

    def test_counts_the_use_only_up_to_a_cap(self, monkeypatch):
        from erp.finance.models import Usage

        monkeypatch.setattr(Usage, "CAP", 2)
        target = account(account_type=AccountType.LIABILITY)
        for _n in range(3):
            tax_code(account=target)

        assert [str(item) for item in target.usage()] == ["2+ tax codes"]

    def test_refuses_a_summary_account_with_sub_accounts(self):
        top = group()
        account(parent=top)

        assert "sub-accounts" in refusal(services.account_delete, account=top, by=None, reason="x").message

    def test_an_account_nothing_refers_to_is_unused(self):
        assert not account().is_used()


class TestDatabaseConstraints:
    def test_the_database_refuses_two_active_holders_of_a_single_role(self):
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            Account.objects.create(
                code="T-RE", name="Second", account_type=AccountType.EQUITY, role=AccountRole.RETAINED_EARNINGS
            )

    def test_the_database_refuses_a_role_on_a_summary_account(self):
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            Account.objects.create(
                code="T-G", name="Group", account_type=AccountType.ASSET, is_group=True, role=AccountRole.BANK
            )

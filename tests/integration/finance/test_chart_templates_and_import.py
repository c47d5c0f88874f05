"""Chart templates, CSV import (preview + all-or-nothing) and export."""

import pytest

from erp.core.exceptions import DomainError
from erp.core.models import BusinessEvent
from erp.finance import charts
from erp.finance.models import SINGLE_ROLES, Account, AccountRole, AccountType, TaxCode
from tests.factories.finance import account, group

pytestmark = pytest.mark.django_db

HEADER = "code,name,parent,type,role,is_group,reconcilable,currency,description\n"


def empty_chart() -> None:
    Account.all_objects.update(parent=None)
    Account.all_objects.all().delete()


class TestTemplates:
    @pytest.mark.parametrize("key", ["ifrs", "skr03"])
    def test_every_template_is_a_valid_chart(self, key):
        empty_chart()
        text = (charts.CHARTS_DIR / charts.TEMPLATES[key].accounts).read_text(encoding="utf-8")

        plan = charts.accounts_plan(text)

        assert plan.errors == [] and plan.error_rows == []
        assert 100 <= len(plan.rows) <= 200

    @pytest.mark.parametrize("key", ["ifrs", "skr03"])
    def test_every_template_gives_postings_the_accounts_they_look_up(self, key, admin_user):
        empty_chart()

        charts.chart_load(template=key, by=admin_user)

        for role in (
            AccountRole.RECEIVABLE,
            AccountRole.PAYABLE,
            AccountRole.BANK,
            AccountRole.TAX_PAYABLE,
            AccountRole.TAX_RECEIVABLE,
            AccountRole.RETAINED_EARNINGS,
            AccountRole.INVENTORY,
            AccountRole.COST_OF_GOODS_SOLD,
            AccountRole.EXCHANGE_GAIN,
            AccountRole.EXCHANGE_LOSS,
        ):
            assert Account.objects.for_role(role).exists(), role
        for role in SINGLE_ROLES:
            assert Account.objects.for_role(role).count() <= 1

    def test_skr03_brings_german_accounts_and_tax_codes(self, admin_user):
        empty_chart()

        created = charts.chart_load(template="skr03", by=admin_user)

        assert created == Account.objects.count()
        receivables = Account.objects.get(code="1400")
        assert (receivables.name, receivables.parent.code, receivables.reconcilable) == (
            "Forderungen aus Lieferungen und Leistungen",
            "1",
            True,
        )
        vat = TaxCode.objects.get(code="USt19")
        assert (vat.rate, vat.account.code, vat.tax_type) == (19, "1776", "sales")
        loaded = Account.history.filter(id__in=Account.objects.values("id"))
        assert loaded.filter(history_type="+", history_user=admin_user).count() == created
        assert BusinessEvent.objects.filter(verb="finance.chart.loaded").exists()

    def test_the_test_tenant_was_created_with_the_default_ifrs_chart(self):
        assert Account.objects.get(code="1310").role == AccountRole.RECEIVABLE
        assert Account.objects.get(code="1310").parent.code == "13"

    def test_refuses_to_load_into_a_chart_that_has_accounts(self):
        with pytest.raises(DomainError, match="not empty"):
            charts.chart_load(template="skr03")

    def test_refuses_an_unknown_template(self):
        empty_chart()

        with pytest.raises(DomainError, match="Unknown"):
            charts.chart_load(template="gaap")

    def test_the_empty_template_loads_nothing(self):
        empty_chart()

        assert charts.chart_load(template="empty") == 0


class TestImportPlan:
    def test_creates_accounts_below_parents_given_later_in_the_file(self):
        text = HEADER + "T8100,Sub,T8,income,,0,0,,\nT8,Top,,income,,1,0,,\n"

        plan = charts.accounts_plan(text)

        assert plan.is_valid
        assert [row.action for row in plan.rows] == ["create", "create"]

    def test_marks_unchanged_and_changed_existing_accounts(self):
        text = (
            HEADER
            + "1310,Trade receivables,13,asset,receivable,0,1,,\n1320,Related parties,13,asset,receivable,0,1,,\n"
        )

        plan = charts.accounts_plan(text)

        assert [row.action for row in plan.rows] == ["unchanged", "update"]

    def test_reports_every_problem_with_its_line(self):
        account(code="T500")
        text = (
            HEADER
            + "\n".join(
                [
                    "T1,Fine,,asset,,1,0,,",
                    "T2,Unknown parent,T99,asset,,0,0,,",
                    "T3,Parent not a group,T500,asset,,0,0,,",
                    "T4,Bad type,T1,assets,,0,0,,",
                    "T5,Bad role,T1,income,receivable,0,0,,",
                    "T6,Bad currency,T1,asset,,0,0,XYZ,",
                    "T1,Duplicate,,asset,,1,0,,",
                    "T7,Second retained earnings,,equity,retained_earnings,0,0,,",
                    "T8,Bad flag,T1,asset,,perhaps,0,,",
                    "1 0,Bad code,,asset,,0,0,,",
                    "T9,,,asset,,0,0,,",
                ]
            )
            + "\n"
        )

        plan = charts.accounts_plan(text)

        errors = {row.line: " ".join(row.errors) for row in plan.rows}
        assert errors[2] == ""
        assert "T99 does not exist" in errors[3]
        assert "T500 is not a summary account" in errors[4]
        assert "type:" in errors[5]
        assert "must be of type Asset" in errors[6]
        assert "Unknown currency" in errors[7]
        assert "also on line 2" in errors[8]
        assert "only one" in errors[9] and "3400" in errors[9]
        assert "is_group:" in errors[10]
        assert "letters, digits" in errors[11]
        assert "name is missing" in errors[12]
        assert not plan.is_valid

    def test_refuses_a_loop_in_the_parents(self):
        text = HEADER + "TA,A,TB,asset,,1,0,,\nTB,B,TA,asset,,1,0,,\n"

        plan = charts.accounts_plan(text)

        assert all("loops" in " ".join(row.errors) for row in plan.rows)

    def test_refuses_to_make_an_account_with_sub_accounts_postable(self):
        text = HEADER + "13,Receivables,1,asset,,0,0,,\n"

        plan = charts.accounts_plan(text)

        assert "must be a summary account" in plan.rows[0].errors[0]

    def test_refuses_to_change_the_type_of_a_used_account(self):
        from tests.factories.finance import tax_code

        used = account(code="T600", account_type=AccountType.LIABILITY)
        tax_code(account=used)

        plan = charts.accounts_plan(HEADER + "T600,Now an asset,,asset,,0,0,,\n")

        assert "in use" in plan.rows[0].errors[0]


class TestImport:
    def test_writes_new_and_changed_accounts_with_history(self, admin_user):
        parent = group(code="T9")
        text = (
            HEADER
            + f"T9100,New,{parent.code},asset,bank,0,1,USD,Dollar account\n"
            + "1320,Related parties,13,asset,receivable,0,1,,\n"
        )

        counts = charts.accounts_import(plan=charts.accounts_plan(text), by=admin_user)

        assert counts == {"create": 1, "update": 1, "unchanged": 0, "invalid": 0}
        new = Account.objects.get(code="T9100")
        assert (new.parent, new.role, new.currency_id, new.reconcilable) == (parent, "bank", "USD", True)
        changed = Account.objects.get(code="1320")
        assert (changed.name, changed.version, changed.updated_by) == ("Related parties", 2, admin_user)
        assert changed.history.count() == 2

    def test_moves_a_single_role_from_one_account_to_another_in_one_file(self, admin_user):
        text = (
            HEADER
            + "3400,Retained earnings,3,equity,,0,0,,\nT3450,New retained earnings,3,equity,retained_earnings,0,0,,\n"
        )
        plan = charts.accounts_plan(text)
        assert plan.is_valid

        charts.accounts_import(plan=plan, by=admin_user)

        assert Account.objects.for_role(AccountRole.RETAINED_EARNINGS).get().code == "T3450"

    def test_writes_nothing_when_one_row_is_wrong(self, admin_user):
        before = Account.objects.count()
        plan = charts.accounts_plan(HEADER + "T1,Fine,,asset,,0,0,,\nT2,Wrong,,nothing,,0,0,,\n")

        with pytest.raises(DomainError):
            charts.accounts_import(plan=plan, by=admin_user)

        assert Account.objects.count() == before


class TestExport:
    def test_the_export_imports_back_unchanged(self):
        accounts = Account.objects.select_related("parent").order_by("code")

        plan = charts.accounts_plan(charts.accounts_export_csv(accounts))

        assert plan.is_valid
        assert {row.action for row in plan.rows} == {"unchanged"}
        assert len(plan.rows) == Account.objects.count()

"""The journal entry screens (the generic document screens' first user)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from pypdf import PdfReader

from erp.core.documents.models import Action, Status
from erp.core.documents.services import document_complete
from erp.finance.journal.models import JournalEntry
from erp.finance.models import PeriodStatus
from tests.factories.ledger import chart, draft_entry, fiscal_years, money, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(admin_user):
    return chart(), fiscal_years(2, by=admin_user)


@pytest.fixture
def accountant(user_with_role):
    return user_with_role("Accountant")


@pytest.fixture
def client(client_for, accountant):
    return client_for(accountant)


@pytest.fixture
def draft(books, root_organization, accountant):
    accounts, years = books
    return draft_entry(
        organization=root_organization,
        on=years[0].start_date.replace(month=3, day=10),
        lines=[(accounts.rent, "1200", "0"), (accounts.bank, "0", "1200")],
        by=accountant,
    )


@pytest.fixture
def posted(draft, accountant):
    return document_complete(document=draft, by=accountant)


def _url(view: str, *args) -> str:
    return reverse(f"finance:journalentry-{view}", args=args)


def _form(organization, day, lines, **header) -> dict:
    data = {
        "organization": organization.pk,
        "accounting_date": day.isoformat(),
        "description": "Accrued rent",
        "currency": header.pop("currency", "EUR"),
        "exchange_rate": "",
        "external_reference": "",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        **header,
    }
    for index, (account, debit, credit) in enumerate(lines):
        data.update(
            {
                f"lines-{index}-account": account.pk if account else "",
                f"lines-{index}-description": "",
                f"lines-{index}-partner": "",
                f"lines-{index}-organization": "",
                f"lines-{index}-analytic_tag": "",
                f"lines-{index}-debit": debit,
                f"lines-{index}-credit": credit,
            }
        )
    return data


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


class TestList:
    def test_lists_entries_with_filters_and_a_totals_row(
        self, client, books, root_organization, django_assert_max_num_queries
    ):
        accounts, years = books
        day = years[0].start_date
        for amount in ("100", "250", "1000"):
            post(debit=accounts.bank, credit=accounts.revenue, amount=amount, on=day, organization=root_organization)
        post(
            debit=accounts.rent,
            credit=accounts.bank,
            amount="7",
            on=day + timedelta(days=40),
            organization=root_organization,
        )

        with django_assert_max_num_queries(15):
            response = client.get(
                _url("list"), {"date_to": (day + timedelta(days=10)).isoformat(), "status": "completed"}
            )

        assert response.status_code == 200
        assert len(response.context["table"].rows) == 3
        assert response.context["list_totals"][0][1] == money(1350)
        content = response.content.decode()
        assert 'id="list-totals"' in content and "1350.00" in content

    def test_filters_by_account(self, client, books, root_organization):
        accounts, years = books
        post(
            debit=accounts.bank,
            credit=accounts.revenue,
            amount="1",
            on=years[0].start_date,
            organization=root_organization,
        )
        rent = post(
            debit=accounts.rent,
            credit=accounts.bank,
            amount="2",
            on=years[0].start_date,
            organization=root_organization,
        )

        response = client.get(_url("list"), {"account": accounts.rent.code})

        assert [row.record.pk for row in response.context["table"].rows] == [rent.pk]

    def test_returns_the_table_partial_to_htmx(self, client, posted):
        response = client.get(_url("list"), {"q": posted.number}, HTTP_HX_REQUEST="true")

        content = response.content.decode()
        assert posted.number in content and "<html" not in content


class TestCreate:
    def test_shows_the_header_and_two_empty_lines(self, client, books):
        response = client.get(_url("create"))

        assert response.status_code == 200
        assert response.context["formset"].total_form_count() == 2
        assert 'id="document-totals"' in response.content.decode()

    def test_saves_a_draft_with_its_lines(self, client, books, root_organization):
        accounts, years = books
        day = years[0].start_date.replace(month=4, day=30)

        response = client.post(
            _url("create"),
            _form(root_organization, day, [(accounts.rent, "500.00", ""), (accounts.payable, "", "500.00")]),
        )

        entry = JournalEntry.objects.get(description="Accrued rent")
        assert response.status_code == 302 and response["Location"] == _url("detail", entry.pk)
        assert entry.status == Status.DRAFT and entry.document_date == day and entry.total_gross == money(500)
        lines = list(entry.lines.order_by("id"))
        assert [(line.account_id, line.debit, line.credit) for line in lines] == [
            (accounts.rent.pk, money(500), 0),
            (accounts.payable.pk, 0, money(500)),
        ]
        assert all(line.organization_id == root_organization.pk and line.debit_company == line.debit for line in lines)

    def test_a_line_with_debit_and_credit_is_shown_back_with_the_error(self, client, books, root_organization):
        accounts, years = books

        response = client.post(
            _url("create"),
            _form(root_organization, years[0].start_date, [(accounts.rent, "5", "5"), (accounts.bank, "", "5")]),
            HTTP_HX_REQUEST="true",
        )

        assert response.status_code == 200
        assert "not both" in response.content.decode()
        assert not JournalEntry.objects.filter(description="Accrued rent").exists()

    def test_add_row_rerenders_the_form_with_one_more_line(self, client, books, root_organization):
        accounts, years = books
        data = _form(root_organization, years[0].start_date, [(accounts.rent, "5", ""), (accounts.bank, "", "5")])

        response = client.post(_url("create"), {**data, "_op": "add"}, HTTP_HX_REQUEST="true")

        assert response.status_code == 200
        assert response.context["formset"].total_form_count() == 3
        content = response.content.decode()
        assert 'id="line-2"' in content and "<html" not in content
        assert not JournalEntry.objects.filter(description="Accrued rent").exists()

    def test_remove_row_hides_the_line_and_saving_leaves_it_out(self, client, books, root_organization):
        accounts, years = books
        data = _form(
            root_organization,
            years[0].start_date,
            [(accounts.rent, "5", ""), (accounts.services, "", "9"), (accounts.bank, "", "5")],
        )

        response = client.post(_url("create"), {**data, "_op": "remove-1"}, HTTP_HX_REQUEST="true")

        assert 'class="d-none" id="line-1"' in response.content.decode()
        data["lines-1-DELETE"] = "on"
        client.post(_url("create"), data)
        entry = JournalEntry.objects.get(description="Accrued rent")
        assert entry.lines.count() == 2

    def test_the_totals_partial_shows_debit_credit_and_difference(self, client, books, root_organization):
        accounts, years = books
        data = _form(root_organization, years[0].start_date, [(accounts.rent, "100.50", ""), (accounts.bank, "", "90")])

        response = client.post(_url("totals"), data, HTTP_HX_REQUEST="true")

        content = response.content.decode()
        assert response.status_code == 200 and 'id="document-totals"' in content
        totals = response.context["entry_totals"]
        assert (totals.debit, totals.credit, totals.difference) == (money("100.50"), money(90), money("10.50"))
        assert "10.50" in content and "text-danger" in content

    def test_a_foreign_currency_without_rate_asks_for_one(self, client, books, root_organization):
        accounts, years = books

        response = client.post(
            _url("create"),
            _form(
                root_organization,
                years[0].start_date,
                [(accounts.rent, "5", ""), (accounts.bank, "", "5")],
                currency="JPY",
            ),
        )

        assert response.status_code == 200
        assert "exchange rate" in response.content.decode()


class TestEdit:
    def test_a_draft_is_edited_and_its_totals_recomputed(self, client, draft, books):
        accounts, _years = books
        lines = list(draft.lines.order_by("position"))
        data = _form(
            draft.organization, draft.accounting_date, [(accounts.rent, "1500", ""), (accounts.bank, "", "1500")]
        )
        data.update(
            {
                "lines-INITIAL_FORMS": "2",
                "lines-0-id": lines[0].pk,
                "lines-1-id": lines[1].pk,
                "lines-0-entry": draft.pk,
                "lines-1-entry": draft.pk,
                "version": draft.version,
            }
        )

        response = client.post(_url("update", draft.pk), data)

        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.total_gross == money(1500) and draft.total_gross_company == money(1500)
        assert [line.debit_company for line in draft.lines.order_by("position")] == [money(1500), 0]

    def test_a_posted_entry_cannot_be_edited(self, client, posted):
        response = client.get(_url("update", posted.pk))

        assert response.status_code == 302
        assert "no longer a draft" in " ".join(_messages(response))


class TestDetail:
    def test_a_draft_offers_edit_submit_and_complete(self, client, draft, django_assert_max_num_queries):
        with django_assert_max_num_queries(25):
            response = client.get(_url("detail", draft.pk))

        assert response.status_code == 200
        actions = [action["value"] for action in response.context["actions"]]
        assert actions == [Action.SUBMIT, Action.COMPLETE, Action.CANCEL]
        assert response.context["can_edit"]
        content = response.content.decode()
        assert "1200.00" in content and 'id="total-difference"' in content

    def test_a_posted_entry_offers_only_the_corrections(self, client, posted, django_assert_max_num_queries):
        with django_assert_max_num_queries(25):
            response = client.get(_url("detail", posted.pk))

        actions = [action["value"] for action in response.context["actions"]]
        assert actions == [Action.VOID, Action.REVERSE_CORRECT, Action.REVERSE_ACCRUAL]
        assert not response.context["can_edit"]
        assert posted.number in response.content.decode()

    def test_a_closed_period_leaves_only_reverse_accrual(self, client, posted):
        _close(posted.period)

        response = client.get(_url("detail", posted.pk))

        assert [action["value"] for action in response.context["actions"]] == [Action.REVERSE_ACCRUAL]


def _close(period) -> None:
    period.status = PeriodStatus.CLOSED
    period.save(update_fields=["status"])


class TestActions:
    def test_complete_posts_the_entry(self, client, draft):
        response = client.post(_url("action", draft.pk, Action.COMPLETE))

        draft.refresh_from_db()
        assert response.status_code == 302 and draft.status == Status.COMPLETED and draft.posted
        assert "now has the status “Completed”" in " ".join(_messages(response))

    def test_reverse_accrual_posts_the_reversal_on_the_chosen_date_and_opens_it(self, client, posted):
        later = posted.accounting_date + timedelta(days=40)

        response = client.post(
            _url("action", posted.pk, Action.REVERSE_ACCRUAL), {"reason": "accrual ends", "on_date": later.isoformat()}
        )

        reversal = JournalEntry.objects.get(reversal_of=posted)
        assert response["Location"] == _url("detail", reversal.pk)
        assert reversal.accounting_date == later
        assert JournalEntry.objects.get(pk=posted.pk).status == Status.REVERSED

    def test_void_is_refused_once_the_period_is_closed(self, client, posted):
        _close(posted.period)

        response = client.post(_url("action", posted.pk, Action.VOID), {"reason": "oops"}, HTTP_HX_REQUEST="true")

        assert response.status_code == 200 and response["HX-Redirect"] == _url("detail", posted.pk)
        assert "closed" in " ".join(_messages(response))
        assert JournalEntry.objects.get(pk=posted.pk).status == Status.COMPLETED

    def test_void_while_the_period_is_open(self, client, posted):
        client.post(_url("action", posted.pk, Action.VOID), {"reason": "typed twice"})

        assert JournalEntry.objects.get(pk=posted.pk).status == Status.VOIDED

    def test_an_unknown_action_changes_nothing(self, client, draft):
        response = client.post(_url("action", draft.pk, "explode"))

        assert response.status_code == 302 and JournalEntry.objects.get(pk=draft.pk).status == Status.DRAFT


class TestPdf:
    def test_is_a_real_pdf_naming_the_entry(self, client, posted):
        response = client.get(_url("pdf", posted.pk), {"download": "1"})

        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert f'filename="{posted.number}.pdf"' in response["Content-Disposition"]
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        assert posted.number in text and "1200.00" in text


class TestAccess:
    @pytest.mark.parametrize("view", ["list", "create", "detail", "pdf", "update"])
    def test_a_user_without_the_permission_gets_403(self, client_for, user_with_role, draft, view):
        client = client_for(user_with_role("Sales"))
        args = [draft.pk] if view in ("detail", "pdf", "update") else []

        assert client.get(_url(view, *args)).status_code == 403

    def test_a_user_without_the_permission_cannot_act(self, client_for, user_with_role, draft):
        response = client_for(user_with_role("Sales")).post(_url("action", draft.pk, Action.COMPLETE))

        assert response.status_code == 403
        assert JournalEntry.objects.get(pk=draft.pk).status == Status.DRAFT

    def test_a_user_may_view_but_not_complete_without_the_complete_permission(self, client_for, user_with_role, draft):
        manager = client_for(user_with_role("Manager"))

        response = manager.get(_url("detail", draft.pk))
        manager.post(_url("action", draft.pk, Action.COMPLETE))

        assert response.status_code == 200 and response.context["actions"] == []
        assert JournalEntry.objects.get(pk=draft.pk).status == Status.DRAFT

    def test_another_organizations_user_gets_404(self, client_for, user_with_role, draft, root_organization):
        from erp.core.models import Organization

        branch = Organization.objects.create(code="JB", name="Journal branch", parent=root_organization)
        client = client_for(user_with_role("Accountant", organizations=[branch]))

        assert client.get(_url("detail", draft.pk)).status_code == 404

    def test_an_id_of_this_tenant_shows_nothing_at_another(self, other_admin_client, posted):
        for url in (_url("detail", posted.pk), _url("pdf", posted.pk)):
            response = other_admin_client.get(url)

            assert response.status_code == 404
            assert posted.number not in response.content.decode()


class TestLineOrganizations:
    def test_a_line_cannot_be_booked_to_an_organization_the_user_does_not_work_in(
        self, client_for, user_with_role, books, root_organization
    ):
        from erp.core.models import Organization

        accounts, years = books
        branch = Organization.objects.create(code="LB", name="Line branch", parent=root_organization)
        other = Organization.objects.create(code="LX", name="Elsewhere")
        client = client_for(user_with_role("Accountant", organizations=[branch]))
        data = _form(branch, years[0].start_date, [(accounts.rent, "5", ""), (accounts.bank, "", "5")])
        data["lines-0-organization"] = other.pk

        response = client.post(_url("create"), data)

        assert response.status_code == 200
        assert not JournalEntry.objects.filter(description="Accrued rent").exists()
        assert "Elsewhere" not in response.content.decode()


class TestGlobalSearch:
    def test_finds_an_entry_by_number_or_description(self, client, posted):
        for query in (posted.number, "manual ent"):
            response = client.get(reverse("core:search"), {"q": query})

            groups = {str(group["label"]): group["hits"] for group in response.context["groups"]}
            assert [hit.title for hit in groups["Journal entries"]] == [posted.number]

    def test_leaves_out_entries_of_organizations_the_user_cannot_see(
        self, client_for, user_with_role, posted, root_organization
    ):
        from erp.core.models import Organization

        branch = Organization.objects.create(code="SB", name="Search branch", parent=root_organization)
        response = client_for(user_with_role("Accountant", organizations=[branch])).get(
            reverse("core:search"), {"q": posted.number}
        )

        assert "Journal entries" not in [str(group["label"]) for group in response.context["groups"]]

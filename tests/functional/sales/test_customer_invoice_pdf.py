"""The legal invoice PDF of a sales order's invoice, read back as text (pypdf): number, seller and
buyer with their tax ids, every line, the tax per rate and the total; a long invoice runs over
several pages, each with the table's header row and its page number."""

from __future__ import annotations

import datetime as dt
import io
import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from erp.core.models import Company
from erp.finance.models import AccountRole
from erp.partners.models import Address
from erp.sales import services
from tests.factories import finance
from tests.factories import inventory as stock_factory
from tests.factories import sales as make

pytestmark = pytest.mark.django_db

money = make.money


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def shop(root_organization, admin_user):
    shop = make.shop(organization=root_organization, by=admin_user)
    shop.customer.tax_id = "DE136695976"
    shop.customer.save()
    Address.objects.create(
        partner=shop.customer,
        is_default=True,
        street="Hauptstraße 5",
        postal_code="80331",
        city="München",
        country="DE",
    )
    company = Company.objects.get()
    company.tax_id = "DE999999999"
    company.address = "Industriestraße 1\n10115 Berlin"
    company.save()
    return shop


@pytest.fixture
def reduced_tax():
    return finance.tax_code(
        code="OUT7", name="Ermäßigt 7 %", rate=Decimal("7"), account=stock_factory.account(AccountRole.TAX_PAYABLE)
    )


@pytest.fixture
def client(client_for, user_with_role):
    return client_for(user_with_role("Accountant"))


def pages_of(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def invoice_of(shop, lines, *, admin_user):
    """A posted invoice of a confirmed order of service ``lines`` (invoiced as ordered)."""
    order = make.order(shop, lines)
    return services.sales_order_invoice(order=order, by=admin_user, on=date(2026, 3, 5), post=True)


class TestCustomerInvoicePdf:
    def test_states_number_parties_with_tax_ids_lines_tax_per_rate_and_total(
        self, client, shop, reduced_tax, admin_user
    ):
        invoice = invoice_of(
            shop,
            [
                make.line(description="Montage", price="200.00", tax_code=shop.books.output_tax),
                make.line(description="Fachbuch", quantity="2", price="25.00", tax_code=reduced_tax),
                make.line(description="Versand", price="10.00"),
            ],
            admin_user=admin_user,
        )

        response = client.get(reverse("finance:customerinvoice-pdf", args=[invoice.pk]))

        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = "\n".join(pages_of(response.content))
        assert f"Rechnung {invoice.number}" in text
        assert "Kunde GmbH" in text and "Steuernummer: DE136695976" in text and "München" in text
        assert "Test Company" in text and "Steuernummer: DE999999999" in text
        for description in ("Montage", "Fachbuch", "Versand"):
            assert description in text
        assert "Nettosumme 260,00" in text
        assert re.search(r"19 %?.* auf 200,00 38,00", text), text
        assert re.search(r"7 %?.* auf 50,00 3,50", text), text
        assert "Summe 301,50 EUR" in text
        assert (invoice.total_net, invoice.total_tax, invoice.total_gross) == (
            money("260.00"),
            money("41.50"),
            money("301.50"),
        )

    def test_a_200_line_invoice_repeats_the_table_header_and_numbers_every_page(self, client, shop, admin_user):
        invoice = invoice_of(
            shop,
            [make.line(description=f"Position {number:03d}", price="1.00") for number in range(1, 201)],
            admin_user=admin_user,
        )

        response = client.get(reverse("finance:customerinvoice-pdf", args=[invoice.pk]))

        pages = pages_of(response.content)
        count = len(pages)
        assert count >= 3
        for number, text in enumerate(pages, start=1):
            assert f"Seite {number} / {count}" in text
            assert "Beschreibung" in text and "Menge" in text and "Einzelpreis" in text  # the header row
        everything = "\n".join(pages)
        assert all(f"Position {number:03d}" in everything for number in range(1, 201))
        assert "Summe 200,00 EUR" in pages[-1]

    def test_has_tax_and_discount_columns_only_when_the_lines_need_them(self, client, shop, reduced_tax, admin_user):
        mixed = invoice_of(
            shop,
            [
                make.line(description="Montage", price="200.00", tax_code=shop.books.output_tax),
                make.line(description="Fachbuch", price="25.00", tax_code=reduced_tax, discount_percent=Decimal("10")),
            ],
            admin_user=admin_user,
        )
        plain = invoice_of(
            shop,
            [make.line(description="Montage", price="200.00", tax_code=shop.books.output_tax)],
            admin_user=admin_user,
        )

        def header_and_text(invoice):
            text = "\n".join(pages_of(client.get(reverse("finance:customerinvoice-pdf", args=[invoice.pk])).content))
            return next(line for line in text.splitlines() if "Beschreibung" in line), text

        header, text = header_and_text(mixed)
        assert "Steuer" in header and "Rabatt" in header
        assert re.search(r"Fachbuch 1 25,00 10 7 % 22,50", text), text
        header, text = header_and_text(plain)
        assert "Steuer" not in header and "Rabatt" not in header
        assert re.search(r"19 %?.* auf 200,00 38,00", text), text  # the rate, stated in the breakdown

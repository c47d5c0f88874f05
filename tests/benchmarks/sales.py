"""Order to cash at size: invoice PDFs, completing a large invoice, the order list at 100,000 orders.

* Invoice PDF: a one-page invoice (5 lines) rendered ``pdf_runs`` times (median, p95); then the
  lines a page holds are measured on a 200-line invoice and an invoice of 20 pages is rendered
  3 times (median). The page count is read back from the PDF (pypdf).
* Completing an invoice of 100 lines (``invoice_post``: numbering, receivable/revenue/tax
  journal, open items, history, events): the time and the number of queries, 5 invoices.
* Order list: ``orders`` sales orders (``bulk_create``: their creation is not measured) for 500
  customers, then the order list page served by gunicorn as in production, first to one client,
  then to ``concurrency`` clients at once (median, p95, requests per second).

Targets (issue 6): 1-page PDF p95 under 500 ms, 20-page PDF under 5 s, completing a 100-line
invoice under 1 s and under 60 queries."""

from __future__ import annotations

import io
import math
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

from tests.benchmarks import page_latency, results
from tests.benchmarks.tenant_creation import new_tenant

LABEL = "sales"
PDF_P95_TARGET_S = 0.5
PDF_20_PAGES_TARGET_S = 5.0
POST_TARGET_S = 1.0
POST_QUERY_TARGET = 60
BATCH = 5_000


def tenant_prepare() -> str:
    from django_tenants.utils import schema_context

    from erp.tenancy.services import tenant_create
    from tests.factories.invoicing import books

    tenant = tenant_create(new=new_tenant(LABEL))
    with schema_context(tenant.schema_name):
        books()
        _clerk(0)
    return tenant.schema_name


def _clerk(number: int):
    """An administrator of the tenant (the invoices are completed and the pages requested by them)."""
    from django.contrib.auth.models import Group

    from erp.accounts.services import user_create
    from erp.core.models import Organization

    return user_create(
        email=f"clerk{number:03d}@sales.example.com",
        first_name=f"Clerk {number:03d}",
        last_name="Bench",
        roles=[Group.objects.get(name="Administrator")],
        organizations=[Organization.objects.get(code="HQ")],
    )


def _invoice(*, lines: int, customer, day: date):
    from erp.core.models import Organization
    from erp.finance.invoicing.services import InvoiceLineData, customer_invoice_create
    from tests.factories.invoicing import books

    accounts = books()
    return customer_invoice_create(
        organization=Organization.objects.get(code="HQ"),
        partner=customer,
        document_date=day,
        by=None,
        lines=[
            InvoiceLineData(
                description=f"Article {number:04d}: consulting, installation and material",
                quantity=Decimal(1 + number % 7),
                unit_price=Decimal(10 + number % 90) + Decimal(number % 100) / 100,
                discount_percent=Decimal(number % 3 * 5),
                tax_code=accounts.output_tax,
                account=accounts.revenue,
            )
            for number in range(lines)
        ],
    )


def _customer(name: str):
    from tests.factories import partners

    return partners.partner(name=name, is_customer=True, tax_id="DE136695976", country="DE")


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _timed(function, runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    return seconds


def invoice_pdfs(*, schema: str, runs: int, progress) -> dict:
    from django_tenants.utils import schema_context

    from erp.finance.invoicing.pdf import invoice_pdf

    with schema_context(schema):
        customer = _customer("PDF Customer GmbH")
        day = date.today().replace(day=1) - timedelta(days=40)
        small = _invoice(lines=5, customer=customer, day=day)
        invoice_pdf(small)  # warm-up: templates, fonts
        one_page = _timed(lambda: invoice_pdf(small), runs)
        small_pages = _pages(invoice_pdf(small))
        progress(f"1-page invoice: median {statistics.median(one_page) * 1000:.0f} ms")
        probe = _invoice(lines=200, customer=customer, day=day)
        probe_pages = _pages(invoice_pdf(probe))
        per_page = 200 / probe_pages
        lines = math.ceil(per_page * 19.5)  # the first page holds the letterhead: aim at the middle of page 20
        large = _invoice(lines=lines, customer=customer, day=day)
        large_pages = _pages(invoice_pdf(large))
        while large_pages < 20:  # the probe's last page is partly empty: add the pages still missing
            lines += math.ceil(per_page * (20 - large_pages))
            large = _invoice(lines=lines, customer=customer, day=day)
            large_pages = _pages(invoice_pdf(large))
        twenty = _timed(lambda: invoice_pdf(large), 3)
        progress(f"{large_pages}-page invoice ({lines} lines): median {statistics.median(twenty):.2f} s")
    return {
        "one_page": {"lines": 5, "pages": small_pages, **results.summary(one_page)},
        "probe": {"lines": 200, "pages": probe_pages},
        "many_pages": {"lines": lines, "pages": large_pages, **results.summary(twenty)},
    }


def invoice_completion(*, schema: str, lines: int, runs: int, progress) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from erp.accounts.models import User
    from erp.finance.invoicing.services import invoice_post

    seconds, queries = [], []
    with schema_context(schema):
        clerk = User.objects.get(email="clerk000@sales.example.com")
        customer = _customer("Large Invoice AG")
        day = date.today().replace(day=1) - timedelta(days=10)
        for _ in range(runs + 1):  # the first one warms up
            invoice = _invoice(lines=lines, customer=customer, day=day)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                invoice_post(invoice=invoice, by=clerk)
                seconds.append(time.perf_counter() - started)
            queries.append(len(captured.captured_queries))
            invoice.refresh_from_db()
            assert invoice.posted, "the invoice was not posted"
    seconds, queries = seconds[1:], queries[1:]
    median_ms = statistics.median(seconds) * 1000
    progress(f"{lines}-line invoice completed: median {median_ms:.0f} ms, {max(queries)} queries")
    return {"lines": lines, "queries_max": max(queries), **results.summary(seconds)}


def orders_fill(*, schema: str, orders: int, progress) -> None:
    from django_tenants.utils import schema_context

    from erp.core.documents.models import Status
    from erp.core.models import Organization
    from erp.partners.models import Partner
    from erp.sales.models import SalesOrder

    statuses = [Status.DRAFT, Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED, Status.CLOSED]
    with schema_context(schema):
        organization = Organization.objects.get(code="HQ")
        customers = Partner.objects.bulk_create(
            [Partner(code=f"C{number:05d}", name=f"Customer {number:05d}", is_customer=True) for number in range(500)]
        )
        first = date.today() - timedelta(days=3 * 365)
        for start in range(0, orders, BATCH):
            rows = []
            for number in range(start, min(orders, start + BATCH)):
                day = first + timedelta(days=number * 1096 // orders)
                amount = Decimal((number * 7919) % 500_000 + 1_000) / 100
                status = statuses[number % len(statuses)]
                rows.append(
                    SalesOrder(
                        organization=organization,
                        partner=customers[number % len(customers)],
                        number="" if status == Status.DRAFT else f"SO-B-{number:07d}",
                        status=status,
                        document_date=day,
                        accounting_date=day,
                        currency_id="EUR",
                        total_net=amount,
                        total_gross=amount * Decimal("1.19"),
                        total_net_company=amount,
                        total_gross_company=amount * Decimal("1.19"),
                    )
                )
            SalesOrder.objects.bulk_create(rows)
            progress(f"{start + len(rows):,} orders")


def sessions_create(*, schema: str, clients: int) -> tuple[str, list[str]]:
    """``clients`` administrators signed in once each: the host and their session cookies."""
    from django.conf import settings
    from django.test import Client as TestClient
    from django_tenants.utils import schema_context

    from erp.tenancy.models import Client as Tenant

    tenant = Tenant.objects.get(schema_name=schema)
    sessions = []
    with schema_context(schema):
        for number in range(1, clients + 1):
            member = _clerk(number)
            browser = TestClient()
            browser.force_login(member)
            sessions.append(browser.cookies[settings.SESSION_COOKIE_NAME].OutputString(attrs=[]))
    return tenant.domains.get(is_primary=True).domain, sessions


def order_list(*, schema: str, orders: int, concurrency: int, requests: int, single: int, environment, progress):
    from functools import partial

    progress(f"filling {orders:,} sales orders")
    orders_fill(schema=schema, orders=orders, progress=progress)
    host, sessions = sessions_create(schema=schema, clients=concurrency)
    page_latency.static_collect()
    page = page_latency.Page("/sales/orders/", "sales order list", b'id="list-table"')
    server = page_latency.Gunicorn(workers=3, threads=4, environment=environment)
    try:
        server.wait_ready()
        measure = partial(page_latency.load, port=server.port, host=host, page=page)
        measure(sessions=sessions, total=len(sessions) * 3)  # warm-up
        alone = page_latency.measured(measure(sessions=sessions[:1], total=single), requests=single, clients=1)
        loaded = page_latency.measured(
            measure(sessions=sessions, total=requests), requests=requests, clients=concurrency
        )
    finally:
        server.stop()
    progress(f"order list: {loaded['ok']} ok, {loaded['errors']} errors")
    return {"orders": orders, **loaded, "single_client": alone}


def run(*, orders: int, concurrency: int, requests: int, single: int, pdf_runs: int, environment, progress) -> dict:
    schema = tenant_prepare()
    return {
        "pdf": invoice_pdfs(schema=schema, runs=pdf_runs, progress=progress),
        "completion": invoice_completion(schema=schema, lines=100, runs=5, progress=progress),
        "order_list": order_list(
            schema=schema,
            orders=orders,
            concurrency=concurrency,
            requests=requests,
            single=single,
            environment=environment,
            progress=progress,
        ),
    }


def _verdict(ok: bool) -> str:
    return "yes" if ok else "NO"


def report(outcome: dict) -> str:
    pdf, completion, listing = outcome["pdf"], outcome["completion"], outcome["order_list"]
    one, many = pdf["one_page"], pdf["many_pages"]
    rows = [
        [
            f"invoice PDF, {one['pages']} page ({one['lines']} lines)",
            results.milliseconds(one["median_s"]),
            results.milliseconds(one["p95_s"]),
            f"p95 < {PDF_P95_TARGET_S * 1000:.0f} ms: {_verdict(one['p95_s'] < PDF_P95_TARGET_S)}",
        ],
        [
            f"invoice PDF, {many['pages']} pages ({many['lines']} lines)",
            results.seconds(many["median_s"]),
            results.seconds(many["max_s"]),
            f"< {PDF_20_PAGES_TARGET_S:.0f} s: {_verdict(many['max_s'] < PDF_20_PAGES_TARGET_S)}",
        ],
        [
            f"complete a {completion['lines']}-line invoice ({completion['queries_max']} queries)",
            results.milliseconds(completion["median_s"]),
            results.milliseconds(completion["max_s"]),
            f"< {POST_TARGET_S:.0f} s and < {POST_QUERY_TARGET} queries: "
            + _verdict(completion["max_s"] < POST_TARGET_S and completion["queries_max"] < POST_QUERY_TARGET),
        ],
    ]
    alone = listing["single_client"]
    rows += [
        [
            f"order list, {listing['orders']:,} orders, 1 client",
            results.milliseconds(alone["median_s"]),
            results.milliseconds(alone["p95_s"]),
            f"{alone['requests_per_s']:.1f} req/s",
        ],
        [
            f"order list, {listing['orders']:,} orders, {listing['clients']} clients",
            results.milliseconds(listing["median_s"]),
            results.milliseconds(listing["p95_s"]),
            f"{listing['requests_per_s']:.1f} req/s, {listing['errors']} errors",
        ],
    ]
    return "Order to cash (issue 6):\n" + results.table(["measured", "median", "p95 / max", "target"], rows)

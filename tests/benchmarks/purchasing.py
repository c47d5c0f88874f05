"""Procure to pay at size: the three-way match of a 200-line vendor bill.

A tenant with the IFRS chart, 19 % input tax, one vendor, one warehouse and ``lines`` products.
Per run (one warm-up, then ``runs``), not measured: a purchase order of ``lines`` lines (one
product each) is confirmed, received in full and billed from the order
(``erp.purchasing.billing.purchase_order_bill``) with every tenth price 1 % over the order's
(inside the default 2 % tolerance) and every fiftieth 10 % over (outside). Measured, each with
its number of queries:

* ``bill_mismatches`` on the draft bill (it must find the lines 10 % over);
* submitting the bill (``invoice_post`` of the draft: the approval starter runs the match and
  holds the bill for an approval, as the tenant's default settings ask);
* the approval of the step the match opened, by a manager (the workflow's decision);
* posting it (``invoice_post`` of the approved bill: the match check again, the journal with
  GRNI cleared, the price differences, input tax and the payable, the open item, the order
  lines' billed quantities).

Median and slowest per step. The issue sets no target: the numbers are reported."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

from tests.benchmarks import results
from tests.benchmarks.tenant_creation import new_tenant

LABEL = "purchasing"
STEPS = ("mismatches", "submit", "approve", "post")


def tenant_prepare(*, lines: int) -> dict:
    from django.contrib.auth.models import Group
    from django_tenants.utils import schema_context

    from erp.accounts.models import User
    from erp.accounts.services import user_create
    from erp.catalog.models import Product
    from erp.core.models import Organization
    from erp.tenancy.services import tenant_create
    from tests.factories import catalog, partners
    from tests.factories import inventory as stock
    from tests.factories.invoicing import books

    tenant = tenant_create(new=new_tenant(LABEL))
    with schema_context(tenant.schema_name):
        accounts = books()
        organization = Organization.objects.get(code="HQ")
        admin = User.objects.get(email=f"admin@{LABEL}.example.com")
        Product.objects.bulk_create(
            [
                Product(
                    sku=f"P{number:04d}",
                    name=f"Part {number:04d}",
                    base_uom=catalog.unit("pc"),
                    purchase_tax=accounts.input_tax,
                )
                for number in range(lines)
            ]
        )
        manager = user_create(
            email=f"manager@{LABEL}.example.com",
            first_name="Bench",
            password=None,
            roles=[Group.objects.get(name="Manager")],
            organizations=[organization],
        )
        return {
            "schema": tenant.schema_name,
            "admin": admin.pk,
            "manager": manager.pk,
            "warehouse": stock.warehouse(organization=organization, by=admin).pk,
            "vendor": partners.vendor(name="Bench Supplies GmbH").pk,
        }


def _billed_order(*, prepared: dict, run: int, on: date):
    """A confirmed order of one line per product, received in full, and its draft bill with
    every tenth price 1 % over the order's and every fiftieth 10 % over."""
    from erp.accounts.models import User
    from erp.catalog.models import Product
    from erp.core.documents import services as documents
    from erp.core.models import Organization
    from erp.inventory.models import Warehouse
    from erp.partners.models import Partner
    from erp.purchasing import billing, services

    admin = User.objects.get(pk=prepared["admin"])
    order = services.purchase_order_create(
        organization=Organization.objects.get(code="HQ"),
        partner=Partner.objects.get(pk=prepared["vendor"]),
        lines=[
            services.OrderLineData(
                product=product,
                quantity=Decimal(5 + product.pk % 20),
                unit_price=Decimal(10 + product.pk % 90) + Decimal(product.pk % 100) / 100,
            )
            for product in Product.objects.order_by("sku")
        ],
        by=admin,
        document_date=on,
    )
    order = documents.document_submit(document=order, by=admin)
    receipt = services.purchase_order_receive(
        order=order, warehouse=Warehouse.objects.get(pk=prepared["warehouse"]), by=admin, on=on
    )
    documents.document_complete(document=receipt, by=admin)
    prices = {
        line.pk: line.unit_price * (Decimal("1.10") if line.position % 50 == 0 else Decimal("1.01"))
        for line in order.lines.all()
        if line.position % 10 == 0
    }
    bill = billing.purchase_order_bill(
        order=order, vendor_invoice_number=f"BENCH-{run:03d}", by=admin, on=on, prices=prices
    )
    return admin, bill


def _measured(function) -> tuple[object, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        outcome = function()
        elapsed = time.perf_counter() - started
    return outcome, elapsed, len(captured.captured_queries)


def _one_run(*, prepared: dict, run: int, expected: int) -> list[tuple[float, int]]:
    """The four measured steps of one bill: (seconds, queries) each."""
    from erp.accounts.models import User
    from erp.core.documents import services as documents
    from erp.core.documents.models import Action, Status
    from erp.finance.invoicing.models import VendorBill
    from erp.finance.invoicing.services import invoice_post
    from erp.purchasing.billing import bill_mismatches

    admin, bill = _billed_order(prepared=prepared, run=run, on=date.today())
    manager = User.objects.get(pk=prepared["manager"])
    found, *mismatches = _measured(lambda: bill_mismatches(bill))
    if len(found) != expected:
        raise RuntimeError(f"{len(found)} mismatches found, {expected} expected")
    held, *submit = _measured(lambda: invoice_post(invoice=bill, by=admin))
    if held.status != Status.IN_REVIEW:
        raise RuntimeError(f"the bill outside the tolerances was not held: {held.status}")
    _, *approve = _measured(lambda: documents.perform(document=held, action=Action.APPROVE, by=manager, reason="Bench"))
    approved = VendorBill.objects.get(pk=bill.pk)
    if approved.status != Status.APPROVED:
        raise RuntimeError(f"the manager's approval did not approve the bill: {approved.status}")
    posted, *post = _measured(lambda: invoice_post(invoice=approved, by=admin))
    if posted.status != Status.COMPLETED or not posted.posted:
        raise RuntimeError(f"the approved bill was not posted: {posted.status}")
    return [tuple(mismatches), tuple(submit), tuple(approve), tuple(post)]


def three_way_match(*, prepared: dict, lines: int, runs: int, progress) -> dict:
    from django_tenants.utils import schema_context

    seconds: dict[str, list[float]] = {step: [] for step in STEPS}
    queries: dict[str, list[int]] = {step: [] for step in STEPS}
    expected = lines // 50
    with schema_context(prepared["schema"]):
        for run in range(runs + 1):  # the first one warms up
            steps = _one_run(prepared=prepared, run=run, expected=expected)
            progress(
                f"run {run}{'' if run else ' (warm-up)'}: "
                + ", ".join(f"{step} {elapsed * 1000:.0f} ms" for step, (elapsed, _n) in zip(STEPS, steps, strict=True))
            )
            if run:
                for step, (elapsed, count) in zip(STEPS, steps, strict=True):
                    seconds[step].append(elapsed)
                    queries[step].append(count)
    return {
        "lines": lines,
        "mismatches": expected,
        "steps": {step: {"queries_max": max(queries[step]), **results.summary(seconds[step])} for step in STEPS},
    }


def run(*, lines: int, runs: int, progress) -> dict:
    progress(f"preparing a tenant with {lines} products")
    prepared = tenant_prepare(lines=lines)
    return three_way_match(prepared=prepared, lines=lines, runs=runs, progress=progress)


LABELS = {
    "mismatches": "bill_mismatches (three-way match)",
    "submit": "submit: match, held for an approval",
    "approve": "approve (a manager)",
    "post": "post: match check, journal, open item",
}


def report(outcome: dict) -> str:
    rows = [
        [
            LABELS[step],
            results.milliseconds(data["median_s"]),
            results.milliseconds(data["max_s"]),
            str(data["queries_max"]),
        ]
        for step, data in outcome["steps"].items()
    ]
    runs = outcome["steps"]["post"]["runs"]
    return (
        f"Three-way matching of a {outcome['lines']}-line vendor bill ({outcome['mismatches']} lines outside "
        f"the price tolerance; {runs} runs after a warm-up):\n"
        + results.table(["measured", "median", "max", "queries"], rows)
    )

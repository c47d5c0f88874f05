"""Aged payables on a tenant with 100,000 open vendor bill items.

The tenant gets ``vendors`` vendors and, through ``bulk_create`` in batches (the bills' own
posting is not what is measured), ``open_items`` posted vendor bills that are still open — a
fifth of them partly paid — plus half as many bills paid in full, each settled by a payment
whose open item is allocated to it. The items and allocations carry the amounts, dates and
settlement dates the services write; all items refer to one real posted entry.

Then ``erp.finance.openitems.selectors.aged_balances`` is timed (once to warm up, then ``runs``
times; median and slowest) as of today — every open bill, the settled ones skipped by their
``settled_on`` date — and as of a date half a year back, when many of the paid bills were still
open and their allocations have to be subtracted; and the aged payables page is requested
through Django by a signed-in accountant. Target (issue 7): the report with 100,000 open items
well under a second."""

from __future__ import annotations

import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

from tests.benchmarks import results
from tests.benchmarks.tenant_creation import new_tenant

LABEL = "receivables"
TARGET_S = 1.0
BATCH = 5_000


def _bills(model, *, start: int, count: int, vendors: list, organization, first_day: date, days: int):
    from erp.core.documents.models import Status

    rows = []
    for number in range(start, start + count):
        day = first_day + timedelta(days=(number * 7919) % days)
        amount = Decimal((number * 37) % 99_000 + 100) / 100
        rows.append(
            model(
                organization=organization,
                partner=vendors[number % len(vendors)],
                kind="invoice",
                number=f"BILL-B-{number:07d}",
                vendor_invoice_number=f"V{number}",
                status=Status.COMPLETED,
                document_date=day,
                accounting_date=day,
                due_date=day + timedelta(days=30),
                currency_id="EUR",
                total_net=amount,
                total_gross=amount,
                total_net_company=amount,
                total_gross_company=amount,
                posted=True,
            )
        )
    return model.objects.bulk_create(rows)


def tenant_fill(*, open_items: int, vendors: int, progress) -> dict:
    """The tenant, its vendors and bills, payments, open items and allocations; returns what to time."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from erp.core.documents.models import Status
    from erp.core.models import Organization
    from erp.finance.invoicing.models import VendorBill
    from erp.finance.models import Account, AccountRole
    from erp.finance.openitems.models import Allocation, OpenItem, Side
    from erp.finance.payments.models import Payment, PaymentKind
    from erp.finance.posting import PostingLine, post_entry
    from erp.partners.models import Partner
    from tests.factories.ledger import fiscal_years

    tenant = new_tenant(LABEL)
    from erp.tenancy.services import tenant_create

    client = tenant_create(new=tenant)
    started = time.perf_counter()
    with schema_context(client.schema_name):
        years = fiscal_years(2)
        first_day, last_day = years[0].start_date, years[-1].end_date
        days = (last_day - first_day).days + 1
        organization = Organization.objects.get(code="HQ")
        payable = Account.objects.for_role(AccountRole.PAYABLE).order_by("code").first()
        bank = Account.objects.for_role(AccountRole.BANK).order_by("code").first()
        expense = Account.objects.for_role(AccountRole.PURCHASES).order_by("code").first()
        entry = post_entry(
            lines=[PostingLine(account=expense, debit=Decimal("1")), PostingLine(account=payable, credit=Decimal("1"))],
            on=first_day,
            organization=organization,
            description="benchmark",
            source=None,
            by=None,
        )
        partners = Partner.objects.bulk_create(
            [Partner(code=f"V{number:05d}", name=f"Vendor {number:05d}", is_vendor=True) for number in range(vendors)]
        )
        paid_count = open_items // 2
        total_bills = open_items + paid_count
        made = 0
        payment_number = 0
        while made < total_bills:
            size = min(BATCH, total_bills - made)
            bills = _bills(
                VendorBill,
                start=made,
                count=size,
                vendors=partners,
                organization=organization,
                first_day=first_day,
                days=days,
            )
            items, payments, pairs = [], [], []
            for offset, bill in enumerate(bills):
                index = made + offset
                item = OpenItem(
                    side=Side.PAYABLE,
                    organization=organization,
                    partner_id=bill.partner_id,
                    account=payable,
                    currency_id="EUR",
                    vendor_bill=bill,
                    journal_entry=entry,
                    reference=bill.number,
                    document_date=bill.accounting_date,
                    due_date=bill.due_date,
                    amount=bill.total_gross,
                    amount_company=bill.total_gross,
                    open_amount=bill.total_gross,
                    open_amount_company=bill.total_gross,
                )
                items.append(item)
                fully_paid = index >= open_items
                partly_paid = not fully_paid and index % 5 == 0
                if fully_paid or partly_paid:
                    paid = bill.total_gross if fully_paid else (bill.total_gross / 2).quantize(Decimal("0.01"))
                    pay_day = min(bill.accounting_date + timedelta(days=20), last_day)
                    payments.append(
                        Payment(
                            organization=organization,
                            partner_id=bill.partner_id,
                            kind=PaymentKind.VENDOR_PAYMENT,
                            number=f"PAY-B-{payment_number:07d}",
                            status=Status.COMPLETED,
                            document_date=pay_day,
                            accounting_date=pay_day,
                            currency_id="EUR",
                            bank_account=bank,
                            amount=paid,
                            total_net=paid,
                            total_gross=paid,
                            total_net_company=paid,
                            total_gross_company=paid,
                            posted=True,
                        )
                    )
                    payment_number += 1
                    pairs.append((item, payments[-1], paid, pay_day))
            OpenItem.objects.bulk_create(items)
            Payment.objects.bulk_create(payments)
            credits, allocations = [], []
            for item, payment, paid, pay_day in pairs:
                credit = OpenItem(
                    side=Side.PAYABLE,
                    organization=organization,
                    partner_id=item.partner_id,
                    account=payable,
                    currency_id="EUR",
                    payment=payment,
                    journal_entry=entry,
                    reference=payment.number,
                    document_date=pay_day,
                    due_date=pay_day,
                    amount=-paid,
                    amount_company=-paid,
                    open_amount=Decimal("0"),
                    open_amount_company=Decimal("0"),
                    settled_on=pay_day,
                )
                credits.append(credit)
                item.open_amount -= paid
                item.open_amount_company -= paid
                if item.open_amount == 0:
                    item.settled_on = pay_day
            OpenItem.objects.bulk_create(credits)
            for (item, _payment, paid, pay_day), credit in zip(pairs, credits, strict=True):
                allocations.append(
                    Allocation(
                        side=Side.PAYABLE,
                        partner_id=item.partner_id,
                        charge=item,
                        credit=credit,
                        date=pay_day,
                        amount=paid,
                        charge_company=paid,
                        credit_company=paid,
                    )
                )
            Allocation.objects.bulk_create(allocations)
            OpenItem.objects.bulk_update(
                [item for item, *_rest in pairs], ["open_amount", "open_amount_company", "settled_on"]
            )
            made += size
            progress(f"{made:,} bills")
        with connection.cursor() as cursor:
            for table in ("finance_openitem", "finance_allocation", "finance_vendorbill", "finance_payment"):
                cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute("SELECT count(*) FROM finance_openitem WHERE side = 'payable' AND open_amount <> 0")
            still_open = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM finance_openitem")
            all_items = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM finance_allocation")
            allocation_count = cursor.fetchone()[0]
    return {
        "schema": client.schema_name,
        "host": client.domains.get(is_primary=True).domain,
        "open_items": still_open,
        "items": all_items,
        "allocations": allocation_count,
        "vendors": vendors,
        "fill_s": time.perf_counter() - started,
        "today": last_day,
        "past": last_day - timedelta(days=182),
    }


def _timed(function, *, runs: int) -> dict:
    seconds = []
    for attempt in range(runs + 1):
        started = time.perf_counter()
        outcome = function()
        elapsed = time.perf_counter() - started
        if attempt:
            seconds.append(elapsed)
    return {"median_s": statistics.median(seconds), "max_s": max(seconds), "runs": runs, "rows": outcome}


def run(*, open_items: int, vendors: int, runs: int, progress) -> dict:
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.urls import reverse
    from django_tenants.utils import schema_context

    from erp.accounts.services import user_create
    from erp.core.models import Organization
    from erp.finance.openitems.models import Side
    from erp.finance.openitems.selectors import aged_balances
    from tests.benchmarks.page_latency import static_collect

    filled = tenant_fill(open_items=open_items, vendors=vendors, progress=progress)
    timings = {}
    with schema_context(filled["schema"]):
        for label, on in (("at the last day", filled["today"]), ("half a year earlier", filled["past"])):
            progress(f"aged payables {label}")
            timings[f"selector, {label}"] = _timed(
                lambda on=on: len(aged_balances(side=Side.PAYABLE, on=on).rows), runs=runs
            )
        accountant = user_create(
            email="accountant@receivables.example.com",
            first_name="Bench",
            password=None,
            roles=[Group.objects.get(name="Accountant")],
            organizations=[Organization.objects.get(code="HQ")],
        )
        static_collect()
        client = Client(HTTP_HOST=filled["host"])
        client.force_login(accountant)
    path = reverse("finance:payable-aged", urlconf="erp.urls")

    def page() -> int:
        response = client.get(path, {"on": filled["today"].isoformat()})
        if response.status_code != 200:
            raise RuntimeError(f"aged payables page: HTTP {response.status_code}")
        return len(response.content)

    progress("aged payables page")
    timings["page (Django, template), at the last day"] = _timed(page, runs=runs)
    return {
        "open_items": filled["open_items"],
        "items": filled["items"],
        "allocations": filled["allocations"],
        "vendors": filled["vendors"],
        "fill_s": filled["fill_s"],
        "timings": timings,
    }


def report(outcome: dict) -> str:
    rows = [
        [label, results.seconds(data["median_s"]), results.seconds(data["max_s"])]
        for label, data in outcome["timings"].items()
    ]
    worst = max(data["median_s"] for label, data in outcome["timings"].items() if label.startswith("selector"))
    verdict = "meets" if worst < TARGET_S else "MISSES"
    return "\n".join(
        [
            f"Aged payables: {outcome['open_items']:,} open items of {outcome['vendors']:,} vendors "
            f"({outcome['items']:,} items, {outcome['allocations']:,} allocations; "
            f"filled in {outcome['fill_s']:.0f} s)",
            results.table(["", "median", "slowest"], rows),
            f"Target: under {TARGET_S:.0f} s: slowest median {results.seconds(worst)} {verdict} it.",
        ]
    )

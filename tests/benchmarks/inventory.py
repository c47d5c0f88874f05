"""The stock ledger at work and at volume (``make bench BENCH_ARGS="--only inventory"``).

* **Moves per second** — ``erp.inventory.stock.moves_post`` recording one movement per
  transaction (alternately a receipt of 5 and an issue of 3 of one of 50 products, FIFO and
  moving average): the valuation row lock, the quant UPSERT / guarded UPDATE, the layer, the
  valuation entry and the journal entry (numbering, history, event, balance trigger and the
  deferred check). ``--moves`` sequentially, then the same with 2 worker processes (each its
  own products).
* **Stock on hand** — the report page (``/inventory/stock/``, HTTP through Django's test
  client, so routing, middleware, the query and the template) on a tenant with
  ``--products`` products × 3 locations on hand (2 warehouses), unfiltered (count, value
  total, first page) and filtered by warehouse and SKU text; median of 5 after a warm-up.
* **Valuation at a past date** — the valuation page (``/inventory/valuation/?on=…``) on a
  tenant with ``--ledger-moves`` movements (receipts and issues of 10,000 products over two
  years, each with its valuation layer and entry, written in bulk by SQL); median of 5.
* **Back-dating** — 1,000 issues of one unit (FIFO and moving average products, one
  transaction each), then a receipt dated before all of them: the time of that one receipt,
  which re-values the 1,000 issues and posts the differences on their dates. Target < 10 s.
  Afterwards the drift check (stock value against the inventory accounts on every date)
  must report 0.

Targets: back-dating under 10 s and a drift of 0."""

from __future__ import annotations

import multiprocessing
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

from tests.benchmarks import results
from tests.benchmarks.tenant_creation import new_tenant

BACKDATE_TARGET_S = 10.0
LABEL = "inventory"
FIRST_DAY = date(2025, 1, 1)


# --- the tenant ---------------------------------------------------------------------------------------


def tenant_prepare() -> dict:
    """A cloned tenant with two open fiscal years and two warehouses; its schema and ids."""
    from django_tenants.utils import schema_context

    from erp.accounts.models import User
    from erp.core.models import Organization
    from erp.inventory import services
    from erp.tenancy.services import tenant_create
    from tests.factories.ledger import fiscal_years

    tenant = tenant_create(new=new_tenant(LABEL))
    with schema_context(tenant.schema_name):
        admin = User.objects.get(email=f"admin@{LABEL}.example.com")
        fiscal_years(2, by=admin)
        organization = Organization.objects.get(code="HQ")
        main = services.warehouse_create(organization=organization, code="MAIN", name="Main", by=admin)
        north = services.warehouse_create(organization=organization, code="NORTH", name="North", by=admin)
        shelf = services.location_create(
            warehouse=main, parent=main.stock_location, code="A1", name="Shelf A1", location_type="internal", by=admin
        )
    domain = tenant.domains.get(is_primary=True).domain
    return {
        "schema": tenant.schema_name,
        "domain": domain,
        "admin_id": admin.pk,
        "warehouses": [main.pk, north.pk],
        "locations": [main.stock_location_id, shelf.pk, north.stock_location_id],
    }


def _products(count: int, *, prefix: str, method: str = "fifo") -> list[int]:
    """``count`` stockable products counted in pieces (bulk insert, no history rows)."""
    from erp.catalog.models import Product, UnitOfMeasure

    piece = UnitOfMeasure.objects.get(code="pc")
    ids: list[int] = []
    for start in range(0, count, 5000):
        batch = [
            Product(
                sku=f"{prefix}{number:07d}", name=f"Product {prefix}{number}", base_uom=piece, valuation_method=method
            )
            for number in range(start, min(start + 5000, count))
        ]
        ids += [product.pk for product in Product.objects.bulk_create(batch)]
    return ids


# --- moves per second -----------------------------------------------------------------------------------


def _record_moves(*, schema: str, product_ids: list[int], count: int, offset: int) -> None:
    """``count`` movements, one transaction each: a receipt of 5, then an issue of 3, per product in turn."""
    from django.db import connection, connections
    from django_tenants.utils import schema_context

    from erp.accounts.models import User
    from erp.catalog.models import Product
    from erp.inventory.models import Location, LocationType, Warehouse
    from erp.inventory.stock import MoveRequest, moves_post

    try:
        with schema_context(schema):
            products = {product.pk: product for product in Product.objects.filter(pk__in=product_ids)}
            warehouse = Warehouse.objects.select_related("organization", "stock_location").get(code="MAIN")
            vendors = Location.objects.get(location_type=LocationType.VENDOR, warehouse=None)
            customers = Location.objects.get(location_type=LocationType.CUSTOMER, warehouse=None)
            admin = User.objects.order_by("pk").first()
            for index in range(offset, offset + count):
                product = products[product_ids[(index // 2) % len(product_ids)]]
                receipt = index % 2 == 0
                moves_post(
                    requests=[
                        MoveRequest(
                            product=product,
                            quantity=Decimal(5 if receipt else 3),
                            from_location=vendors if receipt else warehouse.stock_location,
                            to_location=warehouse.stock_location if receipt else customers,
                            unit_cost=Decimal(10 + index % 7) if receipt else None,
                        )
                    ],
                    on=FIRST_DAY + timedelta(days=index % 300),
                    organization=warehouse.organization,
                    by=admin,
                    reference=f"BENCH-{index}",
                )
    finally:
        connection.close()
        connections.close_all()


def _worker(schema: str, product_ids: list[int], count: int, offset: int) -> None:
    import django
    from django.db import connections

    django.setup()
    connections.close_all()
    _record_moves(schema=schema, product_ids=product_ids, count=count, offset=offset)


def moves_per_second(*, tenant: dict, moves: int, progress) -> dict:
    from django.db import connections
    from django_tenants.utils import schema_context

    with schema_context(tenant["schema"]):
        sequential_products = _products(25, prefix="S", method="fifo") + _products(25, prefix="SA", method="average")
        worker_products = [_products(25, prefix=f"W{n}", method="fifo") for n in range(2)]
    progress("warming up (50 moves)")
    _record_moves(schema=tenant["schema"], product_ids=sequential_products, count=50, offset=0)
    progress(f"sequential: {moves} moves")
    started = time.perf_counter()
    _record_moves(schema=tenant["schema"], product_ids=sequential_products, count=moves, offset=50)
    sequential = time.perf_counter() - started
    progress(f"2 workers: {moves} moves")
    connections.close_all()
    context = multiprocessing.get_context("fork")
    processes = [
        context.Process(target=_worker, args=(tenant["schema"], worker_products[n], moves // 2, 0)) for n in range(2)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    parallel = time.perf_counter() - started
    if any(process.exitcode for process in processes):
        raise RuntimeError("a moves worker failed")
    return {
        "sequential": {"moves": moves, "seconds": sequential, "moves_per_s": moves / sequential},
        "two_workers": {"moves": moves, "seconds": parallel, "moves_per_s": moves / parallel},
    }


# --- report pages ------------------------------------------------------------------------------------------

_FILL_STOCK = """
WITH products AS (
    SELECT id, row_number() OVER (ORDER BY id) AS n FROM catalog_product
     WHERE sku LIKE 'R%%' AND id BETWEEN %(low)s AND %(high)s
), scopes AS (
    INSERT INTO inventory_productvaluation (product_id, warehouse_id, quantity, value, total_in, total_out, pool_qty,
                                            pool_value, last_in_cost, last_in_date)
    SELECT p.id, w.id, CASE WHEN w.id = %(main)s THEN 20 ELSE 10 END,
           (CASE WHEN w.id = %(main)s THEN 20 ELSE 10 END) * (1 + p.n %% 50),
           CASE WHEN w.id = %(main)s THEN 20 ELSE 10 END, 0,
           CASE WHEN w.id = %(main)s THEN 20 ELSE 10 END,
           (CASE WHEN w.id = %(main)s THEN 20 ELSE 10 END) * (1 + p.n %% 50), 1 + p.n %% 50, %(day)s
      FROM products p CROSS JOIN inventory_warehouse w WHERE w.id IN (%(main)s, %(north)s)
    RETURNING id, product_id, warehouse_id
)
INSERT INTO inventory_quant (product_id, location_id, lot_id, quantity, reserved, negative_allowed, in_date, updated_at,
                             valuation_id)
SELECT s.product_id, l.id, NULL, 10, 0, false, %(day)s, now(), s.id
  FROM scopes s JOIN inventory_location l ON l.warehouse_id = s.warehouse_id AND l.id IN (%(a)s, %(b)s, %(c)s)
"""


def _client(tenant: dict):
    from django.test import Client
    from django_tenants.utils import schema_context

    from erp.accounts.models import User
    from tests.benchmarks.page_latency import static_collect

    static_collect()  # production settings serve static files from the manifest
    client = Client(HTTP_HOST=tenant["domain"])
    with schema_context(tenant["schema"]):
        client.force_login(User.objects.get(pk=tenant["admin_id"]))
    return client


def _timed_get(client, url: str, runs: int = 5) -> float:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return statistics.median(timings)


def stock_report(*, tenant: dict, products: int, progress) -> dict:
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    progress(f"{products:,} products × 3 locations on hand")
    started = time.perf_counter()
    with schema_context(tenant["schema"]):
        ids = _products(products, prefix="R")
        main, north = tenant["warehouses"]
        a, b, c = tenant["locations"]
        for start in range(0, len(ids), 20_000):
            chunk = ids[start : start + 20_000]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    _FILL_STOCK,
                    {
                        "low": chunk[0],
                        "high": chunk[-1],
                        "main": main,
                        "north": north,
                        "a": a,
                        "b": b,
                        "c": c,
                        "day": FIRST_DAY,
                    },
                )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SELECT count(*) FROM inventory_quant")
            quants = cursor.fetchone()[0]
    fill = time.perf_counter() - started
    client = _client(tenant)
    progress("timing the stock on hand page")
    return {
        "products": products,
        "quants": quants,
        "fill_seconds": fill,
        "seconds": {
            "stock on hand, first page (count + value total)": _timed_get(client, "/inventory/stock/"),
            "stock on hand, one warehouse": _timed_get(client, "/inventory/stock/?warehouse=NORTH"),
            "stock on hand, SKU search": _timed_get(client, "/inventory/stock/?q=R00123"),
            "stock on hand, page 400": _timed_get(client, "/inventory/stock/?page=400"),
        },
    }


_FILL_LEDGER = """
WITH numbered AS (
    SELECT p.id AS product_id, p.n, k, %(first_day)s::date + (k * 7 + p.n %% 7)::integer AS day,
           (1 + p.n %% 40)::numeric AS cost, (k %% 2 = 0) AS incoming
      FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM catalog_product
             WHERE sku LIKE 'L%%' AND id BETWEEN %(low)s AND %(high)s) p
     CROSS JOIN generate_series(0, %(per_product)s - 1) AS k
), moves AS (
    INSERT INTO inventory_stockmove (product_id, quantity, from_location_id, to_location_id, date, unit_cost, value,
                                     organization_id, reference, kind, created_at)
    SELECT product_id, CASE WHEN incoming THEN 10 ELSE 6 END,
           CASE WHEN incoming THEN %(vendors)s ELSE %(stock)s END,
           CASE WHEN incoming THEN %(stock)s ELSE %(customers)s END,
           day, cost, cost * CASE WHEN incoming THEN 10 ELSE 6 END, %(organization)s, 'BULK', 'normal', now()
      FROM numbered
    RETURNING id, product_id, date, quantity, value, from_location_id = %(vendors)s AS incoming
), layers AS (
    INSERT INTO inventory_valuationlayer (move_id, product_id, warehouse_id, date, direction, quantity, unit_cost,
                                          value, account_id, counterpart_account_id, is_void, total_in, total_out,
                                          pool_qty, pool_value, last_in_cost, matched, pool_cost, remaining_qty,
                                          uncovered_qty)
    SELECT id, product_id, %(warehouse)s, date, CASE WHEN incoming THEN 'in' ELSE 'out' END, quantity,
           value / quantity, CASE WHEN incoming THEN value ELSE -value END, %(account)s, %(counterpart)s, false,
           0, 0, 0, 0, value / quantity, 0, 0, 0, 0
      FROM moves
    RETURNING id, product_id, date, direction, quantity, value
)
INSERT INTO inventory_valuationentry (layer_id, product_id, warehouse_id, date, quantity, value, account_id, kind,
                                      created_at)
SELECT id, product_id, %(warehouse)s, date, CASE WHEN direction = 'in' THEN quantity ELSE -quantity END, value,
       %(account)s, 'move', now()
  FROM layers
"""


def valuation_report(*, tenant: dict, moves: int, progress) -> dict:
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from erp.core.models import Organization
    from erp.finance.models import Account, AccountRole
    from erp.inventory.models import Location, LocationType, Warehouse

    per_product = 100
    product_count = max(moves // per_product, 1)
    started = time.perf_counter()
    with schema_context(tenant["schema"]):
        ids = _products(product_count, prefix="L")
        warehouse = Warehouse.objects.get(code="NORTH")
        params = {
            "first_day": FIRST_DAY,
            "per_product": per_product,
            "vendors": Location.objects.get(location_type=LocationType.VENDOR, warehouse=None).pk,
            "customers": Location.objects.get(location_type=LocationType.CUSTOMER, warehouse=None).pk,
            "stock": warehouse.stock_location_id,
            "warehouse": warehouse.pk,
            "organization": Organization.objects.get(code="HQ").pk,
            "account": Account.objects.for_role(AccountRole.INVENTORY).order_by("code").first().pk,
            "counterpart": Account.objects.for_role(AccountRole.COST_OF_GOODS_SOLD).first().pk,
        }
        step = 1_000  # products per statement: 100,000 movements with their layers and entries
        for start in range(0, len(ids), step):
            chunk = ids[start : start + step]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(_FILL_LEDGER, {**params, "low": chunk[0], "high": chunk[-1]})
            progress(f"{min(start + step, len(ids)) * per_product:,} movements")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SELECT count(*) FROM inventory_stockmove")
            total_moves = cursor.fetchone()[0]
    fill = time.perf_counter() - started
    client = _client(tenant)
    middle = FIRST_DAY + timedelta(days=per_product * 7 // 2)
    progress("timing the valuation page")
    return {
        "moves": total_moves,
        "fill_seconds": fill,
        "seconds": {
            f"valuation at {middle.isoformat()} (page + total + ledger check)": _timed_get(
                client, f"/inventory/valuation/?on={middle.isoformat()}"
            ),
            "valuation at the start (few rows)": _timed_get(
                client, f"/inventory/valuation/?on={(FIRST_DAY + timedelta(days=20)).isoformat()}"
            ),
            "valuation of one warehouse": _timed_get(
                client, f"/inventory/valuation/?on={middle.isoformat()}&warehouse=NORTH"
            ),
        },
    }


# --- back-dating ----------------------------------------------------------------------------------------------


def backdating(*, tenant: dict, issues: int, progress) -> dict:
    from django_tenants.utils import schema_context

    from erp.accounts.models import User
    from erp.catalog.models import Product
    from erp.inventory import checks
    from erp.inventory.models import EntryKind, Location, LocationType, ValuationEntry, Warehouse
    from erp.inventory.stock import MoveRequest, moves_post

    outcome = {}
    with schema_context(tenant["schema"]):
        admin = User.objects.get(pk=tenant["admin_id"])
        warehouse = Warehouse.objects.select_related("organization", "stock_location").get(code="MAIN")
        vendors = Location.objects.get(location_type=LocationType.VENDOR, warehouse=None)
        customers = Location.objects.get(location_type=LocationType.CUSTOMER, warehouse=None)

        def post(product, quantity, *, on, incoming, cost=None):
            return moves_post(
                requests=[
                    MoveRequest(
                        product=product,
                        quantity=Decimal(quantity),
                        from_location=vendors if incoming else warehouse.stock_location,
                        to_location=warehouse.stock_location if incoming else customers,
                        unit_cost=cost,
                    )
                ],
                on=on,
                organization=warehouse.organization,
                by=admin,
            )

        for method in ("fifo", "average"):
            [product_id] = _products(1, prefix=f"B{method[0].upper()}", method=method)
            product = Product.objects.get(pk=product_id)
            post(product, issues + 500, on=FIRST_DAY + timedelta(days=10), incoming=True, cost=Decimal("10.00"))
            progress(f"{method}: {issues} issues, one transaction each")
            for index in range(issues):
                post(product, 1, on=FIRST_DAY + timedelta(days=11 + index * 300 // issues), incoming=False)
            before = ValuationEntry.objects.filter(kind=EntryKind.ADJUSTMENT).count()
            progress(f"{method}: a receipt dated before all of them")
            started = time.perf_counter()
            post(product, 500, on=FIRST_DAY + timedelta(days=5), incoming=True, cost=Decimal("20.00"))
            elapsed = time.perf_counter() - started
            adjusted = ValuationEntry.objects.filter(kind=EntryKind.ADJUSTMENT).count() - before
            outcome[method] = {"issues": issues, "seconds": elapsed, "issues_revalued": adjusted}
        drift = checks.valuation_drift()
        outcome["drift"] = [str(item) for item in drift[:10]]
        outcome["drift_count"] = len(drift)
        outcome["other_differences"] = len(checks.layer_differences()) + len(checks.quant_differences())
    return outcome


# --- all of it ---------------------------------------------------------------------------------------------------


def run(*, moves: int, products: int, ledger_moves: int, issues: int, progress) -> dict:
    tenant = tenant_prepare()
    return {
        "moves_per_second": moves_per_second(tenant=tenant, moves=moves, progress=progress),
        "backdating": backdating(tenant=tenant, issues=issues, progress=progress),
        "stock_report": stock_report(tenant=tenant, products=products, progress=progress),
        "valuation_report": valuation_report(tenant=tenant, moves=ledger_moves, progress=progress),
    }


def report(outcome: dict) -> str:
    speed = outcome["moves_per_second"]
    rows = [
        [label, str(speed[key]["moves"]), results.seconds(speed[key]["seconds"]), f"{speed[key]['moves_per_s']:.0f}"]
        for label, key in (("sequential (1 process)", "sequential"), ("2 workers (processes)", "two_workers"))
    ]
    backdated = outcome["backdating"]
    back_rows = [
        [
            f"{method}: receipt before {backdated[method]['issues']} issues",
            str(backdated[method]["issues_revalued"]),
            results.seconds(backdated[method]["seconds"]),
            "yes" if backdated[method]["seconds"] < BACKDATE_TARGET_S else "NO",
        ]
        for method in ("fifo", "average")
    ]
    stock = outcome["stock_report"]
    ledger = outcome["valuation_report"]
    page_rows = [[name, results.milliseconds(value)] for name, value in stock["seconds"].items()]
    page_rows += [[name, results.milliseconds(value)] for name, value in ledger["seconds"].items()]
    return "\n".join(
        [
            "Inventory: movements (one per transaction: lock, quants, layer, valuation entry, journal entry):",
            results.table(["run", "moves", "time", "moves/s"], rows),
            "",
            "Back-dating (re-valuing the later issues and posting the differences on their dates):",
            results.table(["operation", "issues re-valued", "time", f"< {BACKDATE_TARGET_S:.0f} s"], back_rows),
            f"Drift check afterwards: {backdated['drift_count']} drifts, {backdated['other_differences']} other "
            "differences (target 0).",
            "",
            f"Report pages (median of 5; stock on hand: {stock['quants']:,} quants of {stock['products']:,} products; "
            f"valuation: {ledger['moves']:,} movements with their layers and entries):",
            results.table(["page", "time"], page_rows),
        ]
    )

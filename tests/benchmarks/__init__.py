"""Benchmarks for ``make bench`` (never collected by pytest).

Run them with::

    make bench                                   # everything, default sizes
    make bench BENCH_ARGS="--clones 5 --full 1"  # fewer tenant creations
    make bench BENCH_ARGS="--only pages --requests 500"
    .venv/bin/python -m erp.launcher bench --help

``erp/launcher.py bench`` sets ``DATABASE_URL`` (starting the embedded
PostgreSQL when it is unset) and runs ``python -m tests.benchmarks``. The
benchmarks never touch that database: they create their own (``erp_bench``, or
``--database``) on the same server, fresh, and drop it at the end; the web
server's files (secret key, cache, static files, queue) live under
``var/bench/runtime/`` and are removed as well.

What is measured:

* **Tenant creation** — ``erp.tenancy.services.tenant_create`` as the operator's
  form calls it, three ways: renaming a spare copy of the template kept ready by
  the pool (``erp.tenancy.pool``, the default whenever ``ERP_TENANT_POOL_SIZE`` > 0;
  the spare is made before the clock starts, as the worker makes it after each
  creation), copying the migrated template schema (``use_pool=False``), and creating
  an empty schema and running every tenant migration (``clone=False``). All include
  the company profile, the root organization, the chart of accounts and the first
  administrator (one password hash). Median and p95 over ``--clones`` (pool and copy)
  and ``--full`` runs, after one untimed warm-up copy. Target: p95 < 2 s.
* **Page latency** — the tenant dashboard (``/``) and the user list
  (``/accounts/users/``) served by gunicorn as the Procfile starts it
  (``--workers`` × ``--threads``, default ``WEB_CONCURRENCY``=3 × 4, production
  settings: ``DEBUG=0``, manifest static files). After a warm-up, ``--single``
  requests per page from one client (the latency without load), then
  ``--requests`` from ``--concurrency`` client threads at once, each with its own
  signed-in session and keep-alive connection (median, p95, p99, requests/s).
  The tenant holds ``--users`` users in an organization tree, so the list
  paginates and the dashboard's activity feed is full. The load generator runs
  on the same machine, so the numbers are a floor for the hardware, not a
  capacity plan. Failed requests (not 200, or not the expected page) are counted
  and make the run fail; gunicorn's log is kept in ``var/bench/gunicorn.log``.

One run at a time: a second ``make bench`` waits for the first (a lock under
``var/bench/``).

* **Posting** — ``erp.finance.posting.post_entry`` with entries of 4 lines, each in
  its own transaction with numbering, history, event, the balance trigger and the
  deferred balance check: ``--entries`` sequentially, the same with 2 worker
  processes, then ``--posters`` threads × ``--per-poster`` entries at once into one
  number series, checked for gaps, duplicates and balance differences (see
  ``tests/benchmarks/posting.py``). Targets: ≥ 200 entries/s, 0 gaps, 0 duplicates.
* **Business rules** — ``--rules`` active rules (default 50) evaluated on one journal
  entry through the document hook (the query for the active rules plus the comparisons),
  ``--evaluations`` times, and the comparisons alone (see ``tests/benchmarks/rules.py``).
  Target: under 5 ms.
* **Report screens** — a tenant with ``--report-lines`` journal lines (1,000,000 by
  default) written inside PostgreSQL through the ledger's own triggers, a chart with
  summary accounts and a bank account holding a quarter of the lines (see
  ``tests/benchmarks/reports.py``); the trial balance, general ledger pages of the busy
  account (first, from its middle line, last), profit and loss, balance sheet, journal and the exports requested
  through Django by a signed-in accountant, ``--report-runs`` times each (median, slowest).
  Target: trial balance, general ledger page and balance sheet under 1 s.
* **Inventory** — stock movements per second (sequential and 2 workers), a receipt back-dated
  before 1,000 issues (target < 10 s, then a drift check of 0), the stock-on-hand page with
  100,000 products × 3 locations and the valuation page at a past date over 1,000,000
  movements (see ``tests/benchmarks/inventory.py``); results in ``var/bench/inventory.json``.

* **Procure to pay** — a purchase order of ``--bill-lines`` lines (200) received in full and billed
  from the order with some prices off; ``bill_mismatches``, submitting the bill (held for an
  approval by the match), approving and posting it, with their queries, ``--match-runs`` times
  (see ``tests/benchmarks/purchasing.py``). The aged payables report with 100,000 open items is
  the ``receivables`` section (``tests/benchmarks/receivables.py``).

Results are printed as a table and written to ``var/bench/tenant_creation.json``,
``var/bench/page_latency.json``, ``var/bench/posting.json``, ``var/bench/rules.json`` and
``var/bench/reports.json``.
"""

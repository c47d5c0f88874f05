"""Posting throughput and numbering under concurrency.

Each entry is 4 lines posted by ``erp.finance.posting.post_entry`` in its own transaction, with
everything production does: the gapless number (row lock on the sequence), the history row,
the business event, the posting trigger (period open, account postable, balances upserted)
and the deferred balance check at commit.

* sequential: one process posts ``entries`` entries;
* 2 workers: two processes (each its own connection) post ``entries`` entries between them;
* contention: ``posters`` threads (each its own connection) post ``per_poster`` entries each
  into one organization's series at the same time, while the balance rows are folded every
  half second; afterwards the numbers are checked for gaps and duplicates and the kept
  balances against the lines.

Targets (issue 3): at least 200 entries/s sustained with 2 workers, stretch 500; 0 gaps and
0 duplicates."""

from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import date
from decimal import Decimal

from tests.benchmarks import results
from tests.benchmarks.tenant_creation import new_tenant

TARGET_PER_S = 200
STRETCH_PER_S = 500
LABEL = "ledger"


def tenant_prepare() -> str:
    """A cloned tenant with a small chart of accounts and two open fiscal years; its schema name."""
    from django_tenants.utils import schema_context

    from erp.tenancy.services import tenant_create
    from tests.factories.ledger import chart, fiscal_years

    tenant = tenant_create(new=new_tenant(LABEL))
    with schema_context(tenant.schema_name):
        chart()
        fiscal_years(2)
    return tenant.schema_name


def _entry_lines(index: int, accounts) -> list:
    """Four lines, the accounts and amounts varying with ``index`` (an invoice-like entry)."""
    from erp.finance.posting import PostingLine

    net = Decimal(100 + index % 900) + Decimal(index % 100) / 100
    tax = (net * Decimal("0.19")).quantize(Decimal("0.01"))
    other = net - (net / 3).quantize(Decimal("0.01"))
    income = [accounts.revenue, accounts.services][index % 2]
    return [
        PostingLine(account=accounts.receivable, debit=net + tax),
        PostingLine(account=income, credit=other),
        PostingLine(account=[accounts.revenue, accounts.services][(index + 1) % 2], credit=net - other),
        PostingLine(account=accounts.payable, credit=tax),
    ]


def post_entries(*, schema: str, count: int, offset: int = 0) -> None:
    """Post ``count`` entries, one transaction each, in this thread's own connection."""
    from django.db import connection, connections
    from django_tenants.utils import schema_context

    from erp.core.models import Organization
    from erp.finance.models import FiscalYear
    from erp.finance.posting import post_entry
    from tests.factories.ledger import chart

    try:
        with schema_context(schema):
            accounts = chart()
            organization = Organization.objects.get(code="HQ")
            year = FiscalYear.objects.order_by("start_date").first()
            for index in range(offset, offset + count):
                post_entry(
                    lines=_entry_lines(index, accounts),
                    on=date(year.start_date.year, 1 + index % 12, 1 + index % 28),
                    organization=organization,
                    description=f"Bench entry {index}",
                    source=None,
                    by=None,
                )
    finally:
        connection.close()
        connections.close_all()


def _worker(schema: str, count: int, offset: int) -> None:
    import django
    from django.db import connections

    django.setup()
    connections.close_all()  # never use the parent's socket
    post_entries(schema=schema, count=count, offset=offset)


def _timed_processes(*, schema: str, entries: int, workers: int, offset: int) -> float:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    share = entries // workers
    processes = [
        context.Process(target=_worker, args=(schema, share, offset + worker * share)) for worker in range(workers)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    failed = [process.exitcode for process in processes if process.exitcode]
    if failed:
        raise RuntimeError(f"posting workers failed with exit codes {failed}")
    return elapsed


def _backend_cpu_seconds() -> float | None:
    """CPU time used so far by this connection's PostgreSQL backend (a local server only)."""
    import os

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed_sequential(*, schema: str, entries: int, offset: int) -> dict:
    """Wall time, and the CPU it took on each side: the machine is shared, so the CPU cost per
    entry says more about capacity than the wall time of one run."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from erp.core.models import Organization
    from erp.finance.models import FiscalYear
    from erp.finance.posting import post_entry
    from tests.factories.ledger import chart

    with schema_context(schema):
        accounts = chart()
        organization = Organization.objects.get(code="HQ")
        year = FiscalYear.objects.order_by("start_date").first()
        server_before, client_before = _backend_cpu_seconds(), time.process_time()
        started = time.perf_counter()
        for index in range(offset, offset + entries):
            post_entry(
                lines=_entry_lines(index, accounts),
                on=date(year.start_date.year, 1 + index % 12, 1 + index % 28),
                organization=organization,
                description=f"Bench entry {index}",
                source=None,
                by=None,
            )
        elapsed = time.perf_counter() - started
        client = time.process_time() - client_before
        server_after = _backend_cpu_seconds()
    connection.close()
    server = server_after - server_before if server_before is not None and server_after is not None else None
    return {"seconds": elapsed, "client_cpu_s": client, "server_cpu_s": server}


def contention(*, schema: str, posters: int, per_poster: int) -> dict:
    """``posters`` threads post at once; then gaps and duplicates in the numbers are counted."""
    from django_tenants.utils import schema_context

    from erp.finance.balances import balance_differences
    from erp.finance.journal.models import JournalEntry
    from tests.factories.ledger import numbering_problems

    with schema_context(schema):
        before = set(JournalEntry.objects.values_list("number", flat=True))
    errors: list[BaseException] = []
    barrier = threading.Barrier(posters)

    def poster(index: int) -> None:
        try:
            barrier.wait()
            post_entries(schema=schema, count=per_poster, offset=100_000 + index * per_poster)
        except BaseException as error:  # reported below
            errors.append(error)

    done = threading.Event()
    compactions: list[int] = []

    def compactor() -> None:
        """The worker's periodic compaction of the balance rows, here every half second."""
        from django.db import connections

        from erp.finance.balances import balances_compact

        try:
            with schema_context(schema):
                while not done.wait(0.5):
                    compactions.append(balances_compact())
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=poster, args=(index,)) for index in range(posters)]
    folding = threading.Thread(target=compactor)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    folding.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    done.set()
    folding.join()
    with schema_context(schema):
        numbers = list(JournalEntry.objects.values_list("number", flat=True))
        problems = numbering_problems(numbers)
        new = len(set(numbers) - before)
        differences = len(balance_differences())
    return {
        "posters": posters,
        "entries_per_poster": per_poster,
        "entries_posted": new,
        "errors": [repr(error) for error in errors[:5]],
        "error_count": len(errors),
        "gaps": problems["gaps"],
        "duplicates": problems["duplicates"],
        "balance_differences": differences,
        "compactions": len(compactions),
        "seconds": elapsed,
        "entries_per_s": new / elapsed if elapsed else 0.0,
    }


def _analyze(schema: str) -> None:
    """Table statistics, as autovacuum keeps them in a tenant in use. A brand-new tenant has none:
    the triggers' cached plans then scan the journal sequentially until autovacuum's first
    ANALYZE (within about a minute of the first postings) replaces them."""
    from django.db import connection
    from django_tenants.utils import schema_context

    with schema_context(schema), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()


def run(*, entries: int, posters: int, per_poster: int, progress) -> dict:
    schema = tenant_prepare()
    progress("warming up (50 entries)")
    _timed_sequential(schema=schema, entries=50, offset=0)
    _analyze(schema)
    progress(f"sequential: {entries} entries")
    sequential = _timed_sequential(schema=schema, entries=entries, offset=1_000)
    cpu_ms = {
        "client": sequential["client_cpu_s"] * 1000 / entries,
        "server": sequential["server_cpu_s"] * 1000 / entries if sequential["server_cpu_s"] is not None else None,
    }
    progress(f"2 workers: {entries} entries")
    parallel = _timed_processes(schema=schema, entries=entries, workers=2, offset=10_000)
    progress(f"contention: {posters} posters × {per_poster} entries")
    contended = contention(schema=schema, posters=posters, per_poster=per_poster)
    return {
        "lines_per_entry": 4,
        "sequential": {
            "entries": entries,
            "seconds": sequential["seconds"],
            "entries_per_s": entries / sequential["seconds"],
        },
        "cpu_ms_per_entry": cpu_ms,
        "two_workers": {"entries": entries, "seconds": parallel, "entries_per_s": entries / parallel},
        "contention": contended,
    }


def report(outcome: dict) -> str:
    rows = []
    for label, key in (("sequential (1 process)", "sequential"), ("2 workers (processes)", "two_workers")):
        data = outcome[key]
        rows.append([label, str(data["entries"]), results.seconds(data["seconds"]), f"{data['entries_per_s']:.0f}"])
    contended = outcome["contention"]
    rows.append(
        [
            f"{contended['posters']} posters (threads)",
            str(contended["entries_posted"]),
            results.seconds(contended["seconds"]),
            f"{contended['entries_per_s']:.0f}",
        ]
    )
    verdict = "met" if outcome["two_workers"]["entries_per_s"] >= TARGET_PER_S else "MISSED"
    cpu = outcome["cpu_ms_per_entry"]
    if cpu["server"] is not None:
        capacity = 2000 / (cpu["client"] + cpu["server"])
        cost = (
            f"CPU per entry: {cpu['client']:.2f} ms in Django + {cpu['server']:.2f} ms in PostgreSQL "
            f"→ two idle cores post about {capacity:.0f} entries/s (wall times above depend on the machine's load)."
        )
    else:
        cost = f"CPU per entry in Django: {cpu['client']:.2f} ms (the database is not local: its share is unknown)."
    return "\n".join(
        [
            "Posting (entries of 4 lines, numbering + history + event + balance trigger + deferred check):",
            results.table(["run", "entries", "time", "entries/s"], rows),
            f"Target ≥ {TARGET_PER_S}/s with 2 workers (stretch {STRETCH_PER_S}/s): {verdict}.",
            cost,
            f"Concurrency: {contended['gaps']} gaps, {contended['duplicates']} duplicates, "
            f"{contended['balance_differences']} balance differences, {contended['error_count']} errors "
            f"({contended['posters']} posters × {contended['entries_per_poster']} entries, "
            f"balance rows folded {contended.get('compactions', 0)} times meanwhile).",
        ]
    )

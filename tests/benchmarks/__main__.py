"""``python -m tests.benchmarks``: see the package docstring (tests/benchmarks/__init__.py)."""

from __future__ import annotations

import argparse
import os
import sys
import time

from tests import benchmarks
from tests.benchmarks import database, results

SECTIONS = (
    "tenants",
    "pages",
    "posting",
    "ledger",
    "rules",
    "reports",
    "inventory",
    "receivables",
    "sales",
    "purchasing",
)


def _sections(text: str) -> frozenset[str]:
    wanted = frozenset(name.strip() for name in text.split(",") if name.strip())
    unknown = sorted(wanted - set(SECTIONS))
    if unknown or not wanted:
        raise argparse.ArgumentTypeError(f"unknown benchmark {', '.join(unknown) or '(none)'}")
    return wanted


def _wanted(arguments: argparse.Namespace, section: str) -> bool:
    return arguments.only is None or section in arguments.only


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make bench", description=benchmarks.__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "--only",
        type=_sections,
        help=f"run these benchmarks, comma-separated ({', '.join(SECTIONS)})",
    )
    parser.add_argument("--database", default="erp_bench", help="throw-away database (default: %(default)s)")
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")
    parser.add_argument("--clones", type=int, default=10, help="tenants created by cloning (default: %(default)s)")
    parser.add_argument("--full", type=int, default=3, help="tenants created by migrating (default: %(default)s)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per page (default: %(default)s)")
    parser.add_argument("--concurrency", type=int, default=20, help="concurrent clients (default: %(default)s)")
    parser.add_argument(
        "--single", type=int, default=100, help="requests per page from one client first (default: %(default)s)"
    )
    # The Procfile's defaults: gthread workers for two cores, each thread holding one database connection.
    workers, threads = int(os.environ.get("WEB_CONCURRENCY", 3)), int(os.environ.get("GUNICORN_THREADS", 4))
    parser.add_argument("--workers", type=int, default=workers, help="gunicorn workers (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=threads, help="threads per worker (default: %(default)s)")
    parser.add_argument("--users", type=int, default=200, help="users in the benchmark tenant (default: %(default)s)")
    parser.add_argument(
        "--entries", type=int, default=4000, help="journal entries per posting run (default: %(default)s)"
    )
    parser.add_argument("--posters", type=int, default=32, help="concurrent posters (default: %(default)s)")
    parser.add_argument("--per-poster", type=int, default=200, help="entries per poster (default: %(default)s)")
    parser.add_argument(
        "--report-lines",
        type=int,
        default=1_000_000,
        help="journal lines for the report screens (default: %(default)s)",
    )
    parser.add_argument("--report-runs", type=int, default=5, help="timed requests per report (default: %(default)s)")
    parser.add_argument("--rules", type=int, default=50, help="active business rules (default: %(default)s)")
    parser.add_argument(
        "--evaluations", type=int, default=1000, help="rule evaluations measured (default: %(default)s)"
    )
    parser.add_argument(
        "--ledger-lines", type=int, default=1_000_000, help="journal lines for the ledger reads (default: %(default)s)"
    )
    parser.add_argument("--moves", type=int, default=2000, help="stock movements per run (default: %(default)s)")
    parser.add_argument(
        "--products", type=int, default=100_000, help="products on hand in 3 locations (default: %(default)s)"
    )
    parser.add_argument(
        "--ledger-moves", type=int, default=1_000_000, help="movements for the valuation report (default: %(default)s)"
    )
    parser.add_argument(
        "--issues", type=int, default=1000, help="issues re-valued by one back-dated receipt (default: %(default)s)"
    )
    parser.add_argument(
        "--open-items",
        type=int,
        default=100_000,
        help="open vendor bill items for aged payables (default: %(default)s)",
    )
    parser.add_argument("--vendors", type=int, default=2000, help="vendors holding them (default: %(default)s)")
    parser.add_argument(
        "--orders", type=int, default=100_000, help="sales orders in the order list (default: %(default)s)"
    )
    parser.add_argument("--pdf-runs", type=int, default=20, help="renders of the 1-page invoice (default: %(default)s)")
    parser.add_argument("--aged-runs", type=int, default=5, help="timed aged payables runs (default: %(default)s)")
    parser.add_argument(
        "--bill-lines", type=int, default=200, help="lines of the three-way matched bill (default: %(default)s)"
    )
    parser.add_argument("--match-runs", type=int, default=5, help="timed three-way match runs (default: %(default)s)")
    arguments = parser.parse_args(argv)
    if min(arguments.clones, arguments.full, arguments.requests, arguments.concurrency, arguments.single) < 1:
        parser.error("--clones, --full, --requests, --concurrency and --single must be at least 1")
    arguments.users = max(arguments.users, arguments.concurrency)
    return arguments


def _progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def _tenant_creation(arguments, machine_info: dict, template_s: float) -> tuple[str, str]:
    from tests.benchmarks import tenant_creation

    print(f"Creating tenants: 1 warm-up, {arguments.clones} clones, {arguments.full} full migrations …", flush=True)
    outcome = tenant_creation.run(clones=arguments.clones, full=arguments.full, progress=_progress)
    path = results.write(
        "tenant_creation",
        parameters={"clones": arguments.clones, "full_migrations": arguments.full, "template_setup_s": template_s},
        results=outcome,
        machine_info=machine_info,
    )
    return tenant_creation.report(outcome, template_s=template_s), path


def _page_latency(arguments, machine_info: dict, bench_url: str) -> tuple[str, str, int]:
    from tests.benchmarks import page_latency

    print(f"Seeding the page benchmark's tenant ({arguments.users} users) …", flush=True)
    host, sessions, organizations = page_latency.tenant_seed(users=arguments.users, clients=arguments.concurrency)
    page_latency.static_collect()
    server = page_latency.Gunicorn(
        workers=arguments.workers, threads=arguments.threads, environment=database.environment(bench_url)
    )
    try:
        server.wait_ready()
        print(
            f"Loading each page: {arguments.single} requests from 1 client, "
            f"then {arguments.requests} from {arguments.concurrency} clients …",
            flush=True,
        )
        outcome = page_latency.run(
            server=server,
            host=host,
            sessions=sessions,
            requests=arguments.requests,
            single=arguments.single,
            progress=_progress,
        )
    finally:
        server.stop()
    parameters = {
        "requests_per_page": arguments.requests,
        "single_client_requests_per_page": arguments.single,
        "concurrency": arguments.concurrency,
        "gunicorn_workers": arguments.workers,
        "gunicorn_threads": arguments.threads,
        "tenant_users": arguments.users,
        "tenant_organizations": organizations,
    }
    path = results.write("page_latency", parameters=parameters, results=outcome, machine_info=machine_info)
    text = page_latency.report(
        outcome,
        workers=arguments.workers,
        threads=arguments.threads,
        users=arguments.users,
        organizations=organizations,
    )
    return text, path, sum(data["errors"] for data in outcome.values())


def _posting(arguments, machine_info: dict) -> tuple[str, str, int]:
    from tests.benchmarks import posting

    print(
        f"Posting journal entries: {arguments.entries} sequentially, {arguments.entries} with 2 workers, "
        f"{arguments.posters} posters × {arguments.per_poster} …",
        flush=True,
    )
    outcome = posting.run(
        entries=arguments.entries, posters=arguments.posters, per_poster=arguments.per_poster, progress=_progress
    )
    parameters = {"entries": arguments.entries, "posters": arguments.posters, "per_poster": arguments.per_poster}
    path = results.write("posting", parameters=parameters, results=outcome, machine_info=machine_info)
    contended = outcome["contention"]
    problems = contended["gaps"] + contended["duplicates"] + contended["balance_differences"] + contended["error_count"]
    return posting.report(outcome), path, problems


def _ledger_reads(arguments, machine_info: dict) -> tuple[str, str]:
    from tests.benchmarks import ledger_reads

    print(f"Ledger reads: filling a tenant with {arguments.ledger_lines:,} journal lines …", flush=True)
    outcome = ledger_reads.run(lines=arguments.ledger_lines, progress=_progress)
    path = results.write(
        "ledger_reads", parameters={"lines": arguments.ledger_lines}, results=outcome, machine_info=machine_info
    )
    return ledger_reads.report(outcome), path


def _rules(arguments, machine_info: dict) -> tuple[str, str]:
    from tests.benchmarks import rules

    print(f"Evaluating {arguments.rules} active business rules on one journal entry …", flush=True)
    outcome = rules.run(rules=arguments.rules, evaluations=arguments.evaluations, progress=_progress)
    parameters = {"rules": arguments.rules, "evaluations": arguments.evaluations}
    path = results.write("rules", parameters=parameters, results=outcome, machine_info=machine_info)
    return rules.report(outcome), path


def _reports(arguments, machine_info: dict) -> tuple[str, str]:
    from tests.benchmarks import reports

    print(
        f"Report screens: {arguments.report_lines:,} journal lines, {arguments.report_runs} runs per report …",
        flush=True,
    )
    outcome = reports.run(lines=arguments.report_lines, runs=arguments.report_runs, progress=_progress)
    parameters = {"lines": arguments.report_lines, "runs": arguments.report_runs}
    path = results.write("reports", parameters=parameters, results=outcome, machine_info=machine_info)
    return reports.report(outcome), path


def _inventory(arguments, machine_info: dict) -> tuple[str, str, int]:
    from tests.benchmarks import inventory

    print(
        f"Inventory: {arguments.moves} movements (sequential, 2 workers), back-dating before {arguments.issues} "
        f"issues, stock on hand of {arguments.products:,} products × 3 locations, valuation over "
        f"{arguments.ledger_moves:,} movements …",
        flush=True,
    )
    outcome = inventory.run(
        moves=arguments.moves,
        products=arguments.products,
        ledger_moves=arguments.ledger_moves,
        issues=arguments.issues,
        progress=_progress,
    )
    parameters = {
        "moves": arguments.moves,
        "products": arguments.products,
        "ledger_moves": arguments.ledger_moves,
        "issues": arguments.issues,
    }
    path = results.write("inventory", parameters=parameters, results=outcome, machine_info=machine_info)
    backdated = outcome["backdating"]
    problems = backdated["drift_count"] + backdated["other_differences"]
    return inventory.report(outcome), path, problems


def _receivables(arguments, machine_info: dict) -> tuple[str, str]:
    from tests.benchmarks import receivables

    print(
        f"Aged payables: {arguments.open_items:,} open items of {arguments.vendors:,} vendors, "
        f"{arguments.aged_runs} runs …",
        flush=True,
    )
    outcome = receivables.run(
        open_items=arguments.open_items, vendors=arguments.vendors, runs=arguments.aged_runs, progress=_progress
    )
    parameters = {"open_items": arguments.open_items, "vendors": arguments.vendors, "runs": arguments.aged_runs}
    path = results.write("receivables", parameters=parameters, results=outcome, machine_info=machine_info)
    return receivables.report(outcome), path


def _sales(arguments, machine_info: dict, bench_url: str) -> tuple[str, str, int]:
    from tests.benchmarks import sales

    print(
        f"Order to cash: invoice PDFs, a 100-line invoice completed, the order list with {arguments.orders:,} "
        f"orders ({arguments.requests} requests from {arguments.concurrency} clients) …",
        flush=True,
    )
    outcome = sales.run(
        orders=arguments.orders,
        concurrency=arguments.concurrency,
        requests=arguments.requests,
        single=arguments.single,
        pdf_runs=arguments.pdf_runs,
        environment=database.environment(bench_url),
        progress=_progress,
    )
    parameters = {
        "orders": arguments.orders,
        "concurrency": arguments.concurrency,
        "requests": arguments.requests,
        "pdf_runs": arguments.pdf_runs,
    }
    path = results.write("sales", parameters=parameters, results=outcome, machine_info=machine_info)
    return sales.report(outcome), path, outcome["order_list"]["errors"]


def _purchasing(arguments, machine_info: dict) -> tuple[str, str]:
    from tests.benchmarks import purchasing

    print(
        f"Procure to pay: three-way matching of a {arguments.bill_lines}-line vendor bill, "
        f"{arguments.match_runs} runs …",
        flush=True,
    )
    outcome = purchasing.run(lines=arguments.bill_lines, runs=arguments.match_runs, progress=_progress)
    parameters = {"bill_lines": arguments.bill_lines, "runs": arguments.match_runs}
    path = results.write("purchasing", parameters=parameters, results=outcome, machine_info=machine_info)
    return purchasing.report(outcome), path


def main(argv: list[str]) -> int:
    arguments = _arguments(argv)
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("DATABASE_URL is not set: run `make bench` (erp/launcher.py bench sets it).", file=sys.stderr)
        return 2
    with database.exclusive_run():
        return _run(arguments, url)


def _run(arguments: argparse.Namespace, url: str) -> int:
    started = time.perf_counter()
    bench_url = database.database_recreate(url=url, name=arguments.database)
    print(f"Benchmark database {arguments.database} created (dropped at the end).", flush=True)
    sections, written, errors = [], [], 0
    try:
        database.django_setup(bench_url)
        from django.db import connections

        from tests.benchmarks import tenant_creation

        machine_info = results.machine(postgres=database.server_version(url))
        print("Migrating the public and template schemas …", flush=True)
        template_s = tenant_creation.template_prepare()
        if _wanted(arguments, "tenants"):
            text, path = _tenant_creation(arguments, machine_info, template_s)
            sections.append(text)
            written.append(path)
        if _wanted(arguments, "pages"):
            text, path, errors = _page_latency(arguments, machine_info, bench_url)
            sections.append(text)
            written.append(path)
        if _wanted(arguments, "posting"):
            text, path, problems = _posting(arguments, machine_info)
            sections.append(text)
            written.append(path)
            errors += problems
        if _wanted(arguments, "ledger"):
            text, path = _ledger_reads(arguments, machine_info)
            sections.append(text)
            written.append(path)
        if _wanted(arguments, "rules"):
            text, path = _rules(arguments, machine_info)
            sections.append(text)
            written.append(path)
        if _wanted(arguments, "reports"):
            text, path = _reports(arguments, machine_info)
            sections.append(text)
            written.append(path)
        if _wanted(arguments, "inventory"):
            text, path, problems = _inventory(arguments, machine_info)
            sections.append(text)
            written.append(path)
            errors += problems
        if _wanted(arguments, "receivables"):
            text, path = _receivables(arguments, machine_info)
            sections.append(text)
            written.append(path)
        if _wanted(arguments, "sales"):
            text, path, problems = _sales(arguments, machine_info, bench_url)
            sections.append(text)
            written.append(path)
            errors += problems
        if _wanted(arguments, "purchasing"):
            text, path = _purchasing(arguments, machine_info)
            sections.append(text)
            written.append(path)
        connections.close_all()
    finally:
        if not arguments.keep_database:
            database.database_drop(url=url, name=arguments.database)
        database.runtime_remove()
    print()
    load = ", ".join(f"{value:.1f}" for value in machine_info["load_average_1_5_15_at_start"])
    print(
        f"Machine: {machine_info['cpus']} CPUs (load average at start: {load}), Python {machine_info['python']}, "
        f"PostgreSQL {machine_info['postgresql']}, commit {machine_info['commit']}"
    )
    for text in sections:
        print()
        print(text)
    print()
    print(f"Results written to {', '.join(written)} ({time.perf_counter() - started:.0f} s in all).")
    if errors:
        print(
            f"{errors} failures: see the JSON files (failed requests: error_kinds and var/bench/gunicorn.log).",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Latency of tenant pages under concurrent load, served by gunicorn as in production."""

from __future__ import annotations

import http.client
import itertools
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from functools import partial

from tests.benchmarks import results
from tests.benchmarks.database import BASE_DIR, BENCH_DIR
from tests.benchmarks.tenant_creation import new_tenant

LABEL = "pages"  # the tenant bench-pages
ROLES = ("Sales", "Accountant", "Purchasing", "Warehouse", "HR", "Manager")


@dataclass(frozen=True)
class Page:
    path: str
    label: str
    marker: bytes  # present in every correct response: a login page or an error page lacks it


PAGES = (
    Page("/", "dashboard", b'id="dashboard-organizations"'),
    Page("/accounts/users/", "user list", b'id="list-table"'),
)


# --- The tenant ----------------------------------------------------------------------------


def tenant_seed(*, users: int, clients: int) -> tuple[str, list[str], int]:
    """A cloned tenant with an organization tree and ``users`` users; the first ``clients`` are
    administrators signed in once each. Returns the host, their session cookies and the organization count."""
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.test import Client as TestClient
    from django_tenants.utils import schema_context

    from erp.accounts.services import user_create
    from erp.core.models import Organization
    from erp.core.services import organization_create
    from erp.tenancy.services import tenant_create

    tenant = tenant_create(new=new_tenant(LABEL))
    sessions = []
    with schema_context(tenant.schema_name):
        root = Organization.objects.get(code="HQ")
        branches = []
        for region in range(1, 5):
            parent = organization_create(code=f"R{region}", name=f"Region {region}", parent=root, by=None)
            branches += [
                organization_create(
                    code=f"R{region}B{branch}", name=f"Branch {region}.{branch}", parent=parent, by=None
                )
                for branch in range(1, 5)
            ]
        groups = {group.name: group for group in Group.objects.all()}
        for number in range(users):
            is_client = number < clients
            member = user_create(
                email=f"user{number:04d}@pages.example.com",
                first_name=f"User {number:04d}",
                last_name="Bench",
                roles=[groups["Administrator" if is_client else ROLES[number % len(ROLES)]]],
                organizations=[root] if is_client else [branches[number % len(branches)]],
            )
            if is_client:
                browser = TestClient()
                browser.force_login(member)
                sessions.append(browser.cookies[settings.SESSION_COOKIE_NAME].OutputString(attrs=[]))
        organizations = Organization.objects.count()
    return tenant.domains.get(is_primary=True).domain, sessions, organizations


def static_collect() -> None:
    """Production settings serve hashed static file names from the manifest: collect them first."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


# --- gunicorn ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving erp.wsgi on 127.0.0.1 with the Procfile's options (no --max-requests restarts)."""

    def __init__(self, *, workers: int, threads: int, environment: dict[str, str]) -> None:
        self.port = _free_port()
        self.log_path = BENCH_DIR / "gunicorn.log"  # kept: tracebacks of failed requests land here
        command = [sys.executable, "-m", "gunicorn", "erp.wsgi", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(workers), "--threads", str(threads), "--keep-alive", "5", "--timeout", "60"]
        command += ["--log-level", "warning"]
        with self.log_path.open("wb") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(command, cwd=BASE_DIR, env=environment, stdout=log, stderr=log)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log_path.read_text()[-3000:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz", headers={"Host": "localhost"})
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- Load ----------------------------------------------------------------------------------------


@dataclass
class Load:
    latencies: list[float]
    errors: list[str]
    reconnects: int
    wall_s: float


def load(*, port: int, host: str, page: Page, sessions: list[str], total: int) -> Load:
    """``total`` GETs of ``page`` shared by one thread per session, each on its own keep-alive connection."""
    tickets = itertools.count()
    latencies: list[float] = []
    errors: list[str] = []
    reconnects = 0
    lock = threading.Lock()
    start = threading.Barrier(len(sessions) + 1)

    def client(session: str) -> None:
        nonlocal reconnects
        headers = {"Host": f"{host}:{port}", "Cookie": session, "Accept": "text/html"}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        start.wait()
        while next(tickets) < total:
            for attempt in (1, 2):  # a keep-alive connection the server closed is reopened once
                began = time.perf_counter()
                try:
                    connection.request("GET", page.path, headers=headers)
                    response = connection.getresponse()
                    body = response.read()
                except (ConnectionError, http.client.RemoteDisconnected) as error:
                    connection.close()
                    if attempt == 2:
                        with lock:
                            errors.append(repr(error))
                        break
                    with lock:
                        reconnects += 1
                    continue
                elapsed = time.perf_counter() - began
                if response.status == 200 and page.marker in body:
                    mine.append(elapsed)
                else:
                    with lock:
                        errors.append(f"HTTP {response.status}")
                break
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(session,)) for session in sessions]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return Load(latencies=latencies, errors=errors, reconnects=reconnects, wall_s=time.perf_counter() - began)


def measured(measured: Load, *, requests: int, clients: int) -> dict:
    return {
        "clients": clients,
        "requests": requests,
        "ok": len(measured.latencies),
        "errors": len(measured.errors),
        "error_kinds": sorted(set(measured.errors)),
        "reconnects": measured.reconnects,
        "wall_s": measured.wall_s,
        "requests_per_s": len(measured.latencies) / measured.wall_s,
        **(results.summary(measured.latencies) if measured.latencies else {}),
    }


def run(*, server: Gunicorn, host: str, sessions: list[str], requests: int, single: int, progress) -> dict:
    """Per page: a warm-up, ``single`` requests from one client (the unloaded latency), then
    ``requests`` from all clients at once (the figures at the top level of each page's results)."""
    outcome = {}
    for page in PAGES:
        measure = partial(load, port=server.port, host=host, page=page)
        measure(sessions=sessions, total=len(sessions) * 5)  # warm-up: connections and templates in every thread
        alone = measured(measure(sessions=sessions[:1], total=single), requests=single, clients=1)
        loaded = measured(measure(sessions=sessions, total=requests), requests=requests, clients=len(sessions))
        outcome[page.path] = {"page": page.label, **loaded, "single_client": alone}
        progress(f"{page.path}: {loaded['ok']} ok, {loaded['errors']} errors in {loaded['wall_s']:.1f} s")
    return outcome


def _row(label: str, data: dict) -> list[str]:
    def timing(key: str) -> str:
        return results.milliseconds(data[key]) if data["ok"] else "-"

    return [
        label,
        str(data["clients"]),
        str(data["requests"]),
        timing("median_s"),
        timing("p95_s"),
        timing("p99_s"),
        timing("max_s"),
        f"{data['requests_per_s']:.1f}",
        str(data["errors"]),
    ]


def report(outcome: dict, *, workers: int, threads: int, users: int, organizations: int) -> str:
    rows = []
    for path, data in outcome.items():
        rows += [_row(f"{path} ({data['page']})", data["single_client"]), _row("", data)]
    return "\n".join(
        [
            f"Page latency: gunicorn {workers} workers x {threads} threads, DEBUG=0; each client with its own "
            f"session and keep-alive connection; tenant with {users} users, {organizations} organizations",
            results.table(["page", "clients", "requests", "median", "p95", "p99", "max", "req/s", "errors"], rows),
        ]
    )

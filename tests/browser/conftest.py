"""Browser tests: Playwright's sync API drives the system Chromium against a live server.

The live server runs the real WSGI application (``erp.wsgi``, whitenoise serving
the static files) in threads for the whole session, on a free port of the
loopback interface. Chromium resolves ``localhost`` and ``*.localhost`` itself,
trying ``::1`` before ``127.0.0.1``, so the server listens on both (same port):
``http://localhost:<port>/`` is the operator site, ``http://<tenant>.localhost:<port>/``
a tenant's.

The server has its own database connections, so a test's data must be committed:
tests take ``committed_tenant`` (a tenant of their own, dropped afterwards) and
tenants created through the operator UI are dropped in teardown.

Without Chromium the browser tests are skipped, unless ``ERP_REQUIRE_BROWSER=1``
(CI), in which case they fail. A failing test leaves screenshots of its pages
under ``test-results/``; an uncaught script error or a Content-Security-Policy
refusal in any page fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import QuietWSGIRequestHandler

RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
TIMEOUT_MS = 15_000  # generous: other test runs share this machine's two cores
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browser_required() -> bool:
    return os.environ.get("ERP_REQUIRE_BROWSER", "") not in ("", "0")


def pytest_collection_modifyitems(config, items) -> None:
    if chromium_path() or browser_required():
        return
    reason = "Chromium is not installed (apt-get install chromium); ERP_REQUIRE_BROWSER=1 turns this into a failure"
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# --- Live server ------------------------------------------------------------------------


def _ipv6_loopback_available() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


class LiveServer:
    """``erp.wsgi.application`` served by Django's threaded WSGI server on 127.0.0.1 (and ::1) :port.

    Each request runs in its own thread, which closes its database connections when done."""

    def __init__(self) -> None:
        from erp.wsgi import application

        self.servers = self._bind(application)
        self.port = self.servers[0].server_address[1]
        self.threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in self.servers]
        for thread in self.threads:
            thread.start()

    @staticmethod
    def _bind(application) -> list[ThreadedWSGIServer]:
        for _attempt in range(20):
            servers = [ThreadedWSGIServer(("127.0.0.1", 0), QuietWSGIRequestHandler, allow_reuse_address=False)]
            if _ipv6_loopback_available():
                port = servers[0].server_address[1]
                try:
                    servers.append(
                        ThreadedWSGIServer(("::1", port), QuietWSGIRequestHandler, ipv6=True, allow_reuse_address=False)
                    )
                except OSError:  # that port is taken on ::1: try another one
                    servers[0].server_close()
                    continue
            for server in servers:
                server.set_app(application)
            return servers
        raise RuntimeError("no port free on both 127.0.0.1 and ::1")

    def url(self, path: str = "/", *, host: str) -> str:
        return f"http://{host}:{self.port}{path}"

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()
        for thread in self.threads:
            thread.join(timeout=10)
        connections.close_all()


@pytest.fixture(scope="session")
def erp_server(django_db_setup) -> Iterator[LiveServer]:
    server = LiveServer()
    yield server
    server.stop()


@pytest.fixture
def db(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The browser tests' database: the committed one, with no per-test transaction.

    Overrides pytest-django's ``db`` for tests/browser: the live server's threads have their
    own connections and could not see data inside a test's transaction. The name also tells
    pytest-django that these tests need the test database (it creates one only for tests
    that ask for ``db``), and the database stays unblocked while the test runs so the
    server's threads can reach it."""
    with django_db_blocker.unblock():
        yield


# --- Chromium --------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the browser tests (a fresh, temporary profile)."""
    executable = chromium_path()
    if executable is None:
        pytest.fail("Chromium is required (ERP_REQUIRE_BROWSER=1) but neither chromium nor chromium-browser is on PATH")
    from playwright.sync_api import expect, sync_playwright

    # The sync API keeps an asyncio loop running in this thread; Django refuses ORM calls
    # from such a thread unless told that it is safe (it is: the loop never runs our code).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        # While the loop runs, Django keeps this thread's connections on the loop (asgiref's
        # Local); close them now or they would outlive it and keep the test database open.
        connections.close_all()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _screenshot_name(nodeid: str, number: int) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("tests/browser/")[-1]) + f"-{number}.png"


def _watch(page, problems: list[str]) -> None:
    """Uncaught script errors and Content-Security-Policy refusals (inline script or style) fail the test."""
    page.on("pageerror", lambda error: problems.append(f"{page.url}: uncaught {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )


@pytest.fixture
def new_page(request, browser, erp_server, db) -> Iterator[Callable[[], object]]:
    """Factory: a page in a new browser context (own cookies), e.g. one per user signed in."""
    contexts = []
    problems: list[str] = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        _watch(page, problems)
        return page

    yield make
    report = getattr(request.node, "report_call", None)
    failed = report is not None and report.failed
    if failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        pages = [page for context in contexts for page in context.pages]
        for number, page in enumerate(pages, start=1):
            page.screenshot(path=str(RESULTS_DIR / _screenshot_name(request.node.nodeid, number)), full_page=True)
    for context in contexts:
        context.close()
    if problems and not failed:
        pytest.fail("script errors in the browser:\n" + "\n".join(problems))


@pytest.fixture
def page(new_page):
    return new_page()


# --- Helpers for the tests ----------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """Where a test points the browser: the live server and a host name (the operator's or a tenant's)."""

    server: LiveServer
    host: str

    def url(self, path: str = "/") -> str:
        return self.server.url(path, host=self.host)


def site_of(erp_server: LiveServer, client) -> Site:
    """The site of a tenant (``Client``), at its primary domain."""
    from django_tenants.utils import get_public_schema_name, schema_context

    with schema_context(get_public_schema_name()):
        return Site(erp_server, client.domains.get(is_primary=True).domain)


@pytest.fixture
def tenant_site(erp_server, committed_tenant) -> Site:
    return site_of(erp_server, committed_tenant)


@pytest.fixture
def operator_site(erp_server) -> Site:
    from django.conf import settings

    return Site(erp_server, settings.ERP_BASE_DOMAIN)


def sign_in(page, site: Site, *, email: str, password: str, path: str = "/accounts/login/") -> None:
    """Fill the sign-in form of the site and wait until the browser has left it."""
    page.goto(site.url(path))
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

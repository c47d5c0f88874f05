"""Pages work under the strict Content-Security-Policy: no inline scripts, inline
styles, event-handler attributes, hx-on or eval; scripts and styles come from
our own static files, not from a CDN.

The pages are walked from the URL resolvers, so a new screen is checked
without being listed here. PDF templates (WeasyPrint, never shown by a
browser) may style themselves inline."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

BASE_DIR = Path(__file__).resolve().parents[3]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "hx-get", "hx-post"}


class _CspLint(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.htmx_config: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not values.get("src"):
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "meta" and values.get("name") == "htmx-config":
            self.htmx_config = json.loads(values["content"] or "{}")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f'style="{value}" on <{tag}>')
            elif name.startswith("on"):
                self.problems.append(f"{name}= handler on <{tag}>")
            elif name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"{name} on <{tag}>")
            elif name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in {name} on <{tag}>")
            elif tag in {"script", "link"} and name in {"src", "href"} and re.match(r"(https?:)?//", value or ""):
                self.problems.append(f"<{tag}> loads {value} from another site")


def lint(html: str) -> _CspLint:
    parser = _CspLint()
    parser.feed(html)
    return parser


def _plain_routes(urlconf: str) -> list[str]:
    """Names of the URLs that take no arguments."""

    def walk(patterns, namespace: str = ""):
        for pattern in patterns:
            if "<" in str(pattern.pattern):
                continue
            if isinstance(pattern, URLResolver):
                yield from walk(
                    pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}"

    return sorted(set(walk(get_resolver(urlconf).url_patterns)))


def _html_pages(client, names: list[str], urlconf: str) -> dict[str, str]:
    pages = {}
    for name in names:
        response = client.get(reverse(name, urlconf=urlconf))
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages[name] = response.content.decode()
    return pages


def _assert_clean(pages: dict[str, str]) -> None:
    problems = {name: lint(html).problems for name, html in pages.items()}
    assert not {name: found for name, found in problems.items() if found}


@pytest.mark.django_db
class TestTenantPages:
    def test_every_page_an_administrator_opens_is_free_of_inline_code(self, admin_client):
        pages = _html_pages(admin_client, _plain_routes("erp.urls"), "erp.urls")

        assert {"core:dashboard", "accounts:user-list", "accounts:user-create", "core:organization-list"} <= set(pages)
        _assert_clean(pages)

    def test_pages_for_visitors_are_free_of_inline_code(self, tenant_client):
        pages = _html_pages(tenant_client, _plain_routes("erp.urls"), "erp.urls")

        assert {"accounts:login", "accounts:password-reset"} <= set(pages)
        _assert_clean(pages)

    def test_error_pages_are_free_of_inline_code(self, client_for, user_with_role, tenant_client):
        forbidden = client_for(user_with_role("Sales")).get(reverse("accounts:user-list"))
        missing = tenant_client.get("/no-such-page/")

        assert forbidden.status_code == 403
        assert missing.status_code == 404
        _assert_clean({"403": forbidden.content.decode(), "404": missing.content.decode()})

    def test_htmx_is_configured_to_need_neither_eval_nor_inline_styles(self, admin_client):
        html = admin_client.get(reverse("core:dashboard")).content.decode()

        config = lint(html).htmx_config
        assert config["allowEval"] is False
        assert config["includeIndicatorStyles"] is False
        assert re.search(r'<script src="/static/[^"]*htmx[^"]*\.js"', html)
        assert re.search(r'<script src="/static/[^"]*bootstrap[^"]*\.js"', html)


@pytest.mark.django_db
class TestOperatorPages:
    def test_every_page_the_operator_opens_is_free_of_inline_code(self, operator_logged_in, operator_client):
        pages = _html_pages(operator_logged_in, _plain_routes("erp.urls_public"), "erp.urls_public")
        operator_client.logout()
        visitor = _html_pages(operator_client, ["accounts:login"], "erp.urls_public")

        assert {"operator:tenant-list", "operator:tenant-create"} <= set(pages)
        assert visitor
        _assert_clean({**pages, **visitor})


class TestSources:
    def test_templates_write_no_inline_code(self):
        problems = {}
        for path in sorted((BASE_DIR / "templates").rglob("*.html")):
            if "pdf" in path.relative_to(BASE_DIR / "templates").parts:
                continue
            found = lint(re.sub(r"{[{%#].*?[}%#]}", "x", path.read_text(), flags=re.S)).problems
            if found:
                problems[str(path.relative_to(BASE_DIR))] = found

        assert not problems

    def test_the_script_uses_no_eval_and_sets_no_style_attributes(self):
        for path in sorted((BASE_DIR / "static" / "erp").glob("*.js")):
            source = path.read_text()

            assert not re.search(r"\beval\(|new Function\(|setTimeout\(\s*['\"]", source), path
            assert not re.search(r"setAttribute\(\s*['\"]style['\"]|\.style\.cssText|innerHTML\s*=", source), path

    def test_the_lint_notices_inline_code(self):
        found = lint(
            '<script>alert(1)</script><div style="color:red" onclick="x()" hx-on:click="y()"></div>'
            '<a href="javascript:void(0)"></a><script src="https://cdn.example.com/htmx.js"></script>'
        ).problems

        assert len(found) == 6

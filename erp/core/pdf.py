"""HTML to PDF with WeasyPrint, tuned for long documents (a 20-page invoice in a few seconds).

* The user-agent stylesheet without the rules for footnotes and notes and with list markers only on
  list items: WeasyPrint otherwise computes six pseudo-element styles for every element of the
  document (about a quarter of the time of a long table). Our PDF templates use no footnotes.
* One font configuration per thread, kept between renders: creating one loads fontconfig's
  configuration and starts with empty font caches (about 40 ms of a one-page invoice). A font map
  is not safe to share between threads, hence one per thread (gunicorn threads, huey workers)."""

from __future__ import annotations

import re
import threading
from functools import cache

_local = threading.local()


def lean_user_agent_css(text: str) -> str:
    """The user-agent stylesheet ``text`` without the footnote and note rules, list markers styled
    on list items only."""
    text = re.sub(r"^::(footnote|note)-[^{]*\{[^}]*\}", "", text, flags=re.MULTILINE)
    return re.sub(r"^::marker(\s*\{)", r"li::marker\1", text, flags=re.MULTILINE)


@cache
def _user_agent_stylesheets() -> list | None:
    """WeasyPrint's HTML5 user-agent stylesheet made lean; None (WeasyPrint's own) when this
    WeasyPrint keeps it elsewhere."""
    from weasyprint import CSS
    from weasyprint import html as weasy_html

    text, counter_style = getattr(weasy_html, "UA", None), getattr(weasy_html, "UA_COUNTER_STYLE", None)
    if not isinstance(text, str) or counter_style is None:
        return None
    return [CSS(string=lean_user_agent_css(text), counter_style=counter_style)]


@cache
def _html_class():
    from weasyprint import HTML

    sheets = _user_agent_stylesheets()
    if sheets is None or not hasattr(HTML, "_ua_stylesheets"):
        return HTML

    class LeanHTML(HTML):
        def _ua_stylesheets(self, forms: bool = False):
            return sheets if not forms else super()._ua_stylesheets(forms=True)

    return LeanHTML


def font_configuration():
    """This thread's font configuration (created on its first PDF)."""
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.font_config = FontConfiguration()
    return config


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    return _html_class()(string=html, base_url=base_url).write_pdf(font_config=font_configuration())

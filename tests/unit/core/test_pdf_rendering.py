"""The tuned WeasyPrint rendering (erp.core.pdf): lists keep their markers, the text comes out as
written, and each thread keeps one font configuration of its own."""

import io
import threading

from pypdf import PdfReader

from erp.core import pdf


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


class TestHtmlToPdf:
    def test_renders_tables_and_numbered_lists(self):
        html = (
            "<table><tr><td>Montage</td><td>200,00</td></tr></table>"
            "<ol><li>Erster Punkt</li><li>Zweiter Punkt</li></ol>"
        )

        text = _text(pdf.html_to_pdf(html, base_url="/"))

        assert "Montage" in text and "200,00" in text
        assert "Erster Punkt" in text and "Zweiter Punkt" in text
        assert "1." in text and "2." in text  # the list's markers (pypdf reads them after the items)

    def test_the_lean_stylesheet_drops_the_note_rules_and_keeps_the_rest(self):
        from weasyprint import html as weasy_html

        lean = pdf.lean_user_agent_css(weasy_html.UA)

        assert "::footnote-call" in weasy_html.UA and "::note-callback" in weasy_html.UA
        assert "footnote-" not in lean.replace("counter(footnote)", "") and "::note-" not in lean
        assert "\nli::marker {" in lean and "\n::marker" not in lean
        assert "table { box-sizing: border-box }" in lean and "q::before" in lean

    def test_one_font_configuration_per_thread(self):
        mine = pdf.font_configuration()
        other = []
        thread = threading.Thread(target=lambda: other.append(pdf.font_configuration()))
        thread.start()
        thread.join()

        assert pdf.font_configuration() is mine
        assert other and other[0] is not mine

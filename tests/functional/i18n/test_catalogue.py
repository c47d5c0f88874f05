"""The German catalogue covers every text of the sources, completely, and the
committed django.mo is compiled from the committed django.po."""

from __future__ import annotations

import gettext
import re

from tests.functional.i18n.catalogue import GERMAN_MO, GERMAN_PO, Message, read_po, source_messages

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+(?::[^}]*)?\}")
HOW_TO_FIX = (
    "run `make messages`, translate the new entries in locale/de/LC_MESSAGES/django.po, "
    "run `make messages` again to compile django.mo, and commit both"
)


def _describe(messages) -> str:
    return "\n".join(sorted(f"  {m.msgid!r}" + (f" (context {m.context!r})" if m.context else "") for m in messages))


class TestGermanCatalogue:
    def test_has_an_entry_for_every_text_in_the_sources(self):
        catalogued = {entry.message for entry in read_po()}

        missing = source_messages() - catalogued

        assert not missing, f"Texts without a German entry ({HOW_TO_FIX}):\n{_describe(missing)}"

    def test_translates_every_entry(self):
        untranslated = [entry.message for entry in read_po() if not all(entry.translations)]

        assert not untranslated, f"Entries without a German text:\n{_describe(untranslated)}"

    def test_has_no_fuzzy_entries(self):
        fuzzy = [entry.message for entry in read_po() if "fuzzy" in entry.flags]

        assert not fuzzy, f"Fuzzy entries (gettext's guesses: check, correct, remove the flag):\n{_describe(fuzzy)}"

    def test_keeps_every_placeholder_of_the_english_text(self):
        broken = [
            entry.message
            for entry in read_po()
            for translation in entry.translations
            if sorted(PLACEHOLDER.findall(entry.message.msgid)) != sorted(PLACEHOLDER.findall(translation))
            and not entry.message.plural
        ]

        assert not broken, f"Translations that lose or add a placeholder:\n{_describe(broken)}"

    def test_compiled_file_matches_the_catalogue(self):
        with GERMAN_MO.open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)

        stale = []
        for entry in read_po():
            message = entry.message
            msgid = f"{message.context}\x04{message.msgid}" if message.context else message.msgid
            if message.plural is None:
                if compiled._catalog.get(msgid) != entry.translations[0]:
                    stale.append(message)
            elif [compiled._catalog.get((msgid, n)) for n in range(len(entry.translations))] != entry.translations:
                stale.append(message)

        assert not stale, f"{GERMAN_MO.name} is older than {GERMAN_PO.name} ({HOW_TO_FIX}):\n{_describe(stale)}"


class TestSourceScan:
    """The scan behind the first test finds what makemessages finds."""

    def test_finds_texts_of_python_code_and_templates(self):
        found = source_messages()

        assert Message("E-mail address or password is wrong.") in found  # gettext_lazy in a form
        assert Message("Your password has been changed.") in found  # gettext in a view
        assert Message("Forgot your password?") in found  # {% translate %}
        assert Message("Welcome, %(name)s") in found  # {% blocktranslate with %}
        assert Message("%(counter)s user", plural="%(counter)s users") in found  # {% blocktranslate count %}
        assert Message("Something went wrong (error %%(status)s). Please try again.") in found  # % in a template

"""Country and currency names in the reader's language.

The English names the ISO standards give them (ISO 3166, ISO 4217) are the
msgids of the catalogues pycountry ships, so a name stored or listed in
English is looked up there at display time."""

from __future__ import annotations

import gettext
from collections.abc import Callable

import pycountry
from django.utils import translation


def iso_gettext(domain: str) -> Callable[[str], str]:
    """``gettext`` of one of pycountry's catalogues (``iso3166-1``, ``iso4217``) in the active language."""
    language = (translation.get_language() or "en").split("-")[0]
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True).gettext


def currency_name(name: str) -> str:
    """``currency_name("US Dollar")`` is "US-Dollar" for a German reader."""
    return iso_gettext("iso4217")(name)

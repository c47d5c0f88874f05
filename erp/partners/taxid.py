"""Tax identification numbers checked with python-stdnum.

An EU VAT number is recognised by its country prefix (``DE136695976``, ``FR40303265045``)
and checked with ``stdnum.eu.vat`` whatever the partner's country. Otherwise the partner's
country decides: its VAT module (``stdnum.de.vat``, ``stdnum.ch.vat`` …), else its tax
number module (``stdnum.us.tin`` …). A country stdnum does not know is not checked. The
number is stored in its compact form (no spaces, dots or dashes); an EU VAT number with its
country prefix, so ``136695976`` of a German partner is kept as ``DE136695976``."""

from __future__ import annotations

from types import ModuleType

from django.utils.translation import gettext as _
from stdnum import get_cc_module
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.util import clean

from erp.core.exceptions import DomainError

EU_PREFIXES = frozenset(eu_vat.MEMBER_STATES) | {"el", "xi"}


class InvalidTaxId(DomainError):
    pass


def module_for(country: str) -> ModuleType | None:
    """The stdnum module that checks tax ids of ``country`` (ISO 3166 alpha-2), or None."""
    code = (country or "").strip().lower()
    if len(code) != 2 or not code.isalpha():
        return None
    return get_cc_module(code, "vat") or get_cc_module(code, "tin")


def number_name(module: ModuleType) -> str:
    """What stdnum calls the number, e.g. “USt-IdNr. (Umsatzsteueridentifikationsnummer, German VAT number)”."""
    return (module.__doc__ or module.__name__).strip().splitlines()[0].rstrip(".")


def tax_id_normalise(value: str, *, country: str = "") -> str:
    """The tax id in compact form, or ``InvalidTaxId`` (for the ``tax_id`` field) when the
    country has a format and the number does not fit it (length, characters, check digit)."""
    raw = (value or "").strip()
    if not raw:
        return ""
    compact = clean(raw, " -./").upper()
    if compact[:2].isalpha() and compact[:2].lower() in EU_PREFIXES:
        try:
            return eu_vat.validate(compact)
        except ValidationError:
            raise InvalidTaxId(
                _("“%(value)s” is not a valid EU VAT number: check the country prefix, the length and the digits.")
                % {"value": raw},
                field="tax_id",
            ) from None
    module = module_for(country)
    if module is None:
        return " ".join(raw.split())
    try:
        number = module.validate(raw)
    except ValidationError:
        raise InvalidTaxId(
            _("“%(value)s” is not a valid tax id for %(country)s (expected: %(name)s).")
            % {"value": raw, "country": country.upper(), "name": number_name(module)},
            field="tax_id",
        ) from None
    code = country.strip().lower()
    if code in eu_vat.MEMBER_STATES and module is get_cc_module(code, "vat"):
        prefix = "EL" if code == "gr" else code.upper()  # an EU VAT number keeps its prefix
        return number if number.startswith(prefix) else prefix + number
    return number

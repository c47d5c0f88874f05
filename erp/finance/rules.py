"""The rules an account must satisfy, as pure functions returning an error message (or None).

The account screens (``services``) and the CSV import / chart templates (``charts``)
check the same rules through these, so a chart that loads is a chart the screens accept."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from erp.finance.models import ROLE_TYPES, AccountRole, AccountType

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")


def code_error(code: str) -> str | None:
    if not CODE_RE.match(code or ""):
        return _("Use 1 to 20 letters, digits, dots, hyphens or underscores, starting with a letter or digit.")
    return None


def role_error(*, role: str, account_type: str, is_group: bool) -> str | None:
    """A role only on postable accounts, and only on accounts of a type it fits."""
    if not role:
        return None
    if is_group:
        return _("Summary accounts cannot have a role: give it to a postable sub-account.")
    allowed = ROLE_TYPES.get(role, frozenset())
    if account_type not in allowed:
        return _("An account with the role “%(role)s” must be of type %(types)s.") % {
            "role": AccountRole(role).label,
            "types": _(" or ").join(str(AccountType(t).label) for t in sorted(allowed)),
        }
    return None


def currency_error(*, currency_code: str | None, is_group: bool) -> str | None:
    if currency_code and is_group:
        return _("Summary accounts have no currency of their own.")
    return None


def single_role_error(role: str) -> str:
    return _("Another active account already has the role “%(role)s”; only one may.") % {
        "role": AccountRole(role).label
    }


def parse_choice(value: str, choices: type[AccountType] | type[AccountRole]) -> str:
    """A value or its label, case-insensitively (“asset”, “Asset”, “Cost of goods sold”)."""
    text = (value or "").strip().casefold().replace("-", "_")
    for choice in choices:
        if text in (choice.value.casefold(), str(choice.label).casefold(), choice.name.casefold()):
            return choice.value
    raise ValueError(
        _("“%(value)s” is not one of: %(choices)s.")
        % {"value": value, "choices": ", ".join(c.value for c in choices if c.value)}
    )

"""Finance master data for tests: accounts through the services (so the rules hold), tax codes."""

from __future__ import annotations

import itertools
from decimal import Decimal

from erp.finance import services
from erp.finance.models import Account, AccountType, TaxCode, TaxType

_numbers = itertools.count(1)


def account(**fields) -> Account:
    """A postable account with a code of its own (``T…``, never in a template chart)."""
    number = next(_numbers)
    fields.setdefault("code", f"T{number:05d}")
    fields.setdefault("name", f"Test account {number}")
    fields.setdefault("account_type", AccountType.ASSET)
    return services.account_create(**fields)


def group(**fields) -> Account:
    return account(is_group=True, **fields)


def tax_code(**fields) -> TaxCode:
    number = next(_numbers)
    fields.setdefault("code", f"TX{number}")
    fields.setdefault("name", f"Test tax {number}")
    fields.setdefault("rate", Decimal("19"))
    fields.setdefault("tax_type", TaxType.SALES)
    if "account" not in fields:
        fields["account"] = account(account_type=AccountType.LIABILITY)
    return services.tax_code_create(**fields)

"""Business partners for tests, made through the services (so codes and rules hold)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from erp.partners import services
from erp.partners.models import Partner, PartnerCategory, PaymentTerm
from erp.partners.services import InstallmentData

_numbers = itertools.count(1)


def partner(**fields) -> Partner:
    """A customer with a name of its own; pass ``is_vendor=True`` etc. for other roles."""
    number = next(_numbers)
    fields.setdefault("name", f"Test partner {number:04d}")
    if not any(
        fields.get(role) for role in ("is_customer", "is_vendor", "is_employee", "is_prospect", "is_competitor")
    ):
        fields["is_customer"] = True
    return services.partner_create(**fields)


def vendor(**fields) -> Partner:
    return partner(is_vendor=True, **fields)


def category(name: str | None = None) -> PartnerCategory:
    return services.category_create(name=name or f"Category {next(_numbers)}", by=None)


def payment_term(*, installments: list[tuple[str, int]] | None = None, **fields) -> PaymentTerm:
    number = next(_numbers)
    fields.setdefault("code", f"PT{number}")
    fields.setdefault("name", f"Payment term {number}")
    lines = [InstallmentData(percent=Decimal(percent), days=days) for percent, days in installments or ()]
    return services.payment_term_create(installments=lines, by=None, **fields)

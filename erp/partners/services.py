"""Writes on business partners, their addresses and contacts, categories and payment terms."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from erp.core import events, numbering
from erp.core.documents import hooks
from erp.core.exceptions import DomainError
from erp.core.formsets import ChildRow, sync_rows
from erp.core.services import versioned_update
from erp.finance.models import AccountType
from erp.partners import selectors
from erp.partners.models import (
    AddressType,
    Partner,
    PartnerCategory,
    PaymentTerm,
    PaymentTermLine,
)
from erp.partners.taxid import tax_id_normalise

EDITABLE_FIELDS = (
    "name",
    "search_key",
    "is_customer",
    "is_vendor",
    "is_employee",
    "is_prospect",
    "is_competitor",
    "country",
    "tax_id",
    "tax_exempt",
    "credit_limit",
    "currency",
    "email",
    "phone",
    "notes",
    "payment_term",
    "vendor_payment_term",
    "price_list",
    "receivable_account",
    "payable_account",
)
ADDRESS_FIELDS = ("address_type", "is_default", "name", "street", "street2", "postal_code", "city", "region", "country")
CONTACT_FIELDS = ("name", "role", "email", "phone", "is_primary")


class PossibleDuplicate(DomainError):
    """Partners with a similar name or the same tax id exist; the user confirms or stops."""

    def __init__(self, matches: list[Partner]) -> None:
        super().__init__(
            _("Similar business partners exist. Check them, then confirm to create this one anyway."), field=None
        )
        self.matches = matches


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown partner fields: {sorted(unknown)}")
    cleaned = dict(fields)
    if "name" in cleaned:
        cleaned["name"] = " ".join((cleaned["name"] or "").split())
        if not cleaned["name"]:
            raise DomainError(_("Please enter a name."), field="name")
        cleaned["name_key"] = selectors.name_key(cleaned["name"])
    if "country" in cleaned:
        cleaned["country"] = (cleaned["country"] or "").strip().upper()
    if "tax_id" in cleaned:
        cleaned["tax_id"] = tax_id_normalise(cleaned["tax_id"], country=cleaned.get("country", ""))
    if cleaned.get("credit_limit") is not None and cleaned["credit_limit"] < 0:
        raise DomainError(_("The credit limit cannot be negative."), field="credit_limit")
    for name, account_type in (("receivable_account", AccountType.ASSET), ("payable_account", AccountType.LIABILITY)):
        account = cleaned.get(name)
        if account is not None and (not account.is_postable or account.account_type != account_type):
            raise DomainError(
                _("Choose an active, postable %(type)s account.") % {"type": AccountType(account_type).label.lower()},
                field=name,
            )
    for name in ("payment_term", "vendor_payment_term"):
        term = cleaned.get(name)
        if term is not None and not term.is_active:
            raise DomainError(_("The payment term %(code)s is deactivated.") % {"code": term.code}, field=name)
    price_list = cleaned.get("price_list")
    if price_list is not None and not price_list.is_active:
        raise DomainError(_("The price list %(code)s is deactivated.") % {"code": price_list.code}, field="price_list")
    currency = cleaned.get("currency")
    if currency is not None and not currency.is_active:
        raise DomainError(_("The currency %(code)s is deactivated.") % {"code": currency.code}, field="currency")
    return cleaned


def _check_children(addresses: Sequence[ChildRow], contacts: Sequence[ChildRow]) -> None:
    defaults: dict[str, int] = {}
    for row in addresses:
        if not row.delete and row.values.get("is_default"):
            kind = row.values.get("address_type", AddressType.BILLING)
            defaults[kind] = defaults.get(kind, 0) + 1
    for kind, count in defaults.items():
        if count > 1:
            raise DomainError(
                _("Only one %(type)s address can be the default.") % {"type": AddressType(kind).label.lower()},
                field="addresses",
            )
    if sum(1 for row in contacts if not row.delete and row.values.get("is_primary")) > 1:
        raise DomainError(_("Only one contact can be the main contact."), field="contacts")


def _ensure_defaults(partner: Partner) -> None:
    """The first address of each type is the default while none is marked."""
    addresses = list(partner.addresses.all())
    for kind in AddressType.values:
        of_kind = [a for a in addresses if a.address_type == kind]
        if of_kind and not any(a.is_default for a in of_kind):
            of_kind[0].is_default = True
            of_kind[0].save(update_fields=["is_default"])


def _save_children(partner: Partner, addresses: Sequence[ChildRow] | None, contacts: Sequence[ChildRow] | None) -> None:
    _check_children(addresses or (), contacts or ())
    try:
        with transaction.atomic():
            if addresses is not None:
                sync_rows(partner.addresses, addresses, ADDRESS_FIELDS, last=lambda row: row.values.get("is_default"))
                _ensure_defaults(partner)
            if contacts is not None:
                sync_rows(partner.contacts, contacts, CONTACT_FIELDS, last=lambda row: row.values.get("is_primary"))
    except IntegrityError:
        raise DomainError(
            _("Only one default address per type and one main contact are possible."), field="addresses"
        ) from None


@transaction.atomic
def partner_create(
    *,
    name: str,
    by=None,
    code: str = "",
    addresses: Sequence[ChildRow] = (),
    contacts: Sequence[ChildRow] = (),
    categories: Iterable[PartnerCategory] = (),
    custom_fields: dict | None = None,
    allow_duplicate: bool = True,
    **fields,
) -> Partner:
    """Create a partner; without a code the next number of the ``partner`` series is used.

    With ``allow_duplicate=False`` (the screens) partners with a similar name or the same tax id
    raise ``PossibleDuplicate`` listing them; the user looks and confirms."""
    cleaned = _clean_fields({"name": name, **fields})
    if not allow_duplicate:
        matches = selectors.similar_partners(name=cleaned["name"], tax_id=cleaned.get("tax_id", ""))
        if matches:
            raise PossibleDuplicate(matches)
    code = code.strip().upper() or numbering.next_number(series="partner", default_pattern="P{seq:05d}")
    if Partner.objects.filter(code__iexact=code).exists():
        raise DomainError(_("A partner with the code %(code)s already exists.") % {"code": code}, field="code")
    partner = Partner(code=code, created_by=by, updated_by=by, custom_fields=custom_fields or {}, **cleaned)
    partner._history_user = by
    partner.save()
    partner.categories.set(categories)
    _save_children(partner, addresses, contacts)
    partner.rule_warnings = hooks.run_save_rules(partner, by=by)
    events.record(verb="partners.partner.created", target=partner, actor=by)
    return partner


@transaction.atomic
def partner_update(
    *,
    partner: Partner,
    expected_version: int,
    by,
    addresses: Sequence[ChildRow] | None = None,
    contacts: Sequence[ChildRow] | None = None,
    categories: Iterable[PartnerCategory] | None = None,
    custom_fields: dict | None = None,
    **fields,
) -> Partner:
    cleaned = _clean_fields(fields)
    if custom_fields is not None:
        cleaned["custom_fields"] = custom_fields
    stored = Partner.all_objects.get(pk=partner.pk)  # a model form has already changed ``partner``
    before = {name: str(getattr(stored, name)) for name in ("name", "tax_id", "credit_limit")}
    partner = versioned_update(instance=partner, expected_version=expected_version, by=by, fields=cleaned)
    if categories is not None:
        partner.categories.set(categories)
    _save_children(partner, addresses, contacts)
    partner.rule_warnings = hooks.run_save_rules(partner, by=by)
    changed = {name: value for name, value in before.items() if str(getattr(partner, name)) != value}
    events.record(
        verb="partners.partner.updated", target=partner, actor=by, data={"before": changed} if changed else {}
    )
    return partner


@transaction.atomic
def partner_set_active(*, partner: Partner, is_active: bool, by) -> Partner:
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if partner.is_active == is_active:
        return partner
    partner.is_active = is_active
    partner.updated_by = by
    partner.version += 1
    partner._history_user = by
    partner.save(update_fields=["is_active", "updated_by", "updated_at", "version"])
    events.record(
        verb="partners.partner.reactivated" if is_active else "partners.partner.deactivated", target=partner, actor=by
    )
    return partner


# --- categories -------------------------------------------------------------------------------


@transaction.atomic
def category_create(*, name: str, by) -> PartnerCategory:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Please enter a name."), field="name")
    if PartnerCategory.objects.filter(name__iexact=name).exists():
        raise DomainError(_("The category %(name)s already exists.") % {"name": name}, field="name")
    category = PartnerCategory.objects.create(name=name)
    events.record(verb="partners.partnercategory.created", target=category, actor=by)
    return category


@transaction.atomic
def category_update(*, category: PartnerCategory, name: str, is_active: bool, by) -> PartnerCategory:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Please enter a name."), field="name")
    if PartnerCategory.objects.filter(name__iexact=name).exclude(pk=category.pk).exists():
        raise DomainError(_("The category %(name)s already exists.") % {"name": name}, field="name")
    category = PartnerCategory.objects.select_for_update().get(pk=category.pk)
    category.name, category.is_active = name, is_active
    category.save()
    events.record(verb="partners.partnercategory.updated", target=category, actor=by)
    return category


# --- payment terms ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InstallmentData:
    percent: Decimal
    days: int
    end_of_month: bool = False


def _check_term(
    *, code: str, name: str, net_days: int, discount_percent: Decimal, discount_days: int, installments, pk=None
) -> None:
    if not code:
        raise DomainError(_("Please enter a code."), field="code")
    if not name:
        raise DomainError(_("Please enter a name."), field="name")
    if PaymentTerm.objects.filter(code__iexact=code).exclude(pk=pk).exists():
        raise DomainError(_("A payment term with the code %(code)s already exists.") % {"code": code}, field="code")
    if not Decimal(0) <= discount_percent < Decimal(100):
        raise DomainError(_("The discount must be between 0 and 100 %."), field="discount_percent")
    if discount_percent and not discount_days:
        raise DomainError(_("Say within how many days the discount may be taken."), field="discount_days")
    if discount_days and not discount_percent:
        raise DomainError(_("Enter the discount for early payment, or no days."), field="discount_percent")
    if installments:
        total = sum((line.percent for line in installments), Decimal(0))
        if total != 100:
            raise DomainError(
                _("The installments add up to %(total)s %%; they must add up to 100 %%.") % {"total": f"{total:f}"},
                field="installments",
            )
        if any(line.percent <= 0 for line in installments):
            raise DomainError(_("Every installment needs a share above 0 %."), field="installments")
        last_days = max(line.days for line in installments)
    else:
        last_days = net_days
    if discount_days and discount_days > last_days:
        raise DomainError(
            _("The discount period (%(days)d days) ends after the payment is due.") % {"days": discount_days},
            field="discount_days",
        )


def _replace_lines(term: PaymentTerm, installments: Sequence[InstallmentData]) -> None:
    term.lines.all().delete()
    PaymentTermLine.objects.bulk_create(
        PaymentTermLine(term=term, position=index, percent=line.percent, days=line.days, end_of_month=line.end_of_month)
        for index, line in enumerate(installments)
    )


@transaction.atomic
def payment_term_create(
    *,
    code: str,
    name: str,
    by,
    net_days: int = 0,
    end_of_month: bool = False,
    discount_percent: Decimal = Decimal(0),
    discount_days: int = 0,
    description: str = "",
    installments: Sequence[InstallmentData] = (),
) -> PaymentTerm:
    code, name = code.strip().upper(), name.strip()
    _check_term(
        code=code,
        name=name,
        net_days=net_days,
        discount_percent=discount_percent,
        discount_days=discount_days,
        installments=installments,
    )
    term = PaymentTerm(
        code=code,
        name=name,
        net_days=net_days,
        end_of_month=end_of_month,
        discount_percent=discount_percent,
        discount_days=discount_days,
        description=description.strip(),
        created_by=by,
        updated_by=by,
    )
    term._history_user = by
    term.save()
    _replace_lines(term, installments)
    events.record(verb="partners.paymentterm.created", target=term, actor=by)
    return term


@transaction.atomic
def payment_term_update(
    *,
    term: PaymentTerm,
    expected_version: int,
    by,
    code: str,
    name: str,
    net_days: int,
    end_of_month: bool,
    discount_percent: Decimal,
    discount_days: int,
    description: str = "",
    installments: Sequence[InstallmentData] = (),
) -> PaymentTerm:
    code, name = code.strip().upper(), name.strip()
    _check_term(
        code=code,
        name=name,
        net_days=net_days,
        discount_percent=discount_percent,
        discount_days=discount_days,
        installments=installments,
        pk=term.pk,
    )
    term = versioned_update(
        instance=term,
        expected_version=expected_version,
        by=by,
        fields={
            "code": code,
            "name": name,
            "net_days": net_days,
            "end_of_month": end_of_month,
            "discount_percent": discount_percent,
            "discount_days": discount_days,
            "description": description.strip(),
        },
    )
    _replace_lines(term, installments)
    events.record(verb="partners.paymentterm.updated", target=term, actor=by)
    return term


@transaction.atomic
def payment_term_set_active(*, term: PaymentTerm, is_active: bool, by) -> PaymentTerm:
    term = PaymentTerm.objects.select_for_update().get(pk=term.pk)
    term.is_active = is_active
    term.updated_by = by
    term.version += 1
    term._history_user = by
    term.save(update_fields=["is_active", "updated_by", "updated_at", "version"])
    events.record(
        verb="partners.paymentterm.reactivated" if is_active else "partners.paymentterm.deactivated",
        target=term,
        actor=by,
    )
    return term

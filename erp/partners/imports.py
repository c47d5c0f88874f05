"""Business partners from a CSV or Excel file: preview with every row's errors, then all or nothing.

A row with the code of an existing partner updates it; a row without a code (or with a new
one) creates a partner. Roles are named in one column (``customer, vendor``); categories are
separated by semicolons and created when new; a street and city give the billing address."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.catalog.models import PriceList
from erp.core.exceptions import DomainError
from erp.core.formsets import ChildRow
from erp.core.imports import CREATE, UNCHANGED, UPDATE, ImportPlan, ImportRow, parse_bool, parse_decimal, read_csv
from erp.core.models import Currency
from erp.partners import services
from erp.partners.models import Address, AddressType, Partner, PartnerCategory, PaymentTerm
from erp.partners.taxid import tax_id_normalise

REQUIRED = ("name",)
OPTIONAL = (
    "code",
    "roles",
    "search_key",
    "country",
    "tax_id",
    "tax_exempt",
    "email",
    "phone",
    "credit_limit",
    "currency",
    "payment_term",
    "vendor_payment_term",
    "price_list",
    "categories",
    "notes",
    "street",
    "postal_code",
    "city",
)
COLUMNS = ("code", *REQUIRED, *OPTIONAL[1:])
ALIASES = {"vat": "tax_id", "vat_id": "tax_id", "tax_number": "tax_id", "e_mail": "email", "zip": "postal_code"}
ROLE_WORDS = {
    "customer": "is_customer",
    "vendor": "is_vendor",
    "supplier": "is_vendor",
    "employee": "is_employee",
    "prospect": "is_prospect",
    "competitor": "is_competitor",
    "kunde": "is_customer",
    "lieferant": "is_vendor",
    "mitarbeiter": "is_employee",
    "interessent": "is_prospect",
    "wettbewerber": "is_competitor",
}
ROLE_FIELDS = ("is_customer", "is_vendor", "is_employee", "is_prospect", "is_competitor")
COMPARED = (
    "name",
    "search_key",
    "country",
    "tax_id",
    "tax_exempt",
    "email",
    "phone",
    "credit_limit",
    "currency",
    "payment_term",
    "vendor_payment_term",
    "price_list",
    "notes",
    *ROLE_FIELDS,
)

COLUMNS_HELP = [
    ("code", gettext_lazy("The partner's code; an existing code updates that partner, empty gives the next number.")),
    ("name", gettext_lazy("Name (required).")),
    ("roles", gettext_lazy("customer, vendor, employee, prospect, competitor — several separated by commas.")),
    ("search_key", gettext_lazy("Short name for searching.")),
    ("country", gettext_lazy("Two-letter country code (DE, FR, US …).")),
    ("tax_id", gettext_lazy("VAT number or tax id, checked for the country.")),
    ("tax_exempt", gettext_lazy("yes or no.")),
    ("email / phone", gettext_lazy("Contact details of the partner.")),
    ("credit_limit", gettext_lazy("Amount, e.g. 5000 or 5.000,00.")),
    ("currency", gettext_lazy("Three-letter currency code.")),
    ("payment_term / vendor_payment_term", gettext_lazy("Code of a payment term.")),
    ("price_list", gettext_lazy("Code of a price list.")),
    ("categories", gettext_lazy("Category names separated by semicolons; new ones are created.")),
    ("street / postal_code / city", gettext_lazy("The billing address.")),
]
EXAMPLE = (
    "code,name,roles,country,tax_id,currency,payment_term,categories,street,postal_code,city\n"
    "C-100,Muster GmbH,customer,DE,DE136695976,EUR,N30,Wholesale;Key account,Hauptstr. 1,10115,Berlin"
)


class _Lookups:
    def __init__(self) -> None:
        self.currencies = set(Currency.objects.filter(is_active=True).values_list("code", flat=True))
        self.terms = {t.code.upper(): t for t in PaymentTerm.objects.filter(is_active=True)}
        self.price_lists = {p.code.upper(): p for p in PriceList.objects.active()}
        self.partners = {p.code.upper(): p for p in Partner.objects.select_related("currency")}
        self.tax_ids = {p.tax_id.upper(): p for p in self.partners.values() if p.tax_id}


def _parse_roles(text: str) -> dict[str, bool]:
    roles = dict.fromkeys(ROLE_FIELDS, False)
    words = [word.strip().lower() for word in text.replace(";", ",").split(",") if word.strip()]
    unknown = [word for word in words if word not in ROLE_WORDS]
    if unknown:
        raise ValueError(
            _("Unknown role(s): %(roles)s. Use customer, vendor, employee, prospect or competitor.")
            % {"roles": ", ".join(unknown)}
        )
    for word in words or ["customer"]:
        roles[ROLE_WORDS[word]] = True
    return roles


def _parse_row(row: ImportRow, lookups: _Lookups) -> None:
    v = row.values
    data: dict = {"code": v["code"].strip().upper(), "name": " ".join(v["name"].split())}
    if not data["name"]:
        row.errors.append(_("The name is missing."))
    data["search_key"] = v["search_key"]
    data["country"] = v["country"].strip().upper()
    if data["country"] and (len(data["country"]) != 2 or not data["country"].isalpha()):
        row.errors.append(_("“%(value)s” is not a two-letter country code.") % {"value": v["country"]})
    try:
        data.update(_parse_roles(v["roles"]))
    except ValueError as error:
        row.errors.append(str(error))
    try:
        data["tax_exempt"] = parse_bool(v["tax_exempt"])
    except ValueError as error:
        row.errors.append(str(error))
    try:
        data["credit_limit"] = parse_decimal(v["credit_limit"]) if v["credit_limit"] else Decimal("0")
    except ValueError as error:
        row.errors.append(str(error))
    if data.get("credit_limit") is not None and data["credit_limit"] < 0:
        row.errors.append(_("The credit limit cannot be negative."))
    try:
        data["tax_id"] = tax_id_normalise(v["tax_id"], country=data["country"])
    except DomainError as error:
        row.errors.append(error.message)
        data["tax_id"] = ""
    data["email"], data["phone"], data["notes"] = v["email"], v["phone"], v["notes"]
    currency = v["currency"].strip().upper()
    if currency and currency not in lookups.currencies:
        row.errors.append(_("Unknown or inactive currency %(code)s.") % {"code": currency})
    data["currency_id"] = currency or None
    for column in ("payment_term", "vendor_payment_term"):
        code = v[column].strip().upper()
        data[column] = lookups.terms.get(code) if code else None
        if code and data[column] is None:
            row.errors.append(_("Unknown payment term %(code)s.") % {"code": code})
    code = v["price_list"].strip().upper()
    data["price_list"] = lookups.price_lists.get(code) if code else None
    if code and data["price_list"] is None:
        row.errors.append(_("Unknown price list %(code)s.") % {"code": code})
    data["categories"] = [" ".join(name.split()) for name in v["categories"].split(";") if name.strip()]
    data["address"] = {
        "street": v["street"].strip(),
        "postal_code": v["postal_code"].strip(),
        "city": v["city"].strip(),
    }
    if any(data["address"].values()) and not (data["address"]["street"] and data["address"]["city"]):
        row.errors.append(_("An address needs a street and a city."))
    row.data = data


def _compare(row: ImportRow, partner: Partner) -> None:
    data = row.data
    current = {name: getattr(partner, name) for name in COMPARED if name != "currency"}
    current["currency_id"] = partner.currency_id
    wanted = {name: data[name] for name in COMPARED if name != "currency"}
    wanted["currency_id"] = data["currency_id"]
    row.action = (
        UNCHANGED if current == wanted and not data["categories"] and not any(data["address"].values()) else UPDATE
    )
    row.data["partner"] = partner


def partners_plan(text: str) -> ImportPlan:
    """Read the file and check every row; nothing is written."""
    plan = read_csv(text, required=REQUIRED, optional=OPTIONAL, aliases=ALIASES)
    if plan.errors:
        return plan
    plan.columns = list(COLUMNS)
    for row in plan.rows:
        row.values = {name: row.values.get(name, "") for name in COLUMNS}
    lookups = _Lookups()
    seen_codes: dict[str, int] = {}
    seen_tax_ids: dict[str, int] = {}
    for row in plan.rows:
        _parse_row(row, lookups)
        code, tax_id = row.data.get("code", ""), row.data.get("tax_id", "").upper()
        if code:
            if code in seen_codes:
                row.errors.append(
                    _("The code %(code)s is also on line %(line)d.") % {"code": code, "line": seen_codes[code]}
                )
            seen_codes.setdefault(code, row.line)
        if tax_id:
            if tax_id in seen_tax_ids:
                row.errors.append(
                    _("The tax id %(tax_id)s is also on line %(line)d.")
                    % {"tax_id": tax_id, "line": seen_tax_ids[tax_id]}
                )
            seen_tax_ids.setdefault(tax_id, row.line)
        if row.errors:
            continue
        existing = lookups.partners.get(code) if code else None
        other = lookups.tax_ids.get(tax_id) if tax_id else None
        if other is not None and other != existing:
            row.errors.append(
                _("%(partner)s already has the tax id %(tax_id)s.") % {"partner": other, "tax_id": tax_id}
            )
            continue
        if existing is None:
            row.action = CREATE
        else:
            _compare(row, existing)
    return plan


def _fields(data: dict) -> dict:
    fields = {name: data[name] for name in COMPARED if name not in ("currency",)}
    fields["currency"] = Currency.objects.get(code=data["currency_id"]) if data["currency_id"] else None
    return fields


def _categories(names: list[str], cache: dict[str, PartnerCategory], by) -> list[PartnerCategory]:
    found = []
    for name in names:
        key = name.casefold()
        if key not in cache:
            cache[key] = services.category_create(name=name, by=by)
        found.append(cache[key])
    return found


def _billing_rows(partner: Partner | None, address: dict, country: str) -> list[ChildRow] | None:
    if not any(address.values()):
        return None
    values = {**address, "address_type": AddressType.BILLING, "country": country or "", "is_default": True}
    current = None
    if partner is not None:
        current = Address.objects.filter(partner=partner, address_type=AddressType.BILLING, is_default=True).first()
    return [ChildRow(values={**values, "street2": "", "name": "", "region": ""}, pk=current.pk if current else None)]


@transaction.atomic
def partners_import(*, plan: ImportPlan, by) -> dict[str, int]:
    if not plan.is_valid:
        raise DomainError(_("The file has errors; nothing was imported."))
    categories = {c.name.casefold(): c for c in PartnerCategory.objects.all()}
    counts = {CREATE: 0, UPDATE: 0}
    for row in plan.rows:
        data = row.data
        if row.action == CREATE:
            services.partner_create(
                code=data["code"],
                **_fields(data),
                categories=_categories(data["categories"], categories, by),
                addresses=_billing_rows(None, data["address"], data["country"]) or (),
                by=by,
            )
        elif row.action == UPDATE:
            partner = data["partner"]
            given = _categories(data["categories"], categories, by)
            services.partner_update(
                partner=partner,
                expected_version=partner.version,
                **_fields(data),
                categories=[*partner.categories.all(), *given] if given else None,
                addresses=_billing_rows(partner, data["address"], data["country"]),
                by=by,
            )
        else:
            continue
        counts[row.action] += 1
    return counts

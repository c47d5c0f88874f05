"""Business partners from a CSV or Excel file: preview with every row's errors, then all or nothing.

A row with the code of an existing partner updates it; a row without a code (or with a new
one) creates a partner. Roles are named in one column (``customer, vendor``); categories are
separated by semicolons and created when new; a street and city give the billing address.

Duplicates are checked as on the create screen (``selectors.similar_partners``): a new row whose
name looks like an existing partner's, or like a new row earlier in the file, is an error until
its ``allow_duplicate`` column says yes — the file's way of "create anyway". A tax id that another
partner or another row already has is always an error."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.catalog.models import PriceList
from erp.core.exceptions import DomainError
from erp.core.formsets import ChildRow
from erp.core.imports import CREATE, UNCHANGED, UPDATE, ImportPlan, ImportRow, parse_bool, parse_decimal, read_csv
from erp.core.models import Currency
from erp.partners import selectors, services
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
    "allow_duplicate",
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
    (
        "allow_duplicate",
        gettext_lazy(
            "yes to create a new partner although its name looks like an existing partner's "
            "or another row's; without it such a row is refused."
        ),
    ),
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
    for column in ("tax_exempt", "allow_duplicate"):
        try:
            data[column] = parse_bool(v[column])
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
    if data["email"]:
        try:
            validate_email(data["email"])
        except ValidationError:
            row.errors.append(_("“%(value)s” is not an e-mail address.") % {"value": data["email"]})
    _check_sizes(row, data)
    row.data = data


def _check_sizes(row: ImportRow, data: dict) -> None:
    """What the database would refuse (a text too long, an amount too large) is a row error, not a
    failure while importing."""
    texts = [
        (column, Partner, data.get(column)) for column in ("code", "name", "search_key", "tax_id", "email", "phone")
    ]
    texts += [(column, Address, data["address"][column]) for column in ("street", "postal_code", "city")]
    for column, model, value in texts:
        limit = model._meta.get_field(column).max_length
        if value and len(value) > limit:
            row.errors.append(
                _("%(column)s: at most %(limit)d characters, not %(length)d.")
                % {"column": column, "limit": limit, "length": len(value)}
            )
    limit = data.get("credit_limit")
    field = Partner._meta.get_field("credit_limit")
    if limit is not None and not fits_field(limit, field):
        row.errors.append(
            _("credit_limit: “%(value)s” is too large or has too many decimal places.") % {"value": f"{limit:f}"}
        )


def fits_field(value: Decimal, field) -> bool:
    """Whether ``value`` fits a DecimalField without rounding (as a form would check it)."""
    _sign, digits, exponent = value.normalize().as_tuple()
    places, whole = max(-exponent, 0), max(len(digits) + exponent, 0)
    return places <= field.decimal_places and whole <= field.max_digits - field.decimal_places


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
    new_names = _NewNames()
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
            if not row.data["allow_duplicate"]:
                _check_duplicates(row, new_names)
            if row.errors:
                continue
            new_names.add(row)
            row.action = CREATE
        else:
            _compare(row, existing)
    return plan


class _NewNames:
    """The names of the file's new partners so far, indexed by their words, so a row is compared
    (``selectors.is_similar``) only with earlier rows sharing a word, not with every one."""

    def __init__(self) -> None:
        self.by_word: dict[str, list[ImportRow]] = {}

    @staticmethod
    def _words(name: str) -> set[str]:
        key = selectors.name_key(name)
        return {word for word in key.split() if len(word) >= 3} or ({key} if key else set())

    def add(self, row: ImportRow) -> None:
        for word in self._words(row.data["name"]):
            self.by_word.setdefault(word, []).append(row)

    def similar(self, name: str) -> ImportRow | None:
        candidates = {id(row): row for word in self._words(name) for row in self.by_word.get(word, ())}
        matches = [row for row in candidates.values() if selectors.is_similar(row.data["name"], name)]
        return min(matches, key=lambda row: row.line) if matches else None


def _check_duplicates(row: ImportRow, new_names: _NewNames) -> None:
    """A new partner that looks like an existing one (the create screen's check) or like a new row
    earlier in the file."""
    name = row.data["name"]
    matches = selectors.similar_partners(name=name)
    if matches:
        row.errors.append(
            _(
                "Looks like the existing partner %(partners)s: give its code to update it, or put yes in "
                "the column allow_duplicate to create a new partner anyway."
            )
            % {"partners": ", ".join(f"{match.code} {match.name}" for match in matches)}
        )
    earlier = new_names.similar(name)
    if earlier is not None:
        row.errors.append(
            _(
                "Looks like “%(name)s” on line %(line)d: put yes in the column allow_duplicate if they "
                "are different partners."
            )
            % {"name": earlier.data["name"], "line": earlier.line}
        )


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
        try:
            _apply(row, categories, by)
        except DomainError as error:
            # Checked in the plan; what the services still refuse changed meanwhile (a code taken).
            raise DomainError(_("Line %(line)d: %(error)s") % {"line": row.line, "error": error.message}) from error
        if row.action in counts:
            counts[row.action] += 1
    return counts


def _apply(row: ImportRow, categories: dict[str, PartnerCategory], by) -> None:
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

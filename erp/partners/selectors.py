"""Reads on business partners for views, documents and the duplicate check."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Prefetch, Q, QuerySet

from erp.finance.models import Account, AccountRole
from erp.partners.models import Address, Contact, Partner, PaymentTerm

# Legal forms and fillers that do not tell two companies apart.
LEGAL_FORMS = frozenset(
    [
        "ag",
        "gmbh",
        "mbh",
        "kg",
        "ohg",
        "ug",
        "eg",
        "ev",
        "se",
        "co",
        "kgaa",
        "gbr",
        "ltd",
        "limited",
        "llc",
        "llp",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "plc",
        "sa",
        "sas",
        "sarl",
        "sàrl",
        "srl",
        "spa",
        "bv",
        "nv",
        "oy",
        "ab",
        "as",
        "aps",
        "company",
        "the",
        "und",
        "and",
        "et",
    ]
)
SIMILARITY = 0.85
MAX_MATCHES = 5


def name_key(name: str) -> str:
    """“Müller & Söhne GmbH” and “Mueller und Soehne” compare equal: accents folded, legal forms
    and punctuation dropped."""
    text = (name or "").casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = [word for word in re.split(r"[^a-z0-9]+", text) if word and word not in LEGAL_FORMS]
    return " ".join(words)


def is_similar(a: str, b: str) -> bool:
    key_a, key_b = name_key(a), name_key(b)
    if not key_a or not key_b:
        return False
    if key_a == key_b:
        return True
    shorter, longer = sorted((key_a, key_b), key=len)
    if len(shorter) >= 5 and f" {shorter} " in f" {longer} ":
        return True
    return SequenceMatcher(None, key_a, key_b).ratio() >= SIMILARITY


def similar_partners(*, name: str, tax_id: str = "", exclude_pk: int | None = None) -> list[Partner]:
    """Partners (active or not) with the same tax id or a similar name, at most five."""
    key = name_key(name)
    words = [word for word in key.split() if len(word) >= 3] or key.split()[:1]
    condition = Q()
    for word in words[:3]:
        # A typo in one word still leaves the others to find the candidate.
        condition |= Q(name_key__contains=word) | Q(search_key__icontains=word)
    if tax_id:
        condition |= Q(tax_id__iexact=tax_id)
    if not condition:
        return []
    candidates = Partner.objects.filter(condition)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    found = []
    for partner in candidates.order_by("name")[:200]:
        same_tax_id = bool(tax_id) and partner.tax_id.upper() == tax_id.upper()
        if same_tax_id or is_similar(partner.name, name):
            partner.same_tax_id = same_tax_id
            found.append(partner)
    found.sort(key=lambda partner: (not partner.same_tax_id, partner.name))
    return found[:MAX_MATCHES]


def partner_list() -> QuerySet[Partner]:
    """Partners with their category names gathered in the same query (``category_names``)."""
    return Partner.objects.annotate(
        category_names=ArrayAgg(
            "categories__name", distinct=True, order_by="categories__name", filter=Q(categories__isnull=False)
        )
    )


def partner_detail(*, pk: int) -> Partner:
    return (
        Partner.objects.select_related(
            "currency",
            "payment_term",
            "vendor_payment_term",
            "price_list",
            "receivable_account",
            "payable_account",
            "created_by",
            "updated_by",
        )
        .prefetch_related(
            "categories",
            Prefetch("addresses", queryset=Address.objects.order_by("address_type", "-is_default", "id")),
            Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "name")),
            Prefetch("payment_term__lines"),
            Prefetch("vendor_payment_term__lines"),
        )
        .get(pk=pk)
    )


def default_address(partner: Partner, address_type: str) -> Address | None:
    """The address documents propose for ``address_type`` (billing, shipping)."""
    return partner.addresses.filter(address_type=address_type).order_by("-is_default", "id").first()


def payment_term_list() -> QuerySet[PaymentTerm]:
    return PaymentTerm.objects.annotate(installment_count=Count("lines"))


def default_account(role: str) -> Account | None:
    """The chart's account for ``role`` (receivable, payable): the first by code."""
    return Account.objects.for_role(role).order_by("code").first()


def partner_accounts(partner: Partner) -> dict[str, Account | None]:
    """Receivable and payable account of a partner: its own, else the chart's for the role."""
    return {
        "receivable": partner.receivable_account or default_account(AccountRole.RECEIVABLE),
        "payable": partner.payable_account or default_account(AccountRole.PAYABLE),
    }

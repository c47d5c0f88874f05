"""Gapless document numbers.

A number is allocated by one ``UPDATE … RETURNING`` on the sequence row inside
the caller's transaction: the row lock serialises concurrent allocations, and a
rolled-back transaction gives its number back, so numbers have no gaps and are
never used twice."""

from __future__ import annotations

import re

from django.db import connection, transaction
from django.utils.translation import gettext as _

from erp.core.exceptions import DomainError

_PLACEHOLDER = re.compile(r"\{(?P<name>seq|year|org)(?::0(?P<width>[1-9])d)?\}")
_ANY_BRACE = re.compile(r"[{}]")


def validate_pattern(pattern: str) -> None:
    """Only ``{seq}``, ``{year}`` and ``{org}`` (optionally ``:0Nd``) are allowed, and ``{seq}`` is required."""
    remainder = _PLACEHOLDER.sub("", pattern)
    if _ANY_BRACE.search(remainder):
        raise DomainError(_("The pattern may only use {seq}, {year} and {org}, e.g. INV-{year}-{seq:05d}."))
    if not any(m.group("name") == "seq" for m in _PLACEHOLDER.finditer(pattern)):
        raise DomainError(_("The pattern must contain {seq}."))


def render(pattern: str, *, seq: int, year: int | None, org: str = "") -> str:
    values = {"seq": seq, "year": year or "", "org": org}

    def replace(match: re.Match[str]) -> str:
        value = values[match.group("name")]
        width = match.group("width")
        return f"{value:0{width}d}" if width and isinstance(value, int) else str(value)

    return _PLACEHOLDER.sub(replace, pattern)


def _allocate_sql(*, org_is_null: bool, year_is_null: bool) -> str:
    org = "organization_id IS NULL" if org_is_null else "organization_id = %s"
    year = "year IS NULL" if year_is_null else "year = %s"
    return (
        "UPDATE core_numbersequence SET next_value = next_value + 1 "
        f"WHERE series = %s AND {org} AND {year} RETURNING next_value - 1, pattern"
    )


# Four fixed statements, so the comparison with NULL can use the unique index.
_ALLOCATE = {
    (org_null, year_null): _allocate_sql(org_is_null=org_null, year_is_null=year_null)
    for org_null in (True, False)
    for year_null in (True, False)
}


def _params(series: str, org_id: int | None, year: int | None) -> list:
    return [series] + [v for v in (org_id, year) if v is not None]


def next_number(*, series: str, organization=None, year: int | None = None, default_pattern: str = "{seq:05d}") -> str:
    """Allocate the next number of a series. Must run inside the transaction that uses it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must be called inside transaction.atomic()")
    org_id = organization.pk if organization is not None else None
    with connection.cursor() as cursor:
        cursor.execute(_ALLOCATE[org_id is None, year is None], _params(series, org_id, year))
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                """
                INSERT INTO core_numbersequence (series, organization_id, year, pattern, next_value)
                VALUES (%s, %s, %s, %s, 1) ON CONFLICT DO NOTHING
                """,
                [series, org_id, year, default_pattern],
            )
            cursor.execute(_ALLOCATE[org_id is None, year is None], _params(series, org_id, year))
            row = cursor.fetchone()
    value, pattern = row
    return render(pattern, seq=value, year=year, org=getattr(organization, "code", ""))

"""A few spare copies of the template schema, kept ready so a new company gets
its schema by a rename instead of a copy.

Copying the template takes time that grows with every module's tables
(``clone.clone_schema``: about a second for 75 tables on an idle machine).
Renaming a schema takes milliseconds whatever it holds. So the pool keeps
``ERP_TENANT_POOL_SIZE`` spare copies named ``spare_<hex>``; ``tenant_create``
renames one to the new company's schema inside its own transaction (a failed
creation gives the spare back) and the worker makes a replacement afterwards.

A spare is only used while it matches the template: each carries, as its schema
comment, a fingerprint of the template's applied migrations. After a migration
the fingerprint changes, stale spares are skipped, and ``pool_fill`` (run by
``erp_setup`` and after each claim) drops them and copies fresh ones."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.db import connection, transaction
from psycopg import sql

from erp.tenancy.clone import clone_schema

logger = logging.getLogger(__name__)

PREFIX = "spare_"


def fingerprint() -> str:
    """What the template schema is: a digest of its applied migrations."""
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL(
                "SELECT md5(string_agg(app || '.' || name, ',' ORDER BY app, name)) FROM {}.django_migrations"
            ).format(sql.Identifier(settings.ERP_TEMPLATE_SCHEMA))
        )
        return cursor.fetchone()[0] or ""


def _spares() -> list[tuple[str, str]]:
    """(schema, fingerprint) of every spare, oldest name first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname, coalesce(obj_description(oid, 'pg_namespace'), '') FROM pg_namespace "
            "WHERE nspname LIKE %s ORDER BY nspname",
            [PREFIX.replace("_", r"\_") + "%"],
        )
        return cursor.fetchall()


def claim(schema_name: str) -> bool:
    """Rename a current spare to ``schema_name`` (inside the caller's transaction). False when none is ready."""
    if not connection.in_atomic_block:
        raise RuntimeError("claim() must run inside the transaction that creates the tenant")
    current = fingerprint()
    with connection.cursor() as cursor:
        for spare, spare_fingerprint in _spares():
            if spare_fingerprint != current:
                continue
            # Two companies created at once must not take the same spare.
            cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [spare])
            if not cursor.fetchone()[0]:
                continue
            cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [spare])
            if cursor.fetchone() is None:  # claimed and committed by someone else meanwhile
                continue
            cursor.execute(
                sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(spare), sql.Identifier(schema_name))
            )
            cursor.execute(sql.SQL("COMMENT ON SCHEMA {} IS NULL").format(sql.Identifier(schema_name)))
            return True
    return False


def pool_fill(*, size: int | None = None) -> int:
    """Drop stale spares and copy the template until ``size`` current ones exist. Returns how many were made."""
    size = settings.ERP_TENANT_POOL_SIZE if size is None else size
    connection.set_schema_to_public()
    current = fingerprint()
    made = 0
    ready = 0
    for spare, spare_fingerprint in _spares():
        if spare_fingerprint == current and ready < size:
            ready += 1
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [spare])
            if cursor.fetchone()[0]:
                cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(spare)))
    while ready < size:
        name = f"{PREFIX}{secrets.token_hex(6)}"
        with transaction.atomic():
            clone_schema(settings.ERP_TEMPLATE_SCHEMA, name)
            with connection.cursor() as cursor:
                cursor.execute(sql.SQL("COMMENT ON SCHEMA {} IS {}").format(sql.Identifier(name), sql.Literal(current)))
        ready += 1
        made += 1
    return made


def spare_count() -> int:
    current = fingerprint()
    return sum(1 for _spare, spare_fingerprint in _spares() if spare_fingerprint == current)

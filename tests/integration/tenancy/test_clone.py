"""The lean schema copy must reproduce the template exactly (names included:
later migrations find indexes and constraints by name)."""

import re

import pytest
from django.db import connection, transaction

from erp.tenancy.clone import clone_schema

TEMPLATE = "tenant_template"
COPY = "clone_under_test"

SIGNATURE_QUERIES = {
    "columns": """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
               a.attgenerated, pg_get_expr(d.adbin, d.adrelid)
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = %s AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
    """,
    "constraints": """
        SELECT c.relname, con.conname, pg_get_constraintdef(con.oid)
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s
    """,
    "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s",
    "triggers": """
        SELECT t.tgname, pg_get_triggerdef(t.oid)
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND NOT t.tgisinternal
    """,
    "functions": """
        SELECT p.proname, pg_get_functiondef(p.oid)
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s
    """,
    "sequences": "SELECT sequencename, data_type, increment_by FROM pg_sequences WHERE schemaname = %s",
}


def normalised(definition: str) -> str:
    """Expressions read back from text deparse with different casts and parentheses
    (``ARRAY['a'::varchar]::text[]`` vs ``ARRAY['a'::varchar::text]``): compare without them."""
    without_casts = re.sub(r"::[a-z ]+(\[\])?", "", definition)
    return re.sub(r"[()]", "", without_casts)


def signature(schema: str) -> dict[str, set]:
    result = {}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL search_path = pg_catalog")
        for name, query in SIGNATURE_QUERIES.items():
            cursor.execute(query, [schema])
            rows = cursor.fetchall()
            result[name] = {
                tuple(normalised(re.sub(rf"\b{schema}\.", "<schema>.", str(value))) for value in row) for row in rows
            }
    return result


def row_counts(schema: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')  # names from the catalogue
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def copied(public_schema):
    with transaction.atomic():
        clone_schema(TEMPLATE, COPY)
        yield COPY


class TestCloneSchema:
    def test_reproduces_every_table_column_constraint_index_trigger_and_function(self, copied):
        template, copy = signature(TEMPLATE), signature(copied)

        for kind in SIGNATURE_QUERIES:
            assert copy[kind] == template[kind], kind

    def test_copies_the_data(self, copied):
        assert row_counts(copied) == row_counts(TEMPLATE)

    def test_continues_identity_columns_after_the_copied_rows(self, copied):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT max(id) FROM {TEMPLATE}.auth_permission")
            highest = cursor.fetchone()[0]
            cursor.execute(
                f"INSERT INTO {copied}.auth_permission (name, content_type_id, codename) "
                f"SELECT 'x', content_type_id, 'x_new' FROM {copied}.auth_permission LIMIT 1 RETURNING id"
            )

            assert cursor.fetchone()[0] == highest + 1

    def test_keeps_the_event_log_append_only_in_the_copy(self, copied):
        from django.db import InternalError, ProgrammingError

        with connection.cursor() as cursor, pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
            cursor.execute(
                f"INSERT INTO {copied}.core_businessevent (occurred_at, verb, aggregate_type, aggregate_id, "
                "aggregate_repr, data, correlation_id) VALUES (now(), 'x', '', '', '', '{}', gen_random_uuid())"
            )
            cursor.execute(f"UPDATE {copied}.core_businessevent SET verb = 'y'")

    def test_refuses_names_that_are_not_plain_identifiers(self, public_schema):
        with pytest.raises(ValueError):
            clone_schema(TEMPLATE, 'x"; DROP SCHEMA public; --')

"""Copy a schema (structure and data) in one pass over the catalogue.

django-tenants ships pg-clone-schema, a general PL/pgSQL function that walks
the catalogue object by object; with ~60 tables it takes over a second and
grows with every module. Our schemas hold only what Django's migrations
create (tables, identity columns, indexes, constraints, a few trigger
functions and triggers), so a lean copy does:

1. read every definition with ``pg_get_*def`` in a handful of catalogue queries,
   with ``search_path`` set to ``pg_catalog`` so each name comes schema-qualified;
2. create the tables with ``LIKE … INCLUDING DEFAULTS IDENTITY GENERATED CONSTRAINTS``
   (columns, defaults, identity sequences, CHECK constraints as they are stored;
   no indexes, keys or foreign keys yet);
3. copy the data and move each identity sequence past the copied ids;
4. create keys (primary and unique first, foreign last),
   indexes, functions and triggers from their definitions with the source
   schema's name replaced by the target's.

Names stay exactly the same (later migrations find indexes and constraints by
name). ``tests/integration/tenancy/test_clone.py`` compares template and copy
object by object."""

from __future__ import annotations

import re

from django.db import connection
from psycopg import sql

SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

TABLES = """
SELECT c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname
"""
IDENTITY_COLUMNS = """
SELECT c.relname, a.attname, sc.relname, s.data_type
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_depend d ON d.refobjid = c.oid AND d.refobjsubid = a.attnum AND d.deptype = 'i'
JOIN pg_class sc ON sc.oid = d.objid AND sc.relkind = 'S'
JOIN pg_sequences s ON s.schemaname = n.nspname AND s.sequencename = sc.relname
WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND a.attidentity <> '' AND NOT a.attisdropped
"""
INSERTABLE_COLUMNS = """
SELECT c.relname, array_agg(quote_ident(a.attname) ORDER BY a.attnum)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
GROUP BY c.relname
"""
CONSTRAINTS = """
SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid)
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND con.contype IN ('p', 'u', 'f', 'x') AND con.conislocal
ORDER BY CASE con.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'x' THEN 1 ELSE 2 END, c.relname, con.conname
"""
INDEXES = """
SELECT pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
WHERE n.nspname = %s
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))
ORDER BY ic.relname
"""
FUNCTIONS = """
SELECT pg_get_functiondef(p.oid)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = %s AND p.prokind IN ('f', 'p')
ORDER BY p.proname
"""
TRIGGERS = """
SELECT pg_get_triggerdef(t.oid)
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND NOT t.tgisinternal
ORDER BY c.relname, t.tgname
"""
SEQUENCE_DEFAULTS = """
SELECT c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid)
FROM pg_attrdef d
JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
JOIN pg_class c ON c.oid = d.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%%'
"""
SEQUENCES = """
SELECT s.sequencename, s.data_type, s.start_value, s.increment_by, s.last_value
FROM pg_sequences s
WHERE s.schemaname = %s
  AND NOT EXISTS (
    SELECT 1 FROM pg_depend d
    JOIN pg_class sc ON sc.oid = d.objid JOIN pg_namespace sn ON sn.oid = sc.relnamespace
    WHERE sn.nspname = s.schemaname AND sc.relname = s.sequencename AND d.deptype IN ('a', 'i')
  )
"""


def _requalify(definition: str, source: str, target: str) -> str:
    """Point a definition read with a pg_catalog search path at the target schema."""
    return re.sub(rf'(?<![\w"]){re.escape(source)}\.', f"{target}.", definition)


def clone_schema(source: str, target: str) -> None:
    """Create schema ``target`` as a copy of ``source``. Runs in the caller's transaction."""
    for name in (source, target):
        if not SCHEMA_NAME.match(name):
            raise ValueError(f"invalid schema name {name!r}")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL search_path = pg_catalog")
        cursor.execute(TABLES, [source])
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute(IDENTITY_COLUMNS, [source])
        identities = cursor.fetchall()
        cursor.execute(INSERTABLE_COLUMNS, [source])
        columns = dict(cursor.fetchall())
        cursor.execute(CONSTRAINTS, [source])
        constraints = cursor.fetchall()
        cursor.execute(INDEXES, [source])
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(FUNCTIONS, [source])
        functions = [row[0] for row in cursor.fetchall()]
        cursor.execute(TRIGGERS, [source])
        triggers = [row[0] for row in cursor.fetchall()]
        cursor.execute(SEQUENCES, [source])
        sequences = cursor.fetchall()
        cursor.execute(SEQUENCE_DEFAULTS, [source])
        sequence_defaults = cursor.fetchall()

        src, dst = sql.Identifier(source), sql.Identifier(target)
        statements: list[sql.Composable] = [sql.SQL("CREATE SCHEMA {}").format(dst)]
        for table in tables:
            statements.append(
                sql.SQL(
                    "CREATE TABLE {dst}.{t} (LIKE {src}.{t} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED "
                    "INCLUDING CONSTRAINTS)"
                ).format(dst=dst, src=src, t=sql.Identifier(table))
            )
        for name, data_type, start, increment, last_value in sequences:
            statements.append(
                sql.SQL("CREATE SEQUENCE {dst}.{s} AS {type} START {start} INCREMENT {inc}").format(
                    dst=dst,
                    s=sql.Identifier(name),
                    type=sql.SQL(data_type),
                    start=sql.Literal(start),
                    inc=sql.Literal(increment),
                )
            )
            if last_value is not None:
                statements.append(
                    sql.SQL("SELECT setval({seq}, {value})").format(
                        seq=sql.Literal(f'{target}."{name}"'), value=sql.Literal(last_value)
                    )
                )
        for table, column, expression in sequence_defaults:
            statements.append(
                sql.SQL("ALTER TABLE {dst}.{t} ALTER COLUMN {c} SET DEFAULT {expression}").format(
                    dst=dst,
                    t=sql.Identifier(table),
                    c=sql.Identifier(column),
                    expression=sql.SQL(_requalify(expression, source, target)),
                )
            )
        for table in tables:
            column_list = sql.SQL(", ").join(sql.SQL(column) for column in columns.get(table, []))
            statements.append(
                sql.SQL("INSERT INTO {dst}.{t} ({cols}) OVERRIDING SYSTEM VALUE SELECT {cols} FROM {src}.{t}").format(
                    dst=dst, src=src, t=sql.Identifier(table), cols=column_list
                )
            )
        for table, column, sequence, data_type in identities:
            # LIKE … INCLUDING IDENTITY makes every identity sequence bigint; keep the original type.
            statements.append(
                sql.SQL("ALTER SEQUENCE {sequence} AS {type}").format(
                    sequence=sql.Identifier(target, sequence), type=sql.SQL(data_type)
                )
            )
            statements.append(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({qualified}, {column}), "
                    "COALESCE((SELECT max({col}) FROM {dst}.{t}), 0) + 1, false)"
                ).format(
                    qualified=sql.Literal(f'{target}."{table}"'),
                    column=sql.Literal(column),
                    col=sql.Identifier(column),
                    dst=dst,
                    t=sql.Identifier(table),
                )
            )
        for table, name, _kind, definition in constraints:
            statements.append(
                sql.SQL("ALTER TABLE {dst}.{t} ADD CONSTRAINT {name} {definition}").format(
                    dst=dst,
                    t=sql.Identifier(table),
                    name=sql.Identifier(name),
                    definition=sql.SQL(_requalify(definition, source, target)),
                )
            )
        for definition in [*indexes, *functions, *triggers]:
            statements.append(sql.SQL(_requalify(definition, source, target)))
        for statement in statements:
            cursor.execute(statement)
        cursor.execute("SET LOCAL search_path = DEFAULT")

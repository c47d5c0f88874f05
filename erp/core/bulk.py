"""Writing many rows' fields at once.

``QuerySet.bulk_update`` builds one ``CASE WHEN pk = … THEN …`` expression per field holding a
branch per row, and resolving those expressions costs Python time that grows with rows × fields:
about 0.7 s for the 100 lines of an invoice (7 fields). ``bulk_update`` here sends the rows as a
``VALUES`` list joined on the primary key: one statement per batch, linear and cheap.

Like Django's, it writes the given fields as they are on the objects: no ``pre_save`` (so no
``auto_now``), no signals, no history rows."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models, router

BATCH = 1000


def _changed(objs: Sequence[models.Model], fields: Sequence[models.Field], before: dict) -> list[models.Model]:
    return [obj for obj in objs if before.get(obj.pk) != tuple(getattr(obj, field.attname) for field in fields)]


def snapshot(objs: Sequence[models.Model], fields: Sequence[str]) -> dict:
    """The fields' values per primary key, for ``bulk_update(..., unchanged_since=…)``."""
    if not objs:
        return {}
    meta = type(objs[0])._meta
    concrete = [meta.get_field(name) for name in fields]
    return {obj.pk: tuple(getattr(obj, field.attname) for field in concrete) for obj in objs}


def bulk_update(objs: Sequence[models.Model], fields: Sequence[str], *, unchanged_since: dict | None = None) -> int:
    """Write ``fields`` of ``objs`` (all of one model, all saved) in one statement per 1,000 rows.

    With ``unchanged_since`` (a ``snapshot`` taken before the objects were changed), only the
    rows whose fields differ from it are written. Returns the number of rows written."""
    if not objs:
        return 0
    model = type(objs[0])
    meta = model._meta
    concrete = [meta.get_field(name) for name in fields]
    if unchanged_since is not None:
        objs = _changed(objs, concrete, unchanged_since)
        if not objs:
            return 0
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = [meta.pk, *concrete]
    row = "(" + ", ".join(f"%s::{field.db_type(connection)}" for field in columns) + ")"
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in concrete)
    names = ", ".join(quote(field.column) for field in columns)
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objs), BATCH):
            batch = objs[start : start + BATCH]
            params = []
            for obj in batch:
                params.append(meta.pk.get_db_prep_value(obj.pk, connection))
                params.extend(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in concrete)
            cursor.execute(  # identifiers from the model's meta, quoted; values are parameters
                f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608
                f"FROM (VALUES {', '.join([row] * len(batch))}) AS v({names}) "
                f"WHERE t.{quote(meta.pk.column)} = v.{quote(meta.pk.column)}",
                params,
            )
            written += cursor.rowcount
    return written

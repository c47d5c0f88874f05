import csv
from pathlib import Path

from django.conf import settings
from django.db import migrations

CURRENCIES = Path(settings.BASE_DIR) / "fixtures" / "currencies.csv"

# The event log is append-only: the database itself refuses UPDATE, DELETE and TRUNCATE.
GUARD_SQL = """
CREATE OR REPLACE FUNCTION erp_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % is not allowed: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER core_businessevent_append_only
    BEFORE UPDATE OR DELETE ON core_businessevent
    FOR EACH ROW EXECUTE FUNCTION erp_refuse_change();
CREATE TRIGGER core_businessevent_no_truncate
    BEFORE TRUNCATE ON core_businessevent
    FOR EACH STATEMENT EXECUTE FUNCTION erp_refuse_change();
"""

UNGUARD_SQL = """
DROP TRIGGER IF EXISTS core_businessevent_no_truncate ON core_businessevent;
DROP TRIGGER IF EXISTS core_businessevent_append_only ON core_businessevent;
DROP FUNCTION IF EXISTS erp_refuse_change();
"""


def seed_currencies(apps, schema_editor):
    Currency = apps.get_model("core", "Currency")
    with CURRENCIES.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    Currency.objects.bulk_create(
        [
            Currency(
                code=row["code"], name=row["name"], decimal_places=int(row["decimal_places"]),
                is_active=row["is_active"] == "1",
            )
            for row in rows
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(seed_currencies, migrations.RunPython.noop),
        migrations.RunSQL(GUARD_SQL, UNGUARD_SQL),
    ]

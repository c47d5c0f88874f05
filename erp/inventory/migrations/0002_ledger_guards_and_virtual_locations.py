from django.db import migrations

# The stock ledger is append-only, whatever writes to it (the ORM, raw SQL, psql): PostgreSQL
# refuses UPDATE, DELETE and TRUNCATE of stock moves and valuation entries (erp_refuse_change
# comes from core's 0002). A movement is undone by a reversing movement, a value corrected by
# another entry.
GUARD_SQL = """
CREATE TRIGGER inventory_stockmove_append_only
    BEFORE UPDATE OR DELETE ON inventory_stockmove
    FOR EACH ROW EXECUTE FUNCTION erp_refuse_change();
CREATE TRIGGER inventory_stockmove_no_truncate
    BEFORE TRUNCATE ON inventory_stockmove
    FOR EACH STATEMENT EXECUTE FUNCTION erp_refuse_change();
CREATE TRIGGER inventory_valuationentry_append_only
    BEFORE UPDATE OR DELETE ON inventory_valuationentry
    FOR EACH ROW EXECUTE FUNCTION erp_refuse_change();
CREATE TRIGGER inventory_valuationentry_no_truncate
    BEFORE TRUNCATE ON inventory_valuationentry
    FOR EACH STATEMENT EXECUTE FUNCTION erp_refuse_change();
"""

UNGUARD_SQL = """
DROP TRIGGER IF EXISTS inventory_valuationentry_no_truncate ON inventory_valuationentry;
DROP TRIGGER IF EXISTS inventory_valuationentry_append_only ON inventory_valuationentry;
DROP TRIGGER IF EXISTS inventory_stockmove_no_truncate ON inventory_stockmove;
DROP TRIGGER IF EXISTS inventory_stockmove_append_only ON inventory_stockmove;
"""

# Shared by every warehouse; accounts are chosen per tenant on the location's page.
VIRTUAL_LOCATIONS = [
    ("VENDORS", "Vendors", "vendor"),
    ("CUSTOMERS", "Customers", "customer"),
    ("LOSS", "Inventory loss", "inventory_loss"),
    ("PRODUCTION", "Production", "production"),
    ("TRANSIT", "Transit", "transit"),
    ("SCRAP", "Scrap", "scrap"),
]


def seed_virtual_locations(apps, schema_editor):
    Location = apps.get_model("inventory", "Location")
    for code, name, location_type in VIRTUAL_LOCATIONS:
        if not Location.objects.filter(warehouse=None, code=code).exists():
            Location.objects.create(code=code, name=name, full_name=name, location_type=location_type)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_currencies_event_log_guard"),
        ("inventory", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(GUARD_SQL, UNGUARD_SQL),
        migrations.RunPython(seed_virtual_locations, migrations.RunPython.noop),
    ]

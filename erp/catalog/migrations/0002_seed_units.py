"""The units every tenant starts with (renamed, extended or deactivated per tenant)."""

from decimal import Decimal

from django.db import migrations

UNITS = [
    # code, name, category, ratio to the category's reference unit, decimal places
    ("pc", "Piece", "unit", "1", 0),
    ("dozen", "Dozen", "unit", "12", 0),
    ("kg", "Kilogram", "weight", "1", 3),
    ("g", "Gram", "weight", "0.001", 1),
    ("t", "Tonne", "weight", "1000", 3),
    ("lb", "Pound", "weight", "0.45359237", 3),
    ("m", "Metre", "length", "1", 3),
    ("cm", "Centimetre", "length", "0.01", 1),
    ("mm", "Millimetre", "length", "0.001", 0),
    ("m2", "Square metre", "area", "1", 3),
    ("l", "Litre", "volume", "1", 3),
    ("ml", "Millilitre", "volume", "0.001", 0),
    ("m3", "Cubic metre", "volume", "1000", 3),
    ("min", "Minute", "time", "1", 0),
    ("h", "Hour", "time", "60", 2),
    ("day", "Day", "time", "1440", 2),
    ("box", "Box", "packaging", None, 0),
    ("pack", "Pack", "packaging", None, 0),
    ("pallet", "Pallet", "packaging", None, 0),
]


def seed(apps, schema_editor):
    UnitOfMeasure = apps.get_model("catalog", "UnitOfMeasure")
    for code, name, category, ratio, places in UNITS:
        UnitOfMeasure.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "category": category,
                "ratio": Decimal(ratio) if ratio is not None else None,
                "decimal_places": places,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

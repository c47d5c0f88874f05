"""The payment terms every tenant starts with (edited or deactivated per tenant)."""

from decimal import Decimal

from django.db import migrations

TERMS = [
    # code, name, net days, end of month, discount %, discount days
    ("NOW", "Due immediately", 0, False, "0", 0),
    ("N14", "14 days net", 14, False, "0", 0),
    ("N30", "30 days net", 30, False, "0", 0),
    ("N30EOM", "30 days end of month", 30, True, "0", 0),
    ("2-10-N30", "2 % within 10 days, 30 days net", 30, False, "2", 10),
]


def seed(apps, schema_editor):
    PaymentTerm = apps.get_model("partners", "PaymentTerm")
    for code, name, days, eom, discount, discount_days in TERMS:
        PaymentTerm.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "net_days": days,
                "end_of_month": eom,
                "discount_percent": Decimal(discount),
                "discount_days": discount_days,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("partners", "0003_terms_addresses_contacts_categories")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

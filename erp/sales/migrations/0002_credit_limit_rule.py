"""The credit check every tenant starts with: a business rule on sales orders, before submit,
that blocks an order raising the customer's exposure above its credit limit, naming both.
Tenants edit it on the business rule screen: change the message, or replace the block by
“require approval by a role” (with a warning naming the figures) to send such orders for
approval instead."""

from django.db import migrations

RULE_NAME = "Credit limit"
CONDITIONS = {
    "all": [
        {"field": "credit_limit", "op": "gt", "value": "0"},
        {"field": "credit_exposure", "op": "gt", "value": {"field": "credit_limit"}},
    ]
}
MESSAGE = (
    "The order would raise the exposure of {partner.name} to {credit_exposure} "
    "(open receivables, open orders and this order), above its credit limit of {credit_limit}."
)


def seed(apps, schema_editor):
    BusinessRule = apps.get_model("workflow", "BusinessRule")
    if BusinessRule.objects.filter(subject="sales.salesorder", name=RULE_NAME).exists():
        return
    BusinessRule.objects.create(
        name=RULE_NAME,
        description="Open receivables + open orders + this order against the customer's credit limit (0 = none).",
        subject="sales.salesorder",
        trigger="before_submit",
        conditions=CONDITIONS,
        actions=[{"type": "block", "message": MESSAGE}],
        priority=10,
    )


def unseed(apps, schema_editor):
    apps.get_model("workflow", "BusinessRule").objects.filter(subject="sales.salesorder", name=RULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0001_initial"),
        ("workflow", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, unseed)]

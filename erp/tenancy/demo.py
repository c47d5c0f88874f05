"""The demo tenant `make run` loads on first start."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django_tenants.utils import schema_context

from erp.accounts import roles
from erp.tenancy import services
from erp.tenancy.models import Client

DEMO_PASSWORD = "demo"
DEMO_ADMIN = "admin@demo.example.com"
DEMO_USERS = [
    ("manager@demo.example.com", "Maria", "Manager", roles.MANAGER),
    ("accountant@demo.example.com", "Anna", "Accountant", roles.ACCOUNTANT),
    ("sales@demo.example.com", "Sam", "Sales", roles.SALES),
    ("purchasing@demo.example.com", "Paul", "Purchaser", roles.PURCHASING),
    ("warehouse@demo.example.com", "Walter", "Warehouse", roles.WAREHOUSE),
    ("hr@demo.example.com", "Hanna", "HR", roles.HR),
]


def demo_logins() -> list[tuple[str, str, str]]:
    return [(DEMO_ADMIN, DEMO_PASSWORD, roles.ADMINISTRATOR)] + [
        (email, DEMO_PASSWORD, role) for email, _first, _last, role in DEMO_USERS
    ]


@transaction.atomic
def demo_load(subdomain: str = "demo") -> Client:
    from erp.accounts.services import user_create
    from erp.core.models import Organization
    from erp.core.services import organization_create

    client = services.tenant_create(
        new=services.NewTenant(
            name="Demo Trading GmbH",
            subdomain=subdomain,
            currency="EUR",
            country="DE",
            chart="skr03",
            admin_email=DEMO_ADMIN,
            admin_password=DEMO_PASSWORD,
            admin_first_name="Ada",
            admin_last_name="Admin",
        )
    )
    with schema_context(client.schema_name):
        from erp.accounts.models import User

        admin = User.objects.get(email=DEMO_ADMIN)
        root = Organization.objects.get(code="HQ")
        sales = organization_create(code="SALES", name="Sales Department", parent=root, by=admin)
        north = organization_create(code="NORTH", name="Branch North", parent=root, by=admin)
        organization_create(code="NORTH-WH", name="Warehouse North", parent=north, by=admin)
        access = {roles.SALES: [sales], roles.WAREHOUSE: [north]}
        for email, first, last, role in DEMO_USERS:
            user_create(
                email=email,
                first_name=first,
                last_name=last,
                password=DEMO_PASSWORD,
                roles=[Group.objects.get(name=role)],
                organizations=access.get(role, [root]),
                by=admin,
            )
    return client

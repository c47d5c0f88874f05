"""Tenant registry rows without a schema: for the operator's lists (run in the public schema)."""

from __future__ import annotations

import factory

from erp.tenancy.models import Client, Domain


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    schema_name = factory.Sequence(lambda n: f"listed{n:04d}")
    name = factory.Sequence(lambda n: f"Listed Company {n:04d}")
    country = "DE"
    currency = "EUR"

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> Client:
        client = model_class(*args, **kwargs)
        client.auto_create_schema = False
        client.save()
        Domain.objects.create(domain=f"{client.schema_name}.localhost", tenant=client, is_primary=True)
        return client

"""Factories for erp.core records (arrangement only: services are tested on their own)."""

from __future__ import annotations

import factory

from erp.core.models import BusinessEvent, Notification, Organization


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"ORG{n:04d}")
    name = factory.Sequence(lambda n: f"Organization {n:04d}")
    parent = None


class BusinessEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessEvent

    verb = "core.test.happened"
    aggregate_type = "core.organization"
    aggregate_id = factory.Sequence(str)
    aggregate_repr = factory.Sequence(lambda n: f"Record {n:04d}")
    organization = None
    actor = None


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    verb = "core.test"
    title = factory.Sequence(lambda n: f"Notification {n:04d}")
    body = ""
    url = ""

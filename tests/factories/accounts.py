"""Factories for users of the tenant the connection is set to."""

from __future__ import annotations

import factory
from guardian.shortcuts import assign_perm

from erp.accounts.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    """``UserFactory(roles=[group], organizations=[org])``; the password is ``PASSWORD``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n:04d}@example.com")
    first_name = factory.Sequence(lambda n: f"Person{n:04d}")
    last_name = "Example"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.groups.set(extracted)

    @factory.post_generation
    def organizations(self, create: bool, extracted, **kwargs) -> None:
        for organization in extracted or ():
            assign_perm("core.access_organization", self, organization)

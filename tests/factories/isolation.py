"""Records of another tenant, for “a user cannot reach another tenant's record by its id” tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django_tenants.utils import schema_context

T = TypeVar("T")


def record_of_other_tenant(other_tenant, make: Callable[[], T]) -> T:
    """``make()`` run in ``other_tenant``'s schema (inside the test's transaction, so rolled back),
    repeated until the new record's id is one the test tenant has no record with: the request
    for it then proves the other schema is out of reach, not that the id happens to be free."""
    for _attempt in range(10):
        with schema_context(other_tenant.schema_name):
            record = make()
        if not type(record)._base_manager.filter(pk=record.pk).exists():
            return record
    raise AssertionError("could not find an id that only the other tenant uses")

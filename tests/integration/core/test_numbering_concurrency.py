"""Numbers allocated from parallel connections: no gaps, no duplicates, even with rollbacks."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django_tenants.utils import schema_context

from erp.core.numbering import next_number

pytestmark = pytest.mark.committed

THREADS = 8
ALLOCATIONS_PER_THREAD = 6


class _RolledBack(Exception):
    pass


def _allocate_in_parallel(schema_name: str, *, series: str, organization_id: int | None = None) -> list[int]:
    """Each thread allocates in its own connection and transaction; every third transaction rolls back."""
    committed: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def work(index: int) -> None:
        try:
            with schema_context(schema_name):
                from erp.core.models import Organization

                organization = Organization.objects.get(pk=organization_id) if organization_id else None
                start.wait()
                for attempt in range(ALLOCATIONS_PER_THREAD):
                    try:
                        with transaction.atomic():
                            number = int(next_number(series=series, organization=organization))
                            if (index + attempt) % 3 == 0:
                                raise _RolledBack
                    except _RolledBack:
                        continue
                    with lock:
                        committed.append(number)
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return committed


class TestNextNumberUnderConcurrency:
    def test_parallel_connections_get_a_gapless_run_without_duplicates(self, committed_tenant):
        numbers = _allocate_in_parallel(committed_tenant.schema_name, series="concurrency")

        assert len(numbers) > THREADS
        assert sorted(numbers) == list(range(1, len(numbers) + 1))

    def test_the_first_allocation_of_a_new_series_races_safely(self, committed_tenant):
        with schema_context(committed_tenant.schema_name):
            from erp.core.models import NumberSequence, Organization

            organization = Organization.objects.get(code="HQ")
            assert not NumberSequence.objects.filter(series="fresh").exists()

        numbers = _allocate_in_parallel(committed_tenant.schema_name, series="fresh", organization_id=organization.pk)

        assert sorted(numbers) == list(range(1, len(numbers) + 1))
        with schema_context(committed_tenant.schema_name):
            sequence = NumberSequence.objects.get(series="fresh")
            assert sequence.next_value == len(numbers) + 1
        connection.set_schema_to_public()

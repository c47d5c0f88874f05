"""erp.core.bulk.bulk_update: many rows' fields in one statement, NULLs and types kept."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from erp.core import bulk
from erp.core.models import NumberSequence

pytestmark = pytest.mark.django_db


@pytest.fixture
def sequences(root_organization):
    return [
        NumberSequence.objects.create(series=f"bulk-{number}", organization=root_organization, year=2026, next_value=5)
        for number in range(3)
    ]


def test_writes_the_fields_of_every_row_in_one_statement(sequences):
    first, second, third = sequences
    first.pattern, first.year, first.organization = "A-{seq}", None, None
    second.next_value = 10_000_000_000
    third.pattern = "C-{year}-{seq:05d}"

    with CaptureQueriesContext(connection) as queries:
        written = bulk.bulk_update(sequences, ["pattern", "year", "organization", "next_value"])

    assert written == 3 and len(queries) == 1
    rows = {row.pk: row for row in NumberSequence.objects.filter(pk__in=[s.pk for s in sequences])}
    assert (rows[first.pk].pattern, rows[first.pk].year, rows[first.pk].organization_id) == ("A-{seq}", None, None)
    assert rows[second.pk].next_value == 10_000_000_000 and rows[second.pk].year == 2026
    assert rows[third.pk].pattern == "C-{year}-{seq:05d}" and rows[third.pk].organization_id is not None


def test_with_a_snapshot_only_changed_rows_are_written(sequences):
    before = bulk.snapshot(sequences, ["pattern", "next_value"])
    sequences[1].next_value = 99

    assert bulk.bulk_update(sequences, ["pattern", "next_value"], unchanged_since=before) == 1
    assert NumberSequence.objects.get(pk=sequences[1].pk).next_value == 99

    with CaptureQueriesContext(connection) as queries:
        assert (
            bulk.bulk_update(
                sequences,
                ["pattern", "next_value"],
                unchanged_since=bulk.snapshot(sequences, ["pattern", "next_value"]),
            )
            == 0
        )
    assert len(queries) == 0


def test_nothing_to_write():
    assert bulk.bulk_update([], ["pattern"]) == 0

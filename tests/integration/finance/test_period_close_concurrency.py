"""A period cannot close under a posting that already checked it was open (committed data, two connections)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import OperationalError, connection, connections, transaction
from django_tenants.utils import schema_context

from erp.finance import periods, services
from erp.finance.models import PeriodStatus
from tests.conftest import ADMIN_EMAIL

pytestmark = pytest.mark.committed

MARCH = date(2025, 3, 10)


def test_a_close_waits_for_a_posting_that_checked_the_period_and_then_closes_it(committed_tenant):
    from erp.accounts.models import User

    with schema_context(committed_tenant.schema_name):
        admin = User.objects.get(email=ADMIN_EMAIL)
        year = services.fiscal_year_create(first_year=2025, start_month=1, by=admin)
        march = year.periods.get(number=3)
    checked, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def posting() -> None:
        try:
            with schema_context(committed_tenant.schema_name), transaction.atomic():
                periods.assert_open(MARCH, lock=True)
                checked.set()
                release.wait(timeout=10)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=posting)
    thread.start()
    assert checked.wait(timeout=10)
    try:
        with (
            schema_context(committed_tenant.schema_name),
            pytest.raises(OperationalError, match="lock"),
            transaction.atomic(),
        ):
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
            services.period_close(period=march, by=admin)
    finally:
        release.set()
        thread.join(timeout=10)
    assert not errors, errors

    with schema_context(committed_tenant.schema_name):
        closed = services.period_close(period=march, by=admin)

    assert closed.status == PeriodStatus.CLOSED

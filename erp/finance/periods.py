"""Which accounting period a day belongs to, and whether it may still be posted into.

Posting calls ``assert_open(day, lock=True)`` inside its transaction: the period row is
then share-locked until the posting commits, so ``period_close`` (which takes the row
lock) waits for postings in flight and no posting lands in a period after it closed."""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from erp.core.exceptions import DomainError
from erp.finance.models import Period


class NoPeriod(DomainError):
    """No fiscal period covers the day: the fiscal year has not been created."""


class PeriodClosed(DomainError):
    """The period of the day is closed."""

    def __init__(self, message: str, *, period: Period, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.period = period


def period_for(day: date, *, field: str | None = None) -> Period:
    """The period containing ``day``; ``NoPeriod`` when no fiscal year covers it."""
    period = Period.objects.containing(day).select_related("fiscal_year").first()
    if period is None:
        raise NoPeriod(
            _("No accounting period covers %(date)s: create the fiscal year first.")
            % {"date": date_format(day, "SHORT_DATE_FORMAT")},
            field=field,
        )
    return period


def _share_lock(period: Period) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status FROM finance_period WHERE id = %s FOR SHARE", [period.pk])
        period.status = cursor.fetchone()[0]


def assert_open(day: date, *, lock: bool = False, field: str | None = None) -> Period:
    """The open period containing ``day``, or ``PeriodClosed`` / ``NoPeriod`` naming the problem.

    With ``lock=True`` (inside a transaction) the period row stays share-locked until commit:
    several postings proceed side by side, a concurrent close waits for them."""
    period = period_for(day, field=field)
    if lock:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("assert_open(lock=True) must run inside transaction.atomic()")
        _share_lock(period)
    if not period.is_open:
        raise PeriodClosed(
            _("The period %(period)s (%(start)s – %(end)s) is closed: nothing can be posted on %(date)s.")
            % {
                "period": period.label,
                "start": date_format(period.start_date, "SHORT_DATE_FORMAT"),
                "end": date_format(period.end_date, "SHORT_DATE_FORMAT"),
                "date": date_format(day, "SHORT_DATE_FORMAT"),
            },
            period=period,
            field=field,
        )
    return period

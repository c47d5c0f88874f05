"""The posting API: how every module writes to the general ledger.

    from erp.finance.posting import PostingLine, post_entry

    entry = post_entry(
        lines=[
            PostingLine(account=receivable, debit=Decimal("119.00"), partner=customer),
            PostingLine(account=revenue, credit=Decimal("100.00")),
            PostingLine(account=output_tax, credit=Decimal("19.00")),
        ],
        on=invoice.accounting_date,
        organization=invoice.organization,
        description=f"Invoice {invoice.number}",
        source=invoice,
        by=user,
    )

One call is one posted, numbered entry in one transaction (it joins the caller's), with its
history row and a business event. Amounts are in ``currency`` (the company currency by
default) and must already be rounded to it; each line is converted to the company currency at
``exchange_rate`` (the day's rate by default), rounding differences going to the largest line
so the entry balances in both currencies. The database refuses anything unbalanced, a closed
period and a non-postable account even if this code were bypassed.

A posted entry is never edited: ``reverse_entry`` posts its mirror image (a reversal on any
open date, or a void on the original date)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, partial

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.core import events
from erp.core.currency import quantize, quote
from erp.core.documents.models import Status
from erp.core.exceptions import DomainError
from erp.core.models import Company, Currency, Organization
from erp.finance import periods
from erp.finance.journal.models import Correction, EntryKind, JournalEntry, JournalLine
from erp.finance.models import Account, FiscalYear, PeriodStatus

ZERO = Decimal("0")


class PostingError(DomainError):
    """The lines cannot be posted as given (unbalanced, unrounded, unknown account …)."""


@dataclass(frozen=True)
class PostingLine:
    """One debit or credit to post. Exactly one of ``debit`` and ``credit`` is non-zero.

    ``debit_company`` / ``credit_company`` override the conversion for lines whose company
    amount is known (e.g. a payment clearing an invoice booked at another rate)."""

    account: Account | int
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    partner: models.Model | int | None = None
    description: str = ""
    organization: Organization | int | None = None
    analytic_tag: str = ""
    debit_company: Decimal | None = None
    credit_company: Decimal | None = None


def _pk(value) -> int | None:
    return value.pk if isinstance(value, models.Model) else value


def company_currency() -> Currency:
    return Company.objects.select_related("currency").only("currency").get().currency


def to_company_amounts(
    amounts: Sequence[tuple[Decimal, Decimal]], *, rate: Decimal, places: int
) -> list[tuple[Decimal, Decimal]]:
    """(debit, credit) pairs converted at ``rate`` and rounded to ``places``, adjusted so the
    converted debits equal the converted credits when the originals balance: the rounding
    difference goes to the largest line of the side that is short."""
    converted = [(quantize(debit * rate, places), quantize(credit * rate, places)) for debit, credit in amounts]
    if sum(d for d, _c in amounts) != sum(c for _d, c in amounts):
        return converted
    difference = sum(d for d, _c in converted) - sum(c for _d, c in converted)
    if difference:
        side = 1 if difference > 0 else 0  # credits short → add to the largest credit, else to the largest debit
        index = max(range(len(converted)), key=lambda i: (converted[i][side], -i))
        pair = list(converted[index])
        pair[side] += abs(difference)
        converted[index] = (pair[0], pair[1])
    return converted


def _check_amounts(lines: Sequence[PostingLine], places: int) -> None:
    if len(lines) < 2:
        raise PostingError(_("A journal entry needs at least two lines."))
    for number, line in enumerate(lines, start=1):
        debit, credit = Decimal(line.debit), Decimal(line.credit)
        if debit < 0 or credit < 0:
            raise PostingError(_("Line %(line)d: amounts cannot be negative.") % {"line": number})
        if debit and credit:
            raise PostingError(_("Line %(line)d: enter either a debit or a credit, not both.") % {"line": number})
        if not debit and not credit:
            raise PostingError(_("Line %(line)d: enter an amount.") % {"line": number})
        if quantize(debit + credit, places) != debit + credit:
            raise PostingError(
                _("Line %(line)d: the amount has more than %(places)d decimal places.")
                % {"line": number, "places": places}
            )
    debit = sum((Decimal(line.debit) for line in lines), ZERO)
    credit = sum((Decimal(line.credit) for line in lines), ZERO)
    if debit != credit:
        raise PostingError(
            _("The entry does not balance: debits %(debit)s, credits %(credit)s.") % {"debit": debit, "credit": credit}
        )


def check_accounts(account_ids: Iterable[int]) -> None:
    """``PostingError`` naming the first account that cannot be posted to."""
    wanted = set(account_ids)
    found = {
        row[0]: row for row in Account.objects.filter(pk__in=wanted).values_list("pk", "code", "is_active", "is_group")
    }
    for account_id in sorted(wanted):
        row = found.get(account_id)
        if row is None:
            raise PostingError(_("Account %(id)s does not exist.") % {"id": account_id}, field="account")
        _account_pk, code, is_active, is_group = row
        if is_group:
            raise PostingError(
                _("%(code)s is a summary account: post to one of its sub-accounts.") % {"code": code}, field="account"
            )
        if not is_active:
            raise PostingError(_("The account %(code)s is deactivated.") % {"code": code}, field="account")


def _rate(*, currency: Currency, company: str, on: date, exchange_rate: Decimal | None) -> Decimal:
    if currency.pk == company:
        return Decimal("1")
    if exchange_rate is not None:
        if exchange_rate <= 0:
            raise PostingError(_("The exchange rate must be greater than zero."), field="exchange_rate")
        return Decimal(exchange_rate)
    return quote(from_currency=currency, to_currency=company, on_date=on).rate


def _source_fields(source: models.Model | None) -> dict:
    if source is None:
        return {}
    return {"source_type": ContentType.objects.get_for_model(source), "source_id": str(source.pk)}


def _json_value(value):
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be posted as JSON")


_dumps = partial(json.dumps, default=_json_value, separators=(",", ":"))


@cache
def _columns(model: type[models.Model]) -> tuple[tuple[str, models.Field, bool], ...]:
    return tuple(
        (field.column, field, isinstance(field, models.JSONField)) for field in model._meta.local_concrete_fields
    )


def _row(obj: models.Model) -> dict:
    """``obj`` as its table's row, column by column, the values as Django would save them."""
    connection_ = connections[DEFAULT_DB_ALIAS]
    row = {}
    for column, field, is_json in _columns(type(obj)):
        value = field.pre_save(obj, True)
        row[column] = value if is_json else field.get_db_prep_save(value, connection_)
    return row


_WRITE_ENTRY = "SELECT finance_write_entry(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"

# Stands for the entry's number in the event's description of it until the number is allocated.
_UNNUMBERED = "\ue000number\ue000"


def _publish(
    entry: JournalEntry, lines: list[JournalLine], *, by, period_id: int, verb: str, data: dict
) -> JournalEntry:
    """Write an entry built in memory, posted and numbered, with its history row, its business
    event and its lines: one call of the database function ``finance_write_entry`` (migrations
    finance 0008 and 0010). It writes the entry under a provisional number and its lines (their
    trigger checks them and appends them to the balances), runs the deferred checks at once,
    and only then takes the number and writes it, the history row and the event.

    Database round trips per posting: the checks (``_prepare``), this call, COMMIT. The
    sequence row stays locked from the number until commit — the only lock two postings of one
    series wait for; numbers stay gapless because a rolled-back posting gives its number back."""
    now = timezone.now()
    if entry.pk is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence('finance_journalentry', 'id'))")
            entry.pk = cursor.fetchone()[0]
    entry.period_id = period_id
    entry.posted = entry.processed = True
    entry.posted_at = entry.processed_at = entry.created_at = entry.updated_at = now
    entry.posted_by = entry.processed_by = entry.created_by = entry.updated_by = by
    entry.total_net = entry.total_gross = sum((line.debit for line in lines), ZERO)
    entry.total_net_company = entry.total_gross_company = sum((line.debit_company for line in lines), ZERO)
    entry.number = _UNNUMBERED
    for position, line in enumerate(lines, start=1):
        line.entry_id = entry.pk
        line.position = position
        line.date = entry.accounting_date
        line.period_id = period_id
        line.posted = True
    event = events.build(
        verb=f"finance.journalentry.{verb}", target=entry, actor=by, data=data, organization=entry.organization
    )
    entry_row = _row(entry)
    entry_row.pop("number")
    line_rows = []
    for line in lines:
        row = _row(line)
        row.pop("id")
        line_rows.append(row)
    event_row = _row(event)
    event_row.pop("id")
    year = entry.document_date.year
    with connection.cursor() as cursor:
        cursor.execute(
            _WRITE_ENTRY,
            [
                _dumps(entry_row),
                _dumps(line_rows),
                _dumps(event_row),
                now,
                by.pk if by is not None else None,
                JournalEntry.number_series,
                year,
                JournalEntry.number_pattern,
                getattr(entry.organization, "code", ""),
                _UNNUMBERED,
            ],
        )
        entry.number = cursor.fetchone()[0]
    entry._state.adding = False
    return entry


_PREPARE = """
    SELECT c.currency_id, currency.decimal_places, p.id, p.status,
           ARRAY(SELECT a.id FROM finance_account a
                  WHERE a.id = ANY(%s) AND a.is_active AND NOT a.is_group AND a.deleted_at IS NULL),
           nextval(pg_get_serial_sequence('finance_journalentry', 'id'))
      FROM core_company c
      JOIN core_currency currency ON currency.code = c.currency_id
      LEFT JOIN finance_period p ON p.start_date <= %s AND p.end_date >= %s
"""


@dataclass(frozen=True)
class _Context:
    company_code: str
    company_places: int
    period_id: int
    entry_id: int  # allocated from the entry table's sequence


def _prepare(*, on: date, account_ids: set[int]) -> _Context:
    """Company currency, the open period of ``on`` and the accounts' postability in one round
    trip; when something is wrong, the detailed checks below raise the message that says what."""
    with connection.cursor() as cursor:
        cursor.execute(_PREPARE, [sorted(account_ids), on, on])
        code, places, period_id, status, postable, entry_id = cursor.fetchone()
    if period_id is None or status != PeriodStatus.OPEN:
        periods.assert_open(on)
    if set(postable) != account_ids:
        check_accounts(account_ids)
    return _Context(company_code=code, company_places=places, period_id=period_id, entry_id=entry_id)


def post_entry(
    *,
    lines: Sequence[PostingLine],
    on: date,
    organization: Organization,
    description: str,
    source: models.Model | None,
    by,
    currency: Currency | str | None = None,
    exchange_rate: Decimal | None = None,
    kind: str = EntryKind.SYSTEM,
    external_reference: str = "",
    closes_year: FiscalYear | None = None,
) -> JournalEntry:
    """Post ``lines`` dated ``on`` as one numbered entry; see the module docstring."""
    context = _prepare(on=on, account_ids={_pk(line.account) for line in lines})
    code = (currency.pk if isinstance(currency, Currency) else str(currency or context.company_code)).upper()
    if code == context.company_code:
        places, rate = context.company_places, Decimal("1")
    else:
        foreign = currency if isinstance(currency, Currency) else Currency.objects.get(pk=code)
        places = foreign.decimal_places
        rate = _rate(currency=foreign, company=context.company_code, on=on, exchange_rate=exchange_rate)
    _check_amounts(lines, places)
    converted = to_company_amounts(
        [(Decimal(line.debit), Decimal(line.credit)) for line in lines], rate=rate, places=context.company_places
    )
    rows = []
    for line, (debit_company, credit_company) in zip(lines, converted, strict=True):
        if line.debit_company is not None or line.credit_company is not None:
            debit_company, credit_company = line.debit_company or ZERO, line.credit_company or ZERO
        rows.append(
            JournalLine(
                account_id=_pk(line.account),
                organization_id=_pk(line.organization) or organization.pk,
                partner_id=_pk(line.partner),
                description=line.description[:255],
                analytic_tag=line.analytic_tag.strip()[:50],
                debit=Decimal(line.debit),
                credit=Decimal(line.credit),
                debit_company=debit_company,
                credit_company=credit_company,
            )
        )
    if sum(row.debit_company for row in rows) != sum(row.credit_company for row in rows):
        raise PostingError(_("The entry does not balance in the company currency."))
    entry = JournalEntry(
        pk=context.entry_id,
        organization=organization,
        status=Status.COMPLETED,
        kind=kind,
        document_date=on,
        accounting_date=on,
        currency_id=code,
        exchange_rate=rate,
        description=description[:255],
        external_reference=external_reference[:100],
        closes_year=closes_year,
        **_source_fields(source),
    )
    with transaction.atomic(savepoint=False):
        return _publish(entry, rows, by=by, period_id=context.period_id, verb="posted", data={"lines": len(rows)})


def reverse_entry(*, entry: JournalEntry, on: date, by, correction: str = Correction.REVERSAL) -> JournalEntry:
    """Post the mirror image of ``entry`` on ``on``: each line's debit and credit swapped, the
    company amounts copied (not converted again), so the pair nets to exactly zero.

    The caller locks ``entry`` and changes its status (``erp.core.documents.services``)."""
    if not entry.posted:
        raise PostingError(_("Only posted entries can be reversed."))
    period = periods.assert_open(on)
    originals = list(entry.lines.order_by("position", "id"))
    lines = [
        JournalLine(
            account_id=line.account_id,
            organization_id=line.organization_id,
            partner_id=line.partner_id,
            description=line.description,
            analytic_tag=line.analytic_tag,
            debit=line.credit,
            credit=line.debit,
            debit_company=line.credit_company,
            credit_company=line.debit_company,
        )
        for line in originals
    ]
    check_accounts(line.account_id for line in lines)
    label = _("Void of %(number)s") if correction == Correction.VOID else _("Reversal of %(number)s")
    mirror = JournalEntry(
        organization=entry.organization,
        status=Status.COMPLETED,
        kind=entry.kind,
        correction=correction,
        reversal_of=entry,
        document_date=on,
        accounting_date=on,
        currency=entry.currency,
        exchange_rate=entry.exchange_rate,
        description=(label % {"number": entry.number})[:255],
        closes_year=entry.closes_year,
        source_type_id=entry.source_type_id,
        source_id=entry.source_id,
    )
    with transaction.atomic(savepoint=False):
        return _publish(
            mirror,
            lines,
            by=by,
            period_id=period.pk,
            verb="posted",
            data={"lines": len(lines), correction: entry.number},
        )


def entries_for(source: models.Model) -> models.QuerySet[JournalEntry]:
    """The entries a document posted (and their reversals), oldest first."""
    return JournalEntry.objects.filter(
        source_type=ContentType.objects.get_for_model(source), source_id=str(source.pk)
    ).order_by("id")

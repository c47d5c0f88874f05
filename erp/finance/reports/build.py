"""Reports as data: columns and rows of cells, ready for the screen, Excel and PDF alike.

Every figure that comes from journal lines carries the URL of those lines: an account's
figures lead to its general ledger for the same dates and organizations (from the first
day of the books for balances), a ledger or journal line to its journal entry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from erp.finance import selectors
from erp.finance.journal.models import BalanceKind, JournalEntry, JournalLine
from erp.finance.models import Account, AccountType, FiscalYear, Period, PeriodStatus
from erp.finance.reports.forms import Scope, day_label

ZERO = Decimal("0")
LEDGER_PER_PAGE = 50
JOURNAL_PER_PAGE = 25


# --- the shape of a report ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = True
    group: str = ""  # a heading over neighbouring columns ("Opening balance" over Debit and Credit)
    wrap: bool = True  # False for dates, numbers and codes: the PDF keeps them on one line


@dataclass(frozen=True)
class Cell:
    value: str | Decimal | date | None = None
    url: str = ""

    @property
    def kind(self) -> str:
        """money, date, text or blank: how the templates format the value."""
        if isinstance(self.value, Decimal):
            return "money"
        if isinstance(self.value, date):
            return "date"
        return "blank" if self.value in (None, "") else "text"


ROW_CLASSES = {
    "group": "fw-semibold",
    "section": "table-group-divider fw-semibold",
    "subtotal": "fw-semibold",
    "total": "table-light fw-bold",
    "entry": "table-light",
    "balance": "fst-italic",
}
INDENTS = {2: "ps-3", 3: "ps-4"}


@dataclass
class Row:
    """``style``: account, group (a summary account with its subtotal), section (a heading),
    subtotal, total, entry (a journal entry's heading line), line, balance (opening/closing)."""

    cells: list[Cell]
    style: str = "account"
    level: int = 0
    key: str = ""  # names the row in the page (``id="row-<key>"``)

    @property
    def css(self) -> str:
        return ROW_CLASSES.get(self.style, "")

    @property
    def indent(self) -> str:
        """The Bootstrap padding class that indents the row's name by its depth in the tree."""
        return INDENTS.get(self.level, "ps-5" if self.level > 3 else "")

    @property
    def depth(self) -> str:
        """The same for the PDF's own style sheet: level-2 … level-4."""
        return f"level-{min(self.level, 4)}" if self.level > 1 else ""


@dataclass
class Pager:
    label: str
    first: str = ""
    previous: str = ""
    next: str = ""
    last: str = ""


@dataclass
class Report:
    slug: str  # trial-balance, general-ledger, journal, profit-and-loss, balance-sheet
    title: str
    scope: Scope
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    subtitle: str = ""  # e.g. the account of a general ledger
    summary: list[tuple[str, Decimal | int | str]] = field(default_factory=list)
    checks: list[tuple[str, bool]] = field(default_factory=list)  # identities the report proves
    pager: Pager | None = None
    landscape: bool = False

    @property
    def column_groups(self) -> list[tuple[str, int]]:
        """(heading, number of columns) over the column labels; empty when no column has one."""
        if not any(column.group for column in self.columns):
            return []
        groups: list[list] = []
        for column in self.columns:
            if groups and groups[-1][0] == column.group:
                groups[-1][1] += 1
            else:
                groups.append([column.group, 1])
        return [(label, span) for label, span in groups]

    @property
    def summary_cells(self) -> list[tuple[str, Cell]]:
        return [(label, Cell(value)) for label, value in self.summary]

    @property
    def table(self) -> list[tuple[Row, list[tuple[Column, Cell]]]]:
        """Each row with its cells paired with their columns (templates cannot zip)."""
        return [(row, list(zip(self.columns, row.cells, strict=True))) for row in self.rows]

    @property
    def filename(self) -> str:
        dates = self.scope.date_to.isoformat()
        if self.scope.date_from is not None:
            dates = f"{self.scope.date_from.isoformat()}_{dates}"
        return f"{self.slug}_{dates}"


# --- links -----------------------------------------------------------------------------------------


def report_url(slug: str, **params) -> str:
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    return reverse(f"finance:report-{slug}") + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Links:
    """Drill-down URLs for a scope; all empty when the user may not see journal lines."""

    scope: Scope
    enabled: bool
    first_day: date | None  # the first day of the books

    def ledger(self, code: str, date_from: date | None, date_to: date, *, exclude_closing: bool = False) -> str:
        date_from = date_from or self.first_day
        if not self.enabled or date_from is None or date_from > date_to:
            return ""
        organization = self.scope.organization.pk if self.scope.organization else None
        return report_url(
            "general-ledger",
            account=code,
            date_from=date_from.isoformat(),
            date_to=date_to.isoformat(),
            organization=organization,
            exclude_closing="on" if exclude_closing else None,
        )

    def entry(self, entry_id: int) -> str:
        return reverse("finance:journalentry-detail", args=[entry_id]) if self.enabled else ""


def links_for(scope: Scope, *, enabled: bool) -> Links:
    first_day = Period.objects.order_by("start_date").values_list("start_date", flat=True).first()
    return Links(scope=scope, enabled=enabled, first_day=first_day)


def _figure(value: Decimal, url: str) -> Cell:
    return Cell(value, url if value else "")


def _text(value) -> Cell:
    return Cell("" if value is None else str(value))


# --- trial balance ---------------------------------------------------------------------------------


def trial_balance(scope: Scope, *, links: Links) -> Report:
    """Opening balance, movements and closing balance of every account (debit and credit
    side), with totals that balance; optionally the movements and closing balance of the
    comparison period beside them."""
    current = selectors.trial_balance(
        date_from=scope.date_from, date_to=scope.date_to, organization_ids=scope.organization_ids
    )
    opening_end = scope.date_from - timedelta(days=1)
    columns = [
        Column(_("Code"), numeric=False, wrap=False),
        Column(_("Account"), numeric=False),
        Column(_("Debit"), group=_("Opening balance")),
        Column(_("Credit"), group=_("Opening balance")),
        Column(_("Debit"), group=_("Movements")),
        Column(_("Credit"), group=_("Movements")),
        Column(_("Debit"), group=_("Closing balance")),
        Column(_("Credit"), group=_("Closing balance")),
    ]
    rows_by_account = {row.account_id: row for row in current.rows}
    compared: dict[int, selectors.AccountRow] = {}
    comparison = None
    if scope.has_comparison:
        comparison = selectors.trial_balance(
            date_from=scope.compare_from, date_to=scope.compare_to, organization_ids=scope.organization_ids
        )
        compared = {row.account_id: row for row in comparison.rows}
        heading = _("Comparison %(dates)s") % {"dates": scope.comparison_label}
        columns += [
            Column(_("Debit"), group=heading),
            Column(_("Credit"), group=heading),
            Column(_("Balance"), group=heading),
        ]
    accounts = {**compared, **rows_by_account}
    report = Report(
        slug="trial-balance", title=_("Trial balance"), scope=scope, columns=columns, landscape=bool(comparison)
    )
    for account in sorted(accounts.values(), key=lambda row: row.code):
        row = rows_by_account.get(account.account_id)
        code = account.code
        movements_url = links.ledger(code, scope.date_from, scope.date_to)
        opening_url = links.ledger(code, None, opening_end)
        closing_url = links.ledger(code, None, scope.date_to)
        cells = [Cell(code, movements_url), Cell(account.name, movements_url)]
        if row is None:
            cells += [Cell(ZERO)] * 6
        else:
            cells += [
                _figure(row.opening_debit, opening_url),
                _figure(row.opening_credit, opening_url),
                _figure(row.debit, movements_url),
                _figure(row.credit, movements_url),
                _figure(row.closing_debit, closing_url),
                _figure(row.closing_credit, closing_url),
            ]
        if comparison is not None:
            other = compared.get(account.account_id)
            other_url = links.ledger(code, scope.compare_from, scope.compare_to)
            cells += (
                [
                    _figure(other.debit, other_url),
                    _figure(other.credit, other_url),
                    _figure(other.closing, links.ledger(code, None, scope.compare_to)),
                ]
                if other
                else [Cell(ZERO)] * 3
            )
        report.rows.append(Row(cells, key=code))
    totals = [
        Cell(""),
        Cell(_("Total")),
        *(
            Cell(value)
            for value in (
                current.opening_debit,
                current.opening_credit,
                current.debit,
                current.credit,
                current.closing_debit,
                current.closing_credit,
            )
        ),
    ]
    if comparison is not None:
        totals += [
            Cell(comparison.debit),
            Cell(comparison.credit),
            Cell(comparison.closing_debit - comparison.closing_credit),
        ]
    report.rows.append(Row(totals, style="total", key="total"))
    report.checks.append((_("Debits equal credits"), current.balances and (comparison is None or comparison.balances)))
    return report


# --- account trees (profit and loss, balance sheet) -----------------------------------------------


@dataclass(frozen=True)
class _Account:
    code: str
    name: str
    parent_id: int | None


def _chart() -> dict[int, _Account]:
    return {
        account["id"]: _Account(account["code"], account["name"], account["parent_id"])
        for account in Account.all_objects.values("id", "code", "name", "parent_id")
    }


def _add(left: list[Decimal], right: list[Decimal]) -> list[Decimal]:
    return [a + b for a, b in zip(left, right, strict=True)]


def _tree_rows(
    figures: dict[int, list[Decimal]],
    chart: dict[int, _Account],
    *,
    width: int,
    leaf_url: Callable[[_Account, int], str],
    with_change: bool,
) -> tuple[list[Row], list[Decimal]]:
    """Rows of the accounts in ``figures`` (account id → one amount per column) under their
    summary accounts, each summary account with the subtotal of what is under it; and the
    column totals. ``leaf_url(account, column)`` links an account's figure."""
    sums: dict[int, list[Decimal]] = {}
    totals = [ZERO] * width
    for account_id, amounts in figures.items():
        totals = _add(totals, amounts)
        node_id: int | None = account_id
        seen: set[int] = set()
        while node_id is not None and node_id in chart and node_id not in seen:
            seen.add(node_id)
            sums[node_id] = _add(sums.get(node_id, [ZERO] * width), amounts)
            node_id = chart[node_id].parent_id
    children: dict[int | None, list[int]] = defaultdict(list)
    for node_id in sorted(sums, key=lambda pk: chart[pk].code):
        parent_id = chart[node_id].parent_id
        children[parent_id if parent_id in sums else None].append(node_id)

    rows: list[Row] = []

    def walk(node_id: int, level: int) -> None:
        account, amounts = chart[node_id], sums[node_id]
        is_group = bool(children.get(node_id))
        cells = [Cell(account.code), Cell(account.name)]
        for column, amount in enumerate(amounts):
            cells.append(Cell(amount) if is_group else _figure(amount, leaf_url(account, column)))
        if with_change:
            cells.append(Cell(amounts[0] - amounts[1]))
        if not is_group and cells[2].url:
            cells[:2] = [Cell(account.code, cells[2].url), Cell(account.name, cells[2].url)]
        rows.append(Row(cells, style="group" if is_group else "account", level=level, key=account.code))
        for child in children.get(node_id, ()):
            walk(child, level + 1)

    for root in children.get(None, ()):
        walk(root, 1)
    return rows, totals


def _amount_columns(scope: Scope) -> list[Column]:
    columns = [Column(_("Code"), numeric=False, wrap=False), Column(_("Account"), numeric=False), Column(scope.label)]
    if scope.has_comparison:
        columns += [Column(scope.comparison_label), Column(_("Change"))]
    return columns


def _section(title: str, width: int, key: str) -> Row:
    return Row([Cell(""), Cell(title)] + [Cell(None)] * width, style="section", key=f"section-{key}")


def _total(
    label: str, amounts: Iterable[Decimal], *, with_change: bool, style: str, key: str, urls: Iterable[str] = ()
) -> Row:
    amounts, urls = list(amounts), list(urls)
    cells = [Cell(""), Cell(label)] + [
        _figure(amount, urls[index] if index < len(urls) else "") for index, amount in enumerate(amounts)
    ]
    if with_change:
        cells.append(Cell(amounts[0] - amounts[1]))
    return Row(cells, style=style, key=key)


# --- profit and loss -------------------------------------------------------------------------------


def _figures(rows: Iterable[Iterable[selectors.AccountRow]], account_type: str, amount, width: int) -> dict:
    """Account id → one amount per column (a column per report) for the accounts of ``account_type``."""
    figures: dict[int, list[Decimal]] = {}
    for column, column_rows in enumerate(rows):
        for row in column_rows:
            if row.account_type == account_type:
                figures.setdefault(row.account_id, [ZERO] * width)[column] = amount(row)
    return figures


def profit_and_loss(scope: Scope, *, links: Links) -> Report:
    """Income and expense of the range by account tree, subtotals per summary account, and
    the result (income − expenses), before the year-end closing moved it to equity."""
    ranges = [(scope.date_from, scope.date_to)]
    if scope.has_comparison:
        ranges.append((scope.compare_from, scope.compare_to))
    reports = [
        selectors.profit_and_loss(date_from=start, date_to=end, organization_ids=scope.organization_ids)
        for start, end in ranges
    ]
    width, with_change = len(ranges), scope.has_comparison
    chart = _chart()
    report = Report(slug="profit-and-loss", title=_("Profit and loss"), scope=scope, columns=_amount_columns(scope))

    def url(account: _Account, column: int) -> str:
        start, end = ranges[column]
        return links.ledger(account.code, start, end, exclude_closing=True)

    sections = (
        (AccountType.INCOME, _("Income"), _("Total income"), "income", lambda row: row.credit - row.debit),
        (AccountType.EXPENSE, _("Expenses"), _("Total expenses"), "expense", lambda row: row.debit - row.credit),
    )
    section_totals = []
    for account_type, title, total_label, key, amount in sections:
        figures = _figures((pnl.rows for pnl in reports), account_type, amount, width)
        rows, totals = _tree_rows(figures, chart, width=width, leaf_url=url, with_change=with_change)
        section_totals.append(totals)
        report.rows.append(_section(title, len(report.columns) - 2, key))
        report.rows += rows
        report.rows.append(_total(total_label, totals, with_change=with_change, style="subtotal", key=f"total-{key}"))
    result = [income - expense for income, expense in zip(*section_totals, strict=True)]
    report.rows.append(_total(_("Result"), result, with_change=with_change, style="total", key="result"))
    report.checks.append(
        (_("Result = income − expenses"), all(r == pnl.result for r, pnl in zip(result, reports, strict=True)))
    )
    return report


# --- balance sheet ---------------------------------------------------------------------------------


def result_start(on: date) -> date | None:
    """The first day whose result is not yet closed into equity as of ``on``: the day after the
    last closed fiscal year that ended by then (None: since the first posting)."""
    closed = (
        FiscalYear.objects.filter(status=PeriodStatus.CLOSED, end_date__lte=on)
        .order_by("-end_date")
        .values_list("end_date", flat=True)
        .first()
    )
    return closed + timedelta(days=1) if closed else None


def balance_sheet(scope: Scope, *, links: Links) -> Report:
    """Assets, liabilities and equity as of a day by account tree; equity includes the result
    not yet closed into it (linked to that profit and loss), so assets = liabilities + equity."""
    days = [scope.date_to] + ([scope.compare_to] if scope.has_comparison else [])
    sheets = [selectors.balance_sheet(on=day, organization_ids=scope.organization_ids) for day in days]
    width, with_change = len(days), scope.has_comparison
    chart = _chart()
    report = Report(slug="balance-sheet", title=_("Balance sheet"), scope=scope, columns=_amount_columns(scope))

    def url(account: _Account, column: int) -> str:
        return links.ledger(account.code, None, days[column])

    def result_url(day: date) -> str:
        start = result_start(day) or links.first_day
        if not links.enabled or start is None or start > day:
            return ""
        organization = scope.organization.pk if scope.organization else None
        return report_url(
            "profit-and-loss", date_from=start.isoformat(), date_to=day.isoformat(), organization=organization
        )

    sections = (
        (AccountType.ASSET, _("Assets"), _("Total assets"), "assets", lambda row: row.opening),
        (AccountType.LIABILITY, _("Liabilities"), _("Total liabilities"), "liabilities", lambda row: -row.opening),
        (AccountType.EQUITY, _("Equity"), _("Total equity"), "equity", lambda row: -row.opening),
    )
    totals_by_key: dict[str, list[Decimal]] = {}
    for account_type, title, total_label, key, amount in sections:
        figures = _figures((sheet.rows for sheet in sheets), account_type, amount, width)
        rows, totals = _tree_rows(figures, chart, width=width, leaf_url=url, with_change=with_change)
        report.rows.append(_section(title, len(report.columns) - 2, key))
        report.rows += rows
        if key == "equity":
            result = [sheet.current_result for sheet in sheets]
            row = _total(
                _("Result not yet closed"),
                result,
                with_change=with_change,
                style="account",
                key="result",
                urls=[result_url(day) for day in days],
            )
            row.level = 1
            report.rows.append(row)
            totals = _add(totals, result)
        totals_by_key[key] = totals
        report.rows.append(_total(total_label, totals, with_change=with_change, style="subtotal", key=f"total-{key}"))
    liabilities_and_equity = _add(totals_by_key["liabilities"], totals_by_key["equity"])
    report.rows.append(
        _total(
            _("Total liabilities and equity"),
            liabilities_and_equity,
            with_change=with_change,
            style="total",
            key="total-liabilities-equity",
        )
    )
    report.checks.append(
        (
            _("Assets = liabilities + equity"),
            all(sheet.balances for sheet in sheets) and totals_by_key["assets"] == liabilities_and_equity,
        )
    )
    return report


# --- general ledger ----------------------------------------------------------------------------------


def _ledger_columns() -> list[Column]:
    return [
        Column(_("Date"), numeric=False, wrap=False),
        Column(_("Entry"), numeric=False, wrap=False),
        Column(_("Description"), numeric=False),
        Column(_("Partner"), numeric=False),
        Column(_("Organization"), numeric=False),
        Column(_("Debit")),
        Column(_("Credit")),
        Column(_("Balance")),
    ]


def _ledger_row(line: JournalLine, balance: Decimal, links: Links) -> Row:
    entry = line.entry
    return Row(
        [
            Cell(line.date),
            Cell(entry.number, links.entry(entry.pk)),
            _text(line.description or entry.description),
            _text(line.partner or ""),
            _text(line.organization.code),
            Cell(line.debit_company or None),
            Cell(line.credit_company or None),
            Cell(balance),
        ],
        style="line",
        key=f"line-{line.pk}",
    )


def _balance_row(label: str, balance: Decimal, key: str) -> Row:
    return Row(
        [Cell(None), Cell(""), Cell(label), Cell(""), Cell(""), Cell(None), Cell(None), Cell(balance)],
        style="balance",
        key=key,
    )


@dataclass(frozen=True)
class LedgerRequest:
    account: Account
    exclude_closing: bool = False
    after: selectors.LedgerKey | None = None
    before: selectors.LedgerKey | None = None
    last: bool = False

    @property
    def kinds(self) -> tuple[str, ...]:
        return (BalanceKind.REGULAR,) if self.exclude_closing else selectors.MOVEMENT_KINDS


def _ledger_report(scope: Scope, wanted: LedgerRequest) -> Report:
    account = wanted.account
    report = Report(slug="general-ledger", title=_("General ledger"), scope=scope, columns=_ledger_columns())
    report.subtitle = f"{account.code} {account.name}"
    return report


def general_ledger(scope: Scope, wanted: LedgerRequest, *, links: Links, base_query: dict[str, str]) -> Report:
    """One page of the account's ledger with running balance; ``base_query`` (the filters)
    is kept by the pager's links."""
    page = selectors.general_ledger_page(
        account=wanted.account,
        date_from=scope.date_from,
        date_to=scope.date_to,
        organization_ids=scope.organization_ids,
        kinds=wanted.kinds,
        after=wanted.after,
        before=wanted.before,
        last=wanted.last,
        per_page=LEDGER_PER_PAGE,
    )
    report = _ledger_report(scope, wanted)
    if page.position <= 1:
        report.rows.append(_balance_row(_("Opening balance"), page.opening, "opening"))
    elif page.lines:
        first = page.lines[0]
        brought = first.running_balance - first.debit_company + first.credit_company
        report.rows.append(_balance_row(_("Balance brought forward"), brought, "brought-forward"))
    report.rows += [_ledger_row(line, line.running_balance, links) for line in page.lines]
    if not page.has_next:
        report.rows.append(_balance_row(_("Closing balance"), page.closing, "closing"))
    report.summary = [
        (_("Opening balance"), page.opening),
        (_("Closing balance"), page.closing),
        (_("Lines"), page.line_count),
    ]
    report.pager = _pager(
        base_query,
        label=_("Lines %(first)s–%(last)s of %(count)s")
        % {"first": page.position, "last": page.position + len(page.lines) - 1, "count": page.line_count}
        if page.lines
        else _("No lines"),
        has_previous=page.has_previous,
        has_next=page.has_next,
        first_key=page.lines[0] if page.lines else None,
        last_key=page.lines[-1] if page.lines else None,
        date_field="date",
    )
    return report


def general_ledger_all(scope: Scope, wanted: LedgerRequest, *, links: Links) -> Report:
    """Every line of the account between the dates (for the exports: the caller limits the count)."""
    opening, _count = selectors.ledger_totals_before(
        account_id=wanted.account.pk,
        key=selectors.LedgerKey(scope.date_from),
        organization_ids=scope.organization_ids,
        kinds=wanted.kinds,
    )
    report = _ledger_report(scope, wanted)
    report.rows.append(_balance_row(_("Opening balance"), opening, "opening"))
    balance = opening
    lines = selectors.ledger_lines(
        account=wanted.account,
        date_from=scope.date_from,
        date_to=scope.date_to,
        organization_ids=scope.organization_ids,
        kinds=wanted.kinds,
    )
    for line in lines.iterator(chunk_size=2000):
        balance += line.debit_company - line.credit_company
        report.rows.append(_ledger_row(line, balance, links))
    report.rows.append(_balance_row(_("Closing balance"), balance, "closing"))
    report.summary = [(_("Opening balance"), opening), (_("Closing balance"), balance)]
    return report


def ledger_line_count(scope: Scope, wanted: LedgerRequest) -> int:
    def before(day: date) -> int:
        return selectors.ledger_totals_before(
            account_id=wanted.account.pk,
            key=selectors.LedgerKey(day),
            organization_ids=scope.organization_ids,
            kinds=wanted.kinds,
        )[1]

    return before(scope.date_to + timedelta(days=1)) - before(scope.date_from)


def _pager(base_query, *, label, has_previous, has_next, first_key, last_key, date_field) -> Pager:
    def url(**params) -> str:
        return "?" + urlencode({**base_query, **params})

    pager = Pager(label=label)
    if has_previous:
        pager.first = url()
        pager.previous = url(before=f"{getattr(first_key, date_field).isoformat()}.{first_key.pk}")
    if has_next:
        pager.next = url(after=f"{getattr(last_key, date_field).isoformat()}.{last_key.pk}")
        pager.last = url(last="1")
    return pager


# --- journal -------------------------------------------------------------------------------------------


def _journal_columns() -> list[Column]:
    return [
        Column(_("Date"), numeric=False, wrap=False),
        Column(_("Entry"), numeric=False, wrap=False),
        Column(_("Account"), numeric=False),
        Column(_("Description"), numeric=False),
        Column(_("Partner"), numeric=False),
        Column(_("Organization"), numeric=False),
        Column(_("Debit")),
        Column(_("Credit")),
    ]


def _journal_rows(entry: JournalEntry, links: Links, scope: Scope) -> list[Row]:
    entry_url = links.entry(entry.pk)
    rows = [
        Row(
            [
                Cell(entry.accounting_date),
                Cell(entry.number, entry_url),
                Cell(""),
                _text(entry.description),
                Cell(""),
                _text(entry.organization.code),
                Cell(None),
                Cell(None),
            ],
            style="entry",
            key=f"entry-{entry.pk}",
        )
    ]
    for line in entry.report_lines:
        account = line.account
        rows.append(
            Row(
                [
                    Cell(None),
                    Cell(""),
                    Cell(f"{account.code} {account.name}", links.ledger(account.code, scope.date_from, scope.date_to)),
                    _text(line.description),
                    _text(line.partner or ""),
                    _text(line.organization.code),
                    Cell(line.debit_company or None, entry_url),
                    Cell(line.credit_company or None, entry_url),
                ],
                style="line",
                level=1,
                key=f"line-{line.pk}",
            )
        )
    return rows


def journal(
    scope: Scope,
    *,
    links: Links,
    base_query: dict[str, str],
    after: selectors.LedgerKey | None = None,
    before: selectors.LedgerKey | None = None,
    last: bool = False,
) -> Report:
    """A page of posted entries with their lines (amounts in the company currency)."""
    page = selectors.journal_page(
        date_from=scope.date_from,
        date_to=scope.date_to,
        organization_ids=scope.organization_ids,
        after=after,
        before=before,
        last=last,
        per_page=JOURNAL_PER_PAGE,
    )
    report = Report(slug="journal", title=_("Journal"), scope=scope, columns=_journal_columns())
    for entry in page.entries:
        report.rows += _journal_rows(entry, links, scope)
    report.summary = [(_("Entries"), page.entry_count), (_("Total debit = total credit"), page.total)]
    report.pager = _pager(
        base_query,
        label=_("%(count)s entries") % {"count": page.entry_count},
        has_previous=page.has_previous,
        has_next=page.has_next,
        first_key=page.entries[0] if page.entries else None,
        last_key=page.entries[-1] if page.entries else None,
        date_field="accounting_date",
    )
    return report


class TooManyLines(Exception):
    """An export would hold more lines than it may: narrow the dates."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def journal_all(scope: Scope, *, links: Links, limit: int) -> Report:
    """Every posted entry between the dates with its lines (for the exports); ``TooManyLines``
    once more than ``limit`` lines would be written."""
    entries = selectors.journal_entries(
        date_from=scope.date_from, date_to=scope.date_to, organization_ids=scope.organization_ids
    )
    report = Report(slug="journal", title=_("Journal"), scope=scope, columns=_journal_columns())
    total, count, lines = ZERO, 0, 0
    chunk: list[JournalEntry] = []

    def flush() -> None:
        nonlocal lines
        for entry in selectors.with_lines(chunk):
            lines += len(entry.report_lines)
            if lines > limit:
                raise TooManyLines(limit)
            report.rows.extend(_journal_rows(entry, links, scope))
        chunk.clear()

    for entry in entries.iterator(chunk_size=500):
        total += entry.total_gross_company
        count += 1
        chunk.append(entry)
        if len(chunk) == 500:
            flush()
    flush()
    report.summary = [(_("Entries"), count), (_("Total debit = total credit"), total)]
    return report


def describe(report: Report) -> list[tuple[str, str]]:
    """The filters as (label, text) pairs for the heads of the exports."""
    scope = report.scope
    pairs = [(_("Account"), report.subtitle)] if report.subtitle else []
    if scope.date_from is not None:
        pairs.append((_("Period"), scope.label))
    else:
        pairs.append((_("As of"), day_label(scope.date_to)))
    pairs.append((_("Organizations"), scope.organization_label))
    if scope.has_comparison:
        pairs.append((_("Compared with"), scope.comparison_label))
    return pairs
